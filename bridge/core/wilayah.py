"""Official kecamatan and desa/kelurahan names of Kabupaten Balangan, with spelling tolerance.

Matching is deliberately narrow: exact after normalisation (case, spacing,
punctuation, "Kec."/"Desa"/"Kel." prefixes), then space-insensitive
("Batumandi" = "Batu Mandi"), then a typo match only when one candidate is
clearly the best (difflib ratio >= 0.9). "Paringin" and "Paringin Selatan" are
different kecamatan and never match each other. Results are always official names.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bridge.core.model import Wilayah

FUZZY_RATIO = 0.9

_KEC_PREFIXES = ("kecamatan", "kec")
_DESA_PREFIXES = ("desa", "ds", "kelurahan", "kel")
_ABBREVIATIONS = {"sel": "selatan", "ut": "utara", "tim": "timur", "bar": "barat", "tgh": "tengah"}


def normalise_name(text: str, prefixes: Sequence[str] = ()) -> str:
    """Casefolded name with punctuation as spaces, one leading prefix removed, abbreviations expanded."""
    norm = unicodedata.normalize("NFKC", str(text)).casefold()
    words = re.sub(r"[^\w]+|_", " ", norm).split()
    if len(words) > 1 and words[0] in prefixes:
        words = words[1:]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def compact(text: str) -> str:
    """A normalised name with spaces removed: "batu mandi" -> "batumandi"."""
    return text.replace(" ", "")


def place_key(text: str) -> str:
    """A space-insensitive key for any kecamatan or desa spelling (used to join the KIM registry)."""
    return compact(normalise_name(text, _KEC_PREFIXES + _DESA_PREFIXES))


def _match(name: str, candidates: dict[str, str], prefixes: Sequence[str]) -> str | None:
    """Official name for ``name`` among ``candidates`` (compact key -> official), or ``None``."""
    key = compact(normalise_name(name, prefixes))
    if not key:
        return None
    if key in candidates:
        return candidates[key]
    scored = sorted(
        ((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in candidates),
        reverse=True,
    )
    if not scored or scored[0][0] < FUZZY_RATIO:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two equally good guesses: do not pick one
    return candidates[scored[0][1]]


@dataclass
class WilayahIndex:
    """Lookup of official names; build with :meth:`from_csv` or from :class:`Wilayah` rows."""

    rows: list[Wilayah]
    _kec: dict[str, str] = field(init=False, repr=False)
    _desa: dict[str, dict[str, Wilayah]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._kec = {}
        self._desa = {}
        for w in self.rows:
            self._kec.setdefault(compact(normalise_name(w.kecamatan, _KEC_PREFIXES)), w.kecamatan)
            self._desa.setdefault(w.kecamatan, {})[compact(normalise_name(w.desa, _DESA_PREFIXES))] = w

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> WilayahIndex:
        """Read ``kode,kecamatan,desa_kelurahan,jenis`` (config/balangan_wilayah.csv)."""
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = [
                Wilayah(
                    kode=r["kode"].strip(),
                    kecamatan=r["kecamatan"].strip(),
                    desa=r["desa_kelurahan"].strip(),
                    jenis=(r.get("jenis") or "desa").strip().lower(),
                )
                for r in csv.DictReader(fh)
                if r.get("kecamatan") and r.get("desa_kelurahan")
            ]
        return cls(rows)

    @property
    def kecamatan_names(self) -> list[str]:
        """Official kecamatan names, in file order."""
        return list(dict.fromkeys(w.kecamatan for w in self.rows))

    def desa_names(self, kecamatan_official: str) -> list[str]:
        """Official desa/kelurahan names of one kecamatan."""
        return [w.desa for w in self._desa.get(kecamatan_official, {}).values()]

    def kecamatan(self, name: str) -> str | None:
        """The official kecamatan name for a form answer, or ``None``."""
        return _match(name, self._kec, _KEC_PREFIXES)

    def desa(self, kecamatan_official: str, name: str) -> Wilayah | None:
        """The official desa/kelurahan of that kecamatan for a form answer, or ``None``."""
        desas = self._desa.get(kecamatan_official)
        if not desas:
            return None
        official = _match(name, {k: w.desa for k, w in desas.items()}, _DESA_PREFIXES)
        return next((w for w in desas.values() if w.desa == official), None) if official else None

    def find_desa(self, name: str) -> list[Wilayah]:
        """Every desa/kelurahan with that name, in any kecamatan (exact or space-insensitive)."""
        key = compact(normalise_name(name, _DESA_PREFIXES))
        if not key:
            return []
        return [w for desas in self._desa.values() for k, w in desas.items() if k == key]

    def desa_label(self, kecamatan: str, desa: str) -> str:
        """"Kelurahan" for a kelurahan, else "Desa" (for bylines)."""
        kec = self.kecamatan(kecamatan)
        w = self.desa(kec, desa) if kec else None
        return "Kelurahan" if w is not None and w.jenis == "kelurahan" else "Desa"

    def suggest(self, name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
        """Official names close to ``name`` (for "maksud Anda ...?" hints), best first."""
        official = {compact(normalise_name(c, _KEC_PREFIXES + _DESA_PREFIXES)): c for c in candidates}
        key = compact(normalise_name(name, _KEC_PREFIXES + _DESA_PREFIXES))
        if not key:
            return []
        return [official[k] for k in difflib.get_close_matches(key, list(official), n=n, cutoff=0.6)]


__all__ = ["FUZZY_RATIO", "WilayahIndex", "compact", "normalise_name", "place_key"]
