"""Text that a spreadsheet program would run as a formula, made inert for the report CSVs.

A CSV cell is not only a whole field: Excel set to Indonesian (or any locale whose list separator
is ``;``) splits a comma-separated file on ``;`` and ignores the commas, and other programs split on
tabs or take a newline as a new row. So a title such as ``Panen raya;=cmd|' /C calc'!A0;`` gives a
cell ``=cmd|...`` although the field starts with ``P``. Every place a cell may start is checked: the
start of the field, and just after ``,`` ``;`` a tab, CR or LF (spaces and a double quote between
are skipped, as importers strip them). A formula lead there (``=``, ``@``, or ``+``/``-`` followed
by more than spaces, OWASP "CSV Injection") gets an apostrophe before it, which the programs show as text;
a field that starts with a tab or CR gets one in front as well.
"""

from __future__ import annotations

import re
from typing import Any

_SEPARATORS = ",;\t\r\n"
_LEAD = re.compile(rf"(^|[{_SEPARATORS}])([ \"]*)([=@]|[+\-](?= *[^ {_SEPARATORS}]))")


def inert_cell(cell: Any) -> Any:
    """``cell`` with an apostrophe before each formula lead where a spreadsheet cell may start; other values as they are."""
    if not isinstance(cell, str):
        return cell
    text = _LEAD.sub(lambda m: f"{m.group(1)}{m.group(2)}'{m.group(3)}", cell)
    return "'" + text if text[:1] in ("\t", "\r") else text


__all__ = ["inert_cell"]
