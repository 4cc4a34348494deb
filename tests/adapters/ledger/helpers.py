"""Shared by the ledger's tests."""

from __future__ import annotations

from bridge.adapters.ledger import Ledger


def add(ledger: Ledger, sid: str, fp: str, key: str = "") -> None:
    """Queue one response from row 2 (as intake would)."""
    ledger.submissions.add(
        id=sid, fingerprint=fp, row_number=2, received_at="", kecamatan="Juai", desa="Juai", kim="KIM Juai",
        operator="Siti", email="", title="Judul", content_key=key, status="MENUNGGU", reasons="",
    )
