"""Finding Review's header row below a title, and saying so plainly."""

from __future__ import annotations

from bridge.core.header_row import explain_header_row, review_header_row
from bridge.core.model import REVIEW_HEADERS


def test_the_header_row_is_found_below_a_title_and_blank_rows() -> None:
    """A title row above the headers would be reported as "run init" instead of where the headers are."""
    rows = [["Antrian Review KIM Balangan"], [], list(REVIEW_HEADERS), ["MM-2026-0001"]]
    assert review_header_row(rows) == 2
    text = explain_header_row("Review", rows)
    assert text.startswith("Review tab 'Review': the headers ('ID' and 'Status' among them) are on row 3, not row 1; "
                           "row 1 holds 'Antrian Review KIM Balangan'.")
    assert "Delete rows 1-2 above the headers" in text and "Do not run init" in text


def test_no_header_row_anywhere_or_an_empty_tab() -> None:
    """An officer would be told to run init when init cannot help, or not told when it can."""
    assert review_header_row([["a", "b"], ["c"]]) is None
    assert "Put the header row back" in explain_header_row("Review", [["a", "b"], ["c"]])
    assert "Run `mymein-bridge init -c CONFIG`" in explain_header_row("Review", [])
