"""lapak: TikTok Shop Seller Center exports (Indonesia) to KPI marts."""
