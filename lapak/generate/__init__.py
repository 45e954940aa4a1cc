"""Sample TikTok Shop Seller Center exports (Indonesia), with stories planted for the marts to reveal.

`generate()` writes one folder per shop under `out/` (the folder name is the shop id) holding the files a
seller downloads from Seller Center, quirks included (see docs/formats.md), plus the three CSVs the seller
keeps: campaign calendar, NPS answers and A/B variant tags. Headers come from `ingestion.formats`.

Everything is drawn from one seeded generator per shop, vectorised with numpy; DuckDB formats and writes
the order CSVs. Same arguments, same bytes: XLSX metadata and file mtimes are fixed to the export time.

The modules, in the order generate() (entry.py) uses them: plan.py (catalogue, creators, the planted viral video
and LIVE) with campaigns.py; arrivals.py, buyers.py and orders.py simulate the orders; videos.py the videos;
order_exports.py, product_exports.py, video_exports.py, live_exports.py, creator_exports.py and seller_csvs.py
write the files, with files.py, columns.py and units.py. The sample themes are data files in themes/.
"""

from lapak.generate.entry import MIN_DAYS, GenerateResult, ShopStory, generate
from lapak.generate.plan import shop_ids

__all__ = ["MIN_DAYS", "GenerateResult", "ShopStory", "generate", "shop_ids"]
