"""The export formats lapak understands: one place that both the sample generator and ingestion read.

Every export kind maps its source headers (Indonesian or English UI) onto one set of canonical,
snake_case column names. Raw tables in DuckDB use the canonical names, all as text, plus the
lineage columns listed in ``LINEAGE_COLUMNS``.

docs/formats.md describes the same formats for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------
# Orders: headers are English in both UIs. Canonical name = snake_case(header).
# --------------------------------------------------------------------------------------------

ORDER_HEADERS_CURRENT: tuple[str, ...] = (
    "Order ID", "Order Status", "Order Substatus", "Cancelation/Return Type", "Normal or Pre-order",
    "SKU ID", "Seller SKU", "Product Name", "Variation", "Quantity", "Sku Quantity of return",
    "SKU Unit Original Price", "SKU Subtotal Before Discount", "SKU Platform Discount",
    "SKU Seller Discount", "SKU Subtotal After Discount", "Shipping Fee After Discount",
    "Original Shipping Fee", "Shipping Fee Seller Discount", "Shipping Fee Platform Discount",
    "Distance Shipping Fee", "Distance Fee", "Order Refund Amount", "Payment platform discount",
    "Buyer Service Fee", "Handling Fee", "Shipping Insurance", "Item Insurance", "Order Amount",
    "Created Time", "Paid Time", "RTS Time", "Shipped Time", "Delivered Time", "Cancelled Time",
    "Cancel By", "Cancel Reason", "Fulfillment Type", "Warehouse Name", "Tracking ID",
    "Delivery Option", "Shipping Provider Name", "Buyer Message", "Buyer Username", "Recipient",
    "Phone #", "Zipcode", "Country", "Province", "Regency and City", "Districts", "Villages",
    "Detail Address", "Additional address information", "Payment Method", "Weight(kg)",
    "Product Category", "Package ID", "Purchase Channel", "Seller Note", "Checked Status",
    "Checked Marked by", "Tokopedia Invoice Number", "Order Channel", "Creator Handle",
)  # fmt: skip

# The older 54-column layout: no distance / insurance / fee / checked / Tokopedia / channel /
# creator columns, and a `Taxes` column after `Order Amount`.
_LEGACY_DROPPED = {
    "Distance Shipping Fee", "Distance Fee", "Shipping Insurance", "Item Insurance",
    "Payment platform discount", "Buyer Service Fee", "Handling Fee", "Checked Status",
    "Checked Marked by", "Tokopedia Invoice Number", "Order Channel", "Creator Handle",
}  # fmt: skip
ORDER_HEADERS_LEGACY: tuple[str, ...] = tuple(
    h
    for h0 in ORDER_HEADERS_CURRENT
    if h0 not in _LEGACY_DROPPED
    for h in ((h0, "Taxes") if h0 == "Order Amount" else (h0,))
)

# Row 2 of an XLSX order export describes each column; a few examples, the rest get a generic text.
ORDER_DESCRIPTIONS: dict[str, str] = {
    "Order ID": "Platform unique order ID.",
    "Order Status": "Current order status.",
    "SKU ID": "Platform unique SKU ID.",
    "Quantity": "SKU sold quantity in the order.",
    "Created Time": "Time when the order was placed.",
    "Order Amount": "Total order amount paid by the buyer.",
}

# Personal data: never loaded. `Buyer Username` is replaced by `customer_key` (keyed HMAC-SHA256, 32 hex).
ORDER_PII_HEADERS: frozenset[str] = frozenset(
    {"Recipient", "Phone #", "Detail Address", "Additional address information", "Buyer Message", "Zipcode"}
)
ORDER_BUYER_HEADER = "Buyer Username"
# Exports from other countries name their address columns differently (`State`, `Post Town`,
# `Address Line 1` …). Any order header that looks like one of these is personal data: not loaded.
ORDER_PII_PATTERN = re.compile(
    r"address|phone|recipient|zip ?code|post ?code|postal|house (name|number)|buyer message|e-?mail|"
    r"alamat|telepon|penerima|kode pos",
    re.IGNORECASE,
)
# Any export: a column lapak does not know whose header says it may identify a person is never loaded (not even
# into `_extra`), in English or Indonesian: names, nicknames, usernames, phones, WhatsApp, addresses, postcodes,
# messages, e-mail, identity and bank numbers.
PII_PATTERN = re.compile(
    r"address|alamat|street|\bjalan\b|\brt ?/ ?rw\b|kelurahan|"
    r"phone|telp|telepon|\bhp\b|handphone|ponsel|whats ?app|\bwa\b|mobile|"
    r"recipient|receiver|penerima|consignee|"
    r"\bnames?\b|\bnama\b|nick ?name|user ?name|\buser\b|\bakun\b|account|"
    r"\bbuyers?\b|pembeli|customer|pelanggan|member|"
    r"e-?mail|surel|zip ?code|post ?code|postal|kode ?pos|house (name|number)|"
    r"message|pesan|chat|\bktp\b|\bnik\b|identity|id card|passport|npwp|rekening|\bbank\b|birth|lahir",
    re.IGNORECASE,
)
# Order exports carry buyers' data, so there the rule is an allow rule: a column lapak does not know is kept (as
# schema drift in `_extra`) only when its header names something about the order, and nothing personal.
ORDER_SAFE_PATTERN = re.compile(
    r"\bid\b|time|date|amount|fee|price|discount|subtotal|quantity|\bqty\b|status|type|channel|\bsku\b|product|"
    r"category|warehouse|tracking|package|shipping|delivery|courier|payment|tax|insurance|commission|affiliate|"
    r"creator|live|video|campaign|voucher|promo|weight|invoice|reason|refund|return|cancel|fulfil",
    re.IGNORECASE,
)

# Other countries' first- and second-level regions map onto province / regency_and_city.
ORDER_ADDRESS_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("State", "Region", "Provinsi"),
    "regency_and_city": ("Post Town", "City", "District/City", "Kabupaten/Kota"),
}

# Values that end with a tab character in CSV exports (IDs and times).
ORDER_TAB_SUFFIXED: frozenset[str] = frozenset(
    {"Order ID", "SKU ID", "Package ID", "Zipcode", "Tracking ID"}
    | {h for h in ORDER_HEADERS_CURRENT if h.endswith(" Time")}
)

ORDER_STATUSES_ID = ("Belum dibayar", "Perlu dikirim", "Dikirim", "Selesai", "Dibatalkan")
ORDER_STATUSES_EN = ("Unpaid", "To ship", "Shipped", "Completed", "Cancelled")


def snake(header: str) -> str:
    """`Cancelation/Return Type` -> `cancelation_return_type`, `Weight(kg)` -> `weight_kg`."""
    s = re.sub(r"[^0-9a-zA-Z]+", "_", header.strip()).strip("_").lower()
    return s or "unnamed"


# --------------------------------------------------------------------------------------------
# Every kind: canonical column -> header per language.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str  # raw table name in schema `raw`
    columns: dict[str, dict[str, str]]  # canonical -> {"id": header, "en": header}
    required: tuple[str, ...]  # canonical columns a file must have
    key: str  # canonical column that is never empty on a data row
    preamble: bool = False  # XLSX row 1 is `[Date Range]: <from> ~ <to>`
    description_row: bool = False  # XLSX row under the header describes the columns
    # how each typed column must parse (ingestion quarantines rows that do not)
    types: dict[str, str] = field(default_factory=dict)
    # other spellings of a header seen in real files (other countries, older releases): canonical -> headers
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def headers(self, language: str) -> list[str]:
        return [v[language] for v in self.columns.values() if language in v]

    def alias_map(self) -> dict[str, str]:
        """Normalised header text (either language) -> canonical column (built once per kind; do not modify)."""
        if (cached := self.__dict__.get("_alias_map")) is not None:
            return cached
        out: dict[str, str] = {}
        for canonical, names in self.columns.items():
            for h in names.values():
                out.setdefault(normalise_header(h), canonical)
        for canonical, headers in self.aliases.items():
            for h in headers:
                out.setdefault(normalise_header(h), canonical)
        self.__dict__["_alias_map"] = out  # a frozen dataclass: cache it beside the fields, not as one
        return out


def normalise_header(h: str) -> str:
    return re.sub(r"\s+", " ", h.replace("\ufeff", "").strip()).lower()


def _same(*headers: str) -> dict[str, dict[str, str]]:
    return {snake(h): {"id": h, "en": h} for h in headers}


ORDERS = Kind(
    name="orders",
    columns={
        **_same(*[h for h in ORDER_HEADERS_CURRENT if h not in ORDER_PII_HEADERS and h != ORDER_BUYER_HEADER]),
        **_same("Taxes"),
    },
    required=("order_id", "order_status", "sku_id", "quantity", "sku_subtotal_after_discount", "created_time"),
    key="order_id",
    description_row=True,
    aliases=ORDER_ADDRESS_ALIASES,
    types={
        "quantity": "int", "sku_quantity_of_return": "int",
        "sku_unit_original_price": "idr", "sku_subtotal_before_discount": "idr",
        "sku_platform_discount": "idr", "sku_seller_discount": "idr", "sku_subtotal_after_discount": "idr",
        "order_refund_amount": "idr", "order_amount": "idr",
        "created_time": "ts", "paid_time": "ts", "cancelled_time": "ts", "delivered_time": "ts",
    },
)  # fmt: skip

PRODUCTS = Kind(
    name="products",
    columns={
        "product_id": {"id": "ID Produk", "en": "Product ID"},
        "category": {"id": "Kategori", "en": "Category"},
        "brand": {"id": "Merek", "en": "Brand"},
        "product_name": {"id": "Nama Produk", "en": "Product Name"},
        "product_status": {"id": "Status Produk", "en": "Product Status"},
        "sku_id": {"id": "ID SKU", "en": "SKU ID"},
        "variation": {"id": "Variasi", "en": "Variation"},
        "seller_sku": {"id": "SKU Penjual", "en": "Seller SKU"},
        "price": {"id": "Harga", "en": "Price"},
        "stock_quantity": {"id": "Kuantitas", "en": "Quantity"},
        "warehouse_name": {"id": "Gudang", "en": "Warehouse"},
        "weight_kg": {"id": "Berat Paket (kg)", "en": "Package Weight (kg)"},
    },
    required=("product_id", "sku_id", "product_name", "price", "stock_quantity"),
    key="sku_id",
    description_row=True,
    types={"price": "idr", "stock_quantity": "int"},
)

VIDEOS = Kind(
    name="videos",
    columns={
        "creator_name": {"id": "Nama Kreator", "en": "Creator name"},
        "creator_id": {"id": "ID Kreator", "en": "Creator ID"},
        "video_info": {"id": "Informasi Video", "en": "Video Info"},
        "video_id": {"id": "ID Video", "en": "Video ID"},
        "posted_time": {"id": "Waktu", "en": "Time"},
        "products": {"id": "Produk", "en": "Products"},
        "views": {"id": "VV", "en": "VV"},
        "likes": {"id": "Likes", "en": "Likes"},
        "comments": {"id": "Komentar", "en": "Comments"},
        "shares": {"id": "Dibagikan", "en": "Shares"},
        "new_followers": {"id": "Pengikut baru", "en": "New followers"},
        "v_to_l_clicks": {"id": "Klik Video ke LIVE", "en": "V-to-L clicks"},
        "product_impressions": {"id": "Produk Dilihat", "en": "Product Impressions"},
        "product_clicks": {"id": "Klik Produk", "en": "Product Clicks"},
        "buyers": {"id": "Pembeli unik", "en": "Buyers"},
        "attributed_sku_orders": {"id": "Pesanan SKU teratribusi", "en": "Orders"},
        "direct_sku_orders": {"id": "Pesanan SKU dari video"},
        "indirect_sku_orders": {"id": "Pesanan SKU tidak langsung dari video"},
        "units_sold": {"id": "Produk yang terjual melalui video", "en": "Unit Sales"},
        "direct_units_sold": {"id": "Produk yang terjual dari video"},
        "indirect_units_sold": {"id": "Produk yang terjual tidak langsung dari video"},
        "attributed_gmv": {"id": "GMV dari video (Rp)", "en": "Shoppable video attributed GMV ($)"},
        "video_gmv": {"id": "GMV video (Rp)", "en": "Video Revenue ($)"},
        "indirect_gmv": {"id": "GMV tidak langsung dari video (Rp)"},
        "gpm": {"id": "GPM (Rp)", "en": "GPM ($)"},
        "ctr": {"id": "Rasio klik tayang (Video)", "en": "CTR"},
        "v_to_l_rate": {"id": "Rasio Video ke LIVE", "en": "V-to-L rate"},
        "finish_rate": {"id": "Persentase Video yang Ditonton Hingga Selesai", "en": "Video Finish Rate"},
        "ctor": {"id": "CTOR (pesanan SKU)", "en": "CTOR"},
        "diagnosis": {"id": "Diagnosis"},
    },
    required=("video_id", "posted_time", "views", "product_clicks", "finish_rate"),
    key="video_id",
    preamble=True,
    types={
        "views": "int", "likes": "int", "comments": "int", "shares": "int", "product_impressions": "int",
        "product_clicks": "int", "attributed_sku_orders": "int", "units_sold": "int",
        "attributed_gmv": "idr", "video_gmv": "idr", "ctr": "pct", "finish_rate": "pct", "posted_time": "ts",
    },
)  # fmt: skip

LIVES = Kind(
    name="lives",
    columns={
        "creator_id": {"id": "ID Kreator", "en": "Creator ID"},
        "creator_name": {"id": "Kreator", "en": "Creator"},
        "nickname": {"id": "Nama panggilan", "en": "Nickname"},
        "live_start_time": {"id": "Waktu Live", "en": "Launched Time"},
        "duration": {"id": "Durasi", "en": "Duration"},
        "attributed_gmv": {"id": "GMV dari LIVE (Rp)", "en": "LIVE attributed GMV (Rp)"},
        "direct_gmv": {"id": "GMV LIVE (Rp)", "en": "LIVE GMV (Rp)"},
        "indirect_gmv": {"id": "GMV tidak langsung dari LIVE (Rp)", "en": "Indirect LIVE GMV (Rp)"},
        "products_added": {"id": "Produk yang ditambahkan", "en": "Products added"},
        "products_sold": {"id": "Produk Terjual", "en": "Products sold"},
        "sku_orders": {"id": "Pemesanan", "en": "SKU orders"},
        "paid_orders": {"id": "Pesanan Dibayar", "en": "Paid orders"},
        "units_sold": {"id": "Produk yang terjual melalui LIVE", "en": "Units sold"},
        "direct_units_sold": {"id": "Produk yang terjual dari LIVE", "en": "Direct units sold"},
        "indirect_units_sold": {"id": "Produk yang terjual tidak langsung dari LIVE", "en": "Indirect units sold"},
        "buyers": {"id": "Pembeli unik", "en": "Buyers"},
        "avg_price": {"id": "Harga Rata-Rata (Rp)", "en": "Avg. price (Rp)"},
        "ctor": {"id": "CTOR", "en": "CTOR"},
        "viewers": {"id": "Penonton", "en": "Viewers"},
        "views": {"id": "Live Stream Dilihat", "en": "Views"},
        "avg_watch_duration": {"id": "Durasi menonton rata-rata (Siaran LIVE)", "en": "Avg. viewing duration"},
        "comments": {"id": "Komentar", "en": "Comments"},
        "shares": {"id": "Live Dibagikan", "en": "Shares"},
        "likes": {"id": "Suka pada LIVE", "en": "Likes"},
        "new_followers": {"id": "Pengikut baru (Video kreator)", "en": "New followers"},
        "product_impressions": {"id": "Produk Dilihat", "en": "Product Impressions"},
        "product_clicks": {"id": "Klik Produk", "en": "Product Clicks"},
        "ctr": {"id": "CTR", "en": "CTR"},
    },
    required=("creator_id", "live_start_time", "duration", "attributed_gmv", "viewers"),
    key="creator_id",
    preamble=True,
    types={
        "attributed_gmv": "idr", "direct_gmv": "idr", "paid_orders": "int", "units_sold": "int",
        "viewers": "int", "views": "int", "product_impressions": "int", "product_clicks": "int",
        "ctr": "pct", "live_start_time": "ts",
    },
)  # fmt: skip

CREATORS = Kind(
    name="creators",
    columns={
        "creator_name": {"id": "Creator name", "en": "Creator name"},
        "gmv": {"id": "GMV dari kreator", "en": "Affiliate GMV"},
        "live_gmv": {"id": "GMV dari LIVE kreator", "en": "Affiliate LIVE GMV"},
        "video_gmv": {"id": "GMV dari video afiliasi", "en": "Affiliate video GMV"},
        "refunds": {"id": "Pengembalian dana", "en": "Refunds"},
        "attributed_orders": {"id": "Pesanan teratribusi", "en": "Attributed orders"},
        "units_sold": {"id": "Produk yang terjual dari kreator", "en": "Items sold"},
        "units_refunded": {"id": "Produk yang dikembalikan dananya", "en": "Items refunded"},
        "aov": {"id": "AOV", "en": "AOV"},
        "product_card_gmv": {"id": "GMV dari kartu produk afiliasi", "en": "Affiliate product card GMV"},
        "ctor": {"id": "CTOR", "en": "CTOR"},
        "lives": {"id": "Siaran LIVE", "en": "LIVE streams"},
        "videos": {"id": "Video", "en": "Videos"},
        "sample_content_count": {"id": "Jumlah konten sampel", "en": "Sample content"},
        "samples_shipped": {"id": "Sampel terkirim", "en": "Samples shipped"},
        "showcase_products": {"id": "Produk yang ditambahkan ke showcase", "en": "Products added to showcase"},
        "ctr": {"id": "CTR", "en": "CTR"},
        "product_impressions": {"id": "Impresi produk", "en": "Product impressions"},
        "video_views": {"id": "Tayangan video", "en": "Video views"},
        "buyers": {"id": "Pembeli", "en": "Buyers"},
        "products_sold": {"id": "Produk terjual", "en": "Products sold"},
        "estimated_commission": {"id": "Perkiraan komisi", "en": "Est. commission"},
    },
    required=("creator_name", "gmv", "attributed_orders", "estimated_commission"),
    key="creator_name",
    preamble=True,
    types={"gmv": "idr", "refunds": "idr", "attributed_orders": "int", "estimated_commission": "idr"},
)

# Our own CSV formats (TikTok does not export these): same headers in both languages.
CAMPAIGNS = Kind(
    name="campaigns",
    columns=_same("campaign_id", "campaign_name", "campaign_type", "start_time", "end_time", "notes"),
    required=("campaign_id", "campaign_name", "campaign_type", "start_time", "end_time"),
    key="campaign_id",
    types={"start_time": "ts", "end_time": "ts"},
)

NPS = Kind(
    name="nps_responses",
    columns=_same("response_id", "responded_at", "campaign_id", "order_id", "score", "channel", "comment"),
    required=("response_id", "responded_at", "score"),
    key="response_id",
    types={"responded_at": "ts", "score": "int"},
)

VARIANTS = Kind(
    name="ab_variants",
    columns=_same("experiment_id", "dimension", "video_id", "variant", "is_control"),
    required=("experiment_id", "dimension", "video_id", "variant", "is_control"),
    key="video_id",
)

# Optional seller inputs for margin and reorder maths (lapak CSV formats, docs/formats.md).
PRODUCT_COSTS = Kind(
    name="product_costs",
    columns=_same("sku_id", "unit_cost_idr", "valid_from", "notes"),
    required=("sku_id", "unit_cost_idr"),
    key="sku_id",
    types={"unit_cost_idr": "idr"},
)

SKU_SETTINGS = Kind(
    name="sku_settings",
    columns=_same("sku_id", "lead_time_days", "service_level", "min_order_qty", "notes"),
    required=("sku_id", "lead_time_days"),
    key="sku_id",
    types={"lead_time_days": "int", "min_order_qty": "int", "service_level": "pct"},
)

KINDS: dict[str, Kind] = {
    "orders": ORDERS,
    "products": PRODUCTS,
    "videos": VIDEOS,
    "lives": LIVES,
    "creators": CREATORS,
    "campaigns": CAMPAIGNS,
    "nps": NPS,
    "variants": VARIANTS,
    "product_costs": PRODUCT_COSTS,
    "sku_settings": SKU_SETTINGS,
}

# Lineage columns every raw table carries, after the canonical columns.
LINEAGE_COLUMNS: dict[str, str] = {
    "_shop_id": "VARCHAR",  # first-level folder under the landing folder
    "_source_file": "VARCHAR",  # path relative to the landing folder
    "_source_row": "BIGINT",  # 1-based row (line) number in the file, header included
    "_file_sha256": "VARCHAR",
    "_load_id": "VARCHAR",
    "_export_at": "TIMESTAMP",  # export time (WIB) from the file name, else the file's mtime
    "_file_modified_at": "TIMESTAMP",
    "_period_start": "DATE",  # from the `[Date Range]` preamble, else NULL
    "_period_end": "DATE",
    "_language": "VARCHAR",  # 'id' or 'en'
    "_extra": "VARCHAR",  # JSON object of columns the format does not know yet (schema drift)
}
