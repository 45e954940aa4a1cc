"""Dagster assets for ingestion: one raw asset per export kind, plus the file manifest.

One step reads the landing folder once (a file's kind is only known after its header is read) and
materialises every raw table it touched; `raw/_manifest` records every file, and its checks say
whether every file was accepted and every row accounted for.
"""

import dagster as dg
import duckdb

from ingestion.formats import KINDS
from ingestion.load import RAW_SCHEMA, IngestReport, ingest
from orchestration.settings import LapakSettings

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
def ingest_landing(context: dg.AssetExecutionContext, settings: LapakSettings):
    """Load every new file under the landing folder into the `raw` schema."""
    report = ingest(settings.warehouse, settings.landing, settings.home, load_id=context.run_id)
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
    from ingestion.load import FileResult

    data = metadata["report"].data if hasattr(metadata["report"], "data") else metadata["report"]
    return IngestReport(files=[FileResult(**f) for f in data["files"]])


@dg.asset_check(
    asset=MANIFEST_KEY,
    name="every_file_accepted",
    description="No file in the landing folder was rejected by the latest ingestion (rejected files are retried "
    "on every run until they are fixed or removed).",
)
def every_file_accepted(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    event = context.instance.get_latest_materialization_event(MANIFEST_KEY)
    if event is None or event.asset_materialization is None:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no ingestion has run yet"})
    report = report_from_metadata(event.asset_materialization.metadata)
    rejected = [{"file": f.source_file, "reason": f.reason} for f in report.rejected]
    return dg.AssetCheckResult(
        passed=not rejected,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rejected_files": len(rejected), "files": dg.MetadataValue.json(rejected)},
    )


@dg.asset_check(
    asset=MANIFEST_KEY,
    name="rows_accounted_for",
    blocking=True,
    description="For every loaded file: rows read = rows loaded + rows quarantined, and the raw and "
    "quarantine tables hold exactly those rows.",
)
def rows_accounted_for(settings: LapakSettings) -> dg.AssetCheckResult:
    union = " union all ".join(
        f"select _file_sha256 as sha, count(*) as n from {RAW_SCHEMA}.{name} group by 1" for name in RAW_KEYS
    )
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        bad = con.execute(
            f"""with loaded as ({union}),
            quarantined as (
                select file_sha256 as sha, count(distinct source_row) as n from {RAW_SCHEMA}._quarantine group by 1
            )
            select m.source_file, m.rows_read, m.rows_loaded, m.rows_quarantined,
                   coalesce(l.n, 0) as in_raw, coalesce(q.n, 0) as in_quarantine
            from {RAW_SCHEMA}._manifest as m
            left join loaded as l on l.sha = m.file_sha256
            left join quarantined as q on q.sha = m.file_sha256
            where m.status = 'loaded'
              and (m.rows_read <> m.rows_loaded + m.rows_quarantined
                   or coalesce(l.n, 0) <> m.rows_loaded or coalesce(q.n, 0) <> m.rows_quarantined)"""
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"files_out_of_balance": len(bad), "files": dg.MetadataValue.json([list(map(str, r)) for r in bad])},
    )
