"""Sheets v4 developer metadata: the batchUpdate requests, ``developerMetadata.search``/``.get``.

Modelled from Google's guide "Read, write, and search metadata"
(https://developers.google.com/workspace/sheets/api/guides/metadata) and the reference pages
https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.developerMetadata
(the ``DeveloperMetadata``, ``DeveloperMetadataLookup`` and ``DataFilter`` schemas, whose field
descriptions are also in the discovery document the sandbox validates against):

- keys need not be unique, ``metadataId`` must be: "If you create metadata and leave its ID field
  empty, the API assigns one" (guide, "Uniqueness"); an id given must be positive (schema) and a
  taken one is refused with a 400;
- "Developer metadata must always have a key specified" and "must always have visibility
  specified" (``DeveloperMetadata`` schema); ``location.locationType`` is read-only: Google fills it
  in (``SPREADSHEET`` with ``spreadsheet: true``, ``SHEET`` with ``sheetId``);
- metadata "will remain associated at those locations as they move around and the spreadsheet is
  edited [...] If the associated object is deleted then its metadata is deleted too" (the
  ``DeveloperMetadata`` resource page): a renamed or moved sheet keeps it, ``deleteSheet`` drops it
  (:func:`drop_sheet`);
- a lookup matches when every field it sets matches; ``locationMatchingStrategy`` defaults to
  INTERSECTING and needs a ``metadataLocation``; "Spreadsheet metadata cannot intersect any other
  developer metadata location" (``DeveloperMetadataLookup.locationType``);
- ``PROJECT`` metadata is visible only to the Cloud project that made it, ``DOCUMENT`` metadata to
  every project (guide, "Project versus document visible metadata"): the sandbox has one project,
  so both are visible to every caller.

Not modelled, and refused with a 400 that says so (a test then fails loudly rather than passing on
a behaviour Google may not have): ROW/COLUMN locations (``dimensionRange``), and ``a1Range`` /
``gridRange`` data filters. The sandbox has no ``duplicateSheet`` either, so what a copied sheet's
metadata becomes is not modelled.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from bridge.sandbox.common import Ctx
from bridge.sandbox.errors import ApiError, bad_request

_VISIBILITIES = ("DOCUMENT", "PROJECT")
_UPDATABLE = ("metadataId", "metadataKey", "metadataValue", "visibility", "location")


def _store(ss: dict[str, Any]) -> list[dict[str, Any]]:
    return ss.setdefault("developerMetadata", [])


def _location(ss: dict[str, Any], loc: dict[str, Any] | None) -> dict[str, Any]:
    """Google's stored form of a requested location; ValueError for one that does not exist."""
    loc = loc or {}
    if "dimensionRange" in loc:
        raise NotImplementedError("ROW/COLUMN developer metadata (dimensionRange)")
    if loc.get("spreadsheet"):
        if "sheetId" in loc:
            raise ValueError("A developer metadata location must specify exactly one of spreadsheet, sheetId or dimensionRange.")
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if "sheetId" in loc:
        sheet_id = int(loc["sheetId"])
        if not any(s["sheetId"] == sheet_id for s in ss["sheets"]):
            raise ValueError(f"No grid with id: {sheet_id}")
        return {"locationType": "SHEET", "sheetId": sheet_id}
    raise ValueError("Developer metadata must always have a location specified.")


def _checked(ss: dict[str, Any], meta: dict[str, Any], taken: set[int]) -> dict[str, Any]:
    """``meta`` as Google stores it: key, visibility and location checked, an id given or assigned."""
    if not meta.get("metadataKey"):
        raise ValueError("Developer metadata must always have a key specified.")
    if meta.get("visibility") not in _VISIBILITIES:
        raise ValueError("Developer metadata must always have visibility specified.")
    out: dict[str, Any] = {}
    if meta.get("metadataId") is not None:
        mid = int(meta["metadataId"])
        if mid <= 0:
            raise ValueError(f"Invalid developer metadata id {mid}: the id must be positive.")
        if mid in taken:
            raise ValueError(f"Developer metadata with id {mid} already exists.")
    else:
        # Google draws a random id; the sandbox counts up from a large base, reproducibly.
        mid = max(taken, default=0) + 1 if taken else 1_700_000_001
    out["metadataId"] = mid
    out["metadataKey"] = str(meta["metadataKey"])
    if meta.get("metadataValue") is not None:
        out["metadataValue"] = str(meta["metadataValue"])
    out["location"] = _location(ss, meta.get("location"))
    out["visibility"] = meta["visibility"]
    return out


def _lookup_matches(lookup: dict[str, Any], meta: dict[str, Any]) -> bool:
    strategy = lookup.get("locationMatchingStrategy")
    if strategy and strategy != "DEVELOPER_METADATA_LOCATION_MATCHING_STRATEGY_UNSPECIFIED" and "metadataLocation" not in lookup:
        raise ValueError("If locationMatchingStrategy is specified, a metadataLocation must also be specified.")
    if lookup.get("metadataId") is not None and int(lookup["metadataId"]) != meta["metadataId"]:
        return False
    if lookup.get("metadataKey") is not None and lookup["metadataKey"] != meta["metadataKey"]:
        return False
    if lookup.get("metadataValue") is not None and lookup["metadataValue"] != meta.get("metadataValue"):
        return False
    visibility = lookup.get("visibility")
    if visibility and visibility != "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED" and visibility != meta["visibility"]:
        return False
    kind = lookup.get("locationType")
    if kind and kind != "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED":
        if kind in ("ROW", "COLUMN"):
            return False  # none stored: the sandbox has no ROW/COLUMN metadata
        if kind != meta["location"]["locationType"]:
            return False
    where = lookup.get("metadataLocation")
    if where is not None:
        if "dimensionRange" in where:
            raise NotImplementedError("ROW/COLUMN developer metadata (dimensionRange)")
        loc = meta["location"]
        # With SHEET and SPREADSHEET locations only, EXACT and INTERSECTING select the same entries:
        # a sheet intersects only itself (its rows/columns would, but are not modelled) and
        # "Spreadsheet metadata cannot intersect any other developer metadata location".
        if where.get("spreadsheet"):
            return loc["locationType"] == "SPREADSHEET"
        if "sheetId" in where:
            return loc["locationType"] == "SHEET" and loc["sheetId"] == int(where["sheetId"])
        return False
    return True


def filter_matches(data_filter: dict[str, Any], meta: dict[str, Any]) -> bool:
    """Whether ``meta`` is selected by one ``DataFilter`` (only ``developerMetadataLookup`` is modelled)."""
    if "a1Range" in data_filter or "gridRange" in data_filter:
        raise NotImplementedError("a1Range/gridRange data filters on developer metadata")
    lookup = data_filter.get("developerMetadataLookup")
    if lookup is None:
        raise ValueError("A data filter must specify exactly one of developerMetadataLookup, a1Range or gridRange.")
    return _lookup_matches(lookup, meta)


def _create(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    """Reply: CreateDeveloperMetadataResponse {"developerMetadata": DeveloperMetadata}."""
    store = _store(ss)
    meta = _checked(ss, req.get("developerMetadata") or {}, {m["metadataId"] for m in store})
    store.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


def _update_mask(req: dict[str, Any]) -> list[str]:
    """The fields an update names (``*``: every one that can be updated); an empty or unknown one is refused."""
    names = [f.strip() for f in str(req.get("fields") or "").split(",") if f.strip()]
    if not names:
        raise ValueError("At least one field must be updated, but 'fields' is empty.")
    if "*" in names:
        names = list(_UPDATABLE)
    unknown = [n for n in names if n.split(".")[0] not in _UPDATABLE]
    if unknown:
        raise ValueError(f"Invalid field mask: {', '.join(unknown)}")
    return names


def _update(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    """Reply: UpdateDeveloperMetadataResponse {"developerMetadata": [every entry updated]}."""
    store = _store(ss)
    filters = req.get("dataFilters") or []
    new = req.get("developerMetadata") or {}
    names = _update_mask(req)
    hits = [m for m in store if any(filter_matches(f, m) for f in filters)]
    if "metadataId" in names and len(hits) > 1:
        raise ValueError("Cannot set the same metadataId on more than one developer metadata entry.")
    updated = []
    for meta in hits:
        merged = dict(meta)
        for name in {n.split(".")[0] for n in names}:
            if name in new:
                merged[name] = new[name]
            elif name in ("metadataValue",):
                merged.pop(name, None)
        taken = {m["metadataId"] for m in store if m is not meta}
        fixed = _checked(ss, merged, taken)
        meta.clear()
        meta.update(fixed)
        updated.append(copy.deepcopy(meta))
    return {"updateDeveloperMetadata": {"developerMetadata": updated}}


def _delete(ss: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    """Reply: DeleteDeveloperMetadataResponse {"deletedDeveloperMetadata": [every entry deleted]}."""
    store = _store(ss)
    data_filter = req.get("dataFilter") or {}
    gone = [m for m in store if filter_matches(data_filter, m)]
    ss["developerMetadata"] = [m for m in store if all(m is not g for g in gone)]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": copy.deepcopy(gone)}}


#: The developer-metadata requests of a batchUpdate, each with its documented reply.
REQUESTS: dict[str, Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]] = {
    "createDeveloperMetadata": _create,
    "updateDeveloperMetadata": _update,
    "deleteDeveloperMetadata": _delete,
}


def drop_sheet(ss: dict[str, Any], sheet_id: int) -> None:
    """A deleted sheet takes the metadata located on it along (metadata is bound to its location)."""
    if ss.get("developerMetadata"):
        ss["developerMetadata"] = [m for m in ss["developerMetadata"]
                                   if m["location"].get("sheetId") != sheet_id]


def on_spreadsheet(ss: dict[str, Any]) -> list[dict[str, Any]]:
    """``Spreadsheet.developerMetadata``: the entries located on the whole spreadsheet."""
    return [copy.deepcopy(m) for m in ss.get("developerMetadata", []) if m["location"]["locationType"] == "SPREADSHEET"]


def on_sheet(ss: dict[str, Any], sheet_id: int) -> list[dict[str, Any]]:
    """``Sheet.developerMetadata``: the entries located on that sheet."""
    return [copy.deepcopy(m) for m in ss.get("developerMetadata", [])
            if m["location"]["locationType"] == "SHEET" and m["location"]["sheetId"] == sheet_id]


def search(ctx: Ctx, ss: dict[str, Any]) -> dict[str, Any]:
    """``developerMetadata.search``: each entry any filter selects, with the filters that selected it.

    Response: SearchDeveloperMetadataResponse {"matchedDeveloperMetadata": [{"developerMetadata",
    "dataFilters"}]}; like every Google response it leaves the empty list out.
    """
    filters = (ctx.body or {}).get("dataFilters") or []
    out = []
    probe = {"metadataId": 0, "metadataKey": "", "visibility": "DOCUMENT",
             "location": {"locationType": "SPREADSHEET", "spreadsheet": True}}
    try:
        for f in filters:  # a filter Google refuses is refused even when nothing is stored
            filter_matches(f, probe)
        for meta in ss.get("developerMetadata", []):
            hits = [copy.deepcopy(f) for f in filters if filter_matches(f, meta)]
            if hits:
                out.append({"developerMetadata": copy.deepcopy(meta), "dataFilters": hits})
    except NotImplementedError as exc:
        raise bad_request(f"The sandbox does not support {exc}.") from None
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return {"matchedDeveloperMetadata": out} if out else {}


def get(ctx: Ctx, ss: dict[str, Any]) -> dict[str, Any]:
    """``developerMetadata.get``: the entry with that id, or Google's 404."""
    mid = int(ctx.params["metadataId"])
    for meta in ss.get("developerMetadata", []):
        if meta["metadataId"] == mid:
            return copy.deepcopy(meta)
    raise ApiError(404, f"No developer metadata with ID: {mid}")
