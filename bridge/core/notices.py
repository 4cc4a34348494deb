"""Operator messages (issue 19): which event is due for a Review row, and the record of what was sent.

Pure: no network. The Review tab's ``Notifikasi Terkirim`` cell is the truth about what each
operator was told, one line per event, so a lost or rebuilt ledger never sends a message twice::

    diterima 03/12/2026 13:05
    terbit ? 03/12/2026 14:10        <- being sent (written before sending)
    ditolak GAGAL: alamat tidak valid

A line with ``?`` was written just before the send; if the bridge then stopped and its ledger was
lost, nobody can tell whether the message left, and the bridge does not send it again (no
duplicate). With the ledger kept, the ledger knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import jinja2

from bridge.core.model import Status


class Event(StrEnum):
    """What an operator is told about, as written in the ``Notifikasi Terkirim`` cell."""

    DITERIMA = "diterima"  # the submission arrived (with its ID)
    PERLU_PERBAIKAN = "perlu-perbaikan"  # TIDAK VALID: the reasons and what to do
    TERBIT = "terbit"  # published (with the public link)
    DITOLAK = "ditolak"  # rejected (with the officer's reason)
    DITARIK = "ditarik"  # withdrawn from the blog
    # issue 20, revise and resubmit
    PERLU_REVISI = "perlu-revisi"  # sent back for revision (with the officer's message and how to resubmit)


#: The event a status announces; "received" is also due for every later status but TIDAK VALID.
STATUS_EVENT: dict[Status, Event] = {
    Status.MENUNGGU: Event.DITERIMA,
    Status.TIDAK_VALID: Event.PERLU_PERBAIKAN,
    Status.TERBIT: Event.TERBIT,
    Status.DITOLAK: Event.DITOLAK,
    Status.DITARIK: Event.DITARIK,
    Status.PERLU_REVISI: Event.PERLU_REVISI,  # issue 20
}
#: Events whose message waits for the officer's ``Pesan untuk Operator`` (``[notify] reject_without_message``).
NEEDS_MESSAGE = frozenset({Event.DITOLAK, Event.PERLU_REVISI})

SENT = "terkirim"
SENDING = "?"
FAILED = "GAGAL"
WAITING = "MENUNGGU"  # not sent yet, and why (DITOLAK without a message to the operator)
REJECT_WAITS = "tulis alasannya di kolom 'Pesan untuk Operator'"
TIME_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class Mark:
    """One line of the cell: the event and what became of its message."""

    event: Event
    state: str  # SENT, SENDING, FAILED or WAITING
    text: str  # the time (SENT, SENDING) or the reason (FAILED, WAITING)

    def line(self) -> str:
        if self.state == SENT:
            return f"{self.event.value} {self.text}"
        if self.state == SENDING:
            return f"{self.event.value} {SENDING} {self.text}"
        if self.state == WAITING:
            return f"{self.event.value} {WAITING}: {self.text}"
        return f"{self.event.value} {FAILED}: {self.text}"


def parse_marks(cell: str) -> dict[Event, Mark]:
    """The events recorded in a ``Notifikasi Terkirim`` cell; unknown lines are ignored."""
    marks: dict[Event, Mark] = {}
    for raw in str(cell).splitlines():
        word, _, rest = raw.strip().partition(" ")
        try:
            event = Event(word.casefold())
        except ValueError:
            continue
        rest = rest.strip()
        if rest.startswith(SENDING):
            marks[event] = Mark(event, SENDING, rest[1:].strip())
        elif rest.upper().startswith(WAITING):
            marks[event] = Mark(event, WAITING, rest[len(WAITING):].lstrip(": ").strip())
        elif rest.upper().startswith(FAILED):
            marks[event] = Mark(event, FAILED, rest[len(FAILED):].lstrip(": ").strip())
        else:
            marks[event] = Mark(event, SENT, rest)
    return marks


def format_marks(marks: Mapping[Event, Mark]) -> str:
    """The cell text, events in their natural order."""
    return "\n".join(marks[e].line() for e in Event if e in marks)


def due_events(status: Status | None, post_url: str, marks: Mapping[Event, Mark], enabled: frozenset[Event]) -> list[Event]:
    """Events to send for a row now: switched on, not yet recorded in its cell (a WAITING line is not a record)."""
    if status is None:
        return []
    events: list[Event] = []
    if status != Status.TIDAK_VALID:
        events.append(Event.DITERIMA)
    event = STATUS_EVENT.get(status)
    if event is not None and event != Event.DITERIMA and not (event == Event.TERBIT and not post_url.strip()):
        events.append(event)
    return [e for e in events if e in enabled and (e not in marks or marks[e].state == WAITING)]


@dataclass(frozen=True)
class Message:
    """One message to one operator."""

    to: str
    subject: str
    body: str
    key: str  # "<ID>:<event>", unique per message


def render_message(template: str, context: Mapping[str, object]) -> tuple[str, str]:
    """(subject, body) from a notice template: its first line ``Subjek: ...``, then the body.

    Raises:
        jinja2.TemplateError: the office's template is broken (the caller reports it).
    """
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    text = env.from_string(template).render(**context).strip()
    first, _, rest = text.partition("\n")
    if first.casefold().startswith("subjek:"):
        return first.split(":", 1)[1].strip(), rest.strip()
    return "", text


def stamp(when: datetime) -> str:
    return when.strftime(TIME_FORMAT)


__all__ = ["Event", "Mark", "Message", "NEEDS_MESSAGE", "STATUS_EVENT", "SENT", "SENDING", "FAILED", "WAITING", "REJECT_WAITS", "parse_marks", "format_marks",
           "due_events", "render_message", "stamp"]
