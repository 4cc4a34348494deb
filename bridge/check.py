"""`check`: is everything the bridge needs reachable? Plain words, one line per thing."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

from bridge.clock import Clock
from bridge.config import Settings
from bridge.exceptions import AuthError, BridgeError

if TYPE_CHECKING:
    from bridge.app import Deps

OK, BAD, WARN = "OK  ", "FAIL", "WARN"


def run_check(settings: Settings, *, clock: Clock | None = None) -> tuple[list[str], bool]:
    """Check config, credentials, spreadsheet tabs and the blog.

    Returns:
        the report lines and whether everything needed is in order.
    """
    from bridge.app import build_deps

    lines: list[str] = [f"{OK} config {settings.source} is valid"]

    target = f"sandbox at {settings.endpoint}" if settings.endpoint else "Google"
    if not settings.uses_sandbox and settings.token.is_file():
        if settings.token.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            lines.append(f"{WARN} token {settings.token} is readable by other users; run: chmod 600 {settings.token}")
    try:
        deps = build_deps(settings, clock=clock)
    except AuthError as exc:
        lines.append(f"{BAD} credentials: {exc}")
        return lines, False
    except BridgeError as exc:  # e.g. a ledger the bridge's user cannot write
        lines.append(f"{BAD} {exc}")
        return lines, False
    lines.append(f"{OK} credentials loaded ({settings.auth}) for {target}")
    if not settings.uses_sandbox and not os.access(settings.token.parent, os.W_OK):
        lines.append(
            f"{WARN} the folder {settings.token.parent} is not writable by this user: renewed tokens cannot be saved "
            f"(sudo chown mymein: {settings.token.parent})"
        )

    try:
        return _check_services(settings, deps, lines)
    finally:
        deps.close()


def _check_registry(settings: Settings, deps: Deps, lines: list[str]) -> None:
    """The KIM tab's own problems, one line per problem, then the partnership alerts (Indonesian,
    as officers fix them in the sheet)."""
    from bridge.commands.report import alerts_as_of, read_sheet, registry_problems

    data = read_sheet(deps)
    problems = registry_problems(deps, data)
    kims = sum(1 for r in data.registry if r.name.strip())
    if problems:
        lines.append(f"{WARN} KIM registry: {kims} KIM, {len(problems)} problem(s) to fix in tab '{settings.registry_tab}':")
        lines += [f"{WARN}   {p.id}" for p in problems]
    else:
        lines.append(f"{OK} KIM registry: {kims} KIM, no problems found")
    alerts = alerts_as_of(deps, data, deps.now().date())
    if alerts:
        lines.append(f"{WARN} partnership alerts: {len(alerts)}")
        lines += [f"{WARN}   {a.kim} ({a.kecamatan}): {a.id}" for a in alerts]
    else:
        lines.append(f"{OK} partnership alerts: none")


def _check_services(settings: Settings, deps: Deps, lines: list[str]) -> tuple[list[str], bool]:
    from bridge.adapters.sheets import a1_tab
    from bridge.core.columns import map_headers

    def bad(text: str) -> None:
        lines.append(f"{BAD} {text}")

    sheets = deps.sheets
    try:
        info = sheets.info(settings.spreadsheet_id)
        lines.append(f"{OK} spreadsheet '{info.title}' (locale {info.locale or '?'}, time zone {info.time_zone or '?'})")
        if settings.responses_tab not in info.tabs:
            bad(
                f"responses tab '{settings.responses_tab}' not found; tabs are: {', '.join(info.tabs)}. "
                "Set [sheets] responses_tab to the tab Google Forms writes to."
            )
        else:
            header = sheets.batch_get(settings.spreadsheet_id, [f"{a1_tab(settings.responses_tab)}!1:1"])[0]
            hmap = map_headers([str(h) for h in (header[0] if header else [])], settings.aliases)
            if hmap.missing_required:
                names = ", ".join(str(f) for f in hmap.missing_required)
                bad(f"responses tab '{settings.responses_tab}' lacks required question(s): {names}")
            else:
                lines.append(f"{OK} responses tab '{settings.responses_tab}': {len(hmap.index)} questions recognised")
            if hmap.unknown:
                lines.append(f"{WARN} questions the bridge ignores: {', '.join(hmap.unknown)}")
        review_info = info if settings.review_spreadsheet_id == settings.spreadsheet_id else sheets.info(settings.review_spreadsheet_id)
        for tab in (settings.review_tab, settings.registry_tab, settings.archive_tab):
            if tab in review_info.tabs:
                lines.append(f"{OK} tab '{tab}' present")
            else:
                bad(f"tab '{tab}' missing in '{review_info.title}': run `mymein-bridge init -c CONFIG`")
        if settings.review_tab in review_info.tabs:
            _check_registry(settings, deps, lines)
    except AuthError as exc:
        bad(f"spreadsheet: {exc}")
    except BridgeError as exc:
        bad(f"spreadsheet {settings.spreadsheet_id}: {exc}")

    try:
        blog = deps.blogger.blog()
        lines.append(f"{OK} blog '{blog.name}' ({blog.url}), {blog.posts} posts, publishing as {settings.publish_mode}")
    except BridgeError as exc:
        bad(f"blog {settings.blog_id}: {exc}")

    from bridge.core.render import check_template

    problems = check_template(deps.template)
    if problems:
        bad(f"post template {settings.template}: {'; '.join(problems)}")
    else:
        lines.append(f"{OK} post template {settings.template}")

    lines.append(f"{OK} local ledger {settings.state_path}: {deps.ledger.count_submissions()} submissions recorded")
    ok = not any(line.startswith(BAD) for line in lines)
    lines.append("All good." if ok else "Some things need fixing (see FAIL lines above).")
    return lines, ok
