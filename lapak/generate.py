"""Sample TikTok Shop Seller Center exports (Indonesia), with stories planted for the marts to reveal.

`generate()` writes one folder per shop under `out/` (the folder name is the shop id) holding the files a
seller downloads from Seller Center, quirks included (see docs/formats.md), plus the three CSVs the seller
keeps: campaign calendar, NPS answers and A/B variant tags. Headers come from `ingestion.formats`.

Everything is drawn from one seeded generator per shop, vectorised with numpy; DuckDB formats and writes
the order CSVs. Same arguments, same bytes: XLSX metadata and file mtimes are fixed to the export time.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import duckdb
import numpy as np
import pandas as pd
import xlsxwriter

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
    ORDER_TAB_SUFFIXED,
    PRODUCT_COSTS,
    PRODUCTS,
    SKU_SETTINGS,
    VARIANTS,
    VIDEOS,
    snake,
)
from lapak.settings import WIB

__all__ = ["GenerateResult", "ShopStory", "generate"]

DAY = 86_400
HOUR = 3_600
NEVER = np.iinfo(np.int64).max  # "has not happened": compares after every export time
MAX_EXPORT_ROWS = 15_000  # Seller Center caps one order export at 15,000 rows
EXPORT_EVERY_DAYS = 30
EXPORT_COVERS_DAYS = 45
DAILY_VIDEO_DAYS = 60  # one video file per day for the last 60 days, weekly (Mon-Sun) files before
VIDEO_ACTIVE_DAYS = 14
MIN_DAYS = 30
_OUR_FILES = (
    "Semua pesanan-", "All order-", "product_list_", "Video Performance List_", "Live Analysis_",
    "Transaction_Analysis_Creator_List_", "campaigns.csv", "nps_responses.csv", "ab_variants.csv",
    "product_costs.csv", "sku_settings.csv",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopStory:
    """Facts planted in one shop's data, for tests that check the marts reveal them. Times are WIB, naive."""

    shop_id: str
    language: str  # UI language of the analytics exports: 'id' or 'en'
    viral_video_id: str
    viral_sku_id: str
    viral_date: date  # first day of 10-30x normal views
    sold_out_date: date  # the viral SKU's stock ran out on this day
    live_creator_id: str
    live_start: datetime
    live_end: datetime
    live_campaign_id: str
    campaign_nps: dict[str, str]  # campaign_id -> intended NPS band: 'high', 'low' or 'neutral'
    ab_winner_experiment_id: str
    ab_null_experiment_id: str


@dataclass(frozen=True)
class GenerateResult:
    shops: list[str]
    files: list[Path]
    order_lines: int  # order lines written over all order files (overlapping exports count twice)
    stories: dict[str, ShopStory] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------

# (product name, category, variations, base price in rupiah, weight kg)
_Product = tuple[str, str, tuple[str, ...], int, float]


@dataclass(frozen=True)
class _Theme:
    stems: tuple[str, ...]  # slug stems for generated shops
    brand: str
    account: str  # the shop's own TikTok account
    host: str  # nickname of the shop's own LIVE host
    warehouse: str
    products: tuple[_Product, ...]
    creators: tuple[str, ...]
    hashtags: str


_THEMES: tuple[_Theme, ...] = (
    _Theme(
        ("batik-sari", "batik-lasem", "kain-nusantara"), "Batik Sari", "batiksari.official", "Kak Sari", "Gudang Solo",
        (
            ("Kemeja Batik Pria Lengan Panjang", "Pakaian Pria/Atasan/Kemeja",
             ("Coklat Sogan, M", "Coklat Sogan, L", "Coklat Sogan, XL", "Biru Navy, L", "Biru Navy, XL"), 219000, 0.3),
            ("Kemeja Batik Pria Lengan Pendek", "Pakaian Pria/Atasan/Kemeja",
             ("Merah, M", "Merah, L", "Hijau Botol, L"), 149000, 0.25),
            ("Dress Batik Wanita Motif Parang", "Pakaian Wanita/Dress", ("S", "M", "L"), 235000, 0.35),
            ("Blouse Batik Wanita Modern", "Pakaian Wanita/Atasan/Blouse", ("Merah, All Size", "Hitam, All Size"),
             119000, 0.2),
            ("Kain Batik Tulis Solo 2m", "Pakaian Wanita/Kain", ("Motif Kawung", "Motif Truntum"), 385000, 0.4),
            ("Outer Batik Kimono", "Pakaian Wanita/Outerwear", ("All Size",), 159000, 0.3),
            ("Celana Kulot Batik", "Pakaian Wanita/Bawahan", ("M", "L"), 99000, 0.3),
            ("Masker Kain Batik isi 3", "Aksesoris Fashion/Masker", ("Campur",), 25000, 0.05),
        ),
        ("rina.ootd", "hijab.ayu.style", "mas.bayu.fashion", "dinda.kondangan", "outfit.kantor.nisa",
         "batik.lovers.id", "kak.wulan.review", "fashion.pria.id"),
        "#batik #ootd #kondangan #batiksolo",
    ),
    _Theme(
        ("kopi-nusantara", "kopi-gayo", "roastery-senja"), "Kopi Nusantara", "kopinusantara.id", "Mas Dimas",
        "Gudang Bandung",
        (
            ("Kopi Arabika Gayo 250g", "Makanan & Minuman/Kopi", ("Biji", "Bubuk Halus", "Bubuk Sedang"), 85000, 0.3),
            ("Kopi Robusta Lampung 500g", "Makanan & Minuman/Kopi", ("Biji", "Bubuk"), 65000, 0.55),
            ("Kopi Arabika Toraja 200g", "Makanan & Minuman/Kopi", ("Biji", "Bubuk"), 95000, 0.25),
            ("Kopi Susu Gula Aren 1 Liter", "Makanan & Minuman/Minuman Siap Saji", ("Original", "Less Sugar"),
             79000, 1.1),
            ("Cold Brew Kopi 250ml isi 6", "Makanan & Minuman/Minuman Siap Saji", ("Black", "Susu"), 120000, 1.6),
            ("Drip Bag Kopi Nusantara isi 10", "Makanan & Minuman/Kopi", ("Mix Origin", "Gayo", "Kintamani"),
             75000, 0.15),
            ("V60 Dripper Keramik", "Perlengkapan Rumah/Dapur", ("Putih", "Hitam"), 145000, 0.4),
            ("Paper Filter V60 100 lembar", "Perlengkapan Rumah/Dapur", ("Ukuran 02",), 45000, 0.1),
            ("Kopi Luwak Liar 100g", "Makanan & Minuman/Kopi", ("Biji", "Bubuk"), 420000, 0.15),
        ),
        ("kopi.kak.dimas", "barista.rumahan", "ngopi.sore.ina", "review.jajan.arif", "kopi.senja.fira",
         "dapur.mama.tika", "anak.kos.hemat", "bapak2.ngopi"),
        "#kopi #kopinusantara #ngopi #coffeetiktok",
    ),
    _Theme(
        ("glowskin", "cantik-alami", "skin-lab"), "GlowSkin", "glowskin.id", "Kak Nadia", "Gudang Jakarta Barat",
        (
            ("Serum Niacinamide 10% 30ml", "Kecantikan/Perawatan Wajah/Serum", ("Single", "Paket 2 pcs"), 89000, 0.1),
            ("Sunscreen SPF 50 PA++++ 50ml", "Kecantikan/Perawatan Wajah/Sunscreen", ("50ml", "Travel Size 15ml"),
             69000, 0.1),
            ("Toner Centella Asiatica 150ml", "Kecantikan/Perawatan Wajah/Toner", ("150ml",), 75000, 0.2),
            ("Moisturizer Ceramide Gel 50g", "Kecantikan/Perawatan Wajah/Pelembab", ("50g",), 99000, 0.1),
            ("Facial Wash Low pH 100ml", "Kecantikan/Perawatan Wajah/Pembersih", ("100ml", "Refill 200ml"),
             49000, 0.15),
            ("Lip Tint Matte", "Kecantikan/Makeup/Bibir", ("01 Rose", "02 Coral", "03 Nude", "04 Cherry"), 39000, 0.05),
            ("Masker Wajah Clay 100g", "Kecantikan/Perawatan Wajah/Masker", ("Green Tea", "Charcoal"), 59000, 0.15),
            ("Paket Glowing 3in1", "Kecantikan/Paket Kecantikan", ("Kulit Normal", "Kulit Berminyak"), 229000, 0.4),
            ("Body Lotion Brightening 250ml", "Kecantikan/Perawatan Tubuh", ("Sakura", "Vanilla"), 55000, 0.3),
        ),
        ("glow.with.nadia", "skincare.jujur.id", "cici.beauty", "mbak.review.kulit", "acne.fighter.dea",
         "beauty.by.salsa", "cowok.glowing", "tips.cantik.maya"),
        "#skincare #glowing #skincareroutine #racunskincare",
    ),
    _Theme(
        ("hijab-zahra", "kerudung-aisyah", "modest-nura"), "Zahra Hijab", "zahrahijab.official", "Kak Zahra",
        "Gudang Bandung",
        (
            ("Hijab Segi Empat Voal Premium", "Fashion Muslim/Hijab", ("Hitam", "Mocca", "Dusty Pink", "Sage", "Navy"),
             45000, 0.1),
            ("Pashmina Ceruty Babydoll", "Fashion Muslim/Hijab", ("Hitam", "Milo", "Army"), 39000, 0.1),
            ("Bergo Instan Jersey", "Fashion Muslim/Hijab", ("M", "L"), 35000, 0.1),
            ("Gamis Syari Set Khimar", "Fashion Muslim/Gamis", ("Hitam, M", "Hitam, L", "Mocca, L"), 275000, 0.6),
            ("Inner Ciput Rajut", "Fashion Muslim/Aksesoris", ("Hitam", "Putih", "Cream"), 25000, 0.05),
            ("Mukena Travel Parasut", "Fashion Muslim/Mukena", ("Motif Bunga", "Polos"), 149000, 0.4),
            ("Tunik Rayon Motif", "Fashion Muslim/Atasan", ("M", "L", "XL"), 129000, 0.3),
        ),
        ("hijab.ayu.style", "dinda.kondangan", "ukhti.review", "outfit.ngaji.rara", "sist.tari.hijab",
         "modest.by.lia", "kak.wulan.review", "mama.muda.fashion"),
        "#hijab #hijabstyle #ootdhijab #modestfashion",
    ),
    _Theme(
        ("camilan-mak-ijah", "dapur-nenek", "sambal-juara"), "Dapur Mak Ijah", "dapurmakijah", "Mak Ijah",
        "Gudang Medan",
        (
            ("Keripik Pisang Lampung 250g", "Makanan & Minuman/Camilan", ("Original", "Coklat", "Balado"), 28000, 0.3),
            ("Sambal Bawang 150g", "Makanan & Minuman/Bumbu", ("Level 3", "Level 5"), 35000, 0.25),
            ("Basreng Pedas Daun Jeruk 200g", "Makanan & Minuman/Camilan", ("Pedas", "Extra Pedas"), 25000, 0.25),
            ("Kerupuk Kulit Sapi 250g", "Makanan & Minuman/Camilan", ("Original",), 55000, 0.3),
            ("Rendang Daging Sapi Kaleng 200g", "Makanan & Minuman/Makanan Kaleng", ("Original", "Pedas"), 89000, 0.3),
            ("Hampers Kue Kering", "Makanan & Minuman/Kue", ("Nastar", "Kastengel", "Mix 3 Toples"), 165000, 1.5),
            ("Madu Hutan Sumbawa", "Makanan & Minuman/Madu", ("500ml", "1 Liter"), 125000, 0.8),
            ("Teh Tarik Instan isi 20", "Makanan & Minuman/Minuman Serbuk", ("Original", "Less Sugar"), 45000, 0.6),
        ),
        ("review.jajan.arif", "anak.kos.hemat", "dapur.mama.tika", "kulineran.bang.ucok", "pedas.lovers.id",
         "ngemil.terus", "mukbang.rani", "foodie.medan"),
        "#camilan #jajanan #kulinerindonesia #pedas",
    ),
    _Theme(
        ("rumah-rapi", "perabot-ceria", "home-living"), "Rumah Rapi", "rumahrapi.id", "Kak Tia", "Gudang Surabaya",
        (
            ("Sprei Katun Jepang Motif", "Perlengkapan Rumah/Kamar Tidur",
             ("160x200, Abu", "180x200, Abu", "160x200, Floral", "180x200, Floral"), 189000, 1.2),
            ("Bantal Tidur Dacron Premium", "Perlengkapan Rumah/Kamar Tidur", ("1 pcs", "2 pcs"), 65000, 0.9),
            ("Rak Dapur Serbaguna 3 Susun", "Perlengkapan Rumah/Dapur", ("Hitam", "Putih"), 119000, 2.5),
            ("Tempat Bumbu Kaca Set 6", "Perlengkapan Rumah/Dapur", ("Tutup Kayu", "Tutup Stainless"), 89000, 1.4),
            ("Gorden Blackout Minimalis", "Perlengkapan Rumah/Dekorasi", ("Abu, 150x220", "Cream, 150x220"),
             129000, 1.0),
            ("Keset Kaki Microfiber", "Perlengkapan Rumah/Dekorasi", ("Abu", "Coklat", "Navy"), 29000, 0.4),
            ("Lampu Tidur LED Sensor", "Perlengkapan Rumah/Pencahayaan", ("Warm White", "Cool White"), 49000, 0.2),
        ),
        ("rumah.minimalis.ina", "ibu.rumah.rapi", "dekor.kamar.kos", "review.barang.murah", "dapur.mama.tika",
         "anak.kos.hemat", "bersih.bersih.yuk", "home.tour.dira"),
        "#rumahminimalis #dekorasirumah #racuntiktok #homedecor",
    ),
)  # fmt: skip

_FIXED_SHOPS = ("batik-sari-solo", "kopi-nusantara", "glowskin-id")
_SLUG_CITIES = ("bandung", "jogja", "malang", "medan", "makassar", "denpasar", "semarang", "surabaya", "solo")

# (province, city, district, village, zipcode, weight, on Java)
_PLACES: tuple[tuple[str, str, str, str, str, float, bool], ...] = (
    ("DKI Jakarta", "Jakarta Selatan", "Kebayoran Baru", "Senayan", "12190", 6, True),
    ("DKI Jakarta", "Jakarta Selatan", "Tebet", "Tebet Barat", "12810", 5, True),
    ("DKI Jakarta", "Jakarta Timur", "Duren Sawit", "Pondok Bambu", "13430", 5, True),
    ("Jawa Barat", "Kota Bandung", "Coblong", "Dago", "40135", 6, True),
    ("Jawa Barat", "Kota Bandung", "Sukajadi", "Pasteur", "40161", 4, True),
    ("Jawa Barat", "Kabupaten Bekasi", "Cikarang Utara", "Karangasih", "17530", 5, True),
    ("Jawa Barat", "Kota Bogor", "Bogor Tengah", "Paledang", "16122", 3, True),
    ("Banten", "Kota Tangerang Selatan", "Serpong", "Lengkong Gudang", "15321", 4, True),
    ("Jawa Tengah", "Kota Semarang", "Semarang Tengah", "Sekayu", "50132", 4, True),
    ("Jawa Tengah", "Kota Surakarta", "Laweyan", "Sondakan", "57147", 3, True),
    ("DI Yogyakarta", "Kota Yogyakarta", "Gondokusuman", "Terban", "55223", 3, True),
    ("Jawa Timur", "Kota Surabaya", "Gubeng", "Airlangga", "60286", 5, True),
    ("Jawa Timur", "Kota Surabaya", "Wonokromo", "Darmo", "60241", 3, True),
    ("Jawa Timur", "Kota Malang", "Lowokwaru", "Tlogomas", "65144", 3, True),
    ("Sumatera Utara", "Kota Medan", "Medan Baru", "Petisah Hulu", "20153", 4, False),
    ("Sumatera Barat", "Kota Padang", "Padang Barat", "Olo", "25117", 1.5, False),
    ("Sumatera Selatan", "Kota Palembang", "Ilir Timur I", "20 Ilir D I", "30128", 2, False),
    ("Riau", "Kota Pekanbaru", "Sukajadi", "Kampung Melayu", "28122", 1.5, False),
    ("Lampung", "Kota Bandar Lampung", "Tanjung Karang Pusat", "Gotong Royong", "35119", 1.5, False),
    ("Kalimantan Timur", "Kota Balikpapan", "Balikpapan Kota", "Klandasan Ilir", "76113", 1.5, False),
    ("Kalimantan Barat", "Kota Pontianak", "Pontianak Kota", "Darat Sekip", "78117", 1, False),
    ("Sulawesi Selatan", "Kota Makassar", "Panakkukang", "Pandang", "90231", 3, False),
    ("Sulawesi Utara", "Kota Manado", "Wenang", "Wenang Utara", "95111", 1, False),
    ("Bali", "Kota Denpasar", "Denpasar Selatan", "Sanur", "80228", 2, False),
    ("Nusa Tenggara Barat", "Kota Mataram", "Ampenan", "Ampenan Tengah", "83114", 1, False),
    ("Papua", "Kota Jayapura", "Jayapura Utara", "Gurabesi", "99111", 0.5, False),
)

_FIRST_NAMES = (
    "Siti", "Budi", "Dewi", "Agus", "Rina", "Andi", "Putri", "Rizky", "Fajar", "Nur", "Wahyu", "Dian", "Ayu", "Eko",
    "Indah", "Yusuf", "Fitri", "Hendra", "Lestari", "Bayu", "Nadia", "Reza", "Intan", "Joko", "Maya", "Arif", "Sri",
    "Tono", "Wulan", "Yoga", "Citra", "Dimas", "Anisa", "Fikri", "Ratna", "Galih", "Mega", "Ilham", "Sinta", "Hadi",
)  # fmt: skip
_LAST_NAMES = (
    "Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Kurniawan", "Rahmawati", "Nugroho", "Siregar",
    "Nasution", "Simanjuntak", "Wibowo", "Setiawan", "Putri", "Halim", "Gunawan", "Susanti", "Purnomo", "Sihombing",
    "Ramadhan", "Anggraini", "Firmansyah", "Permata", "Hakim", "Daeng", "Tanjung", "Utami", "Kusuma", "Maharani",
)  # fmt: skip
_STREETS = (
    "Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gatot Subroto", "Jl. Ahmad Yani", "Jl. Pahlawan",
    "Jl. Melati", "Jl. Mawar", "Jl. Kenanga", "Gg. Kelinci", "Jl. Cempaka Putih", "Perum Griya Asri Blok C",
    "Jl. Raya Bogor", "Jl. Kaliurang", "Jl. Veteran", "Komplek Bumi Indah Blok F",
)  # fmt: skip
_ADDRESS_EXTRA = ("Rumah pagar hitam", "Dekat masjid", "Sebelah warung Bu Tini", "Titip satpam", "Lantai 2",
                  "Depan minimarket")  # fmt: skip
_BUYER_MESSAGES = (
    "Tolong packing rapi ya kak", "Kirim hari ini ya, makasih", "Bubble wrap tebal ya", "Warna cadangan hitam",
    "Jangan lupa bonusnya kak", "Titip ke satpam kalau tidak ada orang",
)  # fmt: skip
_SELLER_NOTES = ("Sudah konfirmasi via chat", "Bonus stiker", "Kirim bareng order sebelumnya")

_PAYMENTS = (("COD", 0.30), ("DANA", 0.15), ("GoPay", 0.15), ("OVO", 0.10), ("Bank Transfer", 0.12),
             ("PayLater", 0.10), ("Alfamart", 0.08))  # fmt: skip
# (name, tracking prefix, share)
_PROVIDERS = (("J&T Express", "JX", 0.30), ("SiCepat", "0049", 0.20), ("JNE", "CGK", 0.15),
              ("AnterAja", "10000", 0.10), ("SPX", "SPXID0", 0.25))  # fmt: skip

_BY_LANG = {
    "id": {
        "statuses": ORDER_STATUSES_ID,
        "substatuses": ("Menunggu pembayaran", "Menunggu dikirim", "Menunggu diambil", "Dalam pengiriman",
                        "Selesai", "Dibatalkan"),
        "cancel_by": ("Pembeli", "Penjual", "Sistem"),
        "cancel_reasons": (
            ("Berubah pikiran", "Ingin mengubah alamat pengiriman", "Menemukan harga lebih murah"),
            ("Stok habis", "Tidak bisa mengirim tepat waktu"),
            ("Pembayaran melebihi batas waktu", "Melewati batas waktu pengiriman"),
        ),
        "return_reasons": ("Ukuran tidak sesuai", "Barang rusak saat diterima", "Barang tidak sesuai deskripsi",
                           "Salah kirim varian"),
        "delivery": ("Reguler", "Hemat", "Instan"),
        "fulfillment": "Dikirim oleh penjual",
        "checked": ("Belum diperiksa", "Sudah diperiksa"),
        "active": "Aktif",
        "approved": "Disetujui",
        "pre_order": ("Normal", "Pre-order"),
    },
    "en": {
        "statuses": ORDER_STATUSES_EN,
        "substatuses": ("Awaiting payment", "Awaiting shipment", "Awaiting collection", "In transit", "Completed",
                        "Canceled"),
        "cancel_by": ("Buyer", "Seller", "System"),
        "cancel_reasons": (
            ("Changed mind", "Need to change delivery address", "Found a better price"),
            ("Out of stock", "Unable to ship on time"),
            ("Payment overdue", "Shipping overdue"),
        ),
        "return_reasons": ("Wrong size", "Damaged on arrival", "Not as described", "Wrong variation sent"),
        "delivery": ("Standard", "Economy", "Instant"),
        "fulfillment": "Fulfillment by seller",
        "checked": ("Unchecked", "Checked"),
        "active": "Live",
        "approved": "Approved",
        "pre_order": ("Normal", "Pre-order"),
    },
}  # fmt: skip

_MONTHS_ID = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember")  # fmt: skip

# Orders per hour of day (WIB): small hours quiet, lunch bump, evening peak 19-22.
_HOUR_PROFILE = np.array([0.35, 0.2, 0.12, 0.08, 0.1, 0.2, 0.45, 0.7, 0.85, 0.95, 1.0, 1.1,
                          1.3, 1.2, 1.0, 0.95, 0.95, 1.0, 1.15, 1.5, 1.8, 1.9, 1.5, 0.9])  # fmt: skip
_HOUR_P = _HOUR_PROFILE / _HOUR_PROFILE.sum()
_DOW = np.array([0.95, 0.95, 1.0, 1.0, 1.05, 1.1, 1.1])  # Monday first

# Campaign type -> (code, order multiplier during the window)
_CAMPAIGN_KINDS = {
    "super_brand_day": ("SBD", 2.2),
    "flash_sale": ("FLASH", 3.0),
    "promo": ("GAJIAN", 1.35),
    "voucher": ("VCR", 1.25),
    "LIVE": ("LIVE", 6.0),
}
_LIVE_AFTER_LIFT = 2.0  # the 24 h after the story LIVE
_NPS_P = {  # P(score = 0..10) per band: high ~ +67, low ~ -52, neutral ~ +25
    "high": [0.005, 0.005, 0.005, 0.005, 0.005, 0.01, 0.015, 0.09, 0.14, 0.28, 0.44],
    "low": [0.06, 0.06, 0.08, 0.1, 0.12, 0.1, 0.1, 0.14, 0.14, 0.06, 0.04],
    "neutral": [0.02, 0.01, 0.02, 0.02, 0.03, 0.04, 0.06, 0.15, 0.2, 0.22, 0.23],
}
_NPS_COMMENTS = {
    "promoter": ("Barang bagus, pengiriman cepat!", "Mantap, sesuai deskripsi", "Suka banget, bakal order lagi",
                 "Packing rapi, recommended seller", "Kualitas oke banget untuk harganya"),
    "passive": ("Lumayan", "Oke, tapi pengiriman agak lama", "Sesuai harga", "Cukup bagus"),
    "detractor": ("Pengiriman lama banget", "Barang tidak sesuai foto", "Admin slow respon",
                  "Voucher tidak bisa dipakai", "Paket datang rusak", "Kecewa, kualitas menurun"),
}  # fmt: skip
_AB_NULL_DIMENSIONS = (("format", "carousel"), ("duration", "short_15s"), ("cta", "cta_keranjang_kuning"),
                       ("bundle", "bundle_hemat"))  # fmt: skip
_CAPTIONS = ("Racun banget ini! {p}", "Review jujur {p}, worth it gak?", "Unboxing {p} {tag}", "Kenapa semua orang "
             "beli {p}?", "{p} lagi diskon, cek keranjang kuning", "Tutorial pakai {p} biar maksimal",
             "Cuma {price}? {p}")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _ts(d: date | datetime) -> int:
    """Naive WIB date/datetime -> seconds since 1970-01-01 on the same naive clock."""
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day)
    return int((d - datetime(1970, 1, 1)).total_seconds())


def _dt(s: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=int(s))


def _rp(x: float) -> str:
    return "Rp" + f"{round(x):,}".replace(",", ".")


def _pct(num: float, den: float) -> str:
    return "--" if den <= 0 else f"{100 * num / den:.2f}%"


def _round_price(x: np.ndarray) -> np.ndarray:
    """Rupiah prices: to 1,000 above Rp100.000, else to 500."""
    return np.where(x >= 100_000, np.round(x / 1000) * 1000, np.round(x / 500) * 500).astype(np.int64)


class _Strings:
    """Strings kept as codes into their unique values ("" counts as empty), handed to DuckDB as categoricals."""

    def __init__(self, values: list[str] | tuple[str, ...] | np.ndarray) -> None:
        values = np.asarray(values, dtype=object)
        self.codes, uniques = pd.factorize(np.where(values == "", None, values))
        self.uniques = np.asarray(uniques, dtype=object)

    def take(self, idx: np.ndarray) -> pd.Categorical:
        """`values[idx]` (idx -1 -> empty); large vocabularies are cut to the values used, so DuckDB's ENUM stays
        small."""
        idx = np.asarray(idx)
        codes = np.where(idx >= 0, self.codes[np.clip(idx, 0, None)], -1)
        uniques = self.uniques
        if len(uniques) > 256:
            present = np.zeros(len(uniques) + 1, dtype=bool)
            present[codes + 1] = True
            used = np.flatnonzero(present[1:])
            remap = np.full(len(uniques) + 1, -1)
            remap[used + 1] = np.arange(len(used))
            codes, uniques = remap[codes + 1], uniques[used]
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def _cat(values: list[str] | tuple[str, ...], idx: np.ndarray) -> pd.Categorical:
    return _Strings(values).take(idx)


def _datetimes(t: np.ndarray, at: int) -> np.ndarray:
    """Times that have happened by `at` as datetime64[s]; the rest NaT."""
    out = t.astype("datetime64[s]")
    out[t > at] = np.datetime64("NaT")
    return out


def _touch(path: Path, export_s: int) -> None:
    """File mtime = export time (WIB) so loaders that fall back to mtime get the same answer every run."""
    epoch = _dt(export_s).replace(tzinfo=WIB).timestamp()
    os.utime(path, (epoch, epoch))


def _workbook(path: Path, export_s: int, big: bool = False) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True} if big else {"in_memory": True})
    wb.set_properties({"created": _dt(export_s), "author": "TikTok Shop Seller Center"})
    return wb


def _stamp(s: int) -> str:
    return _dt(s).strftime("%Y%m%d%H%M%S")


def _shop_ids(n: int) -> list[str]:
    out = list(_FIXED_SHOPS[:n])
    i = len(out)
    while len(out) < n:
        theme = _THEMES[i % len(_THEMES)]
        slug = f"{theme.stems[(i // len(_THEMES)) % len(theme.stems)]}-{_SLUG_CITIES[(i * 7) % len(_SLUG_CITIES)]}"
        base, k = slug, 2
        while slug in out:
            slug, k = f"{base}-{k}", k + 1
        out.append(slug)
        i += 1
    return out


def _shop_codes(shops: list[str]) -> list[str]:
    codes: list[str] = []
    for s in shops:
        code = "".join(p[0] for p in s.split("-") if p).upper()
        base, k = code, 2
        while code in codes:
            code, k = f"{base}{k}", k + 1
        codes.append(code)
    return codes


def _in_windows(t: np.ndarray, windows: list[tuple[int, int]]) -> np.ndarray:
    mask = np.zeros(len(t), dtype=bool)
    for a, b in windows:
        mask |= (t >= a) & (t < b)
    return mask


# --------------------------------------------------------------------------------------------
# Per-shop plan: catalogue, calendar, stories
# --------------------------------------------------------------------------------------------


@dataclass
class _Catalog:
    product_idx: np.ndarray  # per SKU
    product_id: np.ndarray  # per product (int64)
    product_name: list[str]  # per product
    category: list[str]  # per product
    sku_id: np.ndarray  # per SKU (int64)
    seller_sku: list[str]
    variation: list[str]
    price: np.ndarray
    weight: np.ndarray
    popularity: np.ndarray  # P(first line of an order is this SKU)

    @property
    def n(self) -> int:
        return len(self.sku_id)

    def name(self, sku: int) -> str:
        return self.product_name[self.product_idx[sku]]


@dataclass
class _Campaign:
    campaign_id: str
    name: str
    kind: str
    start: int
    end: int  # inclusive, seconds
    notes: str
    band: str = "neutral"


@dataclass
class _Plan:
    shop: str
    code: str
    idx: int
    theme: _Theme
    lang: str
    rng: np.random.Generator
    start_day: date
    end_day: date
    start_s: int
    e0: int  # time of the last order export; no order is created after it
    cat: _Catalog
    creators: list[str]
    commission: np.ndarray  # per creator
    creator_weight: np.ndarray
    viral_date: date
    viral_len: int
    viral_sku: int
    viral_creator: int
    live_creator: int
    live_start: int
    live_end: int
    campaigns: list[_Campaign]
    regular_lives: list[tuple[int, int]]


def _catalog(rng: np.random.Generator, theme: _Theme, code: str) -> _Catalog:
    rows = []
    for p, (_name, _category, variations, base, weight) in enumerate(theme.products):
        for v, var in enumerate(variations):
            rows.append((p, var, base * (1.0 if v == 0 else rng.uniform(0.95, 1.15)), weight))
    # drop up to 3 variations (never a product's last one), keeping 15-25 SKUs
    for i in rng.permutation(len(rows))[: int(rng.integers(0, 4))]:
        alive = [r for r in rows if r is not None]
        if len(alive) > 15 and sum(r[0] == rows[i][0] for r in alive) > 1:
            rows[i] = None
    rows = [r for r in rows if r is not None][:25]
    product_idx = np.array([r[0] for r in rows])
    n = len(rows)
    pop = 1.0 / np.arange(1, n + 1) ** 0.9
    pop = pop[rng.permutation(n)]
    seller_sku = [f"{code}-{p + 1:02d}{i + 1:02d}" for i, p in enumerate(product_idx)]
    return _Catalog(
        product_idx=product_idx,
        product_id=1_700_000_000_000_000_000 + rng.integers(2 * 10**16, 9 * 10**16, len(theme.products)),
        product_name=[p[0] for p in theme.products],
        category=[p[1] for p in theme.products],
        sku_id=1_700_000_000_000_000_000 + rng.integers(2 * 10**16, 9 * 10**16, n),
        seller_sku=seller_sku,
        variation=[r[1] for r in rows],
        price=_round_price(np.array([r[2] for r in rows])),
        weight=np.array([r[3] for r in rows]),
        popularity=pop / pop.sum(),
    )


def _pick_day(rng: np.random.Generator, lo: date, hi: date, weekday: int | None = None) -> date | None:
    days = [lo + timedelta(d) for d in range((hi - lo).days + 1)]
    days = [d for d in days if weekday is None or d.weekday() == weekday]
    return days[int(rng.integers(len(days)))] if days else None


def _plan(idx: int, shop: str, code: str, seed: int, days: int, end_date: date) -> _Plan:
    rng = np.random.default_rng([seed, idx])
    theme = _THEMES[idx % len(_THEMES)]
    lang = "id" if idx % 2 == 0 else "en"
    start_day = end_date - timedelta(days=days - 1)
    start_s = _ts(start_day)
    e0 = _ts(end_date) + 23 * HOUR + int(rng.integers(0, 20 * 60))
    cat = _catalog(rng, theme, code)

    creators = list(theme.creators)
    rng.shuffle(creators)
    n_cr = len(creators)
    # a few generous commission deals (>20 %) next to cheap ones: GMV per commission rupiah varies 3-12x
    commission = np.round(rng.choice([0.08, 0.1, 0.12, 0.15, 0.18, 0.22, 0.25, 0.3], n_cr, replace=False), 2)
    weight = rng.lognormal(0, 1.0, n_cr)
    weight[0] *= 4  # creators[0] is the big one: hosts the LIVE that lifts sales
    weight /= weight.sum()

    # viral video 10-20 days before the end (scaled down for short periods)
    off = int(rng.integers(10, 21)) if days >= 60 else max(4, days // 5)
    viral_date = end_date - timedelta(days=off)
    # at least two days, so the stock lasts past the first day of the spike and a daily signal can warn
    viral_len = max(2, int(rng.integers(1, 4)))
    top = np.argsort(-cat.popularity)
    viral_sku = int(top[int(rng.integers(3, min(8, cat.n)))])  # a mid-seller, not the best seller
    viral_creator = 1 + int(rng.integers(n_cr - 1))

    # the story LIVE: a Saturday evening, with at least three earlier Saturdays to compare against
    lo, hi = max(start_day + timedelta(21), end_date - timedelta(45)), end_date - timedelta(25)
    live_day = _pick_day(rng, lo, hi, 5) or _pick_day(rng, start_day + timedelta(7), viral_date - timedelta(5), 5)
    if live_day is None:
        live_day = viral_date - timedelta(days=5)
    live_start = _ts(live_day) + 19 * HOUR + int(rng.choice([0, 30])) * 60
    live_end = live_start + int(rng.integers(150, 211)) * 60 + int(rng.integers(0, 60))

    campaigns = _campaigns(rng, code, creators[0], start_day, end_date, live_start, live_end, viral_date)
    regular: list[tuple[int, int]] = []
    d = start_day
    while d <= end_date:
        if d.weekday() == 1 or (d.weekday() == 3 and rng.random() < 0.5):
            s = _ts(d) + 19 * HOUR + int(rng.integers(0, 61)) * 60
            e = s + int(rng.integers(90, 151)) * 60 + int(rng.integers(0, 60))
            regular.append((s, e))
        d += timedelta(days=1)
    return _Plan(
        shop=shop,
        code=code,
        idx=idx,
        theme=theme,
        lang=lang,
        rng=rng,
        start_day=start_day,
        end_day=end_date,
        start_s=start_s,
        e0=e0,
        cat=cat,
        creators=creators,
        commission=commission,
        creator_weight=weight,
        viral_date=viral_date,
        viral_len=viral_len,
        viral_sku=viral_sku,
        viral_creator=viral_creator,
        live_creator=0,
        live_start=live_start,
        live_end=live_end,
        campaigns=campaigns,
        regular_lives=regular,
    )


def _campaigns(
    rng: np.random.Generator,
    code: str,
    host: str,
    start_day: date,
    end_day: date,
    live_start: int,
    live_end: int,
    viral_date: date,
) -> list[_Campaign]:
    """4-6 campaigns: the story LIVE plus double dates, paydays and voucher weekends inside the period."""
    cands: list[tuple[str, int, int, str, str]] = []  # kind, start, end, name, notes
    y, m = start_day.year, start_day.month
    while date(y, m, 1) <= end_day:
        mon = _MONTHS_ID[m]
        d = date(y, m, m)  # double dates: 9.9, 10.10, 11.11 ...
        if m >= 11:
            cands.append(
                (
                    "super_brand_day",
                    _ts(d),
                    _ts(d) + DAY - 1,
                    f"Super Brand Day {m}.{m}",
                    "Diskon s/d 50% + gratis ongkir",
                )
            )
        else:
            cands.append(
                (
                    "flash_sale",
                    _ts(d) + 12 * HOUR,
                    _ts(d) + 15 * HOUR - 1,
                    f"Flash Sale {m}.{m}",
                    "Flash sale 3 jam, stok terbatas",
                )
            )
        d = date(y, m, 25)
        cands.append(
            ("promo", _ts(d), _ts(d) + 3 * DAY - 1, f"Promo Gajian {mon}", "Diskon 15% min. belanja Rp150.000")
        )
        first = date(y, m, 1)
        fri = first + timedelta((4 - first.weekday()) % 7 + 7)
        cands.append(
            (
                "voucher",
                _ts(fri),
                _ts(fri) + 3 * DAY - 1,
                f"Voucher Toko Akhir Pekan {mon}",
                "Voucher Rp20.000 min. belanja Rp200.000",
            )
        )
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    lo, hi = _ts(start_day) + 2 * DAY, _ts(end_day) - DAY
    busy = [(live_start - 2 * DAY, live_end + 2 * DAY), (_ts(viral_date) - DAY, _ts(viral_date) + 4 * DAY)]
    cands = [c for c in cands if lo <= c[1] and c[2] <= hi and not any(c[1] < b and a < c[2] for a, b in busy)]
    order = list(rng.permutation(len(cands)))
    # first a multi-day campaign old enough to collect NPS answers (it gets the low band), then double dates
    old_long = [i for i in order if cands[i][0] in ("promo", "voucher") and cands[i][2] <= _ts(end_day) - 12 * DAY]
    order.sort(key=lambda i: (i not in old_long[:1], cands[i][0] not in ("super_brand_day", "flash_sale")))
    want = int(rng.integers(3, 6))
    chosen: list[tuple[str, int, int, str, str]] = []
    for i in order:
        c = cands[i]
        if len(chosen) < want and not any(c[1] <= o[2] and o[1] <= c[2] for o in chosen):
            chosen.append(c)
    sat = start_day + timedelta((5 - start_day.weekday()) % 7)
    while len(chosen) < 3 and sat < end_day:  # short periods: weekend promos fill the calendar
        s = _ts(sat)
        c = ("promo", s, s + 2 * DAY - 1, "Promo Akhir Pekan", "Potongan ongkir akhir pekan")
        if lo <= s and c[2] <= hi and not any(s < b and a < c[2] for a, b in busy + [(o[1], o[2]) for o in chosen]):
            chosen.append(c)
        sat += timedelta(days=7)
    chosen.append(
        ("LIVE", live_start, live_end, f"LIVE Spesial bareng {host}", f"Host: {host}, voucher khusus penonton LIVE")
    )
    chosen.sort(key=lambda c: c[1])
    out: list[_Campaign] = []
    seen: dict[str, int] = {}
    for kind, s, e, name, notes in chosen:
        dt = _dt(s)
        code_ = "WKND" if name == "Promo Akhir Pekan" else _CAMPAIGN_KINDS[kind][0]
        key = f"CMP-{dt.year}-{dt.month:02d}-{code_}"
        seen[key] = seen.get(key, 0) + 1
        cid = f"{key}{seen[key] if seen[key] > 1 else ''}-{code}"
        out.append(_Campaign(cid, name, kind, s, e, notes))
    # NPS bands: the LIVE delights, one earlier campaign disappoints (late shipping), the rest in between
    old = [c for c in out if c.end <= _ts(end_day) - 12 * DAY and c.kind != "LIVE"]
    for c in out:
        if c.kind == "LIVE":
            c.band = "high"
    if old:  # the longest such campaign, so it collects enough answers
        longest = max(c.end - c.start for c in old)
        pool = [c for c in old if c.end - c.start == longest]
        pool[int(rng.integers(len(pool)))].band = "low"
    return out


# --------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------


@dataclass
class _Orders:
    # per order
    created: np.ndarray
    buyer: np.ndarray
    viral: np.ndarray
    fate: np.ndarray  # 0 normal, 1 cancelled, 2 returned, 3 never paid
    paid: np.ndarray
    rts: np.ndarray
    shipped: np.ndarray
    delivered: np.ndarray
    cancelled: np.ndarray
    returned: np.ndarray
    order_id: np.ndarray
    package_id: np.ndarray
    tracking_num: np.ndarray
    provider: np.ndarray
    payment: np.ndarray
    delivery: np.ndarray
    creator: np.ndarray  # -1: not affiliate-attributed
    cancel_by: np.ndarray
    cancel_reason: np.ndarray
    return_reason: np.ndarray
    ship_orig: np.ndarray
    ship_seller: np.ndarray
    ship_platform: np.ndarray
    distance_fee: np.ndarray
    buyer_fee: np.ndarray
    handling_fee: np.ndarray
    ship_ins: np.ndarray
    item_ins: np.ndarray
    pay_disc: np.ndarray
    amount: np.ndarray
    tokopedia: np.ndarray
    inv_num: np.ndarray
    pre_order: np.ndarray
    purchase_channel: np.ndarray
    message: np.ndarray
    note: np.ndarray
    checked: np.ndarray
    first_line: np.ndarray
    n_lines: np.ndarray
    # per line
    line_order: np.ndarray
    line_no: np.ndarray
    sku: np.ndarray
    qty: np.ndarray
    before: np.ndarray
    plat_disc: np.ndarray
    seller_disc: np.ndarray
    after: np.ndarray
    ret_qty: np.ndarray
    refund: np.ndarray
    sold_out: int

    @property
    def valid_line(self) -> np.ndarray:
        """Lines that took stock and count as sales: neither cancelled nor never paid."""
        return np.isin(self.fate, (0, 2))[self.line_order]


@dataclass
class _Buyers:
    username: _Strings
    recipient: _Strings
    phone: _Strings
    address: _Strings
    extra: _Strings
    place: np.ndarray


def _repeats(rng: np.random.Generator, first: np.ndarray, until: int, p: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Later orders of each first-time buyer: k ~ p, gaps 4 days + Exp(16 days). Returns (buyer, time)."""
    k = rng.choice(len(p), size=len(first), p=p)
    buyer = np.repeat(np.arange(len(first)), k)
    gaps = (4 + rng.exponential(16, len(buyer))) * DAY
    cs = np.cumsum(gaps)
    starts = (np.cumsum(k) - k)[k > 0]
    base = np.repeat(cs[starts] - gaps[starts], k[k > 0])
    day0 = (first[buyer] + (cs - base)).astype(np.int64) // DAY * DAY
    t = day0 + rng.choice(24, len(buyer), p=_HOUR_P) * HOUR + rng.integers(0, HOUR, len(buyer))
    keep = t < until
    return buyer[keep], t[keep]


def _intensity(plan: _Plan, days: int) -> tuple[np.ndarray, np.ndarray]:
    rng = plan.rng
    hours = np.arange(days * 24)
    day = hours // 24
    dates = [plan.start_day + timedelta(int(d)) for d in range(days)]
    dow = np.array([d.weekday() for d in dates])
    payday = np.array([1.15 if d.day >= 25 or d.day == 1 else 1.0 for d in dates])
    daily = rng.lognormal(0, 0.12, days) * np.linspace(0.85, 1.15, days) * payday * _DOW[dow]
    lam = _HOUR_PROFILE[hours % 24] * daily[day]
    start = plan.start_s + hours * HOUR
    for c in plan.campaigns:
        mult = _CAMPAIGN_KINDS[c.kind][1]
        lam[(start + HOUR > c.start) & (start <= c.end)] *= mult
        if c.kind == "LIVE":
            after = (start > c.end) & (start <= c.end + DAY)
            lam[after] *= _LIVE_AFTER_LIFT
    for s, e in plan.regular_lives:
        lam[(start + HOUR > s) & (start <= e)] *= 1.3
    return start, lam


def _buyers(rng: np.random.Generator, n: int) -> _Buyers:
    first = rng.integers(len(_FIRST_NAMES), size=n)
    last = rng.integers(len(_LAST_NAMES), size=n)
    num = rng.integers(1, 999, size=n)
    style = rng.integers(4, size=n)
    weights = np.array([p[5] for p in _PLACES])
    place = rng.choice(len(_PLACES), size=n, p=weights / weights.sum())
    street = rng.integers(len(_STREETS), size=n)
    house = rng.integers(1, 120, size=n)
    rt, rw = rng.integers(1, 15, size=n), rng.integers(1, 12, size=n)
    extra = rng.integers(-4, len(_ADDRESS_EXTRA), size=n)
    pre, tail = rng.choice([812, 813, 821, 822, 852, 857, 878, 896], size=n), rng.integers(0, 100, size=n)
    users, recips, phones, addrs = [], [], [], []
    for i in range(n):
        f, la = _FIRST_NAMES[first[i]], _LAST_NAMES[last[i]]
        s = style[i]
        if s == 0:
            u = f"user{7_000_000 + i * 37 + int(num[i]) % 37}"
        elif s == 1:
            u = f"{f.lower()}.{la.lower()}{num[i]}_{i:x}"
        elif s == 2:
            u = f"{f.lower()}_{la[:4].lower()}{i:x}"
        else:
            u = f"{f.lower()}{la.lower()}{i:x}"
        users.append(u)
        recips.append(f"{f} {la}")
        phones.append(f"(+62){pre[i]}******{tail[i]:02d}")
        addrs.append(f"{_STREETS[street[i]]} No. {house[i]}, RT {rt[i]:02d}/RW {rw[i]:02d}")
    extras = [_ADDRESS_EXTRA[e] if e >= 0 else "" for e in extra]
    return _Buyers(*(_Strings(x) for x in (users, recips, phones, addrs, extras)), place)


def _orders(plan: _Plan, days: int, orders_per_day: int) -> tuple[_Orders, _Buyers]:
    rng, cat, e0 = plan.rng, plan.cat, plan.e0
    target = orders_per_day * days
    hour_start, lam = _intensity(plan, days)
    counts = rng.poisson(lam * (target / lam.sum()))
    first = np.repeat(hour_start, counts) + rng.integers(0, HOUR, counts.sum())
    first = first[first < e0]
    rep_p = [0.58, 0.24, 0.1, 0.05, 0.03]
    rb, rt = _repeats(rng, first, e0, rep_p)
    keep = rng.random(len(first)) < min(1.0, target / (len(first) + len(rb)))  # thin buyers to hit the target
    new_id = np.cumsum(keep) - 1
    b_main = np.concatenate([new_id[keep], new_id[rb[keep[rb]]]])
    t_main = np.concatenate([first[keep], rt[keep[rb]]])
    n_main = int(keep.sum())

    # viral orders: new buyers for the viral SKU, from the moment the video takes off
    vt = []
    moment = _ts(plan.viral_date) + int(rng.integers(11, 15)) * HOUR
    for i in range(plan.viral_len):
        n = round(orders_per_day * rng.uniform(1.6, 2.4) * 0.75**i)
        if i == 0:
            hp = _HOUR_P * (np.arange(24) >= (moment - _ts(plan.viral_date)) // HOUR)
            hp = hp / hp.sum()
        else:
            hp = _HOUR_P
        day0 = _ts(plan.viral_date + timedelta(i))
        vt.append(day0 + rng.choice(24, n, p=hp) * HOUR + rng.integers(0, HOUR, n))
    vfirst = np.concatenate(vt)
    vfirst = vfirst[vfirst < e0]
    vb, vrt = _repeats(rng, vfirst, e0, [0.75, 0.17, 0.08])
    buyer = np.concatenate([b_main, n_main + np.arange(len(vfirst)), n_main + vb])
    created = np.concatenate([t_main, vfirst, vrt])
    viral = np.concatenate([np.zeros(len(t_main), bool), np.ones(len(vfirst), bool), np.zeros(len(vrt), bool)])
    o = np.argsort(created, kind="stable")
    buyer, created, viral = buyer[o], created[o], viral[o]
    n_buyers = n_main + len(vfirst)

    # lines: 1-3 distinct SKUs per order
    n = len(created)
    n_lines = np.where(viral, rng.choice([1, 2], n, p=[0.8, 0.2]), rng.choice([1, 2, 3], n, p=[0.7, 0.22, 0.08]))
    n_lines = np.minimum(n_lines, cat.n)
    first_sku = np.where(viral, plan.viral_sku, rng.choice(cat.n, n, p=cat.popularity))
    line_order = np.repeat(np.arange(n), n_lines)
    line_no = np.arange(len(line_order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    r1 = rng.integers(1, cat.n, n)
    r2 = 1 + (r1 - 1 + rng.integers(1, max(2, cat.n - 1), n)) % (cat.n - 1)
    off = np.select([line_no == 0, line_no == 1], [0, r1[line_order]], r2[line_order])
    sku = (first_sku[line_order] + off) % cat.n
    qty = np.where(
        viral[line_order] & (line_no == 0),
        rng.choice([1, 2], len(sku), p=[0.85, 0.15]),
        rng.choice([1, 2, 3], len(sku), p=[0.82, 0.14, 0.04]),
    )
    fate = rng.choice(4, n, p=[0.89, 0.04, 0.05, 0.02])

    # sold out: the viral SKU's stock runs out during the spike
    is_v = (sku == plan.viral_sku) & np.isin(fate, (0, 2))[line_order] & (created[line_order] >= _ts(plan.viral_date))
    v_end = _ts(plan.viral_date) + plan.viral_len * DAY
    cap = int(qty[is_v & (created[line_order] < v_end)].sum() * rng.uniform(0.85, 0.95))
    cum = np.cumsum(np.where(is_v, qty, 0))
    hit = int(np.searchsorted(cum, max(cap, 1)))
    sold_out = int(created[line_order[min(hit, len(cum) - 1)]])
    keep_o = ~(viral & (created > sold_out))  # unserved demand: those orders never happen
    keep_l = keep_o[line_order]
    line_order, line_no, sku, qty = line_order[keep_l], line_no[keep_l], sku[keep_l], qty[keep_l]
    late = (sku == plan.viral_sku) & (created[line_order] > sold_out)
    sku[late] = (sku[late] + 1 + rng.integers(0, cat.n - 1, late.sum())) % cat.n
    dup = pd.DataFrame({"o": line_order, "s": sku}).duplicated().to_numpy()
    line_order, sku, qty = line_order[~dup], sku[~dup], qty[~dup]
    remap = np.cumsum(keep_o) - 1
    line_order = remap[line_order]
    created, buyer, viral, fate = created[keep_o], buyer[keep_o], viral[keep_o], fate[keep_o]
    n = len(created)
    n_lines = np.bincount(line_order, minlength=n)
    first_line = np.cumsum(n_lines) - n_lines
    line_no = np.arange(len(line_order)) - first_line[line_order]

    # affiliate attribution: ~25 % of orders; viral orders to the viral creator, story-LIVE orders to its host
    creator = np.where(rng.random(n) < 0.25, rng.choice(len(plan.creators), n, p=plan.creator_weight), -1)
    creator[viral & (rng.random(n) < 0.85)] = plan.viral_creator
    in_live = (created >= plan.live_start) & (created <= plan.live_end)
    creator[in_live & (rng.random(n) < 0.6)] = plan.live_creator

    # money
    camp = _in_windows(created, [(c.start, c.end + 1) for c in plan.campaigns])[line_order]
    unit = cat.price[sku]
    before = unit * qty
    s_rate = np.where(camp, rng.uniform(0.15, 0.3, len(sku)), rng.uniform(0.05, 0.2, len(sku)))
    s_on = rng.random(len(sku)) < np.where(camp, 0.8, 0.35)
    seller_disc = np.where(s_on, np.round(before * s_rate / 100) * 100, 0).astype(np.int64)
    p_on = rng.random(len(sku)) < 0.15
    plat_disc = np.where(p_on, np.round(before * rng.uniform(0.03, 0.1, len(sku)) / 100) * 100, 0).astype(np.int64)
    after = before - seller_disc - plat_disc
    sum_after = np.bincount(line_order, weights=after, minlength=n).astype(np.int64)
    sum_before = np.bincount(line_order, weights=before, minlength=n).astype(np.int64)

    buyers = _buyers(rng, n_buyers)
    java = np.array([p[6] for p in _PLACES])[buyers.place[buyer]]
    ship_orig = np.where(java, rng.integers(18, 37, n), rng.integers(36, 91, n)) * 500
    ship_seller = np.where(rng.random(n) < 0.3, np.minimum(ship_orig, rng.choice([5000, 10000], n)), 0)
    ship_platform = np.where(rng.random(n) < 0.5, np.minimum(ship_orig - ship_seller, rng.choice([10000, 20000], n)), 0)
    distance_fee = np.where(~java & (rng.random(n) < 0.2), rng.integers(4, 17, n) * 500, 0)
    payment = rng.choice(len(_PAYMENTS), n, p=[p[1] for p in _PAYMENTS])
    buyer_fee = np.where(rng.random(n) < 0.6, 1000, 0)
    handling_fee = np.where(payment == 0, 1000, 0)
    ship_ins = np.where(rng.random(n) < 0.35, np.maximum(500, sum_before // 50_000 * 100), 0)
    item_ins = np.where(rng.random(n) < 0.05, rng.integers(3, 11, n) * 500, 0)
    pay_disc = np.where(rng.random(n) < 0.1, np.minimum(sum_after, rng.choice([5000, 10000, 15000], n)), 0)
    amount = (
        sum_after
        + ship_orig
        - ship_seller
        - ship_platform
        + distance_fee
        + buyer_fee
        + handling_fee
        + ship_ins
        + item_ins
        - pay_disc
    ).astype(np.int64)

    # lifecycle
    paid = np.where(
        fate == 3, NEVER, created + np.where(payment == 0, rng.integers(5, 60, n), rng.integers(15, 1200, n))
    )
    cancelled = np.where(fate == 1, created + rng.integers(600, 20 * HOUR, n), NEVER)
    ok = np.isin(fate, (0, 2))
    rts = np.where(ok, paid + rng.integers(2 * HOUR, 30 * HOUR, n), NEVER)
    shipped = np.where(ok, rts + rng.integers(HOUR, 20 * HOUR, n), NEVER)
    transit = np.where(java, rng.integers(DAY, 3 * DAY, n), rng.integers(2 * DAY, 6 * DAY, n))
    delivered = np.where(ok, shipped + transit, NEVER)
    returned = np.where(fate == 2, delivered + rng.integers(DAY, 6 * DAY, n), NEVER)
    by = np.where(fate == 1, rng.choice(3, n, p=[0.6, 0.25, 0.15]), -1)
    reasons = _BY_LANG[plan.lang]["cancel_reasons"]
    cancel_reason = np.full(n, -1)
    flat = 0
    for b, rs in enumerate(reasons):
        sel = by == b
        cancel_reason[sel] = flat + rng.integers(0, len(rs), sel.sum())
        flat += len(rs)
    ret_first = (fate[line_order] == 2) & (line_no == 0)
    ret_qty = np.where(ret_first, qty, 0)
    refund = np.where(ret_first, after, 0)

    ids = 576_000_000_000_000_000 + plan.idx * 10**13 + int(rng.integers(0, 10**12))
    order_id = ids + np.cumsum(rng.integers(1000, 900_000, n))
    provider = rng.choice(len(_PROVIDERS), n, p=[p[2] for p in _PROVIDERS])
    tokopedia = rng.random(n) < 0.05
    orders = _Orders(
        created=created,
        buyer=buyer,
        viral=viral,
        fate=fate,
        paid=paid,
        rts=rts,
        shipped=shipped,
        delivered=delivered,
        cancelled=cancelled,
        returned=returned,
        order_id=order_id,
        package_id=115_000_000_000_000_000 + rng.integers(0, 10**15, n),
        tracking_num=rng.integers(10**9, 10**10, n),
        provider=provider,
        payment=payment,
        delivery=rng.choice(3, n, p=[0.75, 0.2, 0.05]),
        creator=creator,
        cancel_by=by,
        cancel_reason=cancel_reason,
        return_reason=rng.integers(0, 4, n),
        ship_orig=ship_orig,
        ship_seller=ship_seller,
        ship_platform=ship_platform,
        distance_fee=distance_fee,
        buyer_fee=buyer_fee,
        handling_fee=handling_fee,
        ship_ins=ship_ins,
        item_ins=item_ins,
        pay_disc=pay_disc,
        amount=amount,
        tokopedia=tokopedia,
        inv_num=rng.integers(10**9, 10**10, n),
        pre_order=(rng.random(n) < 0.02).astype(int),
        purchase_channel=(rng.random(n) < 0.08).astype(int),
        message=np.where(rng.random(n) < 0.1, rng.integers(0, len(_BUYER_MESSAGES), n), -1),
        note=np.where(rng.random(n) < 0.04, rng.integers(0, len(_SELLER_NOTES), n), -1),
        checked=(rng.random(n) < 0.3).astype(int),
        first_line=first_line,
        n_lines=n_lines,
        line_order=line_order,
        line_no=line_no,
        sku=sku,
        qty=qty,
        before=before,
        plat_disc=plat_disc,
        seller_disc=seller_disc,
        after=after,
        ret_qty=ret_qty,
        refund=refund,
        sold_out=sold_out,
    )
    return orders, buyers


# --------------------------------------------------------------------------------------------
# Order exports
# --------------------------------------------------------------------------------------------

_MONEY = {
    "SKU Unit Original Price": "unit",
    "SKU Subtotal Before Discount": "before",
    "SKU Platform Discount": "plat_disc",
    "SKU Seller Discount": "seller_disc",
    "SKU Subtotal After Discount": "after",
    "Shipping Fee After Discount": "ship_after",
    "Original Shipping Fee": "ship_orig",
    "Shipping Fee Seller Discount": "ship_seller",
    "Shipping Fee Platform Discount": "ship_platform",
    "Distance Shipping Fee": "distance_fee",
    "Distance Fee": "distance_fee2",
    "Order Refund Amount": "refund",
    "Payment platform discount": "pay_disc",
    "Buyer Service Fee": "buyer_fee",
    "Handling Fee": "handling_fee",
    "Shipping Insurance": "ship_ins",
    "Item Insurance": "item_ins",
    "Order Amount": "amount",
    "Taxes": "taxes",
}
_IDS = {"Order ID": "order_id", "SKU ID": "sku_id", "Package ID": "package_id"}


def _order_frame(plan: _Plan, od: _Orders, buyers: _Buyers, li: np.ndarray, at: int) -> pd.DataFrame:
    """One export's rows (line indices `li`, in file order) as of export time `at`, columns named snake(header)."""
    lang = _BY_LANG[plan.lang]
    cat = plan.cat
    oi = od.line_order[li]
    paid_s, canc_s = od.paid[oi] <= at, od.cancelled[oi] <= at
    deliv_s, ship_s, rts_s = od.delivered[oi] <= at, od.shipped[oi] <= at, od.rts[oi] <= at
    ret_s = od.returned[oi] <= at
    status = np.select([canc_s, ~paid_s, deliv_s, ship_s], [4, 0, 3, 2], 1)
    sub = np.select([canc_s, ~paid_s, deliv_s, ship_s, rts_s], [5, 0, 4, 3, 2], 1)
    ret_type = np.select([canc_s, ret_s], [0, 1], -1)
    n_reasons = sum(len(r) for r in lang["cancel_reasons"])
    reason = np.select([canc_s, ret_s], [od.cancel_reason[oi], n_reasons + od.return_reason[oi]], -1)
    by = np.select([canc_s, ret_s], [od.cancel_by[oi], 0], -1)
    returned_line = ret_s & (od.ret_qty[li] > 0)
    sku = od.sku[li]
    b = od.buyer[oi]
    place = buyers.place[b]
    places = list(zip(*_PLACES, strict=True))
    flat_reasons = [r for rs in lang["cancel_reasons"] for r in rs] + list(lang["return_reasons"])
    creator = od.creator[oi]
    f = {
        "order_id": od.order_id[oi],
        "order_status": _cat(lang["statuses"], status),
        "order_substatus": _cat(lang["substatuses"], sub),
        "cancelation_return_type": _cat(["Cancel", "Return/Refund"], ret_type),
        "normal_or_pre_order": _cat(lang["pre_order"], od.pre_order[oi]),
        "sku_id": cat.sku_id[sku],
        "seller_sku": _cat(cat.seller_sku, sku),
        "product_name": _cat(cat.product_name, cat.product_idx[sku]),
        "variation": _cat(cat.variation, sku),
        "quantity": od.qty[li],
        "sku_quantity_of_return": np.where(returned_line, od.ret_qty[li], 0),
        "unit": cat.price[sku],
        "before": od.before[li],
        "plat_disc": od.plat_disc[li],
        "seller_disc": od.seller_disc[li],
        "after": od.after[li],
        "ship_after": od.ship_orig[oi] - od.ship_seller[oi] - od.ship_platform[oi],
        "ship_orig": od.ship_orig[oi],
        "ship_seller": od.ship_seller[oi],
        "ship_platform": od.ship_platform[oi],
        "distance_fee": od.distance_fee[oi],
        "distance_fee2": np.zeros(len(li), np.int64),
        "refund": np.where(returned_line, od.refund[li], 0),
        "pay_disc": od.pay_disc[oi],
        "buyer_fee": od.buyer_fee[oi],
        "handling_fee": od.handling_fee[oi],
        "ship_ins": od.ship_ins[oi],
        "item_ins": od.item_ins[oi],
        "amount": od.amount[oi],
        "taxes": np.zeros(len(li), np.int64),
        "created_time": _datetimes(od.created[oi], at),
        "paid_time": _datetimes(od.paid[oi], at),
        "rts_time": _datetimes(od.rts[oi], at),
        "shipped_time": _datetimes(od.shipped[oi], at),
        "delivered_time": _datetimes(od.delivered[oi], at),
        "cancelled_time": _datetimes(od.cancelled[oi], at),
        "cancel_by": _cat(lang["cancel_by"], by),
        "cancel_reason": _cat(flat_reasons, reason),
        "fulfillment_type": _cat([lang["fulfillment"]], np.zeros(len(li), int)),
        "warehouse_name": _cat([plan.theme.warehouse], np.zeros(len(li), int)),
        "tracking_prefix": _cat([p[1] for p in _PROVIDERS], np.where(rts_s, od.provider[oi], -1)),
        "tracking_num": od.tracking_num[oi],
        "delivery_option": _cat(lang["delivery"], od.delivery[oi]),
        "shipping_provider_name": _cat([p[0] for p in _PROVIDERS], od.provider[oi]),
        "buyer_message": _cat(_BUYER_MESSAGES, od.message[oi]),
        "buyer_username": buyers.username.take(b),
        "recipient": buyers.recipient.take(b),
        "phone": buyers.phone.take(b),
        "zipcode": _cat(places[4], place),
        "country": _cat(["Indonesia"], np.zeros(len(li), int)),
        "province": _cat(places[0], place),
        "regency_and_city": _cat(places[1], place),
        "districts": _cat(places[2], place),
        "villages": _cat(places[3], place),
        "detail_address": buyers.address.take(b),
        "additional_address_information": buyers.extra.take(b),
        "payment_method": _cat([p[0] for p in _PAYMENTS], od.payment[oi]),
        "weight_kg": np.round(cat.weight[sku] * od.qty[li], 2),
        "product_category": _cat(cat.category, cat.product_idx[sku]),
        "package_id": np.where(paid_s, od.package_id[oi], -1),
        "purchase_channel": _cat(["Mobile", "PC"], od.purchase_channel[oi]),
        "seller_note": _cat(_SELLER_NOTES, od.note[oi]),
        "checked_status": _cat(lang["checked"], od.checked[oi]),
        "checked_marked_by": _cat(["Admin Toko"], np.where(od.checked[oi] == 1, 0, -1)),
        "tokopedia": od.tokopedia[oi],
        "inv_num": od.inv_num[oi],
        "order_channel": _cat(["TikTok Shop", "Tokopedia"], od.tokopedia[oi].astype(int)),
        "creator_handle": _cat(plan.creators, creator),
    }
    return pd.DataFrame(f)


def _order_exprs(headers: tuple[str, ...], legacy: bool, csv: bool) -> list[str]:
    """One SQL expression over `export_rows` per header, formatted as the export writes it."""
    exprs = []
    for h in headers:
        s = snake(h)
        if h in _MONEY:
            expr = f"'IDR ' || replace(format('{{:,}}', {_MONEY[h]}), ',', '.')" if legacy else _MONEY[h]
        elif h in _IDS:
            expr = f"CASE WHEN {_IDS[h]} >= 0 THEN CAST({_IDS[h]} AS VARCHAR) END"
        elif h.endswith(" Time"):
            expr = f"strftime({s}, '%d/%m/%Y %H:%M:%S')"
        elif h == "Tracking ID":
            expr = "tracking_prefix || CAST(tracking_num AS VARCHAR)"
        elif h == "Tokopedia Invoice Number":
            expr = (
                "CASE WHEN tokopedia THEN 'INV/' || strftime(created_time, '%Y%m%d') || '/MPL/' || "
                "CAST(inv_num AS VARCHAR) END"
            )
        elif h == "Weight(kg)":
            expr = "CAST(weight_kg AS VARCHAR)"
        else:
            expr = s
        if csv and h in ORDER_TAB_SUFFIXED:
            expr = f"coalesce({expr}, '') || chr(9)"
        exprs.append(expr)
    return exprs


def _csv_select(headers: tuple[str, ...], legacy: bool) -> str:
    cols = [
        f'{e} AS "{chr(0xFEFF) if i == 0 else ""}{h}"'  # the BOM rides on the first header
        for i, (h, e) in enumerate(zip(headers, _order_exprs(headers, legacy, csv=True), strict=True))
    ]
    return "SELECT " + ", ".join(cols) + " FROM export_rows"


def _xlsx_select(headers: tuple[str, ...], legacy: bool) -> str:
    exprs = _order_exprs(headers, legacy, csv=False)
    return "SELECT " + ", ".join(f"CAST(({e}) AS VARCHAR)" for e in exprs) + " FROM export_rows"


def _column_letter(j: int) -> str:
    return (chr(64 + j // 26) if j >= 26 else "") + chr(65 + j % 26)


def _sheet_rows_xml(rows: list[tuple], first_row: int) -> str:
    """SheetML `<row>` elements with inline strings; empty cells are left out, as Seller Center does."""
    letters = [_column_letter(j) for j in range(len(rows[0]) if rows else 0)]
    parts = []
    for r, row in enumerate(rows, first_row):
        parts.append(f'<row r="{r}">')
        parts.extend(
            f'<c r="{col}{r}" t="inlineStr"><is><t>{xml_escape(v)}</t></is></c>'
            for col, v in zip(letters, row, strict=True)
            if v
        )
        parts.append("</row>")
    return "".join(parts)


def _write_orders(
    con: duckdb.DuckDBPyConnection, plan: _Plan, od: _Orders, buyers: _Buyers, folder: Path
) -> tuple[list[Path], int]:
    rng = plan.rng
    exports = [plan.e0]
    while exports[-1] - EXPORT_COVERS_DAYS * DAY > plan.start_s:
        prev = exports[-1] - EXPORT_EVERY_DAYS * DAY
        exports.append(prev // DAY * DAY + int(rng.integers(8, 22)) * HOUR + int(rng.integers(0, 60)) * 60)
    files: list[Path] = []
    lines = 0
    prefix = "Semua pesanan" if plan.lang == "id" else "All order"
    for k, at in enumerate(exports):
        legacy = k == len(exports) - 1 and len(exports) >= 2
        sel = np.flatnonzero((od.created > at - EXPORT_COVERS_DAYS * DAY) & (od.created <= at))[::-1]  # newest first
        cum = np.cumsum(od.n_lines[sel])
        chunks, lo, done = [], 0, 0
        while lo < len(sel):
            hi = int(np.searchsorted(cum, done + MAX_EXPORT_ROWS, side="right"))
            chunks.append(sel[lo:hi])
            done, lo = int(cum[hi - 1]), hi
        for c, osel in enumerate(chunks):
            t = at - c * 60  # a big export is split into several files, a minute apart
            n_lines = od.n_lines[osel]
            li = np.repeat(od.first_line[osel] - (np.cumsum(n_lines) - n_lines), n_lines) + np.arange(n_lines.sum())
            xlsx = k == 1 and c == 0 and len(exports) >= 3
            con.register("export_rows", _order_frame(plan, od, buyers, li, t))
            headers = ORDER_HEADERS_LEGACY if legacy else ORDER_HEADERS_CURRENT
            stamp = _dt(t).strftime("%Y-%m-%d-%H_%M")
            if xlsx:
                path = folder / f"{prefix}-{stamp}.xlsx"
                rows = con.execute(_xlsx_select(headers, legacy)).fetchall()
                _orders_xlsx(path, headers, _sheet_rows_xml(rows, first_row=3), t)
            else:
                path = folder / f"{prefix}-{stamp}.csv"
                target = str(path).replace("'", "''")
                con.execute(f"COPY ({_csv_select(headers, legacy)}) TO '{target}' (HEADER, DELIMITER ',')")
            con.unregister("export_rows")
            _touch(path, t)
            files.append(path)
            lines += len(li)
    return files, lines


def _orders_xlsx(path: Path, headers: tuple[str, ...], rows_xml: str, at: int) -> None:
    """Sheet `OrderSKUList`: header, description row, data from row 3; the sheet dimension left stale (`A1:A1`),
    as in some real exports (it breaks openpyxl's read-only mode)."""
    wb = _workbook(path, at, big=True)
    ws = wb.add_worksheet("OrderSKUList")
    ws.write_row(0, 0, headers)
    ws.write_row(1, 0, [ORDER_DESCRIPTIONS.get(h, f"{h} of the order line.") for h in headers])
    wb.close()
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                head, sep, tail = data.partition(b"<dimension ref=")
                data = head + sep + b'"A1:A1"' + tail[tail.index(b"/>") :]
                data = data.replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>", 1)
            z.writestr(info, data)


# --------------------------------------------------------------------------------------------
# Analytics exports (XLSX with the `[Date Range]` preamble)
# --------------------------------------------------------------------------------------------


def _preamble_xlsx(
    path: Path, d_from: date, d_to: date, headers: list[str], rows: list[list], at: int, blank: bool, sheet: str
) -> None:
    wb = _workbook(path, at)
    ws = wb.add_worksheet(sheet)
    ws.write_string(0, 0, f"[Date Range]: {d_from.isoformat()} ~ {d_to.isoformat()}")
    r0 = 2 if blank else 1
    ws.write_row(r0, 0, headers)
    for r, row in enumerate(rows, start=r0 + 1):
        ws.write_row(r, 0, row)
    wb.close()
    _touch(path, at)


def _late_evening(rng: np.random.Generator, d: date) -> int:
    return _ts(d) + 23 * HOUR + int(rng.integers(30, 59)) * 60 + int(rng.integers(0, 60))


@dataclass
class _Videos:
    video_id: np.ndarray
    posted: np.ndarray
    sku: np.ndarray
    creator: np.ndarray  # -1: the shop's own account
    caption: list[str]
    # per (video, day)
    v: np.ndarray
    day: np.ndarray  # date ordinal
    metrics: dict[str, np.ndarray]
    viral: int
    arms: dict[str, tuple[np.ndarray, np.ndarray]]  # experiment -> (treatment videos, control videos)


def _videos(plan: _Plan, od: _Orders, orders_per_day: int) -> _Videos:
    rng, cat = plan.rng, plan.cat
    first_day = plan.start_day - timedelta(VIDEO_ACTIVE_DAYS)
    n_days = (plan.end_day - first_day).days + 1
    per_day = rng.poisson(1.4, n_days)
    pday = np.repeat(np.arange(n_days), per_day)
    posted = _ts(first_day) + pday * DAY + rng.integers(8 * HOUR, 22 * HOUR, len(pday))
    viral_post = _ts(plan.viral_date) - DAY + 19 * HOUR + int(rng.integers(0, 3600))
    posted = np.sort(np.append(posted, viral_post))
    nv = len(posted)
    viral = int(np.searchsorted(posted, viral_post))
    sku = rng.choice(cat.n, nv, p=cat.popularity)
    sku[viral] = plan.viral_sku
    creator = np.where(rng.random(nv) < 0.4, -1, rng.choice(len(plan.creators), nv, p=plan.creator_weight))
    creator[viral] = plan.viral_creator
    video_id = 7_300_000_000_000_000_000 + plan.idx * 10**15 + np.cumsum(rng.integers(10**9, 10**11, nv))
    median = max(300.0, 50.0 * orders_per_day)
    base = rng.lognormal(np.log(median), 0.9, nv)
    ctr = rng.uniform(0.015, 0.05, nv)

    # A/B experiments on videos posted 22-60 days before the end, away from the viral one
    pd_day = (posted - plan.start_s) // DAY
    end_idx = (plan.end_day - plan.start_day).days
    elig = np.flatnonzero((pd_day >= max(0, end_idx - 60)) & (pd_day <= end_idx - 22) & (np.arange(nv) != viral))
    if len(elig) < 12:
        elig = np.flatnonzero((pd_day >= 0) & (pd_day <= end_idx - 5) & (np.arange(nv) != viral))
    per_arm = max(2, min(6, len(elig) // 4))
    pick = rng.permutation(elig)[: 4 * per_arm]
    arms = {
        "winner": (pick[:per_arm], pick[per_arm : 2 * per_arm]),
        "null": (pick[2 * per_arm : 3 * per_arm], pick[3 * per_arm : 4 * per_arm]),
    }
    base[pick] = np.maximum(base[pick], rng.uniform(1.5, 3, len(pick)) * median)  # enough views to tell
    ctr[pick] = 0.025 * rng.uniform(0.92, 1.08, len(pick))
    ctr[arms["winner"][0]] *= 2.0

    ages = np.arange(VIDEO_ACTIVE_DAYS)
    decay = np.where(ages == 0, 0.7, 0.65 ** np.maximum(ages - 1, 0))
    v = np.repeat(np.arange(nv), VIDEO_ACTIVE_DAYS)
    age = np.tile(ages, nv)
    day = (posted[v] // DAY) + age  # days since 1970
    views = base[v] * decay[age] * rng.lognormal(0, 0.25, len(v))
    viral_day0 = _ts(plan.viral_date) // DAY
    vmask = v == viral
    rel = day - viral_day0
    mult = rng.uniform(15, 30)
    boost = np.where(
        rel < plan.viral_len,
        np.maximum(10.0, mult * 0.7 ** np.maximum(rel, 0)),
        mult * 0.7 ** (plan.viral_len - 1) * 0.3 * 0.5 ** (rel - plan.viral_len),
    )
    views = np.where(vmask & (rel >= 0), median * boost * rng.uniform(0.95, 1.05, len(v)), views)
    views = np.maximum(views, 0).astype(np.int64)
    last = plan.end_day.toordinal() - date(1970, 1, 1).toordinal()
    in_range = (day <= last) & (posted[v] <= plan.e0)
    v, day, views = v[in_range], day[in_range], views[in_range]

    n = len(v)
    imp_rate = rng.uniform(0.15, 0.45, nv)
    impressions = rng.binomial(views, imp_rate[v])
    clicks = rng.binomial(impressions, np.minimum(ctr[v], 1))
    ctor = rng.uniform(0.03, 0.12, nv)
    orders = rng.binomial(clicks, ctor[v])
    # the viral video's orders are the viral orders actually written
    vday = (od.created[od.viral] // DAY).astype(np.int64)
    for d_, cnt in zip(*np.unique(vday, return_counts=True), strict=True):
        m = (v == viral) & (day == d_)
        orders[m] = cnt
        clicks[m] = np.maximum(clicks[m], (cnt / rng.uniform(0.06, 0.1)).astype(np.int64))
        impressions[m] = np.maximum(impressions[m], (clicks[m] / rng.uniform(0.05, 0.07)).astype(np.int64))
        views[m] = np.maximum(views[m], (impressions[m] / 0.45).astype(np.int64))
    units = orders + rng.binomial(orders, 0.15)
    direct = rng.binomial(orders, 0.75)
    direct_units = np.minimum(units, direct + rng.binomial(direct, 0.15))
    gmv = units * cat.price[sku[v]]
    direct_gmv = direct_units * cat.price[sku[v]]
    finish = np.clip(rng.uniform(0.05, 0.4, nv)[v] * rng.lognormal(0, 0.1, n), 0.01, 0.6)
    own = creator[v] < 0
    metrics = {
        "views": views,
        "likes": rng.binomial(views, rng.uniform(0.03, 0.09, nv)[v]),
        "comments": rng.binomial(views, rng.uniform(0.002, 0.01, nv)[v]),
        "shares": rng.binomial(views, rng.uniform(0.001, 0.006, nv)[v]),
        "new_followers": rng.binomial(views, rng.uniform(0.0005, 0.003, nv)[v]),
        "v_to_l_clicks": np.where(own, rng.binomial(views, 0.002), 0),
        "product_impressions": impressions,
        "product_clicks": clicks,
        "buyers": orders - rng.binomial(orders, 0.05),
        "attributed_sku_orders": orders,
        "direct_sku_orders": direct,
        "indirect_sku_orders": orders - direct,
        "units_sold": units,
        "direct_units_sold": direct_units,
        "indirect_units_sold": units - direct_units,
        "attributed_gmv": gmv,
        "video_gmv": direct_gmv,
        "indirect_gmv": gmv - direct_gmv,
        "finished": (views * finish).astype(np.int64),
    }
    captions = []
    for i in range(nv):
        p = cat.name(int(sku[i]))
        tpl = _CAPTIONS[int(rng.integers(len(_CAPTIONS)))]
        captions.append(
            tpl.format(p=p, tag=plan.theme.hashtags.split()[0], price=_rp(cat.price[sku[i]]))
            + " "
            + plan.theme.hashtags
        )
    return _Videos(video_id, posted, sku, creator, captions, v, day, metrics, viral, arms)


_VIDEO_EN_ORDER = (
    "video_id",
    "video_info",
    "posted_time",
    "creator_name",
    "creator_id",
    "products",
    "views",
    "likes",
    "comments",
    "shares",
    "new_followers",
    "v_to_l_clicks",
    "product_impressions",
    "product_clicks",
    "buyers",
    "attributed_sku_orders",
    "units_sold",
    "video_gmv",
    "gpm",
    "attributed_gmv",
    "ctr",
    "v_to_l_rate",
    "finish_rate",
    "ctor",
)


def _write_videos(plan: _Plan, vids: _Videos, folder: Path) -> list[Path]:
    rng = plan.rng
    daily_from = plan.end_day - timedelta(DAILY_VIDEO_DAYS - 1)
    daily_from -= timedelta(daily_from.weekday())  # daily files start on a Monday
    ranges = []
    d = max(daily_from, plan.start_day)
    while d <= plan.end_day:
        ranges.append((d, d))
        d += timedelta(1)
    wk = daily_from - timedelta(7)
    while wk + timedelta(6) >= plan.start_day:
        ranges.append((wk, wk + timedelta(6)))
        wk -= timedelta(7)
    ranges.sort()
    canon = list(VIDEOS.columns) if plan.lang == "id" else list(_VIDEO_EN_ORDER)
    headers = [VIDEOS.columns[c][plan.lang] for c in canon]
    epoch = date(1970, 1, 1).toordinal()
    m = vids.metrics
    files = []
    diagnoses = ("Performa baik", "Tingkatkan hook 3 detik pertama", "Tambahkan ajakan klik keranjang kuning", "--")
    for d_from, d_to in ranges:
        sel = (vids.day >= d_from.toordinal() - epoch) & (vids.day <= d_to.toordinal() - epoch)
        vv = vids.v[sel]
        uniq, inv = np.unique(vv, return_inverse=True)
        agg = {k: np.bincount(inv, weights=a[sel], minlength=len(uniq)).astype(np.int64) for k, a in m.items()}
        rows = []
        for j, vid in enumerate(uniq):
            if agg["views"][j] <= 0:
                continue
            cr = int(vids.creator[vid])
            handle = plan.theme.account if cr < 0 else plan.creators[cr]
            a = {k: int(x[j]) for k, x in agg.items()}
            vals = {
                "creator_name": plan.theme.brand if cr < 0 else handle.replace(".", " ").title(),
                "creator_id": handle,
                "video_info": vids.caption[vid],
                "video_id": str(vids.video_id[vid]),
                "posted_time": _dt(vids.posted[vid]).strftime("%Y-%m-%d %H:%M"),
                "products": plan.cat.name(int(vids.sku[vid])),
                **{
                    k: a[k]
                    for k in (
                        "views",
                        "likes",
                        "comments",
                        "shares",
                        "new_followers",
                        "v_to_l_clicks",
                        "product_impressions",
                        "product_clicks",
                        "buyers",
                        "attributed_sku_orders",
                        "direct_sku_orders",
                        "indirect_sku_orders",
                        "units_sold",
                        "direct_units_sold",
                        "indirect_units_sold",
                    )
                },
                "attributed_gmv": _rp(a["attributed_gmv"]),
                "video_gmv": _rp(a["video_gmv"]),
                "indirect_gmv": _rp(a["indirect_gmv"]),
                "gpm": _rp(1000 * a["attributed_gmv"] / a["views"]),
                "ctr": _pct(a["product_clicks"], a["product_impressions"]),
                "v_to_l_rate": _pct(a["v_to_l_clicks"], a["views"]),
                "finish_rate": _pct(a["finished"], a["views"]),
                "ctor": _pct(a["attributed_sku_orders"], a["product_clicks"]),
                "diagnosis": diagnoses[int(vids.video_id[vid] % len(diagnoses))],
            }
            rows.append([vals[c] for c in canon])
        at = _late_evening(rng, d_to)
        path = folder / f"Video Performance List_{_stamp(at)}.xlsx"
        _preamble_xlsx(path, d_from, d_to, headers, rows, at, blank=rng.random() < 0.5, sheet="Sheet1")
        files.append(path)
    return files


def _month_ranges(plan: _Plan) -> list[tuple[date, date]]:
    out = []
    d_to = plan.end_day
    while d_to >= plan.start_day:
        d_from = max(plan.start_day, d_to - timedelta(29))
        out.append((d_from, d_to))
        d_to = d_from - timedelta(1)
    return out[::-1]


def _fmt_duration(s: int, hours: bool) -> str:
    h, rem = divmod(int(s), 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h {m:02d}m {sec:02d}s" if hours else f"{h * 60 + m}m {sec:02d}s"


def _write_lives(plan: _Plan, od: _Orders, folder: Path) -> list[Path]:
    rng, lang = plan.rng, plan.lang
    sessions = sorted([(s, e, False) for s, e in plan.regular_lives] + [(plan.live_start, plan.live_end, True)])
    sessions = [x for x in sessions if x[0] < plan.e0 - HOUR]
    valid = od.valid_line
    lt = od.created[od.line_order]
    headers = LIVES.headers(lang)
    files = []
    for d_from, d_to in _month_ranges(plan):
        rows = []
        for s, e, story in sessions:
            if not (_ts(d_from) <= s < _ts(d_to) + DAY):
                continue
            inwin = valid & (lt >= s) & (lt <= e)
            share = 0.8 if story else 0.5
            gmv_all = int(od.after[inwin].sum())
            units_all = int(od.qty[inwin].sum())
            n_orders = len(np.unique(od.line_order[inwin]))
            attributed = int(gmv_all * share)
            direct = int(attributed * 0.85)
            units = round(units_all * share)
            direct_units = round(units * 0.85)
            paid = round(n_orders * share)
            viewers = int(max(paid, 1) * rng.uniform(25, 60)) + int(rng.integers(50, 200))
            impressions = int(viewers * rng.uniform(0.5, 0.7))
            clicks = int(impressions * rng.uniform(0.05, 0.12))
            if story:
                cid = plan.creators[plan.live_creator]
                creator, nick = cid.replace(".", " ").title(), cid.split(".")[0].title()
            else:
                cid, creator, nick = plan.theme.account, plan.theme.brand, plan.theme.host
            vals = {
                "creator_id": cid,
                "creator_name": creator,
                "nickname": nick,
                "live_start_time": _dt(s).strftime("%Y-%m-%d %H:%M"),
                "duration": _fmt_duration(e - s, True),
                "attributed_gmv": _rp(attributed),
                "direct_gmv": _rp(direct),
                "indirect_gmv": _rp(attributed - direct),
                "products_added": int(rng.integers(5, 16)),
                "products_sold": round(units_all * share),
                "sku_orders": round(inwin.sum() * share),
                "paid_orders": paid,
                "units_sold": units,
                "direct_units_sold": direct_units,
                "indirect_units_sold": units - direct_units,
                "buyers": max(0, paid - int(rng.integers(0, 3))),
                "avg_price": _rp(attributed / units) if units else "--",
                "ctor": _pct(paid, clicks),
                "viewers": viewers,
                "views": int(viewers * rng.uniform(1.3, 2.0)),
                "avg_watch_duration": _fmt_duration(int(rng.integers(40, 200)), False),
                "comments": int(viewers * rng.uniform(0.03, 0.08)),
                "shares": int(viewers * rng.uniform(0.005, 0.02)),
                "likes": int(viewers * rng.uniform(2, 8)),
                "new_followers": int(viewers * rng.uniform(0.01, 0.04)),
                "product_impressions": impressions,
                "product_clicks": clicks,
                "ctr": _pct(clicks, impressions),
            }
            rows.append([vals[c] for c in LIVES.columns])
        at = _late_evening(rng, d_to)
        path = folder / f"Live Analysis_{_stamp(at)}.xlsx"
        _preamble_xlsx(path, d_from, d_to, headers, rows, at, blank=rng.random() < 0.5, sheet="Sheet1")
        files.append(path)
    return files


def _write_creators(plan: _Plan, od: _Orders, vids: _Videos, folder: Path) -> list[Path]:
    rng, lang = plan.rng, plan.lang
    valid = od.valid_line
    lo = od.line_order
    lt = od.created[lo]
    lcr = od.creator[lo]
    in_live = (lt >= plan.live_start) & (lt <= plan.live_end)
    returned = od.returned[lo] <= plan.e0
    epoch = date(1970, 1, 1).toordinal()
    files = []
    for d_from, d_to in _month_ranges(plan):
        t0, t1 = _ts(d_from), _ts(d_to) + DAY
        rng_l = valid & (lt >= t0) & (lt < t1)
        vsel = (vids.day >= d_from.toordinal() - epoch) & (vids.day <= d_to.toordinal() - epoch)
        rows = []
        for c, handle in enumerate(plan.creators):
            m = rng_l & (lcr == c)
            gmv = int(od.after[m].sum())
            live_gmv = int(od.after[m & in_live].sum())
            video_gmv = int((gmv - live_gmv) * rng.uniform(0.75, 0.9))
            n_orders = len(np.unique(lo[m]))
            units = int(od.qty[m].sum())
            ret = m & returned
            vc = vsel & (vids.creator[vids.v] == c)
            views = int(vids.metrics["views"][vc].sum())
            impressions = int(vids.metrics["product_impressions"][vc].sum()) + int(gmv / 2000)
            clicks = int(vids.metrics["product_clicks"][vc].sum()) + n_orders * 5
            n_videos = len(np.unique(vids.v[vc]))
            if gmv == 0 and n_videos == 0:
                continue
            lives = int(c == plan.live_creator and t0 <= plan.live_start < t1)
            vals = {
                "creator_name": handle,
                "gmv": _rp(gmv),
                "live_gmv": _rp(live_gmv),
                "video_gmv": _rp(video_gmv),
                "refunds": _rp(od.refund[ret].sum()),
                "attributed_orders": n_orders,
                "units_sold": units,
                "units_refunded": int(od.ret_qty[ret].sum()),
                "aov": _rp(gmv / n_orders) if n_orders else "--",
                "product_card_gmv": _rp(gmv - live_gmv - video_gmv),
                "ctor": _pct(n_orders, clicks),
                "lives": lives,
                "videos": n_videos,
                "sample_content_count": int(rng.integers(0, 4)),
                "samples_shipped": int(rng.integers(0, 3)),
                "showcase_products": int(rng.integers(1, 8)),
                "ctr": _pct(clicks, impressions),
                "product_impressions": impressions,
                "video_views": views,
                "buyers": len(np.unique(od.buyer[lo[m]])),
                "products_sold": units,
                "estimated_commission": _rp(gmv * plan.commission[c]),
            }
            rows.append([vals[k] for k in CREATORS.columns])
        at = _late_evening(rng, d_to)
        path = folder / f"Transaction_Analysis_Creator_List_{_stamp(at)}.xlsx"
        _preamble_xlsx(path, d_from, d_to, CREATORS.headers(lang), rows, at, blank=rng.random() < 0.5, sheet="Sheet1")
        files.append(path)
    return files


# --------------------------------------------------------------------------------------------
# Products with stock
# --------------------------------------------------------------------------------------------

_PRODUCT_EXTRA = {  # columns after the known ones; two repeat earlier names (first occurrence is the real one)
    "id": ("Deskripsi Produk", "Status Konten", "Harga", "Nama Produk", "Tanggal Diperbarui"),
    "en": ("Product Description", "Content Status", "Price", "Product Name", "Updated Time"),
}
_PRODUCT_DESCRIPTIONS = {
    "id": "Kolom {h}. Wajib diisi untuk produk aktif.",
    "en": "{h} column. Required for live products.",
}


def _write_products(plan: _Plan, od: _Orders, folder: Path) -> list[Path]:
    rng, cat, lang = plan.rng, plan.cat, plan.lang
    snaps = [plan.e0 + int(rng.integers(2, 10)) * 60]
    while (snaps[-1] - EXPORT_EVERY_DAYS * DAY) // DAY * DAY >= plan.start_s:
        snaps.append((snaps[-1] - EXPORT_EVERY_DAYS * DAY) // DAY * DAY + int(rng.integers(9, 18)) * HOUR + 7 * 60)
    valid = od.valid_line
    lt = od.created[od.line_order]
    headers = PRODUCTS.headers(lang) + list(_PRODUCT_EXTRA[lang])
    files = []
    for j, at in enumerate(snaps):
        period = valid & (lt > at - EXPORT_EVERY_DAYS * DAY) & (lt <= at)
        sold = np.bincount(od.sku[period], weights=od.qty[period], minlength=cat.n)
        share, extra = rng.uniform(0.15, 1.2, cat.n), rng.integers(5, 40, cat.n)
        stock = (sold * share + extra).astype(np.int64)
        if j > 0:
            # the seller restocks when counting stock (at a snapshot): until the next snapshot, stock only goes
            # down by what sells, so snapshot minus units sold since reconstructs the stock on any day
            upto = valid & (lt > at) & (lt <= snaps[j - 1])
            sold_next = np.bincount(od.sku[upto], weights=od.qty[upto], minlength=cat.n)
            stock = (sold_next + sold * share * 0.25 + extra // 3).astype(np.int64)
        if at >= od.sold_out:
            stock[plan.viral_sku] = 0  # sold out by the viral video, not restocked yet
        elif j > 0 and od.sold_out <= snaps[j - 1]:
            # exactly what sells until the viral spike empties the shelf
            gone = valid & (lt > at) & (lt <= od.sold_out) & (od.sku == plan.viral_sku)
            stock[plan.viral_sku] = int(od.qty[gone].sum())
        rows = []
        for s in range(cat.n):
            p = int(cat.product_idx[s])
            name = cat.product_name[p]
            vals = [
                str(cat.product_id[p]),
                cat.category[p],
                plan.theme.brand,
                name,
                _BY_LANG[lang]["active"],
                str(cat.sku_id[s]),
                cat.variation[s],
                cat.seller_sku[s],
                int(cat.price[s]),
                int(stock[s]),
                plan.theme.warehouse,
                float(cat.weight[s]),
                f"{name} original dari {plan.theme.brand}. Kualitas terjamin, kirim cepat dari {plan.theme.warehouse}.",
                _BY_LANG[lang]["approved"],
                int(_round_price(np.array([cat.price[s] * 0.85]))[0]),
                f"{name} {cat.variation[s]} Original Murah",
                _dt(at - int(rng.integers(1, 20)) * DAY).strftime("%Y-%m-%d %H:%M:%S"),
            ]
            rows.append(vals)
        path = folder / f"product_list_{_stamp(at)}.xlsx"
        wb = _workbook(path, at)
        ws = wb.add_worksheet("Template")
        ws.write_row(0, 0, headers)
        ws.write_row(1, 0, [_PRODUCT_DESCRIPTIONS[lang].format(h=h) for h in headers])
        for r, row in enumerate(rows, start=2):
            ws.write_row(r, 0, row)
        wb.close()
        _touch(path, at)
        files.append(path)
    return files


# --------------------------------------------------------------------------------------------
# The seller's own CSVs
# --------------------------------------------------------------------------------------------


def _csv(path: Path, kind_columns: list[str], rows: dict[str, list], at: int) -> Path:
    pd.DataFrame(rows, columns=kind_columns).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    _touch(path, at)
    return path


def _write_own_csvs(plan: _Plan, od: _Orders, vids: _Videos, folder: Path) -> tuple[list[Path], dict[str, str]]:
    rng = plan.rng
    fmt = "%Y-%m-%d %H:%M:%S"
    camps = plan.campaigns
    files = [
        _csv(
            folder / "campaigns.csv",
            list(CAMPAIGNS.columns),
            {
                "campaign_id": [c.campaign_id for c in camps],
                "campaign_name": [c.name for c in camps],
                "campaign_type": [c.kind for c in camps],
                "start_time": [_dt(c.start).strftime(fmt) for c in camps],
                "end_time": [_dt(c.end).strftime(fmt) for c in camps],
                "notes": [c.notes for c in camps],
            },
            plan.e0 + 15 * 60,
        )
    ]

    # NPS: asked 3-7 days after delivery; campaign orders are asked more often
    n = len(od.created)
    camp_of = np.full(n, -1)
    for i, c in enumerate(camps):
        camp_of[(od.created >= c.start) & (od.created <= c.end)] = i
    delivered = od.delivered < NEVER
    responded = np.where(delivered, od.delivered, 0) + rng.integers(3 * DAY, 7 * DAY, n)
    ask = delivered & (responded <= plan.e0)
    # ~7 % of other buyers answer; campaign buyers are surveyed harder (at least ~25 answers where possible)
    per_campaign = np.bincount(camp_of[ask & (camp_of >= 0)], minlength=len(camps))
    p_campaign = np.clip(25 / np.maximum(per_campaign, 1), 0.4, 0.9)
    ask &= rng.random(n) < np.where(camp_of >= 0, p_campaign[camp_of], 0.07)
    idx = np.flatnonzero(ask)
    idx = idx[np.argsort(responded[idx], kind="stable")]
    bands = np.array([c.band for c in camps] + ["neutral"])[camp_of[idx]]
    score = np.empty(len(idx), dtype=int)
    for band, p in _NPS_P.items():
        m = bands == band
        score[m] = rng.choice(11, m.sum(), p=np.array(p) / sum(p))
    group = np.select([score >= 9, score >= 7], ["promoter", "passive"], "detractor")
    has_comment = rng.random(len(idx)) < 0.6
    pick = rng.integers(0, 100, len(idx))
    comments = [
        _NPS_COMMENTS[g][k % len(_NPS_COMMENTS[g])] if h else ""
        for g, k, h in zip(group, pick, has_comment, strict=True)
    ]
    files.append(
        _csv(
            folder / "nps_responses.csv",
            list(NPS.columns),
            {
                "response_id": [f"NPS-{plan.code}-{i + 1:06d}" for i in range(len(idx))],
                "responded_at": [_dt(t).strftime(fmt) for t in responded[idx]],
                "campaign_id": [camps[c].campaign_id if c >= 0 else "" for c in camp_of[idx]],
                "order_id": [str(o) for o in od.order_id[idx]],
                "score": score,
                "channel": np.array(["whatsapp", "chat", "email"])[rng.choice(3, len(idx), p=[0.6, 0.25, 0.15])],
                "comment": comments,
            },
            plan.e0 + 16 * 60,
        )
    )

    # A/B variant tags
    dim, variant = _AB_NULL_DIMENSIONS[plan.idx % len(_AB_NULL_DIMENSIONS)]
    exp_ids = {"winner": f"EXP-{plan.code}-HOOK-01", "null": f"EXP-{plan.code}-{dim.upper()}-01"}
    rows: dict[str, list] = {k: [] for k in VARIANTS.columns}
    for key, dimension, treat_name in (("winner", "hook", "question_hook"), ("null", dim, variant)):
        treat, ctrl = vids.arms[key]
        for vids_, name, is_ctrl in ((treat, treat_name, "false"), (ctrl, "control", "true")):
            for v in sorted(vids_, key=lambda x: vids.posted[x]):
                rows["experiment_id"].append(exp_ids[key])
                rows["dimension"].append(dimension)
                rows["video_id"].append(str(vids.video_id[v]))
                rows["variant"].append(name)
                rows["is_control"].append(is_ctrl)
    files.append(_csv(folder / "ab_variants.csv", list(VARIANTS.columns), rows, plan.e0 + 17 * 60))
    return files, exp_ids


def _write_seller_inputs(plan: _Plan, folder: Path, seed: int) -> list[Path]:
    """Optional seller inputs: unit cost of every SKU, lead time and service level for about half of them.

    A separate random stream, so adding these files changed none of the other files' bytes.
    """
    rng = np.random.default_rng([seed, plan.idx, 99])
    cat = plan.cat
    cost = _round_price(cat.price * rng.uniform(0.35, 0.6, cat.n))
    valid_from = plan.start_day.strftime("%Y-%m-%d")
    files = [
        _csv(
            folder / "product_costs.csv",
            list(PRODUCT_COSTS.columns),
            {
                "sku_id": [str(x) for x in cat.sku_id],
                "unit_cost_idr": [int(c) for c in cost],
                "valid_from": [valid_from] * cat.n,
                "notes": ["HPP dari supplier"] * cat.n,
            },
            plan.e0 + 18 * 60,
        )
    ]
    listed = np.sort(rng.permutation(cat.n)[: max(1, cat.n // 2)])
    lead = rng.choice([3, 5, 7, 10, 14], len(listed))
    level = rng.choice(["90%", "95%", "98%"], len(listed))
    files.append(
        _csv(
            folder / "sku_settings.csv",
            list(SKU_SETTINGS.columns),
            {
                "sku_id": [str(cat.sku_id[i]) for i in listed],
                "lead_time_days": [int(x) for x in lead],
                "service_level": list(level),
                "min_order_qty": [int(x) for x in rng.choice([1, 6, 12, 24], len(listed))],
                "notes": ["supplier " + ("lokal" if x <= 5 else "luar kota") for x in lead],
            },
            plan.e0 + 19 * 60,
        )
    )
    return files


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def generate(
    out: Path,
    *,
    shops: int = 3,
    days: int = 120,
    orders_per_day: int = 60,
    seed: int = 7,
    end_date: date = date(2026, 11, 20),
) -> GenerateResult:
    """Write sample Seller Center exports for `shops` shops under `out/<shop_id>/`.

    `days` ends on `end_date` (inclusive); `orders_per_day` is the average per shop before the planted viral
    spike. Deterministic: the same arguments give byte-identical files.
    """
    if shops < 1:
        raise ValueError("shops must be at least 1")
    if days < MIN_DAYS:
        raise ValueError(f"days must be at least {MIN_DAYS} to plant the stories (got {days})")
    if orders_per_day < 1:
        raise ValueError("orders_per_day must be at least 1")
    out = Path(out)
    ids = _shop_ids(shops)
    codes = _shop_codes(ids)
    files: list[Path] = []
    stories: dict[str, ShopStory] = {}
    lines = 0
    con = duckdb.connect()
    try:
        for i, (shop, code) in enumerate(zip(ids, codes, strict=True)):
            folder = out / shop
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.iterdir():  # files of an earlier run would mix into this one's
                if old.is_file() and old.name.startswith(_OUR_FILES):
                    old.unlink()
            plan = _plan(i, shop, code, seed, days, end_date)
            od, buyers = _orders(plan, days, orders_per_day)
            order_files, n_lines = _write_orders(con, plan, od, buyers, folder)
            vids = _videos(plan, od, orders_per_day)
            files += order_files
            files += _write_products(plan, od, folder)
            files += _write_videos(plan, vids, folder)
            files += _write_lives(plan, od, folder)
            files += _write_creators(plan, od, vids, folder)
            own, exp_ids = _write_own_csvs(plan, od, vids, folder)
            files += own
            files += _write_seller_inputs(plan, folder, seed)
            lines += n_lines
            live = next(c for c in plan.campaigns if c.kind == "LIVE")
            stories[shop] = ShopStory(
                shop_id=shop,
                language=plan.lang,
                viral_video_id=str(vids.video_id[vids.viral]),
                viral_sku_id=str(plan.cat.sku_id[plan.viral_sku]),
                viral_date=plan.viral_date,
                sold_out_date=_dt(od.sold_out).date(),
                live_creator_id=plan.creators[plan.live_creator],
                live_start=_dt(plan.live_start),
                live_end=_dt(plan.live_end),
                live_campaign_id=live.campaign_id,
                campaign_nps={c.campaign_id: c.band for c in plan.campaigns},
                ab_winner_experiment_id=exp_ids["winner"],
                ab_null_experiment_id=exp_ids["null"],
            )
    finally:
        con.close()
    return GenerateResult(shops=ids, files=files, order_lines=lines, stories=stories)
