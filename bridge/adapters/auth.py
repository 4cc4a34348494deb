"""Credentials: the blog author's OAuth token, an optional service account, or the sandbox.

Blogger accepts no service account for posting, so publishing always uses a
user token of a blog author. Sheets and Drive may use the same token or a
service account. Tokens are never logged.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.auth.credentials import Credentials as BaseCredentials
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials as UserCredentials

from bridge.adapters.files import write_atomic
from bridge.adapters.retry import REAUTH_HINT
from bridge.config import Settings
from bridge.exceptions import AuthError, ConfigError, RetriableError

log = logging.getLogger("bridge.auth")

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_READ_SCOPE = "https://www.googleapis.com/auth/drive.readonly"
DRIVE_FILE_SCOPE = "https://www.googleapis.com/auth/drive.file"
BLOGGER_SCOPE = "https://www.googleapis.com/auth/blogger"
USER_SCOPES = (SHEETS_SCOPE, DRIVE_READ_SCOPE, DRIVE_FILE_SCOPE, BLOGGER_SCOPE)
#: Sending only ("sensitive", not "restricted": no security assessment), asked for only when
#: operator messages go by e-mail (issue 19): https://developers.google.com/gmail/api/auth/scopes
GMAIL_SEND_SCOPE = "https://www.googleapis.com/auth/gmail.send"
SERVICE_ACCOUNT_SCOPES = (SHEETS_SCOPE, DRIVE_READ_SCOPE, DRIVE_FILE_SCOPE)


@dataclass(frozen=True)
class GoogleCredentials:
    """The credentials each adapter uses."""

    sheets: BaseCredentials
    blogger: BaseCredentials
    drive: BaseCredentials
    user_email: str = ""


def sandbox_credentials(token: str) -> UserCredentials:
    """A bearer token the sandbox issued (it accepts no other); never valid at Google."""
    return UserCredentials(token=token)


def read_sandbox_token(path: Path) -> str:
    """The access token in the file the sandbox wrote beside its config (``[google] token``).

    Raises:
        AuthError: the file is missing or holds no token.
    """
    try:
        token = json.loads(path.read_text(encoding="utf-8")).get("token")
    except (OSError, ValueError, AttributeError) as exc:
        raise AuthError(f"the sandbox token file {path} ([google] token) cannot be read ({exc}); write the config "
                        "again with `mymein-bridge sandbox --write-config FILE`") from exc
    if not isinstance(token, str) or not token:
        raise AuthError(f"the sandbox token file {path} ([google] token) holds no token; write the config again with "
                        "`mymein-bridge sandbox --write-config FILE`")
    return token


def user_scopes(settings: Settings) -> tuple[str, ...]:
    """The scopes `auth` asks for and renewals name: gmail.send only when e-mail is on."""
    return USER_SCOPES + ((GMAIL_SEND_SCOPE,) if settings.notify.email else ())


def load_user_credentials(
    token_path: Path, *, refresh: bool = True, transport: Any = None, token_uri: str | None = None,
    scopes: Sequence[str] = USER_SCOPES,
) -> UserCredentials:
    """Load the author's token, refreshing it (and saving it back) when expired.

    ``token_uri`` replaces the token file's own (Google's ``https://oauth2.googleapis.com/token``):
    with ``[google] endpoint`` set, renewals go to the sandbox's token endpoint too, never to Google.

    Raises:
        AuthError: the file is missing or unreadable, or Google refused to refresh
            it (expired, revoked, or an app left in Testing for more than 7 days).
    """
    if not token_path.is_file():
        raise AuthError(f"no user token at {token_path}. {REAUTH_HINT}")
    try:
        info = json.loads(token_path.read_text(encoding="utf-8"))
        creds = UserCredentials.from_authorized_user_info(info, list(scopes))
        if token_uri:
            creds = creds.with_token_uri(token_uri)
    except OSError as exc:
        raise AuthError(
            f"cannot read the token file {token_path} ({exc.strerror or exc}); it must belong to the user the bridge "
            f"runs as (e.g. sudo chown mymein: {token_path})"
        ) from exc
    except (ValueError, KeyError) as exc:
        raise AuthError(f"token file {token_path} is not a valid authorized-user token ({exc}). {REAUTH_HINT}") from exc
    if refresh and (not creds.valid or creds.expired):
        if not creds.refresh_token:
            raise AuthError(f"token in {token_path} has expired and has no refresh token. {REAUTH_HINT}")
        try:
            creds.refresh(transport or google.auth.transport.requests.Request())
        except google.auth.exceptions.RefreshError as exc:
            if getattr(exc, "retryable", False):  # Google's token service failed, not the token
                raise RetriableError(f"Google's sign-in service did not renew the token in {token_path}: {exc}") from exc
            raise AuthError(f"Google refused to refresh the token in {token_path} (expired or revoked: {exc}). {REAUTH_HINT}") from exc
        except google.auth.exceptions.TransportError as exc:  # no network yet (after a power cut): try again later
            raise RetriableError(f"could not reach Google to renew the token in {token_path}: {exc}") from exc
        try:
            save_token(creds, token_path)
        except OSError as exc:  # the renewed token still works in memory; the refresh token is unchanged
            log.warning(
                "could not save the renewed token to %s (%s); the bridge works on, but the folder should belong "
                "to the user the bridge runs as", token_path, exc.strerror or exc,
            )
    return creds


def _private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parent owner-only (0700), whatever the umask; leave existing ones as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=stat.S_IRWXU)
        except FileExistsError:
            continue
        os.chmod(path, stat.S_IRWXU)  # exactly 0700: mkdir's mode is masked by whatever umask the shell had


#: The bridge's own notes in the token file (issue 19), beside Google's fields, which
#: ``from_authorized_user_info`` ignores: when `auth` got the consent (a grant of an app in
#: *Testing* ends 7 days later, bridge.core.grant), and for which consent IT was warned already.
CONSENTED_AT = "mymein_consented_at"
EXPIRY_WARNED = "mymein_expiry_warned_for"
NOTES = (CONSENTED_AT, EXPIRY_WARNED)


def read_token_notes(token_path: Path) -> dict[str, str]:
    """The bridge's notes in the token file; none for a file without them (written before they were
    kept), a missing or unreadable one."""
    try:
        data = json.loads(token_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(data[k]) for k in NOTES if isinstance(data.get(k), str) and data[k]}


def save_token(creds: UserCredentials, token_path: Path, *, consented_at: datetime | None = None) -> None:
    """Write the token with owner-only permissions (0600), atomically, in a folder created 0700.

    ``consented_at``: a new consent (`auth`): recorded, and any earlier warning forgotten. Without it (a
    renewal) the notes already in the file are kept.
    """
    data = json.loads(creds.to_json())
    if consented_at is not None:
        data[CONSENTED_AT] = consented_at.isoformat(timespec="seconds")
    else:
        data.update(read_token_notes(token_path))
    _write_token(token_path, data)


def _write_token(token_path: Path, data: dict[str, Any]) -> None:
    _private_folder(token_path.parent)
    write_atomic(token_path, json.dumps(data).encode("utf-8"), mode=stat.S_IRUSR | stat.S_IWUSR)


def note_in_token(token_path: Path, key: str, value: str) -> None:
    """Add one of :data:`NOTES` to the token file, keeping everything else in it.

    Raises:
        OSError: the file cannot be read or written.
    """
    data = json.loads(token_path.read_text(encoding="utf-8"))
    data[key] = value
    _write_token(token_path, data)


def token_uri_for(settings: Settings) -> str | None:
    """Where tokens are renewed: the endpoint's ``/token`` when one is set (the sandbox), else the file's."""
    return f"{settings.endpoint.rstrip('/')}/token" if settings.endpoint else None


def load_credentials(settings: Settings) -> GoogleCredentials:
    """Credentials for every adapter, according to ``[google] auth``."""
    if settings.uses_sandbox:
        creds = sandbox_credentials(read_sandbox_token(settings.token))
        return GoogleCredentials(sheets=creds, blogger=creds, drive=creds, user_email="sandbox@localhost")
    user = load_user_credentials(settings.token, token_uri=token_uri_for(settings), scopes=user_scopes(settings))
    if settings.auth == "service_account" and settings.service_account is not None:
        try:
            sa = service_account.Credentials.from_service_account_file(
                str(settings.service_account), scopes=list(SERVICE_ACCOUNT_SCOPES)
            )
        except (OSError, ValueError) as exc:
            raise AuthError(f"cannot read service-account key {settings.service_account}: {exc}") from exc
        return GoogleCredentials(sheets=sa, blogger=user, drive=sa)
    return GoogleCredentials(sheets=user, blogger=user, drive=user)


# --- the installed-app flow, for servers without a browser -------------------------------


def read_client_config(path: Path) -> dict[str, Any]:
    """Read an OAuth client JSON (Desktop app), as downloaded from Google Cloud Console."""
    problems: list[str] = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            [f"OAuth client file not found: {path} (download it as shown in credentials.example.json)"], str(path)
        ) from None
    except ValueError as exc:
        raise ConfigError([f"OAuth client file is not JSON: {exc}"], str(path)) from exc
    section = data.get("installed")
    if not isinstance(section, dict):
        problems.append('the client must be of type "Desktop app" (a top-level "installed" object)')
        section = {}
    for key in ("client_id", "client_secret", "auth_uri", "token_uri"):
        if not section.get(key):
            problems.append(f'"installed.{key}" is missing')
    if "GOCSPX-replace" in str(section.get("client_secret", "")) or str(section.get("client_id", "")).startswith("123456789012-"):
        problems.append(
            "this is the example file: download your own OAuth client (Desktop app) from Google Cloud Console "
            "> APIs & Services > Credentials, and save it here"
        )
    if problems:
        raise ConfigError(problems, str(path))
    return data


def paste_back_flow(
    client_config: dict[str, Any],
    *,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    port: int = 8085,
    session: requests.Session | None = None,
    scopes: Sequence[str] = USER_SCOPES,
) -> UserCredentials:
    """Authorize without a browser on this machine.

    Prints the consent URL; the officer opens it on any computer, signs in as a
    blog author and, when the browser lands on the (unreachable) loopback page,
    copies the address bar back here. The code in that address is exchanged
    for a token. Google removed the copy-paste "oob" flow in 2022; this is the
    loopback flow without a listener.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_config(client_config, scopes=list(scopes))
    if session is not None:
        flow.oauth2session.mount("https://", session.get_adapter("https://"))
    flow.redirect_uri = f"http://localhost:{port}/"
    url, state = flow.authorization_url(access_type="offline", prompt="consent")
    say("1. Buka alamat ini di browser komputer mana pun / Open this address in a browser on any computer:")
    say(f"   {url}")
    say("2. Masuk dengan akun Google penulis blog, izinkan akses. / Sign in as a blog author and allow access.")
    say(f"3. Browser akan membuka http://localhost:{port}/?... yang gagal dimuat; salin seluruh alamatnya ke sini.")
    say("   The browser lands on a page that fails to load; copy its whole address here.")
    try:
        pasted = ask("Alamat / address: ").strip()
    except EOFError:
        raise AuthError(
            "no address was pasted (input ended). Run `mymein-bridge auth -c CONFIG` in an interactive terminal, "
            "or use --listen, or sign in on a laptop and copy the token file here."
        ) from None
    parsed = urlparse(pasted)
    if parsed.scheme not in ("http", "https") or "code=" not in parsed.query:
        raise AuthError(
            "that is not the redirected address (it must start with http://localhost and contain code=...). "
            "Run `mymein-bridge auth` again and copy the whole address bar."
        )
    if f"state={state}" not in parsed.query:
        raise AuthError("the pasted address belongs to another sign-in attempt (state does not match); run auth again.")
    # oauthlib insists on https for the authorization response; the loopback redirect is http by design.
    response = "https" + pasted[len(parsed.scheme):]
    try:
        flow.fetch_token(authorization_response=response)
    except Exception as exc:  # oauthlib raises many unrelated types; all mean "no token"
        raise _no_token(exc) from exc
    creds = flow.credentials
    if not isinstance(creds, UserCredentials):  # pragma: no cover - library contract
        raise AuthError("unexpected credentials type from the OAuth flow")
    return creds


def _no_token(exc: Exception) -> AuthError:
    text = str(exc)
    if "scope" in text.lower():
        return AuthError(
            f"Google did not grant every permission the bridge needs ({text}). Run `mymein-bridge auth` again and "
            "tick every box on Google's consent screen (Sheets, Drive and Blogger)."
        )
    return AuthError(f"Google did not issue a token: {text}. Run `mymein-bridge auth` again.")


def listener_flow(client_config: dict[str, Any], *, port: int, say: Callable[[str], None],
                  scopes: Sequence[str] = USER_SCOPES) -> UserCredentials:
    """Loopback flow with a listener, for an SSH tunnel (``ssh -L PORT:localhost:PORT server``).

    The consent URL is said once, through ``say``: google-auth-oauthlib both logs and prints its
    prompt (so IT staff saw the URL twice), and logs each request to the listener, the
    authorization code included.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    class _SayingFlow(InstalledAppFlow):
        def authorization_url(self, **kwargs: Any) -> tuple[str, str]:
            url, state = super().authorization_url(**kwargs)
            say("2. Buka alamat ini di browser laptop itu / Open this address in that laptop's browser:")
            say(f"   {url}")
            say("3. Masuk dengan akun Google penulis blog, izinkan akses; bridge menunggu di sini. "
                "/ Sign in as a blog author and allow access; the bridge waits here.")
            return url, state

    flow = _SayingFlow.from_client_config(client_config, scopes=list(scopes))
    say(f"1. Dari laptop / From your laptop: ssh -L {port}:localhost:{port} <this-server>")
    library_log = logging.getLogger("google_auth_oauthlib.flow")
    level = library_log.level
    library_log.setLevel(logging.WARNING)
    try:
        creds = flow.run_local_server(
            host="localhost",
            port=port,
            open_browser=False,
            authorization_prompt_message=None,  # said above, once
            access_type="offline",
            prompt="consent",
        )
    except OSError as exc:
        raise AuthError(f"cannot listen on localhost:{port} ({exc}); choose another --port") from exc
    except Exception as exc:  # oauthlib raises many unrelated types (even a Warning); all mean "no token"
        raise _no_token(exc) from exc
    finally:
        library_log.setLevel(level)
    if not isinstance(creds, UserCredentials):  # pragma: no cover
        raise AuthError("unexpected credentials type from the OAuth flow")
    return creds
