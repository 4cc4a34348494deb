"""Report CSV cells: no formula wherever a spreadsheet program may start a cell."""

from __future__ import annotations

import re

import pytest

from bridge.commands.report import csv_text
from bridge.core.inert import inert_cell

#: Titles that put a formula in a cell once a program splits the line on ``;``, a tab or a newline
#: (Excel in Indonesian splits on ``;`` and ignores the commas), or at the start of the field.
HOSTILE = [
    "Panen raya;=cmd|' /C calc'!A0;",
    'Panen raya; =HYPERLINK("http://x.example","Klik");',
    "Rapat;@SUM(1+1)*cmd|' /C calc'!A0",
    "Rapat;+1+cmd|' /C calc'!A0",
    "Rapat;-2+3+cmd|' /C calc'!A0;selesai",
    'Rapat;"=1+1";',
    "Rapat,=1+1",
    "Rapat\t=1+1",
    "Rapat\n=1+1",
    "Rapat\r\n@A1",
    "\t=1+1",
    "\r=1+1",
    "=1+1;=2+2",
    "-1+1",
    "+1+1",
    "@A1",
]


def _cells_a_program_sees(text: str) -> list[str]:
    """Every cell Excel, LibreOffice or a plain split could make of the file: split on each separator,
    outer spaces and double quotes stripped."""
    return [part.strip(' "') for part in re.split(r"[,;\t\r\n]", text)]


def _formula(cell: str) -> bool:
    return cell[:1] in ("=", "@") or (cell[:1] in ("+", "-") and len(cell) > 1)


@pytest.mark.parametrize("title", HOSTILE)
def test_no_cell_of_the_csv_starts_a_formula(title: str) -> None:
    """Opening the report CSV in Excel (Indonesian, ';') or LibreOffice ran a formula from a submitted title."""
    text = csv_text(["No", "Judul"], [[1, title]])
    assert [c for c in _cells_a_program_sees(text) if _formula(c)] == []
    assert inert_cell(title).replace("'", "") == title.replace("'", "")  # only apostrophes added: the title is readable


def test_ordinary_text_and_numbers_are_left_as_they_are() -> None:
    """Officers would see stray apostrophes in ordinary titles, dashes and comma decimals."""
    for cell in ("Panen raya di Paringin", "24,0", "-", "9,0", "a; - ;b", "Rapat, -", "Tanya-jawab; e-mail", 3, None):
        assert inert_cell(cell) == cell
    assert inert_cell("Rapat; -5 orang") == "Rapat; '-5 orang"
