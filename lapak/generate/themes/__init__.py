"""The sample themes, read from the data files next to this module.

shops.json: the six shop themes (catalogue, creators, hashtags) and the shop ids; places.csv: where buyers live;
people.json: names, streets, messages; checkout.json: payment methods and couriers with their shares;
ui_words.json: the words of the Indonesian and English Seller Center UI; campaigns.json: campaign kinds and
texts; demand.json: orders by hour of day and day of week; nps.json: NPS answers; content.json: captions and
other texts. Lists become tuples so that nobody changes a theme by accident.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from ingestion.formats import ORDER_STATUSES_EN, ORDER_STATUSES_ID


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _frozen(value: Any) -> Any:
    """JSON lists as tuples, all the way down."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


def _json(name: str) -> dict[str, Any]:
    return _frozen(json.loads(_read(name)))


class Product(NamedTuple):
    name: str
    category: str
    price: int  # base price in rupiah; variations after the first cost 95-115 % of it
    weight_kg: float
    variations: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    brand: str
    account: str  # the shop's own TikTok account
    host: str  # nickname of the shop's own LIVE host
    warehouse: str
    slug_stems: tuple[str, ...]  # slug stems for generated shops
    hashtags: str
    products: tuple[Product, ...]
    creators: tuple[str, ...]


class Place(NamedTuple):
    province: str
    city: str
    district: str
    village: str
    zipcode: str
    buyer_weight: float  # relative share of buyers living here
    on_java: bool  # parcels to Java are cheaper and quicker


class Choice(NamedTuple):
    name: str
    share: float  # how often it is chosen


class ShippingProvider(NamedTuple):
    name: str
    tracking_prefix: str
    share: float


class CampaignKind(NamedTuple):
    code: str  # in the campaign id: CMP-<year>-<month>-<code>
    order_multiplier: float  # order rate during the campaign window


_shops = _json("shops.json")
FIXED_SHOP_IDS: tuple[str, ...] = _shops["fixed_shop_ids"]
SLUG_CITIES: tuple[str, ...] = _shops["slug_cities"]
THEMES: tuple[Theme, ...] = tuple(
    Theme(**{**t, "products": tuple(Product(**p) for p in t["products"])}) for t in _shops["themes"]
)

PLACES: tuple[Place, ...] = tuple(
    Place(
        **{
            **row,
            "buyer_weight": float(row["buyer_weight"]),
            "on_java": row["on_java"] == "true",
        }
    )
    for row in csv.DictReader(io.StringIO(_read("places.csv")))
)

_people = _json("people.json")
FIRST_NAMES: tuple[str, ...] = _people["first_names"]
LAST_NAMES: tuple[str, ...] = _people["last_names"]
STREETS: tuple[str, ...] = _people["streets"]
ADDRESS_EXTRAS: tuple[str, ...] = _people["address_extras"]
BUYER_MESSAGES: tuple[str, ...] = _people["buyer_messages"]
SELLER_NOTES: tuple[str, ...] = _people["seller_notes"]

_checkout = _json("checkout.json")
PAYMENT_METHODS: tuple[Choice, ...] = tuple(Choice(**p) for p in _checkout["payment_methods"])
SHIPPING_PROVIDERS: tuple[ShippingProvider, ...] = tuple(ShippingProvider(**p) for p in _checkout["shipping_providers"])

# The order statuses are the ones ingestion reads, so they come from ingestion.formats, not from the data file.
_ui_words = _json("ui_words.json")
UI_WORDS: dict[str, dict[str, Any]] = {
    lang: {"statuses": statuses, **_ui_words[lang]}
    for lang, statuses in (("id", ORDER_STATUSES_ID), ("en", ORDER_STATUSES_EN))
}

_campaigns = _json("campaigns.json")
CAMPAIGN_KINDS: dict[str, CampaignKind] = {k: CampaignKind(**v) for k, v in _campaigns["kinds"].items()}
MONTHS_ID: tuple[str, ...] = _campaigns["months"]  # January first
CAMPAIGN_TEXTS: dict[str, dict[str, str]] = _campaigns["texts"]

_demand = _json("demand.json")
# Orders per hour of day (WIB): small hours quiet, lunch bump, evening peak 19-22.
HOUR_OF_DAY = np.array(_demand["hour_of_day"])
HOUR_OF_DAY_P = HOUR_OF_DAY / HOUR_OF_DAY.sum()
DAY_OF_WEEK = np.array(_demand["day_of_week"])  # Monday first

_nps = _json("nps.json")
# P(score = 0..10) per band: high ~ +67, low ~ -52, neutral ~ +25; drawn in this order
NPS_SCORE_P: dict[str, tuple[float, ...]] = _nps["score_p"]
NPS_COMMENTS: dict[str, tuple[str, ...]] = _nps["comments"]  # promoter, passive, detractor
NPS_CHANNELS: tuple[Choice, ...] = tuple(Choice(**c) for c in _nps["channels"])

_content = _json("content.json")
VIDEO_CAPTIONS: tuple[str, ...] = _content["video_captions"]  # {p}: product, {tag}: first hashtag, {price}
VIDEO_DIAGNOSES: tuple[str, ...] = _content["video_diagnoses"]
AB_NULL_DIMENSIONS: tuple[dict[str, str], ...] = _content["ab_null_dimensions"]  # tested, no effect planted
PRODUCT_LISTING: dict[str, str] = _content["product_listing"]
SELLER_INPUT_NOTES: dict[str, str] = _content["seller_inputs"]
