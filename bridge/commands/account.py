"""The Google account the bridge signs in as, named in advice (``check``) and kept among protected ranges' editors (``init``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.app import Deps


def bridge_account(deps: Deps) -> str:
    """The account the bridge reads Drive with (Drive ``about.get``), or '' if Drive will not say."""
    try:
        about = deps.drive.service.about().get(fields="user(emailAddress)").execute(num_retries=0)
    except Exception:  # noqa: BLE001 - only used to name the account in advice
        return ""
    return str((about.get("user") or {}).get("emailAddress", ""))


__all__ = ["bridge_account"]
