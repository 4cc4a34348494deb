"""OAuth for a server without a browser: the paste-back flow, token storage, expiry."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from google.oauth2.credentials import Credentials

from bridge.adapters.auth import (
    USER_SCOPES,
    load_user_credentials,
    paste_back_flow,
    read_client_config,
    save_token,
)
from bridge.exceptions import AuthError, ConfigError, RetriableError

CLIENT = {
    "installed": {
        "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "secret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"],
    }
}
TOKEN_RESPONSE = {
    "access_token": "ya29.fake",
    "refresh_token": "1//refresh",
    "expires_in": 3599,
    "scope": " ".join(USER_SCOPES),
    "token_type": "Bearer",
}


@responses.activate
def test_paste_back_flow_exchanges_the_code() -> None:
    """An officer can authorize on any computer and paste the redirected address back."""
    responses.post("https://oauth2.googleapis.com/token", json=TOKEN_RESPONSE)
    said: list[str] = []
    state: dict[str, str] = {}

    def ask(_prompt: str) -> str:
        url = next(line.strip() for line in said if line.strip().startswith("https://accounts.google.com"))
        query = parse_qs(urlparse(url).query)
        assert query["redirect_uri"] == ["http://localhost:8085/"]
        assert query["access_type"] == ["offline"]
        state["value"] = query["state"][0]
        return f"http://localhost:8085/?state={state['value']}&code=4/abc&scope=x"

    creds = paste_back_flow(CLIENT, ask=ask, say=said.append, port=8085)
    assert creds.token == "ya29.fake"
    assert creds.refresh_token == "1//refresh"
    body = parse_qs(responses.calls[0].request.body)
    assert body["code"] == ["4/abc"]
    assert not any("ya29" in line for line in said)


def test_paste_back_rejects_wrong_text() -> None:
    """Pasting something that is not the redirected address gives a clear instruction."""
    with pytest.raises(AuthError, match="redirected address"):
        paste_back_flow(CLIENT, ask=lambda _p: "4/abc", say=lambda _s: None)


def test_paste_back_with_no_terminal_says_what_to_do() -> None:
    """Run without a terminal (input ends at once): a plain instruction, not a traceback."""

    def closed(_prompt: str) -> str:
        raise EOFError

    with pytest.raises(AuthError, match="interactive terminal"):
        paste_back_flow(CLIENT, ask=closed, say=lambda _s: None)


def test_a_partial_consent_says_to_tick_every_box() -> None:
    """Google's consent screen lets the officer untick a permission; the bridge then needs all of them."""
    from bridge.adapters.auth import _no_token

    error = _no_token(Warning('Scope has changed from "blogger drive.file" to "drive.file".'))
    assert "tick every box" in str(error)


def test_token_is_saved_owner_only(tmp_path: Path) -> None:
    """The token file cannot be read by other users on the server."""
    path = tmp_path / "token.json"
    save_token(Credentials(token="t", refresh_token="r", client_id="c", client_secret="s", token_uri="https://oauth2.googleapis.com/token"), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["refresh_token"] == "r"


def test_token_folder_is_created_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    """Under umask 000, `auth` made the token's folder 0777: any user could swap the token or plant a link."""
    path = tmp_path / "etc" / "mymein-bridge" / "token.json"
    old = os.umask(0)
    try:
        save_token(Credentials(token="t", refresh_token="r", client_id="c", client_secret="s",
                               token_uri="https://oauth2.googleapis.com/token"), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["token.json"]


@responses.activate
def test_revoked_token_says_what_to_do(tmp_path: Path) -> None:
    """An expired/revoked token (or an app left in Testing) tells IT staff exactly how to fix it."""
    responses.post("https://oauth2.googleapis.com/token", status=400, json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"refresh_token": "r", "client_id": "c", "client_secret": "s", "token_uri": "https://oauth2.googleapis.com/token"}))
    with pytest.raises(AuthError) as info:
        load_user_credentials(path)
    assert "expired or revoked" in str(info.value)
    assert "7 days" in str(info.value)
    assert "mymein-bridge auth" in str(info.value)


def test_missing_token_file(tmp_path: Path) -> None:
    """No token yet: the message points to the auth command."""
    with pytest.raises(AuthError, match="mymein-bridge auth"):
        load_user_credentials(tmp_path / "none.json")


def test_client_file_must_be_desktop_app(tmp_path: Path) -> None:
    """A Web-application client (wrong type) is reported before any browser step."""
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"web": {"client_id": "x"}}))
    with pytest.raises(ConfigError, match="Desktop app"):
        read_client_config(path)


def test_example_credentials_file_shows_the_shape_but_is_refused(tmp_path: Path) -> None:
    """credentials.example.json has the shape `auth` accepts, and copying it as is says what to do instead."""
    example = json.loads((Path(__file__).parents[2] / "credentials.example.json").read_text(encoding="utf-8"))
    with pytest.raises(ConfigError) as info:
        read_client_config(Path(__file__).parents[2] / "credentials.example.json")
    assert info.value.problems == [next(p for p in info.value.problems if "example file" in p)]
    example["installed"]["client_id"] = "98765-real.apps.googleusercontent.com"
    example["installed"]["client_secret"] = "GOCSPX-realsecret"
    (tmp_path / "credentials.json").write_text(json.dumps(example), encoding="utf-8")
    assert read_client_config(tmp_path / "credentials.json")["installed"]["client_id"].startswith("98765")


def test_unreadable_token_file_says_whose_it_must_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token written by `sudo mymein-bridge auth` belongs to root: say so instead of a traceback."""
    path = tmp_path / "token.json"
    path.write_text("{}")

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", denied)  # the tests may run as root, who can read anything
    with pytest.raises(AuthError, match="must belong to the user the bridge runs as"):
        load_user_credentials(path)


@responses.activate
def test_no_network_when_renewing_the_token_is_temporary(tmp_path: Path) -> None:
    """After a power cut the network may come back after the server: try again, do not stop for good."""
    responses.post("https://oauth2.googleapis.com/token", body=requests.exceptions.ConnectionError("no route to host"))
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"refresh_token": "r", "client_id": "c", "client_secret": "s", "token_uri": "https://oauth2.googleapis.com/token"}))
    with pytest.raises(RetriableError, match="renew the token"):
        load_user_credentials(path)


@responses.activate
def test_a_renewed_token_that_cannot_be_saved_still_works(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    responses.post("https://oauth2.googleapis.com/token", json={"access_token": "ya29.new", "expires_in": 3600})
    path = tmp_path / "token.json"
    path.write_text(json.dumps({"refresh_token": "r", "client_id": "c", "client_secret": "s", "token_uri": "https://oauth2.googleapis.com/token"}))

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")  # the folder refuses the new file (tests may run as root)

    monkeypatch.setattr("bridge.adapters.auth.write_atomic", refused)
    creds = load_user_credentials(path)
    assert creds.token == "ya29.new"
    assert any("could not save the renewed token" in r.getMessage() for r in caplog.records)


def test_auth_asks_for_gmail_send_only_when_operator_e_mail_is_on(tmp_path: Path) -> None:
    """IT staff would grant the bridge mail rights it does not use, or miss them when e-mail is turned on."""
    from bridge.adapters.auth import GMAIL_SEND_SCOPE, USER_SCOPES, user_scopes
    from bridge.config import load_settings

    off = tmp_path / "off.toml"
    off.write_text('[google]\nauth = "user"\n[sheets]\nspreadsheet_id = "x"\n[blog]\nblog_id = "1"\n', encoding="utf-8")
    on = tmp_path / "on.toml"
    on.write_text(off.read_text(encoding="utf-8") + "[notify]\noperator_messages = true\n", encoding="utf-8")
    webhook = tmp_path / "apprise.toml"
    webhook.write_text(off.read_text(encoding="utf-8") + '[notify]\noperator_messages = true\nchannel = "apprise"\n'
                       'apprise_urls = ["json://localhost/x"]\n', encoding="utf-8")
    assert user_scopes(load_settings(off, env={})) == USER_SCOPES
    assert user_scopes(load_settings(on, env={})) == (*USER_SCOPES, GMAIL_SEND_SCOPE)
    assert user_scopes(load_settings(webhook, env={})) == USER_SCOPES


@responses.activate
def test_a_renewal_keeps_the_consent_time_and_an_old_token_file_still_works(tmp_path: Path) -> None:
    """A renewal that dropped the consent time would hide a Testing grant's end; a token file from before it would stop the bridge."""
    from bridge.adapters.auth import CONSENTED_AT, EXPIRY_WARNED, read_token_notes

    responses.post("https://oauth2.googleapis.com/token", json={"access_token": "ya29.new", "expires_in": 3600})
    path = tmp_path / "token.json"
    old = {"refresh_token": "r", "client_id": "c", "client_secret": "s", "token_uri": "https://oauth2.googleapis.com/token"}
    path.write_text(json.dumps(old))
    assert load_user_credentials(path).token == "ya29.new"  # no notes: works as before, and none invented
    assert read_token_notes(path) == {}
    notes = {CONSENTED_AT: "2026-11-20T09:30:00+08:00", EXPIRY_WARNED: "2026-11-20T09:30:00+08:00"}
    path.write_text(json.dumps({**old, **notes}))
    assert load_user_credentials(path).token == "ya29.new"
    assert read_token_notes(path) == notes and json.loads(path.read_text())["token"] == "ya29.new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
