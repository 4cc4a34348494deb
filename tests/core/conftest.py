"""Small concrete fixtures for the pure core: the real wilayah list, a tiny KIM registry, responses."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bridge.core.model import FormResponse, KimRecord
from bridge.core.validate import KimRegistry, Rules
from bridge.core.wilayah import WilayahIndex
from tests.conftest import validation_rules

REPO = Path(__file__).resolve().parents[2]
WILAYAH_CSV = REPO / "config" / "balangan_wilayah.csv"
TEMPLATE = REPO / "config" / "templates" / "post.html"
GOLDEN = Path(__file__).resolve().parent / "golden"
WITA = ZoneInfo("Asia/Makassar")
TODAY = date(2026, 3, 10)
BODY = (
    "Warga Desa Lok Batu bergotong royong membersihkan saluran air menjelang musim hujan.\n\n"
    "Kegiatan dipimpin kepala desa dan diikuti sekitar lima puluh warga."
)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/core/golden/<name>; UPDATE_GOLDEN=1 (re)writes the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"golden file {name} missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8"), f"golden file {name} differs (UPDATE_GOLDEN=1 to accept)"


@pytest.fixture(scope="session")
def wilayah() -> WilayahIndex:
    return WilayahIndex.from_csv(WILAYAH_CSV)


KIMS = [
    KimRecord(
        name="KIM Lok Batu Bersatu",
        kecamatan="Batumandi",  # spelled loosely on purpose: the registry is typed by people
        desa="Lok Batu",
        sk_number="188/12/KIM/2025",
        sk_until=date(2026, 12, 31),
        partnership="AKTIF",
        operator_emails=frozenset({"operator@lokbatu.id", "ketua@lokbatu.id"}),
    ),
    KimRecord(
        name="KIM Juai Maju",
        kecamatan="Juai",
        desa="Juai",
        sk_until=date(2025, 12, 31),
        partnership="AKTIF",
        operator_emails=frozenset({"juai@kim.id"}),
    ),
    KimRecord(name="KIM Hamarung", kecamatan="Juai", desa="Hamarung", partnership="DIBEKUKAN"),
    KimRecord(name="KIM Paringin Kota", kecamatan="Paringin", desa="Kel. Paringin Kota", partnership="Aktif"),
]


@pytest.fixture
def registry() -> KimRegistry:
    return KimRegistry(KIMS)


@pytest.fixture
def rules() -> Rules:
    return validation_rules()


def make_response(**changes: object) -> FormResponse:
    """A valid response from KIM Lok Batu Bersatu; override any field."""
    base = FormResponse(
        row_number=2,
        received_at=datetime(2026, 3, 9, 8, 30, tzinfo=WITA),
        email="operator@lokbatu.id",
        kecamatan="Batu Mandi",
        desa="Lok Batu",
        operator="Siti Aminah",
        title="Gotong Royong Bersihkan Saluran Air",
        body=BODY,
        photos=("https://drive.google.com/open?id=1AbCdEfGhIjKlMnOp",),
        raw_timestamp="46090.3541666667",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
