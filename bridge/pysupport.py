"""Which Python the bridge runs on, and google.api_core's dated warning about it.

The bridge supports CPython 3.11 to 3.13 (Debian 12 ships 3.11, Debian 13 ships 3.13).
``google.api_core`` checks the running Python against its own calendar each time it is
imported, and warns (``FutureWarning``) from a few months before that Python's end of
life: for 3.11, from about July 2027 (end of life 2027-10-24). Printed by every command,
that warning would fill a timer's mail or journal daily; instead the bridge holds it at
import and logs it once per state file, again only when Google's wording changes
(deprecated, past end of life, unsupported).
"""

from __future__ import annotations

import logging
import warnings
from typing import Protocol

SUPPORTED = ((3, 11), (3, 13))
"""The oldest and newest Python (major, minor) the bridge is tested on."""

#: The module google.api_core's warning is attributed to (warnings.warn in it, stacklevel 1).
WARNING_MODULE = "google.api_core._python_version_support"
_held: list[str] = []
log = logging.getLogger("bridge.python")


class _State(Protocol):
    """Where the last logged words are kept (the ledger's ``state``)."""

    python_support_warning: str


def import_google_holding_warning() -> None:
    """Import google.api_core now, keeping its Python-support warning for :func:`log_held_warning`.

    Any other warning raised during the import is shown as usual.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", category=FutureWarning, module=WARNING_MODULE.replace(".", r"\."))
        import google.api_core  # noqa: F401  (the import is the point)
    for item in caught:
        if issubclass(item.category, FutureWarning) and item.filename.replace("\\", "/").endswith(
            "google/api_core/_python_version_support.py"
        ):
            _held.append(str(item.message))
        else:
            warnings.showwarning(item.message, item.category, item.filename, item.lineno)


def log_held_warning(state: _State) -> bool:
    """Log the held warning if this state file has not logged the same words before.

    Returns:
        whether a line was logged.
    """
    if not _held:
        return False
    message = _held[-1]
    if state.python_support_warning == message:
        return False
    log.warning(
        "google.api_core: %s (the bridge supports Python %d.%d to %d.%d; this is logged once per state file)",
        message, *SUPPORTED[0], *SUPPORTED[1],
    )
    state.python_support_warning = message
    return True


__all__ = ["SUPPORTED", "WARNING_MODULE", "import_google_holding_warning", "log_held_warning"]
