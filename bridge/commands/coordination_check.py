"""`check` for coordination before publishing (issue 20): the 'Persetujuan Pimpinan' protection lists
exactly the coordinators (and the bridge's own account), and each coordinator is an Editor of the
spreadsheet (Drive ``permissions.list``), so the column proves what README says it proves."""

from __future__ import annotations

from typing import Any

from bridge.app import Deps
from bridge.config import Settings

OK, BAD = "OK  ", "FAIL"
#: Drive roles that may edit a spreadsheet (Permission.role, Drive v3).
EDITING_ROLES = frozenset({"owner", "organizer", "fileOrganizer", "writer"})


def _editors_of(perms: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Accounts and domains that may edit, from a permissions.list answer."""
    users = {str(p.get("emailAddress", "")).lower() for p in perms if p.get("role") in EDITING_ROLES and p.get("type") in ("user", "group")}
    domains = {str(p.get("domain", "")).lower() for p in perms if p.get("role") in EDITING_ROLES and p.get("type") == "domain"}
    return users, domains


def coordination_lines(settings: Settings, deps: Deps) -> list[str]:
    """OK/FAIL lines for the coordination step; none while ``[review] coordination = "none"``."""
    c = settings.coordination
    if not c.on:
        return []
    from bridge.adapters.sheets import a1_tab
    from bridge.commands.account import bridge_account
    from bridge.commands.prepare import COORDINATION_NOTE
    from bridge.commands.protection import protected_ranges
    from bridge.core import columns
    from bridge.core.model import ReviewColumn

    emails = [p.email for p in c.coordinators]
    lines: list[str] = []
    sid = settings.review_spreadsheet_id
    try:
        info = deps.sheets.info(sid)
        tab = info.tabs.get(settings.review_tab)
        if tab is None:
            return [f"{BAD} coordination: tab '{settings.review_tab}' missing; run `mymein-bridge init`"]
        (top,) = deps.sheets.batch_get(sid, [f"{a1_tab(settings.review_tab)}!1:1"])
        index, _ = columns.review_header_index([str(h) for h in (top[0] if top else [])])
        col = index.get(ReviewColumn.LEADER)
        mine = [pr for pr in protected_ranges(deps, sid, tab.sheet_id) if pr.get("description") == COORDINATION_NOTE]
        if col is None or not mine:
            lines.append(f"{BAD} coordination: column '{ReviewColumn.LEADER.value}' is missing or not protected: anyone could "
                         "agree in the coordinators' name. Run `mymein-bridge init`")
        else:
            rng = mine[0].get("range") or {}
            covers = rng.get("startColumnIndex", 0) <= col < rng.get("endColumnIndex", 10**6)
            current = {str(u).lower() for u in (mine[0].get("editors") or {}).get("users", [])}
            me = bridge_account(deps).lower()
            wanted = {e.lower() for e in emails} | ({me} if me else set())
            if not covers:
                lines.append(f"{BAD} coordination: the protection does not cover '{ReviewColumn.LEADER.value}'; run `mymein-bridge init`")
            elif current != wanted and not (not me and {e.lower() for e in emails} <= current):
                extra, missing = sorted(current - wanted), sorted(wanted - current)
                lines.append(f"{BAD} coordination: '{ReviewColumn.LEADER.value}' is editable by {', '.join(sorted(current)) or 'nobody'}"
                             f" (not coordinators: {', '.join(extra) or '-'}; missing: {', '.join(missing) or '-'}); "
                             "run `mymein-bridge init` to set it to [review] coordinators")
            else:
                lines.append(f"{OK} coordination: '{ReviewColumn.LEADER.value}' editable only by the coordinators "
                             f"({', '.join(emails)}) and the bridge")
        answer = deps.drive.service.permissions().list(fileId=sid, fields="permissions(type,role,emailAddress,domain)").execute(num_retries=0)
        users, domains = _editors_of(list(answer.get("permissions", [])))
        not_editors = [e for e in emails if e.lower() not in users and e.lower().rsplit("@", 1)[-1] not in domains]
        if not_editors:
            lines.append(f"{BAD} coordination: not an Editor of the spreadsheet: {', '.join(not_editors)}; share it with them "
                         "(Share, Editor) so they can choose in 'Persetujuan Pimpinan'")
        else:
            lines.append(f"{OK} coordination: every coordinator is an Editor of the spreadsheet")
    except Exception as exc:  # noqa: BLE001 - a line in the report, the other checks go on
        lines.append(f"{BAD} coordination: could not verify the coordinators' protection and sharing: {exc}")
    return lines


__all__ = ["coordination_lines"]
