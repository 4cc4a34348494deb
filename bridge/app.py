"""Wiring: build the adapters a cycle needs from the settings (production defaults)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.adapters import clients
from bridge.adapters.auth import load_credentials
from bridge.adapters.blogger import BloggerGateway
from bridge.adapters.drive import DriveGateway
from bridge.adapters.google_time import GoogleTime
from bridge.adapters.ledger import Ledger
from bridge.adapters.retry import RetryPolicy
from bridge.adapters.sheets import SheetsGateway
from bridge.clock import Clock, system_clock
from bridge.config import Settings
from bridge.core.wilayah import WilayahIndex
from bridge.cycle.context import CycleContext, PageSizes
from bridge.pysupport import log_held_warning


def default_retry(settings: Settings) -> RetryPolicy:
    return RetryPolicy(attempts=settings.max_retries, initial=settings.retry_wait_ms / 1000.0)


def build_deps(
    settings: Settings,
    *,
    retry: RetryPolicy | None = None,
    clock: Clock | None = None,
    ledger: Ledger | None = None,
    pages: PageSizes | None = None,
) -> CycleContext:
    """Connect to Google (or the sandbox) as configured and open the ledger (``pages``: rows per
    request of whole-tab reads and appends; tests pass small ones)."""
    retry = retry or default_retry(settings)
    if clock is None and settings.sandbox_clock:
        from bridge.adapters.sandbox_clock import SandboxClock

        clock = SandboxClock(settings.endpoint)
    creds = load_credentials(settings)
    endpoint = settings.endpoint
    clock = clock or system_clock
    google_time = GoogleTime(clock)
    seen = google_time.observe
    sheets = SheetsGateway(clients.sheets_client(creds.sheets, endpoint, seen), retry)
    blogger = BloggerGateway(clients.blogger_service(creds.blogger, endpoint, seen), settings.blog_id, retry)
    reader = clients.drive_service(creds.drive, endpoint, seen)
    uploader = reader if creds.drive is creds.blogger else clients.drive_service(creds.blogger, endpoint, seen)
    drive = DriveGateway(reader, retry, upload_service=uploader)
    ledger = ledger or Ledger(settings.state_path)
    log_held_warning(ledger.state)
    notifier = build_notifier(settings, creds.blogger, endpoint)
    officer_channel = None
    if settings.notify.digest_to or (settings.notify.coordinator_messages and settings.coordination.on):  # issue 20 too
        # the same channel object when operator messages use it too
        officer_channel = notifier or build_channel(settings, creds.blogger, endpoint)
    return CycleContext(
        settings=settings,
        sheets=sheets,
        blogger=blogger,
        drive=drive,
        ledger=ledger,
        wilayah=WilayahIndex.from_csv(settings.wilayah_csv),
        template=settings.template.read_text(encoding="utf-8"),
        clock=clock,
        google_time=google_time,
        notifier=notifier,
        officer_channel=officer_channel,
        pages=pages or PageSizes(),
    )


def build_notifier(settings: Settings, credentials: Any, endpoint: str) -> Any:
    """The operator messages' channel, or None when they are off (the default)."""
    n = settings.notify
    if not n.operator_messages:
        return None
    return build_channel(settings, credentials, endpoint)


def build_channel(settings: Settings, credentials: Any, endpoint: str) -> Any:
    """The configured message channel ([notify] channel), whatever is switched on."""
    from bridge.adapters.notify import AppriseChannel, GmailChannel

    n = settings.notify
    if n.channel == "apprise":
        return AppriseChannel(n.apprise_urls)
    return GmailChannel(clients.gmail_service(credentials, endpoint))


def it_alert(settings: Settings) -> Callable[[str, str], None] | None:
    """What `run` calls to tell IT ([notify] it_alerts) that the bridge stopped or works again; None
    when nobody is to be told. Credentials are loaded at each alert: the token may be what failed."""
    if not settings.notify.it_alerts:
        return None

    def send(subject: str, body: str) -> None:
        from bridge.core.notices import Message

        creds = load_credentials(settings).blogger if settings.notify.channel == "email" else None
        channel = build_channel(settings, creds, settings.endpoint)
        try:
            for n, address in enumerate(settings.notify.it_alerts):
                channel.send(Message(address, subject, body, f"it-alert:{n}"))
        finally:
            close = getattr(getattr(channel, "service", None), "close", None)
            if close is not None:
                close()

    return send
