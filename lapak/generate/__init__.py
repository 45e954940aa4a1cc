"""Sample TikTok Shop Seller Center exports (Indonesia), with stories planted for the marts to reveal.

`generate()` writes one folder per shop under `out/` (the folder name is the shop id) holding the files a
seller downloads from Seller Center, quirks included (see docs/formats.md), plus the three CSVs the seller
keeps: campaign calendar, NPS answers and A/B variant tags. Headers come from `ingestion.formats`.

Everything is drawn from one seeded generator per shop, vectorised with numpy; DuckDB formats and writes
the order CSVs. Same arguments, same bytes: XLSX metadata and file mtimes are fixed to the export time.
"""

from lapak.generate.entry import MIN_DAYS, GenerateResult, ShopStory, generate
from lapak.generate.plan import shop_ids

__all__ = ["MIN_DAYS", "GenerateResult", "ShopStory", "generate", "shop_ids"]
