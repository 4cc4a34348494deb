"""`init`: prepare the spreadsheet for officers. Safe to run again: it only adds what is missing.

Calls: one metadata read, one batched read of the header rows, and at most
four writes (add tabs, widen a tab the KIM profile outgrows, write headers, set
dropdowns/protection/frozen rows).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bridge.adapters.sheets import SpreadsheetInfo, TabInfo, a1_tab, column_letter
from bridge.app import Deps
from bridge.commands.account import bridge_account
from bridge.core import columns
from bridge.core.header_row import LOOK_ROWS, explain_header_row, review_header_row
from bridge.core.kim_channel import KimChannel
from bridge.core.model import (
    COORDINATOR_COLUMNS,
    FREQUENCIES,
    KIM_HEADERS,
    OFFICER_COLUMNS,
    REVIEW_HEADERS,
    KimColumn,
    KimType,
    Partnership,
    ReviewColumn,
    Status,
)
from bridge.cycle.tabs import (
    ARSIP,
    KIM,
    REVIEW,
    ROLE_LABEL,
    FoundTab,
    arsip_fill_request,
    arsip_rows,
    find_tabs,
    new_tab_requests,
    settings_following,
    tag_requests,
)
from bridge.exceptions import SchemaError

log = logging.getLogger("bridge.init")

PROTECTION_NOTE = "MY MEIN: kolom ini diisi otomatis oleh sistem; jangan diubah."


def _missing_headers(existing: list[str], wanted: tuple[str, ...]) -> list[str]:
    norm = {columns.normalise_header(h) for h in existing}
    return [h for h in wanted if columns.normalise_header(h) not in norm]


def _bridge_column_groups(index: dict[ReviewColumn, int]) -> list[tuple[int, int]]:
    """Contiguous [start, end) column ranges the bridge owns (everything but the officers' columns)."""
    owned = sorted(i for c, i in index.items() if c not in OFFICER_COLUMNS and c not in COORDINATOR_COLUMNS)
    groups: list[tuple[int, int]] = []
    for i in owned:
        if groups and groups[-1][1] == i:
            groups[-1] = (groups[-1][0], i + 1)
        else:
            groups.append((i, i + 1))
    return groups


def _column_rule(sheet_id: int, col: int, condition: dict[str, Any], message: str, strict: bool = True) -> dict[str, Any]:
    return {
        "setDataValidation": {
            "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": col, "endColumnIndex": col + 1},
            "rule": {"condition": condition, "strict": strict, "showCustomUi": True, "inputMessage": message},
        }
    }


def registry_validations(sheet_id: int, index: dict[KimColumn, int], kecamatan: Sequence[str]) -> list[dict[str, Any]]:
    """Dropdowns for the registry's closed vocabularies, and a hint on its number columns."""

    def one_of(values: Sequence[str]) -> dict[str, Any]:
        return {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]}

    rules = {
        KimColumn.PARTNERSHIP: (one_of([p.value for p in Partnership]), "AKTIF, DITINJAU (sedang ditinjau) atau DIHENTIKAN. "
                                "Untuk DITINJAU dan DIHENTIKAN tulis alasannya di kolom Alasan Status.", True),
        KimColumn.TIPE: (one_of([t.value for t in KimType]), "A: pengelolaan dan diseminasi informasi. B: pemberdayaan "
                         "masyarakat yang ditambah diseminasi informasi.", True),
        KimColumn.KECAMATAN: (one_of(list(kecamatan)), "Pilih kecamatan di Kabupaten Balangan.", True),
        KimColumn.FREQUENCY: (one_of(list(FREQUENCIES)), "Seberapa sering KIM menyebarkan informasi.", True),
        KimColumn.POWER: ({"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]},
                          "Jangkauan KIM: jumlah pengikut, pelanggan atau peserta kegiatan (angka saja).", False),
        KimColumn.INFLUENCE: ({"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]},
                              "Tanggapan positif: jumlah suka, bagikan dan sejenisnya (angka saja).", False),
        # issue 19: where the KIM's operator messages go; not strict, the bridge reads a few other words too
        KimColumn.CHANNEL: (one_of([c.value for c in KimChannel]), "Ke mana pesan untuk operator KIM ini dikirim. Kosong: email "
                            "di formulir. Isi Alamat Notifikasi: email, ID chat Telegram, nomor WhatsApp, atau alamat webhook https://.",
                            False),
    }
    out = []
    for column, (condition, message, strict) in rules.items():
        col = index.get(column)
        if col is not None:
            out.append(_column_rule(sheet_id, col, condition, message, strict))
    return out


def prepare(deps: Deps) -> list[str]:
    """Create or complete the Review, KIM and Arsip tabs; check the responses tab.

    Returns:
        report lines in plain words.

    Raises:
        SchemaError: the responses tab lacks a question the bridge requires.
    """
    report: list[str] = []
    _check_form(deps, report)
    info, archived, wanted = _find_or_make_tabs(deps, report)
    info, headers_now = _write_headers(deps, info, archived, wanted, report)
    _set_rules(deps, info, list(wanted), headers_now, report)
    report.append("ready: officers approve rows by setting Status to DISETUJUI")
    return report


def _check_form(deps: Deps, report: list[str]) -> None:
    """1. The form's questions."""
    s = deps.settings
    form = deps.sheets.info(s.spreadsheet_id)
    if s.responses_tab not in form.tabs:
        raise SchemaError(f"responses tab '{s.responses_tab}' not found (tabs: {', '.join(form.tabs)}); set [sheets] responses_tab")
    (header,) = deps.sheets.batch_get(s.spreadsheet_id, [f"{a1_tab(s.responses_tab)}!1:1"])
    hmap = columns.map_headers([str(h) for h in (header[0] if header else [])], s.aliases)
    columns.require(hmap)
    report.append(f"found responses tab '{s.responses_tab}': {len(hmap.index)} questions recognised")
    if hmap.unknown:
        report.append(f"  questions the bridge does not use: {', '.join(hmap.unknown)}")
    for field_ in hmap.missing_optional:
        report.append(f"  optional question not in the form: {field_}")


def _find_or_make_tabs(deps: Deps, report: list[str]) -> tuple[SpreadsheetInfo, list[list[Any]], dict[str, tuple[str, ...]]]:
    """2. Tabs, found by identity (issue 17): a tagged tab under another name is the same tab, never
    made twice; a tab found by its configured name is tagged; a missing one is made and tagged.

    Returns the spreadsheet as it now is, the rows a new Arsip got from the ledger, and each tab's
    wanted headers by its title (``deps.settings`` then names the tabs as found)."""
    s = deps.settings
    sid = s.review_spreadsheet_id
    info = deps.sheets.info(sid)
    found = find_tabs(s, info)
    wanted_by_role = {REVIEW: REVIEW_HEADERS, KIM: KIM_HEADERS, ARSIP: REVIEW_HEADERS}
    to_add = {role: f.configured for role, f in found.items() if f.tab is None}
    taken = [f"'{t}'" for t in to_add.values() if t in info.tabs]
    if taken:  # a tab renamed to another of ours' configured name: making it again would clash
        raise SchemaError(f"tab name(s) {', '.join(taken)} in the config are used by another of the bridge's tabs "
                          "(renamed?): rename the tabs back, or change [sheets] review_tab/archive_tab/registry_tab; "
                          "init changed nothing")
    archived = arsip_rows(deps) if ARSIP in to_add else []
    requests_ = tag_requests(found) + new_tab_requests(info, to_add, {r: len(h) for r, h in wanted_by_role.items()},
                                                       {ARSIP: len(archived) + 1})
    if archived:
        # A new Arsip while the ledger knows archived rows: they go in it, in the same request that makes
        # the tab (all or nothing), never an empty Arsip (issue 17).
        arsip_id = next(r["addSheet"]["properties"]["sheetId"] for r in requests_
                        if r.get("addSheet", {}).get("properties", {}).get("title") == to_add[ARSIP])
        requests_.append(arsip_fill_request(arsip_id, archived))
    from bridge.cycle.health import init_requests  # the Status Bridge tab (issue 19), in the same batch

    status_requests, status_line = init_requests(deps, info, {r["addSheet"]["properties"]["sheetId"]
                                                              for r in requests_ if "addSheet" in r})
    requests_ += status_requests
    if requests_:
        deps.sheets.batch_update(sid, requests_)
        info = deps.sheets.info(sid, refresh=True)
    for role, f in found.items():
        report.extend(_tab_lines(deps, role, f))
    if status_line:
        report.append(status_line)
    found = find_tabs(s, info)
    deps.settings = settings_following(s, found)
    wanted = {found[REVIEW].title: REVIEW_HEADERS, found[KIM].title: KIM_HEADERS, found[ARSIP].title: REVIEW_HEADERS}
    return info, archived, wanted


def _tab_lines(deps: Deps, role: str, f: FoundTab) -> list[str]:
    """What init did about one of the bridge's tabs."""
    if f.tab is None:
        lines = [f"created tab '{f.configured}'"]
        waiting = len(deps.ledger.last_rows()) if role == REVIEW else 0
        if waiting:
            lines.append(f"WARNING: the local ledger knows {waiting} submission(s) that were in the old Review tab. "
                         "If it was deleted by mistake, restore it (File > Version history in Google Sheets, or "
                         "copy its rows back) before the next cycle; otherwise the next cycle treats them as rows "
                         "deleted from Review")
        return lines
    if f.renamed:
        return [f"found tab '{f.title}' (the {ROLE_LABEL[role]} tab, configured as '{f.configured}' and "
                "renamed since; found by its identity, no second one made)"]
    return [f"found tab '{f.title}'"]


def _write_headers(deps: Deps, info: SpreadsheetInfo, archived: list[list[Any]], wanted: dict[str, tuple[str, ...]],
                   report: list[str]) -> tuple[SpreadsheetInfo, dict[str, list[str]]]:
    """3. Headers (added at the end of existing headers if some are missing), never beside a title row.

    Returns the spreadsheet as it now is and each tab's headers."""
    s = deps.settings
    sid = s.review_spreadsheet_id
    tabs = list(wanted)
    existing = deps.sheets.batch_get(sid, [f"{a1_tab(t)}!1:{LOOK_ROWS}" for t in tabs])
    for t, values in zip(tabs, existing, strict=True):
        if wanted[t] is REVIEW_HEADERS and (review_header_row(values) or 0) > 0:
            kind = "Review" if t == s.review_tab else "Arsip"
            raise SchemaError(explain_header_row(t, values, kind) + " init changed no headers.")
    header_writes: list[tuple[str, list[list[Any]]]] = []
    headers_now: dict[str, list[str]] = {}
    for t, values in zip(tabs, existing, strict=True):
        current = [str(h) for h in (values[0] if values else [])]
        missing = _missing_headers(current, wanted[t])
        if missing:
            start = len(current)
            rng = f"{a1_tab(t)}!{column_letter(start)}1:{column_letter(start + len(missing) - 1)}1"
            header_writes.append((rng, [missing]))
            if not current:
                report.append(f"  '{t}': {len(missing)} headers written")
            else:
                report.append(f"  '{t}': added column(s) {', '.join(missing)}")
        headers_now[t] = current + missing
    if archived:
        report.append(f"  '{s.archive_tab}': {len(archived)} archived or deleted row(s) written back from the local ledger")
    # The registry's Tabel 3.1 profile is wider than a new tab's 26 columns: widen first.
    widen = [
        {"appendDimension": {"sheetId": info.tabs[t].sheet_id, "dimension": "COLUMNS",
                             "length": len(headers_now[t]) - info.tabs[t].column_count}}
        for t in tabs
        if len(headers_now[t]) > info.tabs[t].column_count
    ]
    if widen:
        deps.sheets.batch_update(sid, widen)
        info = deps.sheets.info(sid, refresh=True)
    deps.sheets.update_ranges(sid, header_writes)
    return info, headers_now


def _set_rules(deps: Deps, info: SpreadsheetInfo, tabs: list[str], headers_now: dict[str, list[str]],
               report: list[str]) -> None:
    """4. Frozen header, Status dropdown, protected bridge columns."""
    s = deps.settings
    review_index, _ = columns.review_header_index(headers_now[s.review_tab])
    kim_index, _ = columns.kim_header_index(headers_now[s.registry_tab])
    requests: list[dict[str, Any]] = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": info.tabs[t].sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
        for t in tabs
        if info.tabs[t].frozen_rows != 1
    ]
    review = info.tabs[s.review_tab]
    requests.append(_status_dropdown(review.sheet_id, review_index[ReviewColumn.STATUS]))
    requests += registry_validations(info.tabs[s.registry_tab].sheet_id, kim_index, deps.wilayah.kecamatan_names)
    report.append(f"Status dropdown set on '{s.review_tab}' ({', '.join(st.value for st in Status)})")
    dropdowns = ["Status Kemitraan", "Tipe KIM", "Kecamatan", "Frekuensi"]
    if KimColumn.CHANNEL in kim_index:  # issue 19; not strict: a few other words are read too
        dropdowns.append(KimColumn.CHANNEL.value)
    report.append(f"dropdowns set on '{s.registry_tab}' ({', '.join(dropdowns)})")
    requests += _protection(deps, review, review_index, report)
    requests += _coordination_rules(deps, review, review_index, report)  # issue 20
    from bridge.commands.protection import example_officers

    for address in example_officers(s.officers):
        report.append(
            f"WARNING: [sheets] officers lists {address}, the example address from bridge.example.toml: it reaches "
            "nobody. Put the officers' real Google accounts there and run init again."
        )
    deps.sheets.batch_update(s.review_spreadsheet_id, requests)


def _status_dropdown(sheet_id: int, status_col: int) -> dict[str, Any]:
    return {
        "setDataValidation": {
            "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": status_col, "endColumnIndex": status_col + 1},
            "rule": {
                "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": st.value} for st in Status]},
                "strict": True,
                "showCustomUi": True,
                "inputMessage": "Pilih DISETUJUI (terbitkan), DITOLAK (tolak), DITARIK (tarik post yang sudah tayang) "
                "atau PERLU REVISI (minta operator merevisi; kiriman ulangnya menggantikan baris ini). "
                "PERLU KOORDINASI: setujui, tetapi terbit setelah pimpinan memilih SETUJU. "  # issue 20
                "MENUNGGU, TIDAK VALID, TERBIT dan GAGAL diisi sistem.",
            },
        }
    }


COORDINATION_NOTE = "MY MEIN: Persetujuan Pimpinan; hanya koordinator ([review] coordinators) yang dapat mengubahnya."


def _coordination_rules(deps: Deps, review: TabInfo, review_index: dict[ReviewColumn, int], report: list[str]) -> list[dict[str, Any]]:
    """Issue 20: the Persetujuan Pimpinan dropdown, and its protection editable only by the coordinators
    (the bridge's account stays an editor: Google keeps the account that adds a protection among them)."""
    s = deps.settings
    col = review_index.get(ReviewColumn.LEADER)
    if not s.coordination.on or col is None:
        return []
    from bridge.commands.protection import editor_updates, protected_ranges
    from bridge.core.review_machine import Leader

    emails = [p.email for p in s.coordination.coordinators]
    requests = [_column_rule(review.sheet_id, col, {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v.value} for v in Leader]},
                             "Diisi koordinator: SETUJU (boleh terbit), TAHAN (tunda) atau TOLAK (jangan terbitkan).")]
    ranges = protected_ranges(deps, s.review_spreadsheet_id, review.sheet_id) if review.protected_ranges else []
    if not any(pr.get("description") == COORDINATION_NOTE for pr in ranges):
        requests.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": review.sheet_id, "startColumnIndex": col, "endColumnIndex": col + 1},
            "description": COORDINATION_NOTE, "warningOnly": False, "editors": {"users": emails},
        }}})
        report.append(f"protected '{ReviewColumn.LEADER.value}' on '{s.review_tab}' (editable by the coordinators: {', '.join(emails)})")
        return requests
    updates = editor_updates(ranges, emails, bridge_account(deps), COORDINATION_NOTE)
    report.append(f"protection of '{ReviewColumn.LEADER.value}': "
                  + ("editors updated to [review] coordinators" if updates else "already present"))
    return requests + updates


def _protection(deps: Deps, review: TabInfo, review_index: dict[ReviewColumn, int], report: list[str]) -> list[dict[str, Any]]:
    """The bridge's columns protected (first run), or their editors brought in line with [sheets] officers."""
    s = deps.settings
    who = ", ".join(s.officers) if s.officers else "only the bridge's account and the spreadsheet owner"
    if review.protected_ranges == 0:
        editors: dict[str, Any] = {"users": list(s.officers)} if s.officers else {}
        requests: list[dict[str, Any]] = []
        for start, end in _bridge_column_groups(review_index):
            protected: dict[str, Any] = {
                "range": {"sheetId": review.sheet_id, "startColumnIndex": start, "endColumnIndex": end},
                "description": PROTECTION_NOTE,
                "warningOnly": False,
            }
            if editors:
                protected["editors"] = editors
            requests.append({"addProtectedRange": {"protectedRange": protected}})
        report.append(f"protected the bridge's columns on '{s.review_tab}' (editable by: {who})")
        return requests
    from bridge.commands.protection import editor_updates, protected_ranges

    updates = editor_updates(protected_ranges(deps, s.review_spreadsheet_id, review.sheet_id), s.officers,
                             bridge_account(deps), PROTECTION_NOTE)
    if updates:
        report.append(f"protection on '{s.review_tab}': editors updated to [sheets] officers ({who})")
    else:
        report.append(f"protection already present on '{s.review_tab}'")
    return updates
