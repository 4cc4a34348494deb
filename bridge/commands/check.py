"""`check`: is everything the bridge needs reachable? Plain words, one line per thing."""

from __future__ import annotations

import os
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bridge.clock import Clock
from bridge.commands.account import bridge_account
from bridge.config import Settings
from bridge.core.columns import HeaderMap
from bridge.core.questions import LostQuestion, halt_message, lost_questions, needed_fields
from bridge.exceptions import AuthError, BridgeError, RetriableError

if TYPE_CHECKING:
    from bridge.adapters.drive import FileInfo
    from bridge.adapters.sheets import SpreadsheetInfo
    from bridge.app import Deps

OK, BAD, WARN = "OK  ", "FAIL", "WARN"
#: How config/bridge.example.toml's ids begin ("PASTE-THE-SPREADSHEET-ID").
PLACEHOLDER = "PASTE-THE-"


class _Bad(Protocol):
    """Records a FAIL line (with the exception behind it, when there is one)."""

    def __call__(self, text: str, cause: BaseException | None = None) -> None: ...


class Verdict(StrEnum):
    """What ``check`` found, as the CLI turns it into an exit code."""

    OK = "ok"  # everything needed is in order
    PROBLEMS = "problems"  # something a person must fix (a FAIL line that is not only "not reachable")
    UNREACHABLE = "unreachable"  # only Google or the network did not answer: try again later, as `run` does


VERDICT_LINES = {
    Verdict.OK: "All good.",
    Verdict.PROBLEMS: "Some things need fixing (see FAIL lines above).",
    Verdict.UNREACHABLE: "Google or the network is not answering now (the FAIL lines above): run check again later. "
                         "Nothing else that could be checked needs fixing.",
}


def run_check(settings: Settings, *, clock: Clock | None = None, probe_blog: bool = False,
              send_test: str = "") -> tuple[list[str], Verdict]:
    """Check config, credentials, spreadsheet tabs and the blog.

    Returns:
        the report lines, the verdict line last, and the verdict: UNREACHABLE when every FAIL
        line only says that Google or the network did not answer (a temporary condition).
    """
    from bridge.app import build_deps

    lines: list[str] = [f"{OK} config {settings.source} is valid"]
    unreachable: set[str] = set()  # the FAIL lines that are only Google or the network not answering
    for key, value, where in (
        ("[sheets] spreadsheet_id", settings.spreadsheet_id, "the spreadsheet's URL: .../spreadsheets/d/<id>/edit"),
        ("[blog] blog_id", settings.blog_id, "the Blogger dashboard URL: blogger.com/blog/posts/<id>"),
    ):
        if value.startswith(PLACEHOLDER):  # the example file's value, never a real id
            lines.append(f"{BAD} {key} is still the example's {value}: put the id from {where} in {settings.source}")

    target = f"sandbox at {settings.endpoint}" if settings.endpoint else "Google"
    from bridge.commands.secret_files import secret_file_problems

    lines.extend(f"{BAD} {problem}" for problem in secret_file_problems(settings))
    from bridge.service.ledger_folder import ledger_folder_problem

    problem = ledger_folder_problem(settings.state_path)
    if problem:
        lines.append(f"{BAD} {problem}")
        return _verdict(lines, unreachable)
    try:
        deps = build_deps(settings, clock=clock)
    except (AuthError, RetriableError) as exc:  # refused, or Google not reachable to renew the token
        lines.append(f"{BAD} credentials: {exc}")
        if isinstance(exc, RetriableError):
            unreachable.add(lines[-1])
        return _verdict(lines, unreachable)
    except BridgeError as exc:  # e.g. a ledger the bridge's user cannot write
        lines.append(f"{BAD} {exc}")
        return _verdict(lines, unreachable)
    lines.append(f"{OK} credentials loaded ({settings.auth}) for {target}")
    lines.extend(grant_lines(settings, deps))
    if not settings.uses_sandbox and not os.access(settings.token.parent, os.W_OK):
        lines.append(
            f"{WARN} the folder {settings.token.parent} is not writable by this user: renewed tokens cannot be saved "
            f"(sudo chown mymein: {settings.token.parent})"
        )

    try:
        _check_services(settings, deps, lines, unreachable)
        from bridge.commands.notify_check import digest_lines, notice_lines

        lines.extend(notice_lines(settings, deps, send_test))  # operator messages (issue 19), when on
        lines.extend(digest_lines(settings))  # the officers' digest and per-KIM channels, when set
        from bridge.commands.coordination_check import coordination_lines

        lines.extend(coordination_lines(settings, deps))  # issue 20, when [review] coordination is on
        if probe_blog and unreachable:  # a draft it might not be able to delete again
            lines.append(f"{BAD} probe: not run, as Google did not answer (above); run check --probe-blog again later")
            unreachable.add(lines[-1])
        elif probe_blog:
            from bridge.commands.probe import probe_blog as run_probe

            lines.extend(run_probe(deps))
        return _verdict(lines, unreachable)
    finally:
        deps.close()


def grant_lines(settings: Settings, deps: Deps) -> list[str]:
    """When the OAuth grant ends (an app in Testing: 7 days after `auth`), issue 19; none for the sandbox."""
    from bridge.core.grant import check_line
    from bridge.cycle.grant import grant_of

    grant = grant_of(settings)
    if grant is None:
        return []
    warn, text = check_line(grant, deps.now())
    return [f"{WARN if warn else OK} {text}"]


def _verdict(lines: list[str], unreachable: set[str]) -> tuple[list[str], Verdict]:
    """The lines with the verdict line added, and the verdict."""
    fails = [line for line in lines if line.startswith(BAD)]
    if not fails:
        verdict = Verdict.OK
    elif all(line in unreachable for line in fails):
        verdict = Verdict.UNREACHABLE
    else:
        verdict = Verdict.PROBLEMS
    return [*lines, VERDICT_LINES[verdict]], verdict


CELL_LIMIT = 10_000_000


def _cells_line(info: SpreadsheetInfo) -> str:
    """Cells in the spreadsheet's grids against Google's 10,000,000 (Arsip only grows)."""
    used = sum(t.row_count * t.column_count for t in info.tabs.values())
    share = used / CELL_LIMIT
    text = f"spreadsheet '{info.title}' uses {used:,} of {CELL_LIMIT:,} cells ({share:.1%})"
    if share >= 0.8:
        return (f"{WARN} {text}: Google refuses every new row beyond the limit. Move old Arsip rows to another "
                "spreadsheet, or delete empty rows and columns at the bottom and right of each tab")
    return f"{OK} {text}"


def _share_hint(deps: Deps, exc: BaseException) -> str:
    """Whom the spreadsheet's owner must share it with, when Google said 403."""
    if "HTTP 403" not in str(exc):
        return ""
    who = bridge_account(deps)
    return f" The bridge signs in as {who}: share the spreadsheet with that account as Editor." if who else ""


def check_form_uploads(settings: Settings, deps: Deps, hmap: HeaderMap, unreachable: set[str] | None = None) -> list[str]:
    """Read the latest form upload as the bridge does; say whom to share what with when it cannot.

    A FAIL line that only says Drive did not answer is also added to ``unreachable``.
    """
    from bridge.adapters.sheets import a1_tab, column_letter
    from bridge.core.columns import drive_file_id
    from bridge.core.model import Field

    col = hmap.index.get(Field.PHOTO)
    if col is None:
        return []
    letter = column_letter(col)
    try:
        (values,) = deps.sheets.batch_get(settings.spreadsheet_id, [f"{a1_tab(settings.responses_tab)}!{letter}2:{letter}"])
    except BridgeError as exc:
        line = f"{BAD} form uploads: cannot read the photo column: {exc}"
        if isinstance(exc, RetriableError) and unreachable is not None:
            unreachable.add(line)
        return [line]
    latest = ""
    for row in reversed(values):
        links = [p.strip() for p in str(row[0] if row else "").replace("\n", ",").split(",") if p.strip()]
        ids = [i for i in (drive_file_id(x) for x in links) if i]
        if ids:
            latest = ids[-1]
            break
    if not latest:
        return [f"{OK} form uploads: no photo uploaded yet (checked again next time)"]
    try:
        info = deps.drive.info(latest)
    except RetriableError as exc:  # not a sharing problem: Drive did not answer
        line = f"{BAD} form uploads: Drive did not answer for the latest photo uploaded through the form ({exc})"
        if unreachable is not None:
            unreachable.add(line)
        return [line]
    except BridgeError as exc:
        who = bridge_account(deps) or "the bridge's Google account"
        return [
            f"{BAD} form uploads: {who} cannot read the latest photo uploaded through the form (file {latest}: "
            f"{getattr(exc, 'reason_en', '') or exc}). Every approved row with a photo would become GAGAL. The owner of "
            f"the Google Form must share its upload folder with {who} as Viewer: in the form owner's Google Drive, "
            "folder '<form title> (File responses)' > Share > add "
            f"{who} > Viewer. Then run check again."
        ]
    who = bridge_account(deps) or "the bridge's Google account"
    return [f"{OK} form uploads: {who} can read the latest photo ('{info.name}', {info.mime_type})", _upload_folder_line(settings, deps, info)]


def _upload_folder_line(settings: Settings, deps: Deps, info: FileInfo) -> str:
    """Whether the latest form photo lies in the folder photos are accepted from (issue 18)."""
    from bridge.photos.origin import ROOT_KEY, origin_problem

    root = settings.photos.upload_folder_id or deps.ledger.get_meta(ROOT_KEY)
    if not root:
        return (f"{OK} upload folder: photos are accepted only from the form's upload folder, learnt at the first cycle "
                "from the first photo in the responses tab (or set [photos] upload_folder_id)")
    where = "[photos] upload_folder_id" if settings.photos.upload_folder_id else "learnt from the first responses"
    try:
        problem = origin_problem(deps, info, "check")
    except BridgeError as exc:
        return f"{BAD} upload folder: cannot read the folders of the latest photo: {exc}"
    if problem is None:
        try:  # the name shows IT staff at a glance whether the learnt folder is really '<form> (File responses)'
            name = f"'{deps.drive.info(root).name}' "
        except BridgeError:
            name = ""
        return f"{OK} upload folder: the latest photo lies in the form's upload folder {name}({root}, {where})"
    return (f"{BAD} upload folder: the latest photo uploaded through the form is not in folder {root} ({where}): {problem.detail}. "
            "Every row with a photo would be TIDAK VALID. Set [photos] upload_folder_id to the id of the folder "
            "'<form title> (File responses)' in the form owner's Drive")


def _check_registry(settings: Settings, deps: Deps, lines: list[str]) -> None:
    """The KIM tab's own problems, one line per problem, then the partnership alerts (Indonesian,
    as officers fix them in the sheet)."""
    from bridge.commands.report import alerts_as_of, registry_problems
    from bridge.commands.report_read import read_sheet

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


def _lost_questions(settings: Settings, deps: Deps, hmap: HeaderMap) -> list[LostQuestion]:
    """Questions the bridge mapped before (the ledger remembers) that no header maps now."""
    stored = deps.ledger.header_map(settings.responses_tab)
    if not stored:
        return []
    previous = HeaderMap.from_json(stored)
    return lost_questions(hmap, previous, needed_fields(previous, False, settings.aliases))


def _check_services(settings: Settings, deps: Deps, lines: list[str], unreachable: set[str]) -> None:
    from bridge.adapters.sheets import a1_tab
    from bridge.core.columns import map_headers

    def bad(text: str, cause: BaseException | None = None) -> None:
        """A FAIL line; one whose cause is only Google or the network not answering is noted as such."""
        lines.append(f"{BAD} {text}")
        if isinstance(cause, RetriableError):
            unreachable.add(lines[-1])

    sheets = deps.sheets
    header: list[list[object]] = []
    hmap = None
    form_unreadable: BaseException | None = None
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
            lost = _lost_questions(settings, deps, hmap)
            if lost:
                bad(f"intake stopped: {halt_message(lost, settings.responses_tab)}")
            elif hmap.missing_required:
                names = ", ".join(str(f) for f in hmap.missing_required)
                bad(f"responses tab '{settings.responses_tab}' lacks required question(s): {names}")
            else:
                lines.append(f"{OK} responses tab '{settings.responses_tab}': {len(hmap.index)} questions recognised")
            if hmap.unknown:
                lines.append(f"{WARN} questions the bridge ignores: {', '.join(hmap.unknown)}")
    except AuthError as exc:
        form_unreadable = exc
        bad(f"form spreadsheet: {exc}")
    except BridgeError as exc:
        form_unreadable = exc
        bad(f"form spreadsheet {settings.spreadsheet_id} ([sheets] spreadsheet_id): {exc}{_share_hint(deps, exc)}", exc)
    tabs = ", ".join(f"'{t}'" for t in (settings.review_tab, settings.registry_tab, settings.archive_tab))
    if form_unreadable is not None and settings.review_spreadsheet_id == settings.spreadsheet_id:
        # The same spreadsheet again would only repeat the same failure (and its retries).
        bad(f"tabs {tabs} not checked: they are in the spreadsheet that could not be read (above)", form_unreadable)
    else:
        _check_review_spreadsheet(settings, deps, lines, bad)
    if hmap is not None and not hmap.missing_required:
        lines.extend(check_form_uploads(settings, deps, hmap, unreachable))
    _check_blog_and_rest(settings, deps, lines, bad, unreachable)


def _check_review_spreadsheet(settings: Settings, deps: Deps, lines: list[str], bad: _Bad) -> None:
    """The Review, KIM and Arsip tabs, the cells used, the registry and the partnership alerts."""
    from bridge.adapters.sheets import a1_tab
    from bridge.core.header_row import LOOK_ROWS, explain_header_row, kim_title_rows, review_header_row
    from bridge.cycle.tabs import ARSIP, KIM, REVIEW, ROLE_LABEL, follow_names

    sheets = deps.sheets
    try:
        # Named as what it is: a wrong review_spreadsheet_id is not the form spreadsheet's fault.
        review_info = sheets.info(settings.review_spreadsheet_id)
        # Found by identity (issue 17): a renamed tab is the same tab, followed by the bridge.
        found = follow_names(deps, review_info)
        for role in (REVIEW, KIM, ARSIP):
            f = found[role]
            if f.tab is not None and f.renamed:
                lines.append(f"{WARN} tab '{f.title}' present: the {ROLE_LABEL[role]} tab, configured as '{f.configured}' "
                             "and renamed since; the bridge finds it by its identity and follows it (the config may "
                             f"keep '{f.configured}', or say '{f.title}')")
            elif f.tab is not None:
                lines.append(f"{OK} tab '{f.title}' present")
            elif role == ARSIP and found[REVIEW].tab is not None:
                kept = len(deps.ledger.archived_rows())
                lines.append(f"{WARN} tab '{f.configured}' (Arsip) missing in '{review_info.title}' (deleted?): the next cycle "
                             f"makes it again with the {kept} archived or deleted row(s) the local ledger keeps")
            else:
                bad(f"tab '{f.configured}' missing in '{review_info.title}': run `mymein-bridge init -c {settings.source}`")
        settings = deps.settings
        moved = None
        if found[REVIEW].tab is not None:
            ranges = [f"{a1_tab(settings.review_tab)}!1:{LOOK_ROWS}"]
            if found[ARSIP].tab is not None:  # the same request: a title row above the Arsip headers too
                ranges.append(f"{a1_tab(settings.archive_tab)}!1:{LOOK_ROWS}")
            if found[KIM].tab is not None:  # and above the KIM headers
                ranges.append(f"{a1_tab(settings.registry_tab)}!1:{LOOK_ROWS}")
            top, *more = sheets.batch_get(settings.review_spreadsheet_id, ranges)
            if review_header_row(top) != 0:
                bad(explain_header_row(settings.review_tab, top))
            arsip_top = more.pop(0) if found[ARSIP].tab is not None else None
            if arsip_top and review_header_row(arsip_top) != 0:
                bad(explain_header_row(settings.archive_tab, arsip_top, "Arsip"))
            kim_top = more
            moved = kim_title_rows(kim_top[0]) if kim_top else None
            if moved:
                bad(f"KIM tab '{settings.registry_tab}': {moved}; until then new responses wait")
        lines.append(_cells_line(review_info))
        if settings.review_spreadsheet_id != settings.spreadsheet_id:  # the form's own sheet grows with every response
            lines.append(_cells_line(sheets.info(settings.spreadsheet_id)))
        if settings.review_tab in review_info.tabs and not moved:  # moved: its rows cannot be read, said above
            _check_registry(settings, deps, lines)
    except AuthError as exc:
        bad(f"review spreadsheet: {exc}")
    except BridgeError as exc:
        key = "review_spreadsheet_id" if settings.review_spreadsheet_id != settings.spreadsheet_id else "spreadsheet_id"
        bad(f"review spreadsheet {settings.review_spreadsheet_id} ([sheets] {key}): {exc}{_share_hint(deps, exc)}", exc)


def _check_blog_and_rest(settings: Settings, deps: Deps, lines: list[str], bad: _Bad, unreachable: set[str]) -> None:
    """The blog, the template, the officers, the photo store and the ledger.

    When Google did not answer above (``unreachable``), a hosted photo that could not be fetched for
    the same reason (no connection, 429, 5xx) is that network problem, not a broken photo address.
    """
    from bridge.service.startup import require_blog

    try:
        blog = require_blog(settings.blog_id, settings.source, deps.blogger)  # an address pasted for the id: which id
        lines.append(f"{OK} blog '{blog.name}' ({blog.url}), {blog.posts} posts, publishing as {settings.publish_mode}")
    except BridgeError as exc:
        bad(f"blog {settings.blog_id}: {exc}", exc)
    lines.extend(clock_lines(deps))

    from bridge.core.render import check_template

    problems = check_template(deps.template)
    if problems:
        bad(f"post template {settings.template}: {'; '.join(problems)}")
    else:
        lines.append(f"{OK} post template {settings.template}")

    from bridge.commands.protection import example_officers

    for address in example_officers(settings.officers):
        lines.append(f"{WARN} [sheets] officers lists {address}, the example address: put the officers' real Google "
                     "accounts there, then run init again")

    from bridge.photos.probe import check_photo_lines

    level = {"ok": OK, "warn": WARN, "fail": BAD}
    for lv, text in check_photo_lines(settings, deps.ledger):
        lines.append(f"{level[lv]} {text}")
        if lv == "fail" and unreachable and TEMPORARY_FETCH.search(text):
            unreachable.add(lines[-1])

    lines.extend(_monthly_lines(settings))
    lines.append(f"{OK} local ledger {settings.state_path}: {deps.ledger.count_submissions()} submissions recorded")
    from bridge.cycle.blogger_pause import paused_until

    until = paused_until(deps)
    if until is not None:
        lines.append(f"{WARN} Blogger refused new posts for today (posts-per-day limit or daily API quota): approved rows "
                     f"wait and go out by themselves from {until.astimezone(settings.tz):%d/%m/%Y %H:%M} WITA; nothing to fix")
    try:
        if deps.sheets.is_cached(settings.review_spreadsheet_id):  # else it could not be read: said above
            lines.extend(_lease_lines(deps))
    except BridgeError as exc:
        bad(f"spreadsheet lease: could not read it: {exc}", exc)


def _lease_lines(deps: Deps) -> list[str]:
    """Who writes the spreadsheet (its lease) and whether the local ledger is the one that wrote it last."""
    from bridge.adapters.ledger import LEDGER_ID
    from bridge.core import lease as rules
    from bridge.cycle import lease

    record = lease.read_record(deps)
    if record is None:
        return [f"{OK} spreadsheet lease: no bridge has claimed it yet; the next cycle does"]
    holder, now, ttl = lease.me(deps), deps.now(), lease.ttl(deps)
    ledger_id = deps.ledger.get_meta(LEDGER_ID)  # not made here: check writes nothing
    age = int((now - record.heartbeat).total_seconds() // 60)
    out = []
    if record.holder.same_place(holder):
        out.append(f"{OK} spreadsheet lease: held by this bridge ({record.holder.describe()}), renewed {age} minute(s) ago")
    elif now >= record.expires(ttl):
        out.append(f"{WARN} spreadsheet lease: last held by {record.holder.describe()}, expired {age} minute(s) after its "
                   "last renewal; the next cycle here takes it over")
    else:
        out.append(f"{WARN} spreadsheet lease: {lease.held_message(deps, record)}")
    if rules.ledger_trusted(record, ledger_id, deps.ledger.generation()):
        out.append(f"{OK} local ledger is the one that wrote the spreadsheet last (generation {record.gen})")
    else:
        out.append(f"{WARN} local ledger not trusted: {rules.why_untrusted(record, ledger_id, deps.ledger.generation())}. "
                   "The next cycle that may write treats it as lost and rebuilds it from the Review and Arsip tabs and "
                   "the blog, publishing nothing twice")
    return out


def clock_lines(deps: Deps) -> list[str]:
    """This server's clock against Google's (the ``Date`` of Google's answers above, issue 17)."""
    from bridge.adapters.google_time import SKEW_LIMIT

    gt = deps.google_time
    if gt is None or gt.skew is None:
        return []
    if gt.skewed():
        return [f"{WARN} clock: {gt.describe()} (more than {int(SKEW_LIMIT.total_seconds() // 60)} minutes). Schedules "
                "follow Google's time, but fix the server's time: timedatectl set-ntp true"]
    return [f"{OK} clock: this server's time agrees with Google's (within {int(SKEW_LIMIT.total_seconds() // 60)} minutes)"]


#: How bridge.photos.probe says a reader's fetch met no server or a temporary answer.
TEMPORARY_FETCH = re.compile(r": (cannot connect \(|HTTP (429|5\d\d) )")


def _monthly_lines(settings: Settings) -> list[str]:
    """With ``[report] monthly``: can `run` write the report files (PDF, workbook, CSV)? It finds out only on the 1st, and does not retry."""
    folder = settings.monthly_out_dir
    if not settings.monthly:
        return []
    if folder is None:
        return [f"{OK} monthly report: tab 'Laporan <month>' on the 1st at {settings.monthly_hour:02d}:00 WITA (no PDF, Excel or CSV files)"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [f"{BAD} [report] monthly_out_dir {folder} does not exist and cannot be created ({exc.strerror or exc}): "
                "create it for the user the bridge runs as, or empty the key"]
    if not os.access(folder, os.W_OK | os.X_OK):
        return [f"{BAD} [report] monthly_out_dir {folder} is not writable by this user: the monthly PDF, Excel and CSV files would fail"]
    return [f"{OK} monthly report: tab 'Laporan <month>' and the PDF, Excel and CSV files in {folder}/<month> on the 1st at "
            f"{settings.monthly_hour:02d}:00 WITA"]
