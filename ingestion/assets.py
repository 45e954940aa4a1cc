"""Dagster assets for ingestion: one raw asset per export kind, plus the file manifest.

One step reads the landing folder once (a file's kind is only known after its header is read) and
materialises every raw table it touched; `raw/_manifest` records every file, and its checks say
whether every file was accepted and every row accounted for.
"""

import dagster as dg
import duckdb

from ingestion.formats import KINDS
from ingestion.load import ingest
from ingestion.manifest import RAW_SCHEMA, accounting_problems
from ingestion.report import IngestReport
from lapak.resources import LapakPaths

RAW_GROUP = "raw"
MANIFEST_KEY = dg.AssetKey([RAW_SCHEMA, "_manifest"])
RAW_KEYS = {kind.name: dg.AssetKey([RAW_SCHEMA, kind.name]) for kind in KINDS.values()}

_DESCRIPTIONS = {
    "orders": "Order lines (one per Order ID × SKU ID per export file) from `Semua pesanan` / `All order` exports.",
    "products": "Product and stock snapshots from `product_list` exports.",
    "videos": "Video performance rows from `Video Performance List` exports.",
    "lives": "LIVE sessions from `Live Analysis` exports.",
    "creators": "Affiliate creator performance from `Transaction_Analysis_Creator_List` exports.",
    "campaigns": "The seller's campaign calendar (lapak CSV format).",
    "nps_responses": "NPS survey answers (lapak CSV format).",
    "ab_variants": "A/B test variant tags per video (lapak CSV format).",
    "product_costs": "Optional unit cost per SKU, for margin after commission (lapak CSV format).",
    "sku_settings": "Optional lead time and service level per SKU, for reorder points (lapak CSV format).",
}


class IngestConfig(dg.Config):
    shop: str | None = None  # only this shop's folder (`lapak run --shop X`); other shops' data stays as it is


@dg.multi_asset(
    name="ingest_landing",
    specs=[
        dg.AssetSpec(
            key,
            group_name=RAW_GROUP,
            description=_DESCRIPTIONS.get(name, f"Raw `{name}` rows.")
            + " Every source column as text, plus lineage columns.",
            kinds={"duckdb"},
            metadata={"dagster/table_name": f"{RAW_SCHEMA}.{name}"},
        )
        for name, key in RAW_KEYS.items()
    ]
    + [
        dg.AssetSpec(
            MANIFEST_KEY,
            group_name=RAW_GROUP,
            description="One row per landing file seen: hash, shop, kind, layout, rows read / loaded / "
            "quarantined, status (loaded, duplicate, rejected) and why.",
            kinds={"duckdb"},
        )
    ],
)
def ingest_landing(context: dg.AssetExecutionContext, config: IngestConfig, settings: LapakPaths):
    """Load every new file under the landing folder (or one shop's folder) into the `raw` schema."""
    report = ingest(settings.warehouse, settings.landing, settings.home, load_id=context.run_id, shop=config.shop)
    for f in report.rejected:
        context.log.warning(f"rejected {f.source_file}: {f.reason}")
    for f in report.of("loaded"):
        if f.rows_quarantined:
            context.log.warning(f"{f.source_file}: {f.rows_quarantined} of {f.rows_read} rows quarantined")
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        counts = {name: con.execute(f"select count(*) from {RAW_SCHEMA}.{name}").fetchone()[0] for name in RAW_KEYS}
    for name, key in RAW_KEYS.items():
        files = report.for_kind(name)
        totals = report.totals(files)
        drift = sorted({c for f in files for c in f.schema_drift})
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                **{k: v for k, v in totals.items() if k != "files_seen"},
                "dagster/row_count": counts[name],
                "schema_drift": dg.MetadataValue.json(drift),
            },
        )
    yield dg.MaterializeResult(
        asset_key=MANIFEST_KEY,
        metadata={**report.totals(), "report": dg.MetadataValue.json(report.to_dict())},
    )


def report_from_metadata(metadata: dict) -> IngestReport:
    """Rebuild the ingest report the manifest materialisation carries (used by the CLI summary)."""
    data = metadata["report"].data if hasattr(metadata["report"], "data") else metadata["report"]
    return IngestReport.from_dict(data)


@dg.asset_check(
    asset=MANIFEST_KEY,
    name="every_file_accepted",
    description="No file in the landing folder was rejected or skipped by the latest ingestion (rejected files "
    "are retried on every run until they are fixed or removed). Warns: the other files, and every other shop, go on "
    "to the marts; `lapak run` still exits non-zero and names each file.",
)
def every_file_accepted(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    event = context.instance.get_latest_materialization_event(MANIFEST_KEY)
    if event is None or event.asset_materialization is None:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no ingestion has run yet"})
    report = report_from_metadata(event.asset_materialization.metadata)
    rejected = [{"file": f.source_file, "reason": f.reason} for f in report.rejected]
    rejected += [{"file": f.source_file, "reason": f.reason} for f in report.of("skipped") if f.reason]
    # a rejected file never reached the warehouse: like a held file it must not stop every shop's build
    return dg.AssetCheckResult(
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rejected_files": len(rejected), "files": dg.MetadataValue.json(rejected)},
    )


@dg.asset_check(
    asset=MANIFEST_KEY,
    name="rows_accounted_for",
    blocking=True,
    description="For every loaded file: rows read = rows loaded + rows quarantined, and the raw and "
    "quarantine tables hold exactly those rows; no raw or quarantined row belongs to a file the manifest "
    "does not list as loaded (no partial load), and no file is listed as loaded twice.",
)
def rows_accounted_for(settings: LapakPaths) -> dg.AssetCheckResult:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        bad = accounting_problems(con)
        files, rows_read, rows_loaded, rows_quarantined = con.execute(
            f"select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
            f"coalesce(sum(rows_quarantined), 0) from {RAW_SCHEMA}._manifest where status = 'loaded'"
        ).fetchone()
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={
            "files_out_of_balance": len(bad),
            "files": dg.MetadataValue.json([{k: str(v) for k, v in b.items()} for b in bad]),
            "files_loaded": files,
            "rows_read": int(rows_read),
            "rows_loaded": int(rows_loaded),
            "rows_quarantined": int(rows_quarantined),
        },
    )
