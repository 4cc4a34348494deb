"""mymein-bridge: KIM Balangan's Google Form → Review tab → Blogger bridge (MY MEIN)."""

from __future__ import annotations

__version__ = "0.1.0"
