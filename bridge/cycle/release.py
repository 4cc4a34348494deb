"""Give the memory a cycle freed back to the system, and keep the start's objects out of the collector's way (issue 22).

A cycle that reads Review whole builds and frees tens of megabytes of small objects. CPython
returns its own arenas once they are empty, but the C allocator (glibc's ``malloc``) keeps freed
blocks for reuse, so `run`'s resident size stayed at its largest cycle's for the rest of the
process (171 MiB after a whole read of 20,000 Review rows, 106 MiB once trimmed). glibc's
``malloc_trim(0)`` "attempts to release free memory from the heap" at any place in it, not only
the top (https://man7.org/linux/man-pages/man3/malloc_trim.3.html, since glibc 2.8). Elsewhere
(musl, macOS) there is no such call and nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger("bridge.cycle")


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        return None
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back_memory() -> None:
    """After a cycle: free heap memory back to the system where the C library can (glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def keep_started() -> None:
    """Once `run` has started (its imports, credentials, ledger and connections: some 70,000 containers
    that live as long as the process): collect what starting left behind, then move the rest out of the
    cyclic garbage collector's reach. ``gc.freeze()`` "moves all objects tracked by the garbage collector
    into a permanent generation, ignored in all future collections"
    (https://docs.python.org/3/library/gc.html#gc.freeze). Otherwise every full collection a cycle
    triggers walks them all again: at 10k Review rows that was a third of a reading cycle's CPU, now and
    then. Objects that become garbage later are still freed when nothing refers to them; only reference
    cycles among them would stay, so this is called once per process."""
    gc.collect()
    gc.freeze()
