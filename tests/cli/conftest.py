"""The commands run against the same in-process sandbox as the end-to-end tests."""

from tests.e2e.conftest import bridge, sandbox

__all__ = ["bridge", "sandbox"]
