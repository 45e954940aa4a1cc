"""The sample-export generator: same seed, same bytes; the quirks of real exports; the planted stories."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from ingestion.formats import (
    CAMPAIGNS,
    CREATORS,
    LIVES,
    NPS,
    ORDER_DESCRIPTIONS,
    ORDER_HEADERS_CURRENT,
    ORDER_HEADERS_LEGACY,
    ORDER_STATUSES_EN,
    ORDER_STATUSES_ID,
    PRODUCTS,
    VARIANTS,
    VIDEOS,
)
from lapak.generate import GenerateResult, generate, shop_ids

SMALL = {"shops": 2, "days": 100, "orders_per_day": 20, "seed": 11}
DATE_RANGE = re.compile(r"^\[Date Range\]: \d{4}-\d{2}-\d{2} ~ \d{4}-\d{2}-\d{2}$")
# status index: 0 unpaid, 1 to ship, 2 shipped, 3 completed, 4 cancelled (either language)
STATUS = {s: i for statuses in (ORDER_STATUSES_ID, ORDER_STATUSES_EN) for i, s in enumerate(statuses)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateResult]:
    out = tmp_path_factory.mktemp("landing")
    return out, generate(out, **SMALL)


def sheet(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def header_row(rows: list[list]) -> int:
    """Index of the header row of a `[Date Range]` file: 1, or 2 after a blank row."""
    return 1 if any(str(v) for v in rows[1]) else 2


def order_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir() if p.name.startswith(("Semua pesanan-", "All order-"))]
    return sorted(files, key=lambda p: re.search(r"\d{4}-\d{2}-\d{2}-\d{2}_\d{2}", p.name).group())


def read_orders(path: Path) -> list[dict[str, str]]:
    """Rows of one order export as text, tab suffixes stripped."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        raw = sheet(path)
        rows = [dict(zip(raw[0], r, strict=True)) for r in raw[2:]]
    return [{k: str(v).rstrip("\t") for k, v in r.items()} for r in rows]


def latest_lines(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    """The latest export wins per (Order ID, SKU ID)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for path in order_files(folder):
        for r in read_orders(path):
            out[(r["Order ID"], r["SKU ID"])] = r
    return out


def created(r: dict[str, str]) -> datetime:
    return datetime.strptime(r["Created Time"], "%d/%m/%Y %H:%M:%S")


def rupiah(text: str) -> int:
    """`50000` (current layout) or `IDR 50.000` (legacy layout)."""
    return int(re.sub(r"\D", "", text))


def is_sale(r: dict[str, str]) -> bool:
    return STATUS[r["Order Status"]] in (1, 2, 3)


# --------------------------------------------------------------------------------------------
# Determinism and API
# --------------------------------------------------------------------------------------------


def test_same_seed_same_bytes_and_mtimes(sample, tmp_path):
    out, result = sample
    again = generate(tmp_path, **SMALL)
    assert [p.relative_to(tmp_path) for p in again.files] == [p.relative_to(out) for p in result.files]
    for a, b in zip(result.files, again.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        assert a.stat().st_mtime == b.stat().st_mtime, a.name
    assert again.order_lines == result.order_lines
    assert again.stories == result.stories


def test_other_seed_other_data(sample, tmp_path):
    out, result = sample
    other = generate(tmp_path, **{**SMALL, "seed": SMALL["seed"] + 1})
    assert other.shops == result.shops  # shop ids do not depend on the seed
    mine = {p.relative_to(out): p.read_bytes() for p in result.files}
    theirs = {p.relative_to(tmp_path): p.read_bytes() for p in other.files}
    assert mine.get(Path(result.shops[0], "campaigns.csv")) != theirs.get(Path(result.shops[0], "campaigns.csv"))
    assert sum(mine[k] == theirs[k] for k in mine.keys() & theirs.keys()) < len(mine) / 2


def test_result_lists_every_file_and_counts_lines(sample):
    out, result = sample
    assert result.shops == ["batik-sari-solo", "kopi-nusantara"]
    assert sorted(result.files) == sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.parent.name for p in result.files} == set(result.shops)
    assert set(result.stories) == set(result.shops)
    lines = sum(len(read_orders(p)) for shop in result.shops for p in order_files(out / shop))
    assert lines == result.order_lines


def test_shop_ids_are_unique_slugs():
    ids = shop_ids(14)
    assert ids[:3] == ["batik-sari-solo", "kopi-nusantara", "glowskin-id"]
    assert len(set(ids)) == 14
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", s) for s in ids)


def test_too_short_a_period_is_refused(tmp_path):
    with pytest.raises(ValueError, match="days"):
        generate(tmp_path, days=10)


# --------------------------------------------------------------------------------------------
# Structure: the quirks of real exports
# --------------------------------------------------------------------------------------------


def test_order_csv_layout(sample):
    out, result = sample
    for shop in result.shops:
        files = order_files(out / shop)
        assert [p.suffix for p in files] == [".csv", ".xlsx", ".csv"]  # oldest (legacy) first
        for i, path in enumerate(p for p in files if p.suffix == ".csv"):
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbfOrder ID,")
            reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
            header = next(reader)
            assert tuple(header) == (ORDER_HEADERS_LEGACY if i == 0 else ORDER_HEADERS_CURRENT)
            rows = [dict(zip(header, r, strict=True)) for r in reader]
            for r in rows:
                assert re.fullmatch(r"57\d{16}\t", r["Order ID"])
                assert re.fullmatch(r"17\d{17}\t", r["SKU ID"])
                assert re.fullmatch(r"\d{5}\t", r["Zipcode"])
                assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}\t", r["Created Time"])
                assert all(r[h].endswith("\t") for h in header if h.endswith(" Time"))
                assert re.fullmatch(r"\(\+62\)8\d{2}\*{6}\d{2}", r["Phone #"])
            assert any(r["Delivered Time"] == "\t" for r in rows)  # an empty time is a lone tab
            money = rows[0]["SKU Unit Original Price"]
            assert re.fullmatch(r"IDR \d{1,3}(\.\d{3})+" if i == 0 else r"\d+", money)


def test_order_xlsx_has_description_row_and_stale_dimension(sample):
    out, result = sample
    path = next(p for p in order_files(out / result.shops[0]) if p.suffix == ".xlsx")
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["OrderSKUList"]
    rows = sheet(path)
    assert tuple(rows[0]) == ORDER_HEADERS_CURRENT
    descriptions = dict(zip(rows[0], rows[1], strict=True))
    assert all(descriptions[h] == text for h, text in ORDER_DESCRIPTIONS.items())
    assert re.fullmatch(r"57\d{16}", rows[2][0])  # data from row 3, no tab suffix
    assert not any("\t" in str(v) for r in rows[2:] for v in r)
    with zipfile.ZipFile(path) as z:
        assert b'<dimension ref="A1:A1"/>' in z.read("xl/worksheets/sheet1.xml")


def test_analytics_exports_have_preamble_and_language_headers(sample):
    out, result = sample
    layouts = set()
    for shop in result.shops:
        lang = result.stories[shop].language
        for prefix, kind in (("Video Performance List_", VIDEOS), ("Live Analysis_", LIVES),
                             ("Transaction_Analysis_Creator_List_", CREATORS)):  # fmt: skip
            files = sorted((out / shop).glob(f"{prefix}*.xlsx"))
            assert files, prefix
            for path in files:
                rows = sheet(path)
                assert DATE_RANGE.match(rows[0][0]), path.name
                h = header_row(rows)
                layouts.add(h)
                assert sorted(rows[h]) == sorted(kind.headers(lang)), path.name
    assert layouts == {1, 2}  # header straight on row 2 in some files, after a blank row in others
    assert {s.language for s in result.stories.values()} == {"id", "en"}


def test_video_values_look_like_seller_center(sample):
    out, result = sample
    shop = result.shops[0]
    daily = sorted((out / shop).glob("Video Performance List_*.xlsx"))
    rows = sheet(daily[-1])
    h = header_row(rows)
    data = [dict(zip(rows[h], r, strict=True)) for r in rows[h + 1 :]]
    assert rows[0][0] == f"[Date Range]: {date(2026, 11, 20)} ~ {date(2026, 11, 20)}"  # one file per day at the end
    for r in data:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r["Waktu"])
        assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})*", r["GMV dari video (Rp)"])
        assert re.fullmatch(r"\d+\.\d{2}%|--", r["Rasio klik tayang (Video)"])
        assert re.fullmatch(r"\d+\.\d{2}%", r["Persentase Video yang Ditonton Hingga Selesai"])
    weekly = [sheet(p)[0][0] for p in daily[:3]]
    for preamble in weekly:  # weekly files (Monday-Sunday) before the last 60 days
        a, b = (date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", preamble))
        assert a.weekday() == 0 and b - a == timedelta(days=6)


def test_product_list_repeats_names_first_one_real(sample):
    out, result = sample
    for shop in result.shops:
        lang = result.stories[shop].language
        rows = sheet(sorted((out / shop).glob("product_list_*.xlsx"))[-1])
        known = PRODUCTS.headers(lang)
        assert rows[0][: len(known)] == known
        assert len(rows[0]) > len(set(rows[0]))  # repeated column names further right
        assert 15 <= len(rows) - 2 <= 25


def test_own_csvs(sample):
    out, result = sample
    for shop in result.shops:
        folder = out / shop
        story = result.stories[shop]
        for name, kind in (("campaigns.csv", CAMPAIGNS), ("nps_responses.csv", NPS), ("ab_variants.csv", VARIANTS)):
            raw = (folder / name).read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf")
            assert raw.decode().splitlines()[0].split(",") == kind.headers("id")
        campaigns = list(csv.DictReader((folder / "campaigns.csv").open(encoding="utf-8")))
        assert 4 <= len(campaigns) <= 6
        assert {c["campaign_type"] for c in campaigns} <= {"LIVE", "promo", "super_brand_day", "flash_sale", "voucher"}
        live = [c for c in campaigns if c["campaign_type"] == "LIVE"]
        assert [c["campaign_id"] for c in live] == [story.live_campaign_id]
        assert live[0]["start_time"] == story.live_start.strftime("%Y-%m-%d %H:%M:%S")
        assert set(story.campaign_nps) == {c["campaign_id"] for c in campaigns}

        orders = {r["Order ID"] for r in latest_lines(folder).values()}
        nps = list(csv.DictReader((folder / "nps_responses.csv").open(encoding="utf-8")))
        assert nps and all(r["order_id"] in orders for r in nps)
        assert all(0 <= int(r["score"]) <= 10 and r["channel"] in {"whatsapp", "chat", "email"} for r in nps)
        assert {r["campaign_id"] for r in nps} - {""} <= set(story.campaign_nps)

        videos = set()
        for path in folder.glob("Video Performance List_*.xlsx"):
            rows = sheet(path)
            h = header_row(rows)
            col = rows[h].index(VIDEOS.columns["video_id"][story.language])
            videos |= {r[col] for r in rows[h + 1 :]}
        tags = list(csv.DictReader((folder / "ab_variants.csv").open(encoding="utf-8")))
        assert {t["experiment_id"] for t in tags} == {story.ab_winner_experiment_id, story.ab_null_experiment_id}
        assert all(t["video_id"] in videos and t["is_control"] in {"true", "false"} for t in tags)
        assert story.viral_video_id in videos


# --------------------------------------------------------------------------------------------
# Stories the marts must reveal
# --------------------------------------------------------------------------------------------


def test_status_advances_between_overlapping_exports(sample):
    out, result = sample
    for shop in result.shops:
        seen: dict[str, list[int]] = defaultdict(list)
        for path in order_files(out / shop):
            for r in {r["Order ID"]: r for r in read_orders(path)}.values():
                seen[r["Order ID"]].append(STATUS[r["Order Status"]])
        advanced = [s for s in seen.values() if len(s) > 1 and s[0] in (1, 2) and s[-1] == 3]
        assert len(advanced) >= 10
        final = [s[-1] for s in seen.values()]
        assert final.count(4) > 0 and final.count(0) > 0  # cancelled and never paid
        assert 1 in final or 2 in final  # the latest export still has orders on their way


def test_returns_carry_quantity_and_refund(sample):
    out, result = sample
    lines = latest_lines(out / result.shops[0]).values()
    returns = [
        r for r in lines if r["Cancelation/Return Type"] == "Return/Refund" and r["Sku Quantity of return"] != "0"
    ]
    assert returns
    assert all(rupiah(r["Order Refund Amount"]) > 0 for r in returns)
    cancels = [r for r in lines if r["Cancelation/Return Type"] == "Cancel"]
    assert cancels and all(r["Cancelled Time"] for r in cancels)


def test_viral_sku_spikes_then_sells_out(sample):
    out, result = sample
    for shop in result.shops:
        story = result.stories[shop]
        assert timedelta(days=10) <= date(2026, 11, 20) - story.viral_date <= timedelta(days=20)
        units: dict[date, int] = defaultdict(int)
        for r in latest_lines(out / shop).values():
            if r["SKU ID"] == story.viral_sku_id and is_sale(r):
                units[created(r).date()] += int(r["Quantity"])
        trailing = sum(units[story.viral_date - timedelta(days=d)] for d in range(1, 15)) / 14
        assert units[story.viral_date] >= 5 * max(trailing, 1)
        assert story.viral_date <= story.sold_out_date <= story.viral_date + timedelta(days=3)
        assert all(units[d] == 0 for d in units if d > story.sold_out_date)
        rows = sheet(sorted((out / shop).glob("product_list_*.xlsx"))[-1])
        stock = rows[0].index(PRODUCTS.columns["stock_quantity"][story.language])
        sku = rows[0].index(PRODUCTS.columns["sku_id"][story.language])
        assert {r[sku]: r[stock] for r in rows[2:]}[story.viral_sku_id] == 0


def test_live_session_lifts_orders(sample):
    out, result = sample
    for shop in result.shops:
        story = result.stories[shop]
        times = sorted({r["Order ID"]: created(r) for r in latest_lines(out / shop).values()}.values())
        window = story.live_end - story.live_start + timedelta(hours=24)
        during = sum(story.live_start <= t < story.live_start + window for t in times)
        before = [sum(story.live_start - timedelta(weeks=w) <= t < story.live_start - timedelta(weeks=w) + window
                      for t in times) for w in (1, 2, 3)]  # fmt: skip
        assert during > 1.5 * max(before)


def test_repeat_buyers_form_cohorts(sample):
    out, result = sample
    per_buyer: dict[str, set[str]] = defaultdict(set)
    for r in latest_lines(out / result.shops[0]).values():
        per_buyer[r["Buyer Username"]].add(r["Order ID"])
    counts = [len(v) for v in per_buyer.values()]
    repeat = sum(c > 1 for c in counts) / len(counts)
    assert 0.15 <= repeat <= 0.45
    assert max(counts) >= 3


def test_campaign_nps_bands_differ(sample):
    out, result = sample
    for shop in result.shops:
        story = result.stories[shop]
        scores: dict[str, list[int]] = defaultdict(list)
        for r in csv.DictReader((out / shop / "nps_responses.csv").open(encoding="utf-8")):
            if r["campaign_id"]:
                scores[story.campaign_nps[r["campaign_id"]]].append(int(r["score"]))

        def nps(s: list[int]) -> float:
            return 100 * (sum(x >= 9 for x in s) - sum(x <= 6 for x in s)) / len(s)

        assert nps(scores["low"]) < 0
        assert nps(scores["high"]) > nps(scores["low"]) + 40


def test_ab_winner_has_higher_ctr(sample):
    out, result = sample
    for shop in result.shops:
        story = result.stories[shop]
        lang = story.language
        clicks: dict[str, int] = defaultdict(int)
        impressions: dict[str, int] = defaultdict(int)
        for path in (out / shop).glob("Video Performance List_*.xlsx"):
            rows = sheet(path)
            h = header_row(rows)
            col = {
                c: rows[h].index(VIDEOS.columns[c][lang]) for c in ("video_id", "product_clicks", "product_impressions")
            }
            for r in rows[h + 1 :]:
                clicks[r[col["video_id"]]] += int(r[col["product_clicks"]])
                impressions[r[col["video_id"]]] += int(r[col["product_impressions"]])
        ctr: dict[tuple[str, str], float] = {}
        arms: dict[tuple[str, str], list[str]] = defaultdict(list)
        for t in csv.DictReader((out / shop / "ab_variants.csv").open(encoding="utf-8")):
            arms[(t["experiment_id"], t["is_control"])].append(t["video_id"])
        for key, vids in arms.items():
            assert sum(impressions[v] for v in vids) > 1000  # enough exposure to tell
            ctr[key] = sum(clicks[v] for v in vids) / sum(impressions[v] for v in vids)
        win, null = story.ab_winner_experiment_id, story.ab_null_experiment_id
        assert ctr[(win, "false")] > 1.5 * ctr[(win, "true")]
        assert 0.75 < ctr[(null, "false")] / ctr[(null, "true")] < 1.33


def test_sample_ending_yesterday_has_exports_fresh_enough_for_the_freshness_check(tmp_path):
    """`make demo` generates with `--end-date yesterday`: its newest order export must be within the
    freshness check's default 2 days (orchestration/automation.py) and not in the future, in WIB."""
    from ingestion.detect import export_time_from_name
    from lapak.cli import main
    from lapak.settings import WIB

    assert main(["generate", "--out", str(tmp_path), "--shops", "1", "--days", "30", "--end-date", "yesterday"]) == 0
    now = datetime.now(WIB).replace(tzinfo=None)
    stamps = [
        export_time_from_name(p.name) for p in tmp_path.rglob("*") if p.name.startswith(("Semua pesanan", "All order"))
    ]
    assert stamps and None not in stamps, "no order export, or one without its time in its name"
    newest = max(stamps)
    assert newest <= now and now - newest < timedelta(days=2), (newest, now)
    assert newest.date() == now.date() - timedelta(days=1)
