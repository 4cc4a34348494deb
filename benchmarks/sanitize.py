"""Benchmark: sanitize + validate throughput on one core (issue 13 target: ≥10,000/s typical, ≥3,000/s long).

    .venv/bin/python -m benchmarks.sanitize            # typical (≈364-character) and 3,000-character bodies
    .venv/bin/python -m benchmarks.sanitize --seconds 5

Each item is what intake does per new row in core: ``validate`` (which sanitizes every field
and computes the row's ``content_key`` once; intake stores ``sub.content_key``). Bodies differ
per item, so no cache answers for a new row; every tenth one carries zero-width, bidi and control characters.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bridge.config import REPO_CONFIG_DIR, load_settings
from bridge.core.model import FormResponse, KimRecord
from bridge.core.validate import KimRegistry, validate
from bridge.core.wilayah import WilayahIndex

WITA = ZoneInfo("Asia/Makassar")
PARAGRAPH = ("Warga Desa Lok Batu bergotong royong membersihkan saluran air menjelang musim hujan. Kegiatan dipimpin "
             "kepala desa dan diikuti sekitar lima puluh warga, termasuk ibu-ibu PKK yang menyiapkan konsumsi. ")
HOSTILE = "\u200b\u202e<script>alert(1)</script>\x07\ttab\u00a0nbsp\r\n"


def body(n: int, length: int) -> str:
    text = f"Laporan nomor {n}. "
    while len(text) < length:
        text += PARAGRAPH + ("\n\n" if len(text) % 3 == 0 else "")
    text = text[:length]
    return (HOSTILE + text)[:length] if n % 10 == 0 else text


def run(length: int, seconds: float) -> tuple[float, int]:
    wilayah = WilayahIndex.from_csv(REPO_CONFIG_DIR / "balangan_wilayah.csv")
    registry = KimRegistry([KimRecord(name="KIM Lok Batu Bersatu", kecamatan="Batumandi", desa="Lok Batu",
                                      sk_until=date(2030, 12, 31), partnership="AKTIF",
                                      operator_emails=frozenset({"operator@lokbatu.id"}))])
    rules = load_settings(None, env={"MYMEIN_SHEETS_SPREADSHEET_ID": "s", "MYMEIN_BLOG_BLOG_ID": "b"}).validation_rules()
    responses = [FormResponse(row_number=n + 2, received_at=datetime(2026, 3, 1, 9, 0, tzinfo=WITA),
                              raw_timestamp="01/03/2026 09.00.00", email="operator@lokbatu.id", kecamatan="Batumandi",
                              desa="Lok Batu", operator="Siti Aminah", title=f"Gotong Royong Saluran Air nomor {n}",
                              body=body(n, length), photos=("https://drive.google.com/open?id=1AbCdEfGhIjKlMnOp",))
                 for n in range(2000)]
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for r in responses:
            sub = validate(r, fingerprint="f", wilayah=wilayah, registry=registry, rules=rules, known_contents={},
                           today=date(2026, 3, 10), email_collected=True)
            assert sub.content_key
        done += len(responses)
        responses = [_bump(r) for r in responses]
    return done / (time.process_time() - start), len(responses[0].body)


def _bump(r: FormResponse) -> FormResponse:
    from dataclasses import replace

    return replace(r, body=r.body[:-1] + ("." if r.body[-1] != "." else ","))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU seconds per body size")
    args = parser.parse_args(argv)
    for length, target in ((364, 10_000), (3_000, 3_000)):
        rate, _ = run(length, args.seconds)
        print(f"{length:>5}-character bodies: {rate:8,.0f} per second per core (target {target:,})")


if __name__ == "__main__":
    main()
