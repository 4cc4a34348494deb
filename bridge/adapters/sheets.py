"""Sheets through gspread: batched reads, batched RAW writes, grid growth.

Every call goes through gspread's low-level ``http_client`` so each method here
is exactly one Sheets API request (the quota is 60 requests/min per user).
Everything the bridge writes uses ``valueInputOption=RAW``: submitter text such
as ``=IMPORTXML(...)`` must stay text, never become a formula.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import gspread
from gspread.exceptions import APIError
from gspread.urls import SPREADSHEET_VALUES_BATCH_URL, SPREADSHEETS_API_V4_BASE_URL

from bridge.adapters.retry import (
    NO_RETRY,
    RetryPolicy,
    error_for_status,
    error_reasons,
    translate_google_errors,
)
from bridge.exceptions import FatalError, NotFoundError, RetriableError

log = logging.getLogger("bridge.sheets")

T = TypeVar("T")

RAW = "RAW"


def a1_tab(title: str) -> str:
    """The tab name as it must appear in an A1 range: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """0-based column index → A1 letters (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


#: Google Sheets holds at most 50,000 characters in a cell and refuses the whole write otherwise
#: (https://support.google.com/drive/answer/37603).
CELL_MAX_CHARS = 50_000
CLIPPED = " … [dipotong: satu sel Google Sheets memuat paling banyak 50.000 karakter]"


def fit_cell(value: Any) -> Any:
    """A value as it can be written: text longer than a cell holds is cut, and says so."""
    if isinstance(value, str) and len(value) > CELL_MAX_CHARS:
        log.warning("a cell of %d characters was cut to Google's limit of %d", len(value), CELL_MAX_CHARS)
        return value[: CELL_MAX_CHARS - len(CLIPPED)] + CLIPPED
    return value


@dataclass(frozen=True)
class Metadata:
    """One Sheets developer metadata entry: a key/value the bridge pins on the spreadsheet or on a tab.

    Google keeps it on its location: a tab's entries follow the tab when it is renamed or moved and
    go when it is deleted; officers cannot see or edit them in the Sheets UI
    (https://developers.google.com/workspace/sheets/api/guides/metadata).
    """

    id: int
    key: str
    value: str
    #: the tab it is on; ``None`` when it is on the whole spreadsheet
    sheet_id: int | None = None
    visibility: str = "DOCUMENT"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Metadata:
        loc = data.get("location", {}) or {}
        return cls(
            id=int(data.get("metadataId", 0)),
            key=str(data.get("metadataKey", "")),
            value=str(data.get("metadataValue", "")),
            sheet_id=int(loc["sheetId"]) if "sheetId" in loc else None,
            visibility=str(data.get("visibility", "DOCUMENT")),
        )


def _location(sheet_id: int | None) -> dict[str, Any]:
    return {"spreadsheet": True} if sheet_id is None else {"sheetId": int(sheet_id)}


def create_metadata_request(key: str, value: str, *, sheet_id: int | None = None, metadata_id: int | None = None,
                            visibility: str = "DOCUMENT") -> dict[str, Any]:
    """A ``createDeveloperMetadata`` request, to put in a :meth:`SheetsGateway.batch_update` with others.

    Its reply is ``{"createDeveloperMetadata": {"developerMetadata": {...}}}`` (read it with
    :meth:`Metadata.from_api`). A ``metadata_id`` already taken makes Google refuse the whole batch
    with a 400: two writers that both create id N cannot both succeed.
    """
    meta: dict[str, Any] = {"metadataKey": key, "metadataValue": value, "location": _location(sheet_id),
                            "visibility": visibility}
    if metadata_id is not None:
        meta["metadataId"] = int(metadata_id)
    return {"createDeveloperMetadata": {"developerMetadata": meta}}


def update_metadata_request(metadata_id: int, value: str) -> dict[str, Any]:
    """An ``updateDeveloperMetadata`` request setting the value of the entry ``metadata_id``.

    Its reply is ``{"updateDeveloperMetadata": {"developerMetadata": [every entry changed]}}``:
    an empty list when the entry no longer exists (nothing matched the filter).
    """
    return {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataId": int(metadata_id)}}],
        "developerMetadata": {"metadataValue": value},
        "fields": "metadataValue",
    }}


def delete_metadata_request(metadata_id: int) -> dict[str, Any]:
    """A ``deleteDeveloperMetadata`` request for the entry ``metadata_id``."""
    return {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": int(metadata_id)}}}}


@dataclass(frozen=True)
class TabInfo:
    title: str
    sheet_id: int
    row_count: int
    column_count: int
    frozen_rows: int = 0
    protected_ranges: int = 0
    validations: bool = False
    #: the developer metadata on this tab (read with the tab list, at no extra request)
    metadata: tuple[Metadata, ...] = ()

    def tag(self, key: str) -> str | None:
        """The value of this tab's first metadata entry with ``key``, or ``None``."""
        return next((m.value for m in self.metadata if m.key == key), None)


@dataclass(frozen=True)
class SpreadsheetInfo:
    id: str
    title: str
    locale: str
    time_zone: str
    tabs: Mapping[str, TabInfo]
    #: developer metadata on the whole spreadsheet
    metadata: tuple[Metadata, ...] = ()

    def tab_by_id(self, sheet_id: int) -> TabInfo | None:
        return next((t for t in self.tabs.values() if t.sheet_id == sheet_id), None)

    def tabs_tagged(self, key: str, value: str) -> list[TabInfo]:
        """The tabs carrying metadata ``key`` = ``value``, in tab order."""
        return [t for t in self.tabs.values() if t.tag(key) == value]


class SheetsGateway:
    """One object per process; holds the gspread client and the retry policy."""

    def __init__(self, client: gspread.Client, retry: RetryPolicy = NO_RETRY) -> None:
        self.client = client
        self.http = client.http_client
        self.retry = retry
        self._info: dict[str, SpreadsheetInfo] = {}
        #: write requests that succeeded, per spreadsheet (each moves its Drive ``version`` on):
        #: the cycle adds them to the version it read, so its own writes do not look like an edit.
        self.writes: dict[str, int] = {}
        #: called with the spreadsheet id before each write (the cycle raises the spreadsheet's
        #: generation and renews its lease first, see bridge.cycle.lease); None: nothing to do.
        self.before_write: Callable[[str], None] | None = None

    def _call(self, what: str, fn: Callable[[], T], *, retry: bool = True) -> T:
        def once() -> T:
            with translate_google_errors(what):
                try:
                    return fn()
                except APIError as exc:
                    status = int(exc.code) if isinstance(exc.code, int) and exc.code > 0 else exc.response.status_code
                    message = str(exc.error.get("message", "")) if isinstance(exc.error, Mapping) else str(exc)
                    err = error_for_status(status, message, what, error_reasons({"error": exc.error}))
                    if status == 404:
                        err = NotFoundError(
                            f"{what}: not found (HTTP 404). Check this spreadsheet id in the config ([sheets] "
                            "spreadsheet_id, or review_spreadsheet_id when Review lives elsewhere)."
                        )
                    elif status == 403 and not isinstance(err, RetriableError):
                        err = FatalError(
                            f"{what}: no access (HTTP 403: {message}). Share the spreadsheet with the bridge's Google "
                            "account as Editor."
                        )
                    raise err from exc

        return (self.retry if retry else NO_RETRY).call(what, once)

    # --- reads ---------------------------------------------------------------------------

    def info(self, spreadsheet_id: str, *, refresh: bool = False) -> SpreadsheetInfo:
        """Spreadsheet title, locale, time zone and tabs (cached; one call when not)."""
        if refresh or spreadsheet_id not in self._info:
            data = self._call(
                f"spreadsheets.get {spreadsheet_id}",
                lambda: self.http.fetch_sheet_metadata(
                    spreadsheet_id,
                    params={
                        "includeGridData": "false",
                        "fields": "spreadsheetId,properties(title,locale,timeZone),"
                        "developerMetadata(metadataId,metadataKey,metadataValue,location,visibility),"
                        "sheets(properties(sheetId,title,gridProperties),protectedRanges(protectedRangeId),"
                        "developerMetadata(metadataId,metadataKey,metadataValue,location,visibility))",
                    },
                ),
            )
            props = data.get("properties", {})
            tabs: dict[str, TabInfo] = {}
            for sheet in data.get("sheets", []):
                p = sheet.get("properties", {})
                grid = p.get("gridProperties", {})
                tabs[p.get("title", "")] = TabInfo(
                    title=p.get("title", ""),
                    sheet_id=int(p.get("sheetId", 0)),
                    row_count=int(grid.get("rowCount", 1000)),
                    column_count=int(grid.get("columnCount", 26)),
                    frozen_rows=int(grid.get("frozenRowCount", 0)),
                    protected_ranges=len(sheet.get("protectedRanges", []) or []),
                    metadata=tuple(Metadata.from_api(m) for m in sheet.get("developerMetadata", []) or []),
                )
            self._info[spreadsheet_id] = SpreadsheetInfo(
                id=spreadsheet_id,
                title=props.get("title", ""),
                locale=props.get("locale", ""),
                time_zone=props.get("timeZone", ""),
                tabs=tabs,
                metadata=tuple(Metadata.from_api(m) for m in data.get("developerMetadata", []) or []),
            )
        return self._info[spreadsheet_id]

    def forget(self, spreadsheet_id: str) -> None:
        """Drop cached metadata (after adding tabs or growing a grid)."""
        self._info.pop(spreadsheet_id, None)

    def forget_all(self) -> None:
        """Drop all cached metadata, so the next call reads the spreadsheets' layout again."""
        self._info.clear()

    def is_cached(self, spreadsheet_id: str) -> bool:
        return spreadsheet_id in self._info

    def protected_ranges(self, spreadsheet_id: str, sheet_id: int) -> list[dict[str, Any]]:
        """One tab's protected ranges with their editors (one spreadsheets.get, not cached)."""
        data = self._call(
            f"spreadsheets.get {spreadsheet_id}",
            lambda: self.http.fetch_sheet_metadata(
                spreadsheet_id,
                params={"fields": "sheets(properties(sheetId),protectedRanges(protectedRangeId,description,editors))"},
            ),
        )
        for sheet in data.get("sheets", []):
            if int(sheet.get("properties", {}).get("sheetId", -1)) == sheet_id:
                return list(sheet.get("protectedRanges", []) or [])
        return []

    def search_metadata(self, spreadsheet_id: str, key: str, *, sheet_id: int | None = None) -> list[Metadata]:
        """Every developer metadata entry with ``key`` (on tab ``sheet_id`` only, when given); one request.

        ``spreadsheets.developerMetadata.search`` with a ``developerMetadataLookup``
        (https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.developerMetadata/search).
        A read: retried like the others.
        """
        lookup: dict[str, Any] = {"metadataKey": key}
        if sheet_id is not None:
            lookup["metadataLocation"] = {"sheetId": int(sheet_id)}
        url = f"{SPREADSHEETS_API_V4_BASE_URL}/{spreadsheet_id}/developerMetadata:search"
        data = self._call(
            f"developerMetadata.search {spreadsheet_id}",
            lambda: self.http.request("post", url, json={"dataFilters": [{"developerMetadataLookup": lookup}]}).json(),
        )
        return [Metadata.from_api(m.get("developerMetadata", {})) for m in data.get("matchedDeveloperMetadata", [])]

    def get_metadata(self, spreadsheet_id: str, metadata_id: int) -> Metadata | None:
        """The developer metadata entry ``metadata_id``, or ``None`` when there is none; one request.

        Google answers 404 both for an id that does not exist and for a spreadsheet that does not: read
        :meth:`info` first where the difference matters.
        """
        url = f"{SPREADSHEETS_API_V4_BASE_URL}/{spreadsheet_id}/developerMetadata/{int(metadata_id)}"
        try:
            data = self._call(f"developerMetadata.get {spreadsheet_id}/{metadata_id}",
                              lambda: self.http.request("get", url).json())
        except NotFoundError:
            return None
        return Metadata.from_api(data)

    def batch_get(self, spreadsheet_id: str, ranges: Sequence[str], *, by_column: bool = False) -> list[list[list[Any]]]:
        """Values of several ranges in one call, as values (dates as serial numbers).

        ``by_column``: each range's values a list per column, not per row (``majorDimension=COLUMNS``:
        "requesting ranges=["A1:B2"],majorDimension=COLUMNS returns [[1,3],[2,4]]",
        https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGet). A
        column of 50,000 cells is then one list, not 50,000 lists of one cell (3 MiB, issue 22)."""
        data = self._call(
            f"values.batchGet {spreadsheet_id}",
            lambda: self._get_json(
                SPREADSHEET_VALUES_BATCH_URL % spreadsheet_id,
                params={
                    "ranges": list(ranges),
                    "valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER",
                    "majorDimension": "COLUMNS" if by_column else "ROWS",
                    # Google's JSON answers are indented by default; prettyPrint=false leaves the
                    # indentation out ("Returns response with indentations and line breaks. Default
                    # true", https://cloud.google.com/apis/docs/system-parameters): about half the
                    # bytes of a column read, which is most of what a cycle reads.
                    "prettyPrint": "false",
                },
            ),
        )
        out = [vr.get("values", []) for vr in data.get("valueRanges", [])]
        while len(out) < len(ranges):
            out.append([])
        return out

    def _get_json(self, url: str, params: dict[str, Any]) -> Any:
        """A GET's JSON answer, parsed from the body's bytes (issue 22): gspread's ``values_batch_get``
        parses ``response.json()``, which decodes the whole body to a text first, so a large read was
        held three times at once (bytes, text, parsed). JSON is UTF-8 (RFC 8259 §8.1), which
        ``json.loads`` reads from bytes directly. Errors are gspread's (``APIError``) as before."""
        return json.loads(self.http.request("get", url, params=params).content)

    # --- writes (all RAW) ------------------------------------------------------------------

    def _writing(self, spreadsheet_id: str) -> None:
        if self.before_write is not None:
            self.before_write(spreadsheet_id)

    def _wrote(self, spreadsheet_id: str) -> None:
        self.writes[spreadsheet_id] = self.writes.get(spreadsheet_id, 0) + 1

    def append_rows(self, spreadsheet_id: str, tab: str, rows: Sequence[Sequence[Any]], *, below_row: int = 0) -> str:
        """Append rows after the tab's last row (grows the grid); returns the updated A1 range.

        ``below_row`` is the last row the caller saw filled (1-based). Google appends after
        the *table* its range finds, and a blank row ends a table: from ``A1``, rows would land
        in the middle of a tab with a gap in it. Starting the search at the last filled row
        puts them below it whatever gaps lie above.

        Not retried here: an append is not idempotent, and a timeout may hide a
        write that happened. Callers keep the rows pending and check the tab
        before appending them again.
        """
        if not rows:
            return ""
        self._writing(spreadsheet_id)
        start = f"{a1_tab(tab)}!A{max(below_row, 1)}"
        data = self._call(
            f"values.append {tab}",
            lambda: self.http.values_append(
                spreadsheet_id,
                start,
                params={"valueInputOption": RAW, "insertDataOption": "INSERT_ROWS"},
                body={"majorDimension": "ROWS", "values": [[fit_cell(v) for v in r] for r in rows]},
            ),
            retry=False,
        )
        self._wrote(spreadsheet_id)
        self._grown(spreadsheet_id, tab, len(rows))
        return str(data.get("updates", {}).get("updatedRange", ""))

    def _grown(self, spreadsheet_id: str, tab: str, rows: int) -> None:
        """The cached grid of ``tab`` after an append of ``rows`` rows with ``INSERT_ROWS`` ("Rows are
        inserted for the new data", https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/append#InsertDataOption):
        at least that many rows more. Whole reads of Review are paged by it (issue 22), so a tab the
        bridge filled since the layout was read is not taken for a small one until the next full scan."""
        info = self._info.get(spreadsheet_id)
        if info is None or tab not in info.tabs:
            return
        tabs = dict(info.tabs)
        tabs[tab] = replace(tabs[tab], row_count=tabs[tab].row_count + rows)
        self._info[spreadsheet_id] = replace(info, tabs=tabs)

    def update_ranges(
        self, spreadsheet_id: str, data: Sequence[tuple[str, Sequence[Sequence[Any]]]], *, retry: bool = True
    ) -> int:
        """Write several ranges in one call; returns the number of cells updated.

        Pass ``retry=False`` when the ranges are row numbers read before: the caller reads them again
        before another attempt (officers may sort or delete rows during a backoff)."""
        if not data:
            return 0
        self._writing(spreadsheet_id)
        body = {
            "valueInputOption": RAW,
            "data": [{"range": rng, "majorDimension": "ROWS", "values": [[fit_cell(v) for v in r] for r in values]}
                     for rng, values in data],
        }
        result = self._call(
            f"values.batchUpdate {spreadsheet_id}", lambda: self.http.values_batch_update(spreadsheet_id, body), retry=retry
        )
        self._wrote(spreadsheet_id)
        return int(result.get("totalUpdatedCells", 0))

    def batch_update(
        self, spreadsheet_id: str, requests_: Sequence[Mapping[str, Any]], *, retry: bool = True,
        keeps_layout: bool = False,
    ) -> list[dict[str, Any]]:
        """spreadsheets.batchUpdate (structure: tabs, validation, protection, rows).

        Pass ``retry=False`` for requests that are not idempotent (deleting rows by index), and
        ``keeps_layout=True`` for requests that change no tab (developer metadata only), so the
        cached layout is kept and the next cycle does not fetch it again.
        """
        if not requests_:
            return []
        self._writing(spreadsheet_id)
        result = self._call(
            f"spreadsheets.batchUpdate {spreadsheet_id}",
            lambda: self.http.batch_update(spreadsheet_id, {"requests": list(requests_)}),
            retry=retry,
        )
        self._wrote(spreadsheet_id)
        if not keeps_layout:
            self.forget(spreadsheet_id)
        return list(result.get("replies", []))
