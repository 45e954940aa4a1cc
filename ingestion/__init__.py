"""Reading TikTok Shop Seller Center exports into the DuckDB `raw` schema."""
