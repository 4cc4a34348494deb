"""Wire protocol: routing, validation against discovery documents, auth and error shapes."""

from __future__ import annotations

from urllib.parse import quote

from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_SPREADSHEET_ID
from bridge.sandbox.server import SandboxServer

from .helpers import assert_google_error, call

VALUES = f"/v4/spreadsheets/{DEMO_SPREADSHEET_ID}/values/"


def test_undeclared_query_parameter_is_rejected(sandbox: SandboxServer) -> None:
    """A typo in a query parameter would be silently ignored instead of failing like Google."""
    resp = call(sandbox.url, "GET", VALUES + quote("KIM!A1:B2", safe=""), params={"valueRenderOptoin": "FORMULA"})
    err = assert_google_error(resp, 400, "INVALID_ARGUMENT", "badRequest")
    assert 'Unknown name "valueRenderOptoin"' in err["message"]


def test_invalid_enum_value_is_rejected(sandbox: SandboxServer) -> None:
    """valueInputOption=RAWW would be accepted although Google answers 400."""
    resp = call(sandbox.url, "PUT", VALUES + quote("KIM!A1", safe=""), params={"valueInputOption": "RAWW"},
                json={"values": [["x"]]})
    err = assert_google_error(resp, 400, "INVALID_ARGUMENT")
    assert "RAWW" in err["message"]
    assert call(sandbox.url, "GET", VALUES + "KIM!A1").json()["values"] == [["Nama KIM"]]


def test_bad_integer_and_repeated_single_parameter(sandbox: SandboxServer) -> None:
    """Malformed numbers or duplicated scalar parameters would slip through unnoticed."""
    resp = call(sandbox.url, "GET", f"/v3/blogs/{DEMO_BLOG_ID}/posts", params={"maxResults": "lots"})
    assert_google_error(resp, 400, "INVALID_ARGUMENT")
    resp = call(sandbox.url, "GET", f"/v3/blogs/{DEMO_BLOG_ID}/posts?fetchBodies=true&fetchBodies=false")
    assert_google_error(resp, 400, "INVALID_ARGUMENT")


def test_unknown_path_is_google_404(sandbox: SandboxServer) -> None:
    """A wrong URL would not produce the 404 error body the bridge's error handling expects."""
    resp = call(sandbox.url, "GET", "/v4/nothing/here")
    assert_google_error(resp, 404, "NOT_FOUND", "notFound")


def test_unknown_body_field_is_rejected_with_path(sandbox: SandboxServer) -> None:
    """A misspelt request field would be ignored instead of failing like Google."""
    resp = call(sandbox.url, "POST", f"/v4/spreadsheets/{DEMO_SPREADSHEET_ID}:batchUpdate",
                json={"requests": [{"addSheet": {"properties": {"title": "X"}}, "foo": 1}]})
    err = assert_google_error(resp, 400, "INVALID_ARGUMENT")
    assert err["message"] == "Invalid JSON payload received. Unknown name \"foo\" at 'requests[0]': Cannot find field."
    resp = call(sandbox.url, "POST", f"/v4/spreadsheets/{DEMO_SPREADSHEET_ID}:batchUpdate",
                json={"requests": [{"addSheet": {"properties": {"titel": "X"}}}]})
    assert "Unknown name \"titel\" at 'requests[0].add_sheet.properties'" in resp.json()["error"]["message"]


def test_missing_and_rejected_tokens_are_401(sandbox: SandboxServer) -> None:
    """`check` could not detect a revoked or missing token."""
    resp = call(sandbox.url, "GET", f"/v3/blogs/{DEMO_BLOG_ID}", auth=False)
    assert_google_error(resp, 401, "UNAUTHENTICATED")
    sandbox.state.data["auth"]["rejected_tokens"].append("revoked")
    resp = call(sandbox.url, "GET", f"/v3/blogs/{DEMO_BLOG_ID}", auth=False, headers={"Authorization": "Bearer revoked"})
    err = assert_google_error(resp, 401, "UNAUTHENTICATED")
    assert err["message"].startswith("Request had invalid authentication credentials.")


def test_declared_but_unmodelled_method_is_501(sandbox: SandboxServer) -> None:
    """Using a Google method the sandbox does not model would look like a bridge bug instead of a sandbox gap."""
    resp = call(sandbox.url, "POST", "/v4/spreadsheets", json={"properties": {"title": "new"}})
    err = assert_google_error(resp, 501, "UNIMPLEMENTED")
    assert "sheets.spreadsheets.create" in err["message"]


def test_unknown_spreadsheet_is_404(sandbox: SandboxServer) -> None:
    """A wrong spreadsheet id would not give Google's 'Requested entity was not found.'"""
    resp = call(sandbox.url, "GET", "/v4/spreadsheets/nope")
    err = assert_google_error(resp, 404, "NOT_FOUND")
    assert err["message"] == "Requested entity was not found."
