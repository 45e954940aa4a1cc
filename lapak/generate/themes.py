"""Sample themes: the shops' catalogues and creators, buyers' names and places, UI words."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.formats import (
    ORDER_STATUSES_EN,
    ORDER_STATUSES_ID,
)

# (product name, category, variations, base price in rupiah, weight kg)
Product = tuple[str, str, tuple[str, ...], int, float]


@dataclass(frozen=True)
class Theme:
    stems: tuple[str, ...]  # slug stems for generated shops
    brand: str
    account: str  # the shop's own TikTok account
    host: str  # nickname of the shop's own LIVE host
    warehouse: str
    products: tuple[Product, ...]
    creators: tuple[str, ...]
    hashtags: str


THEMES: tuple[Theme, ...] = (
    Theme(
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
    Theme(
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
    Theme(
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
    Theme(
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
    Theme(
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
    Theme(
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

FIXED_SHOPS = ("batik-sari-solo", "kopi-nusantara", "glowskin-id")
SLUG_CITIES = ("bandung", "jogja", "malang", "medan", "makassar", "denpasar", "semarang", "surabaya", "solo")

# (province, city, district, village, zipcode, weight, on Java)
PLACES: tuple[tuple[str, str, str, str, str, float, bool], ...] = (
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

FIRST_NAMES = (
    "Siti", "Budi", "Dewi", "Agus", "Rina", "Andi", "Putri", "Rizky", "Fajar", "Nur", "Wahyu", "Dian", "Ayu", "Eko",
    "Indah", "Yusuf", "Fitri", "Hendra", "Lestari", "Bayu", "Nadia", "Reza", "Intan", "Joko", "Maya", "Arif", "Sri",
    "Tono", "Wulan", "Yoga", "Citra", "Dimas", "Anisa", "Fikri", "Ratna", "Galih", "Mega", "Ilham", "Sinta", "Hadi",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Kurniawan", "Rahmawati", "Nugroho", "Siregar",
    "Nasution", "Simanjuntak", "Wibowo", "Setiawan", "Putri", "Halim", "Gunawan", "Susanti", "Purnomo", "Sihombing",
    "Ramadhan", "Anggraini", "Firmansyah", "Permata", "Hakim", "Daeng", "Tanjung", "Utami", "Kusuma", "Maharani",
)  # fmt: skip
STREETS = (
    "Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gatot Subroto", "Jl. Ahmad Yani", "Jl. Pahlawan",
    "Jl. Melati", "Jl. Mawar", "Jl. Kenanga", "Gg. Kelinci", "Jl. Cempaka Putih", "Perum Griya Asri Blok C",
    "Jl. Raya Bogor", "Jl. Kaliurang", "Jl. Veteran", "Komplek Bumi Indah Blok F",
)  # fmt: skip
ADDRESS_EXTRA = ("Rumah pagar hitam", "Dekat masjid", "Sebelah warung Bu Tini", "Titip satpam", "Lantai 2",
                  "Depan minimarket")  # fmt: skip
BUYER_MESSAGES = (
    "Tolong packing rapi ya kak", "Kirim hari ini ya, makasih", "Bubble wrap tebal ya", "Warna cadangan hitam",
    "Jangan lupa bonusnya kak", "Titip ke satpam kalau tidak ada orang",
)  # fmt: skip
SELLER_NOTES = ("Sudah konfirmasi via chat", "Bonus stiker", "Kirim bareng order sebelumnya")

PAYMENTS = (("COD", 0.30), ("DANA", 0.15), ("GoPay", 0.15), ("OVO", 0.10), ("Bank Transfer", 0.12),
             ("PayLater", 0.10), ("Alfamart", 0.08))  # fmt: skip
# (name, tracking prefix, share)
PROVIDERS = (("J&T Express", "JX", 0.30), ("SiCepat", "0049", 0.20), ("JNE", "CGK", 0.15),
              ("AnterAja", "10000", 0.10), ("SPX", "SPXID0", 0.25))  # fmt: skip

BY_LANG = {
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

MONTHS_ID = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember")  # fmt: skip

# Orders per hour of day (WIB): small hours quiet, lunch bump, evening peak 19-22.
HOUR_PROFILE = np.array([0.35, 0.2, 0.12, 0.08, 0.1, 0.2, 0.45, 0.7, 0.85, 0.95, 1.0, 1.1,
                          1.3, 1.2, 1.0, 0.95, 0.95, 1.0, 1.15, 1.5, 1.8, 1.9, 1.5, 0.9])  # fmt: skip
HOUR_P = HOUR_PROFILE / HOUR_PROFILE.sum()
DOW = np.array([0.95, 0.95, 1.0, 1.0, 1.05, 1.1, 1.1])  # Monday first

# Campaign type -> (code, order multiplier during the window)
CAMPAIGN_KINDS = {
    "super_brand_day": ("SBD", 2.2),
    "flash_sale": ("FLASH", 3.0),
    "promo": ("GAJIAN", 1.35),
    "voucher": ("VCR", 1.25),
    "LIVE": ("LIVE", 6.0),
}
LIVE_AFTER_LIFT = 2.0  # the 24 h after the story LIVE
NPS_P = {  # P(score = 0..10) per band: high ~ +67, low ~ -52, neutral ~ +25
    "high": [0.005, 0.005, 0.005, 0.005, 0.005, 0.01, 0.015, 0.09, 0.14, 0.28, 0.44],
    "low": [0.06, 0.06, 0.08, 0.1, 0.12, 0.1, 0.1, 0.14, 0.14, 0.06, 0.04],
    "neutral": [0.02, 0.01, 0.02, 0.02, 0.03, 0.04, 0.06, 0.15, 0.2, 0.22, 0.23],
}
NPS_COMMENTS = {
    "promoter": ("Barang bagus, pengiriman cepat!", "Mantap, sesuai deskripsi", "Suka banget, bakal order lagi",
                 "Packing rapi, recommended seller", "Kualitas oke banget untuk harganya"),
    "passive": ("Lumayan", "Oke, tapi pengiriman agak lama", "Sesuai harga", "Cukup bagus"),
    "detractor": ("Pengiriman lama banget", "Barang tidak sesuai foto", "Admin slow respon",
                  "Voucher tidak bisa dipakai", "Paket datang rusak", "Kecewa, kualitas menurun"),
}  # fmt: skip
AB_NULL_DIMENSIONS = (("format", "carousel"), ("duration", "short_15s"), ("cta", "cta_keranjang_kuning"),
                       ("bundle", "bundle_hemat"))  # fmt: skip
CAPTIONS = ("Racun banget ini! {p}", "Review jujur {p}, worth it gak?", "Unboxing {p} {tag}", "Kenapa semua orang "
             "beli {p}?", "{p} lagi diskon, cek keranjang kuning", "Tutorial pakai {p} biar maksimal",
             "Cuma {price}? {p}")  # fmt: skip
