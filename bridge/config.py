"""Settings: declared once, loaded from TOML, overridden by ``MYMEIN_*``, validated once.

Every setting lives in one table below (section, key, type, default, help, and the
checks of a valid value). The loader reads the TOML file, applies environment overrides
named ``MYMEIN_<SECTION>_<KEY>`` (e.g. ``MYMEIN_GOOGLE_ENDPOINT``), runs each setting's
checks in the table's order (a check comparing settings sits on the last of them), then
those that parse a table or look for a file (aliases, KIM channels, templates, the wilayah
list), and reports *all* problems in one :class:`~bridge.exceptions.ConfigError`.
The result is a frozen :class:`Settings`; nothing changes it afterwards.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bridge.core.report import Rules as ReportRules
from bridge.core.review_machine import PublishMode
from bridge.core.validate import Rules as ValidationRules
from bridge.exceptions import ConfigError

ENV_PREFIX = "MYMEIN_"

def _config_dir() -> Path:
    """The shipped config/ folder: beside the package in a checkout, bridge._config when installed."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "config"
    return checkout if (checkout / "balangan_wilayah.csv").is_file() else here / "_config"


REPO_CONFIG_DIR = _config_dir()

AUTH_MODES = ("user", "service_account", "sandbox")
START_MODES = ("backfill", "now")
#: Report CSV dialects (bridge.core.report_print.CSV_DIALECTS has the same names).
CSV_DIALECTS = ("standard", "excel-id")
PUBLISH_MODES = tuple(m.value for m in PublishMode)  # ("draft", "live")
LOG_FORMATS = ("text", "json")
LABEL_PARTS = ("kecamatan", "desa", "kim")
#: The most characters one Google Sheets cell holds (a longer Review cell is refused with HTTP 400).
SHEETS_CELL_MAX = 50_000
OAUTH_APP_STATUSES = ("testing", "production")
NOTIFY_CHANNELS = ("email", "apprise")
NOTIFY_EVENTS = ("diterima", "perlu-perbaikan", "terbit", "ditolak", "ditarik", "perlu-revisi")  # perlu-revisi: issue 20
PHOTO_STORES = ("drive", "local")
PHOTO_FORMATS = ("jpeg", "webp")
PHOTO_OVER_LIMIT = ("downscale", "refuse")


#: A check of one setting, declared with it in :data:`SPECS`: given the setting, its value and every
#: setting's value, the problems it finds (each "[section] key ...", the file name is put before it).
#: A check that compares settings sits on the last of them, so the problems come out in file order.
Check = Callable[["Spec", Any, Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class OneOf:
    """The value is one of a closed list (``text`` names them in the message; default "one of a, b")."""

    values: tuple[str, ...]
    text: str = ""

    def __call__(self, spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
        if value in self.values:
            return []
        return [f"[{spec.section}] {spec.key} must be {self.text or 'one of ' + ', '.join(self.values)}, got {value!r}"]


@dataclass(frozen=True)
class AtLeast:
    low: int

    def __call__(self, spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
        return [] if value >= self.low else [f"[{spec.section}] {spec.key} must be at least {self.low}, got {value}"]


@dataclass(frozen=True)
class Between:
    low: int
    high: int

    def __call__(self, spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
        if self.low <= value <= self.high:
            return []
        return [f"[{spec.section}] {spec.key} must be between {self.low} and {self.high}, got {value}"]


@dataclass(frozen=True)
class NotEmpty:
    """The value is not empty (``blank``: nor only spaces); ``hint`` says where to find it."""

    hint: str = ""
    blank: bool = False

    def __call__(self, spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
        if (str(value).strip() if self.blank else value):
            return []
        return [f"[{spec.section}] {spec.key} is empty{' ' + self.hint if self.hint else ''}"]


def _http_url(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if value and not str(value).startswith(("http://", "https://")):
        return [f"[google] endpoint must start with http:// or https://, got {value!r}"]
    return []


def _sandbox_needs_endpoint(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    return ["[google] auth = \"sandbox\" needs [google] endpoint (the sandbox URL)"] if value == "sandbox" and not raw["endpoint"] else []


def _sandbox_clock_only_in_the_sandbox(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if value and raw["auth"] != "sandbox":
        return ["[google] sandbox_clock = true works only against the sandbox (auth = \"sandbox\"); "
                "against Google the bridge uses the machine's clock"]
    return []


def _grant_warning(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    return [] if 1 <= value <= 6 else [f"[google] grant_warn_days must be 1 to 6 (a Testing grant lasts 7 days), got {value}"]


def _service_account_needs_key(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if raw["auth"] == "service_account" and not value:
        return ["[google] auth = \"service_account\" needs [google] service_account (key file)"]
    return []


def _tabs_differ(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if len({raw["review_tab"], raw["registry_tab"], raw["archive_tab"], raw["responses_tab"]}) < 4:
        return ["[sheets] responses, review, registry and archive tabs must have different names"]
    return []


def _fits_in_a_cell(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if value > SHEETS_CELL_MAX:
        return [f"[intake] body_max must be at most {SHEETS_CELL_MAX} (a Google Sheets cell holds at most "
                f"{SHEETS_CELL_MAX:,} characters), got {value}"]
    return []


def _body_min_below_max(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    return ["[intake] body_min must be smaller than body_max"] if raw["body_min"] >= value else []


def _label_parts(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    return [f"[blog] labels: unknown label {part!r} (use {', '.join(LABEL_PARTS)})" for part in value if part not in LABEL_PARTS]


def _has_id_placeholder(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    return [] if "{id}" in value else ["[blog] photo_url must contain {id}"]


def _poll_seconds(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if value < 0 or 0 < value < 5:
        return [f"[bridge] poll_interval_seconds must be 0 (use poll_interval_minutes) or at least 5, got {value}"]
    return []


def _known_zone(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return [f"[bridge] timezone {value!r} is not a known time zone (e.g. Asia/Makassar)"]
    return []


def _weights_not_all_zero(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if raw["weight_published"] + raw["weight_approval"] + value <= 0:
        return ["[report] weight_published, weight_approval and weight_comments cannot all be 0"]
    return []


def _download_at_least_photo_limit(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if value < raw["photo_max_mb"]:
        return [f"[photos] download_max_mb must be at least [blog] photo_max_mb ({raw['photo_max_mb']})"]
    return []


def _local_store_needs_a_place(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if raw["store"] != "local":
        return []
    problems = []
    if not raw["local_dir"]:
        problems.append("[photos] store = \"local\" needs [photos] local_dir (the folder the web server publishes)")
    if not str(value).startswith(("https://", "http://")):
        problems.append("[photos] store = \"local\" needs [photos] base_url starting with https:// (where readers find local_dir)")
    return problems


def _known_events(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    unknown = [e for e in value if e not in NOTIFY_EVENTS]
    return [f"[notify] events: unknown {', '.join(map(str, unknown))} (known: {', '.join(NOTIFY_EVENTS)})"] if unknown else []


def _apprise_needs_urls(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    """On it_alerts: operator messages or IT alerts through Apprise need its URLs."""
    if (raw["operator_messages"] or value) and raw["channel"] == "apprise" and not raw["apprise_urls"]:
        return ["[notify] channel = \"apprise\" needs apprise_urls"]
    return []


def _at_least_one_message(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    return [] if value >= 1 else ["[notify] notice_max_per_cycle must be at least 1"]


def _digest_through_apprise_needs_urls(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    if value and raw["channel"] == "apprise" and not raw["apprise_urls"]:
        return ["[notify] digest_to with channel = \"apprise\" needs apprise_urls"]
    return []


def _time_of_day(spec: Spec, value: Any, raw: Mapping[str, Any]) -> list[str]:
    at = str(value).strip()
    if at and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", at):
        return [f"[notify] digest_at must be a time of day HH:MM (WITA), e.g. \"07:30\", or empty; got {at!r}"]
    return []


class TableList(list[Any]):
    """A Spec type: a TOML array of tables (``[{ email = "...", role = "..." }]``)."""


@dataclass(frozen=True)
class Spec:
    section: str
    key: str
    type: type
    default: Any
    help: str
    checks: tuple[Check, ...] = ()  # what a valid value is; checks that compare settings sit on the last of them


SPECS: tuple[Spec, ...] = (
    # [google]
    Spec("google", "endpoint", str, "", "Google API endpoint; empty = real Google, e.g. http://127.0.0.1:8765 = sandbox",
         checks=(_http_url,)),
    Spec("google", "auth", str, "user", "user (OAuth token of a blog author), service_account (Sheets/Drive only) or sandbox",
         checks=(OneOf(AUTH_MODES), _sandbox_needs_endpoint)),
    Spec("google", "client_secret", str, "credentials.json", "OAuth client (installed app) JSON, see credentials.example.json"),
    Spec("google", "token", str, "token.json", "user token written by `mymein-bridge auth` (owner-only permissions)"),
    Spec("google", "sandbox_clock", bool, False, "sandbox only: take the time from the sandbox (GET /_sandbox/clock), so a soak or a test can move it; needs auth = \"sandbox\"",
         checks=(_sandbox_clock_only_in_the_sandbox,)),
    Spec("google", "oauth_app_status", str, "testing", "the OAuth app's publishing status in Google Cloud Console (OAuth consent screen): testing (Google ends the grant 7 days after `auth`; IT is warned grant_warn_days before) or production",
         checks=(OneOf(OAUTH_APP_STATUSES, "testing or production"),)),
    Spec("google", "grant_warn_days", int, 2, "oauth_app_status = testing: warn IT (and the sheet's Status Bridge tab) this many days before the grant ends",
         checks=(_grant_warning,)),
    Spec("google", "service_account", str, "", "optional service-account key for Sheets and reading form photos; photo copies are still made by the user (a service account has no Drive storage)",
         checks=(_service_account_needs_key,)),
    # [sheets]
    Spec("sheets", "spreadsheet_id", str, "", "the spreadsheet linked to the Google Form",
         checks=(NotEmpty("(the id in the sheet's URL /spreadsheets/d/<id>/)"),)),
    Spec("sheets", "responses_tab", str, "Form Responses 1", "the tab Google Forms writes responses to",
         checks=(NotEmpty(blank=True),)),
    Spec("sheets", "review_spreadsheet_id", str, "", "spreadsheet holding Review/KIM/Arsip tabs; empty = the form's spreadsheet"),
    Spec("sheets", "review_tab", str, "Review", "officers' review queue",
         checks=(NotEmpty(blank=True),)),
    Spec("sheets", "registry_tab", str, "KIM", "registry of KIM and their partnership status",
         checks=(NotEmpty(blank=True),)),
    Spec("sheets", "archive_tab", str, "Arsip", "where old TERBIT/DITOLAK rows are moved",
         checks=(NotEmpty(blank=True), _tabs_differ)),
    Spec("sheets", "status_tab", str, "Status Bridge", "a small tab the bridge keeps up to date for officers: last cycle, OK or the problem and what to do, last publish, counts waiting; found by its tag if renamed; empty = none"),
    Spec("sheets", "officers", list, [], "officer e-mails allowed to edit the bridge's protected columns"),
    Spec("sheets", "aliases", dict, {}, "extra header aliases: field name -> list of question titles"),
    # [intake]
    Spec("intake", "start", str, "backfill", "first run on a sheet with history: backfill (queue all) or now (only new rows)",
         checks=(OneOf(START_MODES),)),
    Spec("intake", "title_max", int, 150, "longest accepted news title, in characters",
         checks=(AtLeast(10),)),
    Spec("intake", "body_min", int, 50, "shortest accepted news body, in characters",
         checks=(AtLeast(0),)),
    Spec("intake", "body_max", int, 20000, "longest accepted news body, in characters (at most 50000, the most a Sheets cell holds)",
         checks=(AtLeast(100), _fits_in_a_cell, _body_min_below_max)),
    Spec("intake", "require_registered_email", bool, True, "when the form collects e-mails, the respondent must be a KIM operator"),
    # [blog]
    Spec("blog", "blog_id", str, "", "Blogger blog id of the KIM Balangan website: the number in the Blogger dashboard's address (blogger.com/blog/posts/<id>), not the blog's address",
         checks=(NotEmpty("(Blogger dashboard URL ...blogger.com/blog/posts/<id>)"),)),
    Spec("blog", "publish_mode", str, "draft", "draft (officers publish in Blogger) or live",
         checks=(OneOf(PUBLISH_MODES, "draft or live"),)),
    Spec("blog", "labels", list, ["kecamatan", "desa", "kim"], "which labels each post gets: kecamatan, desa, kim",
         checks=(_label_parts,)),
    Spec("blog", "extra_labels", list, ["KIM Balangan"], "labels added to every post"),
    Spec("blog", "template", str, "", "post template (Jinja2); empty = config/templates/post.html"),
    Spec("blog", "photo_folder_id", str, "", "[photos] store = drive: Drive folder for the processed copies (the blog author's account writes there); empty = that account's My Drive"),
    Spec("blog", "photo_url", str, "https://lh3.googleusercontent.com/d/{id}", "[photos] store = drive: public URL of a processed copy; {id} = Drive file id",
         checks=(_has_id_placeholder,)),
    Spec("blog", "photo_max_mb", int, 10, "size limit of a form photo, in MB: larger ones are published smaller or refused ([photos] over_limit)",
         checks=(AtLeast(1),)),
    Spec("blog", "archive_after_days", int, 30, "TERBIT/DITOLAK rows older than this move to the archive tab; 0 = never",
         checks=(AtLeast(0),)),
    # [bridge]
    Spec("bridge", "state_path", str, "state/bridge.sqlite3", "local SQLite ledger"),
    Spec("bridge", "timezone", str, "Asia/Makassar", "time zone for times shown to officers (WITA)",
         checks=(_known_zone,)),
    Spec("bridge", "poll_interval_minutes", int, 1, "minutes between cycles for `run`",
         checks=(AtLeast(1),)),
    Spec("bridge", "poll_interval_seconds", int, 0, "seconds between cycles for `run`, instead of poll_interval_minutes when above 0 (at least 5; for soaks against the sandbox)",
         checks=(_poll_seconds,)),
    Spec("bridge", "wilayah_csv", str, "", "official kecamatan/desa list; empty = config/balangan_wilayah.csv"),
    Spec("bridge", "log_format", str, "text", "text or json (one line per event either way)",
         checks=(OneOf(LOG_FORMATS, "text or json"),)),
    Spec("bridge", "max_retries", int, 5, "attempts for a Google call that fails with 429/5xx/timeout",
         checks=(AtLeast(1),)),
    Spec("bridge", "retry_wait_ms", int, 1000, "first backoff ceiling in milliseconds; doubles per retry (max 32 s), randomised (jitter)",
         checks=(AtLeast(1),)),
    # [photos] (issue 11): how form photos are checked, processed and hosted
    Spec("photos", "store", str, "drive", "where processed photos are hosted: drive (public copies in [blog] photo_folder_id, URL [blog] photo_url) or local (files in local_dir, served by the office's web server under base_url)",
         checks=(OneOf(PHOTO_STORES),)),
    Spec("photos", "local_dir", str, "", "store = local: folder the office's web server publishes (the bridge's user must be able to write it)"),
    Spec("photos", "base_url", str, "", "store = local: public URL of local_dir, e.g. https://foto.balangankab.go.id/mymein/",
         checks=(_local_store_needs_a_place,)),
    Spec("photos", "max_side", int, 1600, "longest side of a published photo, in pixels",
         checks=(Between(200, 8000),)),
    Spec("photos", "format", str, "jpeg", "format of published photos: jpeg or webp",
         checks=(OneOf(PHOTO_FORMATS, "jpeg or webp"),)),
    Spec("photos", "quality", int, 82, "encoder quality of published photos, 1-95",
         checks=(Between(1, 95),)),
    Spec("photos", "over_limit", str, "downscale", "a photo larger than [blog] photo_max_mb: downscale (publish it smaller) or refuse (officers are told)",
         checks=(OneOf(PHOTO_OVER_LIMIT, "downscale or refuse"),)),
    Spec("photos", "max_megapixels", int, 50, "photos with more pixels are refused before decoding (guards against decompression bombs)",
         checks=(Between(1, 400),)),
    Spec("photos", "download_max_mb", int, 50, "photos larger than this are never downloaded, whatever over_limit says",
         checks=(Between(1, 1000), _download_at_least_photo_limit)),
    # issue 18: only form uploads, a bounded number per row, a bounded memory per photo
    Spec("photos", "max_photos", int, 10, "most photo links one submission may have; more makes the row TIDAK VALID, and none of them is read",
         checks=(Between(1, 50),)),
    Spec("photos", "upload_folder_id", str, "", "the form's upload folder '<form title> (File responses)'; only photos inside it are accepted; empty = found from the first photo in the responses tab"),
    Spec("photos", "max_decoded_mb", int, 48, "photos whose decoded pixels (width x height x bands x bytes per band, every frame) exceed this many MiB are refused before decoding",
         checks=(Between(8, 2048),)),
    # [report] monitoring and evaluation (Juknis Kemitraan KIM 2022)
    Spec("report", "sk_warning_days", int, 60, "alert when a KIM's SK ends within this many days",
         checks=(AtLeast(0),)),
    Spec("report", "quiet_days", int, 90, "alert when an AKTIF KIM has had no accepted submission for this many days",
         checks=(AtLeast(0),)),
    Spec("report", "interest_percent", int, 100, "Tabel 3.3: a KIM's interest is high when its submissions in the period reach this percentage of the kabupaten's median (and are more than 0)",
         checks=(AtLeast(0),)),
    Spec("report", "power_min", int, 500, "Tabel 3.3: Kekuatan (reach) at or above this is high",
         checks=(AtLeast(0),)),
    Spec("report", "influence_min", int, 50, "Tabel 3.3: Pengaruh (positive responses) at or above this is high; power and influence are high only when both are",
         checks=(AtLeast(0),)),
    Spec("report", "weight_published", int, 60, "award ranking: weight of published items (scores are shares of the best KIM's number)",
         checks=(AtLeast(0),)),
    Spec("report", "weight_approval", int, 30, "award ranking: weight of the approval rate",
         checks=(AtLeast(0),)),
    Spec("report", "weight_comments", int, 10, "award ranking: weight of comments on the KIM's posts",
         checks=(AtLeast(0), _weights_not_all_zero)),
    Spec("report", "place", str, "Paringin", "place written before the date above the signature"),
    Spec("report", "signer_title", str, "Kepala Dinas Komunikasi, Informatika, Statistik dan Persandian", "who signs the report (under 'Mengetahui,'): the full title, as on the signature"),
    Spec("report", "signer_name", str, "", "name of the signer; empty leaves a line to write it by hand"),
    Spec("report", "signer_nip", str, "", "NIP of the signer; empty leaves a line to write it by hand"),
    # The PDF's kop (letterhead) and signature block (issue 21)
    Spec("report", "kabupaten", str, "Balangan", "kop: PEMERINTAH KABUPATEN <this>"),
    Spec("report", "dinas", str, "Dinas Komunikasi, Informatika, Statistik dan Persandian", "kop: the dinas' full name (printed in capitals)"),
    Spec("report", "address", str, "", "kop: the office's street address, e.g. Jl. A. Yani Km. 4,5 Paringin 71618"),
    Spec("report", "telephone", str, "", "kop: telephone number; empty leaves it out"),
    Spec("report", "email", str, "", "kop: e-mail address; empty leaves it out"),
    Spec("report", "website", str, "", "kop: website; empty leaves it out"),
    Spec("report", "logo", str, "", "kop: the kabupaten's logo (PNG or JPEG); empty = a neutral placeholder"),
    Spec("report", "signer_rank", str, "", "rank/grade line under the signer's name, e.g. Pembina Utama Muda (IV/c); empty leaves a line"),
    Spec("report", "preparer_title", str, "", "second signature column 'Yang membuat,' (who prepared the report): title; empty = no second column"),
    Spec("report", "preparer_name", str, "", "name of who prepared the report; empty leaves a line"),
    Spec("report", "preparer_rank", str, "", "rank/grade of who prepared the report; empty leaves it out"),
    Spec("report", "preparer_nip", str, "", "NIP of who prepared the report; empty leaves a line"),
    Spec("report", "drive_folder_id", str, "", "Drive folder officers can open: report and the monthly run put the PDF and the workbook there (the period's earlier ones replaced); empty = no upload"),
    Spec("report", "monthly", bool, False, "`run` writes the previous month's report on the 1st of each month"),
    Spec("report", "monthly_hour", int, 7, "hour (WITA, 0-23) at which `run` writes the monthly report",
         checks=(Between(0, 23),)),
    Spec("report", "csv_dialect", str, "standard", "CSV files for programs: \"standard\" (comma-separated, 12.5 with a dot) or \"excel-id\" (semicolon-separated, 12,5 with a comma, as Excel set to Indonesian opens by double-click); both UTF-8 with BOM",
         checks=(OneOf(CSV_DIALECTS),)),
    Spec("report", "monthly_out_dir", str, "", "folder for the monthly report's PDF, Excel and CSV files; empty = only the Laporan tab"),
    # [notify] (issue 19): off unless operator_messages = true
    Spec("notify", "operator_messages", bool, False, "tell operators (to the form's e-mail) when their item is received, needs fixing, published, rejected or withdrawn"),
    Spec("notify", "channel", str, "email", "email (Gmail API as the bridge's own Google account; `auth` asks for gmail.send) or apprise (the URLs in apprise_urls)",
         checks=(OneOf(NOTIFY_CHANNELS, "email or apprise"),)),
    Spec("notify", "apprise_urls", list, [], "channel = apprise: Apprise URLs; {address} is replaced by the operator's address, e.g. mailtos://user:pass@smtp.example.com?to={address}"),
    Spec("notify", "events", list, list(NOTIFY_EVENTS), "which events operators are told about",
         checks=(_known_events,)),
    Spec("notify", "notice_max_age_days", int, 14, "no message about items received longer ago than this (turning messages on does not mail the whole history)"),
    Spec("notify", "notice_templates", str, "", "folder of the message templates notice_<event>.txt; empty = config/templates"),
    Spec("notify", "it_alerts", list, [], "addresses told (through channel) when `run` starts failing and when it works again, not every cycle",
         checks=(_apprise_needs_urls,)),
    Spec("notify", "reject_without_message", bool, False, "a DITOLAK or PERLU REVISI row with an empty 'Pesan untuk Operator' is told anyway (false: its message waits, and the row says so)"),
    Spec("notify", "notice_max_per_cycle", int, 50, "at most this many messages per cycle (channel rate limits); the rest go next cycle",
         checks=(_at_least_one_message,)),
    # the officers' digest (issue 19): off while digest_to and digest_urls are both empty
    Spec("notify", "digest_to", list, [], "officer addresses that get the digest through channel (e-mail with channel = email)",
         checks=(_digest_through_apprise_needs_urls,)),
    Spec("notify", "digest_urls", list, [], "Apprise URLs that get the digest as they are, e.g. a Telegram group: tgram://BOTTOKEN/CHATID"),
    Spec("notify", "digest_at", str, "07:30", "time of day (WITA, HH:MM) of the daily digest; empty = no daily digest",
         checks=(_time_of_day,)),
    Spec("notify", "digest_wait_hours", int, 24, "between daily digests, a reminder digest when an item has waited longer than this many hours (at most one reminder per this many hours); 0 = none",
         checks=(AtLeast(0),)),
    Spec("notify", "digest_items", int, 10, "how many of the oldest waiting items (and of the GAGAL rows) the digest lists",
         checks=(Between(1, 50),)),
    Spec("notify", "coordinator_messages", bool, False, "with [review] coordination on: tell the coordinators (through channel) once per item as soon as it waits for their Persetujuan Pimpinan; the digest lists them anyway"),
    Spec("notify", "kim_channels", dict, {}, "per-KIM channels the KIM tab's 'Kanal Notifikasi' may pick: telegram, whatsapp or webhook -> Apprise URL where {address} is the KIM's 'Alamat Notifikasi' (a webhook's without https://), e.g. telegram = \"tgram://BOTTOKEN/{address}\""),
    # [review] coordination before publishing (issue 20): off by default
    Spec("review", "coordination", str, "none", "which approved items also need a coordinator's SETUJU in 'Persetujuan Pimpinan' before they are published: none, all, or rules (the coordination_* settings below, and rows an officer sets to PERLU KOORDINASI)"),
    Spec("review", "coordination_labels", list, [], "coordination = rules: items whose post would carry one of these Blogger labels"),
    Spec("review", "coordination_words", list, [], "coordination = rules: items whose title contains one of these words (letter case ignored)"),
    Spec("review", "coordination_ditinjau", bool, True, "coordination = rules: items from a KIM whose Status Kemitraan is DITINJAU"),
    Spec("review", "coordinators", TableList, [], "the coordinators, as a list of tables { email = \"...\", role = \"JF Pranata Humas Ahli Muda\" }: only their Google accounts may edit 'Persetujuan Pimpinan' (init protects it)"),
)

_DEFAULTS: dict[tuple[str, str], Any] = {(spec.section, spec.key): spec.default for spec in SPECS}


def _default(section: str, key: str) -> Any:
    """A setting's default as :data:`SPECS` declares it (a list as a tuple): the dataclasses below take
    their defaults from here, so each default is written once (tests/test_settings_once.py)."""
    value = _DEFAULTS[(section, key)]
    return tuple(value) if isinstance(value, list) else value


#: Events added after offices may have copied the templates folder: an office folder without their
#: template uses the shipped one (an upgrade does not stop on a file the office never had).
NEWER_EVENTS = ("perlu-revisi",)


def notice_template(templates: Path, event: str) -> Path:
    """The template file of an event: the office's folder, or the shipped one for :data:`NEWER_EVENTS`."""
    path = templates / f"notice_{event}.txt"
    if not path.is_file() and event in NEWER_EVENTS:
        return REPO_CONFIG_DIR / "templates" / f"notice_{event}.txt"
    return path


#: Names a KIM may pick in the KIM tab's 'Kanal Notifikasi' that [notify] kim_channels maps to an Apprise URL
#: (email goes through [notify] channel; bridge.core.kim_channel has the whole vocabulary).
KIM_CHANNEL_NAMES = ("telegram", "whatsapp", "webhook")


@dataclass(frozen=True)
class NotifySettings:
    """The ``[notify]`` section, validated."""

    operator_messages: bool = _default("notify", "operator_messages")
    channel: str = _default("notify", "channel")
    apprise_urls: tuple[str, ...] = _default("notify", "apprise_urls")
    events: tuple[str, ...] = _default("notify", "events")
    max_age_days: int = _default("notify", "notice_max_age_days")
    templates: Path = REPO_CONFIG_DIR / "templates"
    max_per_cycle: int = _default("notify", "notice_max_per_cycle")
    reject_without_message: bool = _default("notify", "reject_without_message")
    it_alerts: tuple[str, ...] = _default("notify", "it_alerts")
    digest_to: tuple[str, ...] = _default("notify", "digest_to")
    digest_urls: tuple[str, ...] = _default("notify", "digest_urls")
    digest_at: str = _default("notify", "digest_at")  # HH:MM (WITA), "" = no daily digest
    digest_wait_hours: int = _default("notify", "digest_wait_hours")
    digest_items: int = _default("notify", "digest_items")
    kim_channels: Mapping[str, str] = field(default_factory=dict)
    coordinator_messages: bool = _default("notify", "coordinator_messages")  # issue 20

    @property
    def email(self) -> bool:
        """Whether the bridge's Google account sends e-mail (``auth`` must ask for gmail.send)."""
        return (self.operator_messages or bool(self.it_alerts) or bool(self.digest_to)
                or self.coordinator_messages) and self.channel == "email"

    @property
    def digest(self) -> bool:
        """Whether officers get a digest (somebody to send it to)."""
        return bool(self.digest_to or self.digest_urls)


def _notify_settings(raw: Mapping[str, Any], where: str, resolve: Any, problems: list[str]) -> NotifySettings:
    """Check what ``[notify]`` holds beyond its declarations in SPECS (the KIM channels' URLs, the message
    templates; problems are added to ``problems``) and build its settings."""
    channel = raw["channel"]
    kim_channels: dict[str, str] = {}
    for name, url in dict(raw["kim_channels"]).items():
        if name not in KIM_CHANNEL_NAMES:
            problems.append(f"{where}: [notify] kim_channels: unknown channel {name!r} (known: {', '.join(KIM_CHANNEL_NAMES)}; "
                            "e-mail goes through [notify] channel)")
        elif not isinstance(url, str) or "://" not in url or "{address}" not in url:
            problems.append(f"{where}: [notify] kim_channels.{name} must be an Apprise URL containing {{address}}, got {url!r}")
        else:
            kim_channels[name] = url
    templates = resolve(raw["notice_templates"]) if raw["notice_templates"] else REPO_CONFIG_DIR / "templates"
    if raw["operator_messages"]:
        for event in raw["events"]:
            if event in NOTIFY_EVENTS and not notice_template(templates, event).is_file():
                problems.append(f"{where}: [notify] template missing: {templates / f'notice_{event}.txt'}")
    return NotifySettings(
        operator_messages=bool(raw["operator_messages"]),
        channel=channel,
        apprise_urls=tuple(str(u) for u in raw["apprise_urls"]),
        events=tuple(str(e) for e in raw["events"]),
        max_age_days=raw["notice_max_age_days"],
        templates=templates,
        max_per_cycle=raw["notice_max_per_cycle"],
        reject_without_message=bool(raw["reject_without_message"]),
        it_alerts=tuple(str(a) for a in raw["it_alerts"]),
        digest_to=tuple(str(a) for a in raw["digest_to"]),
        digest_urls=tuple(str(u) for u in raw["digest_urls"]),
        digest_at=str(raw["digest_at"]).strip(),
        digest_wait_hours=raw["digest_wait_hours"],
        digest_items=raw["digest_items"],
        kim_channels=kim_channels,
        coordinator_messages=bool(raw["coordinator_messages"]),
    )


COORDINATION_MODES = ("none", "all", "rules")


@dataclass(frozen=True)
class Coordinator:
    email: str
    role: str


@dataclass(frozen=True)
class CoordinationSettings:
    """The ``[review]`` coordination settings (issue 20), validated."""

    mode: str = _default("review", "coordination")
    labels: tuple[str, ...] = _default("review", "coordination_labels")
    words: tuple[str, ...] = _default("review", "coordination_words")
    ditinjau: bool = _default("review", "coordination_ditinjau")
    coordinators: tuple[Coordinator, ...] = _default("review", "coordinators")

    @property
    def on(self) -> bool:
        return self.mode != "none"


def _coordination_settings(raw: Mapping[str, Any], where: str, problems: list[str]) -> CoordinationSettings:
    """Check the ``[review]`` coordination keys (problems are added to ``problems``) and build them."""
    mode = str(raw["coordination"]).strip().lower()
    if mode not in COORDINATION_MODES:
        problems.append(f"{where}: [review] coordination must be none, all or rules, got {raw['coordination']!r}")
    people: list[Coordinator] = []
    for n, table in enumerate(raw["coordinators"], 1):
        email, role = str(table.get("email", "")).strip(), str(table.get("role", "")).strip()
        extra = sorted(set(table) - {"email", "role"})
        if "@" not in email or not role or extra:
            problems.append(f"{where}: [review] coordinators: entry {n} needs email (a Google account) and role "
                            f"(e.g. \"JF Pranata Humas Ahli Muda\"), and nothing else; got {table!r}")
            continue
        people.append(Coordinator(email, role))
    if mode in ("all", "rules") and not people:
        problems.append(f"{where}: [review] coordination = {mode!r} needs [review] coordinators (nobody could agree)")
    return CoordinationSettings(
        mode=mode, labels=tuple(raw["coordination_labels"]), words=tuple(raw["coordination_words"]),
        ditinjau=bool(raw["coordination_ditinjau"]), coordinators=tuple(people))


@dataclass(frozen=True)
class Letterhead:
    """The report PDF's kop and the extra lines of its signature block ([report], issue 21)."""

    kabupaten: str = _default("report", "kabupaten")
    dinas: str = _default("report", "dinas")
    address: str = _default("report", "address")
    telephone: str = _default("report", "telephone")
    email: str = _default("report", "email")
    website: str = _default("report", "website")
    logo: Path | None = None
    signer_rank: str = _default("report", "signer_rank")
    preparer_title: str = _default("report", "preparer_title")
    preparer_name: str = _default("report", "preparer_name")
    preparer_rank: str = _default("report", "preparer_rank")
    preparer_nip: str = _default("report", "preparer_nip")


@dataclass(frozen=True)
class PhotoSettings:
    """The ``[photos]`` section, validated."""

    store: str = _default("photos", "store")
    local_dir: Path | None = None
    base_url: str = _default("photos", "base_url")
    max_side: int = _default("photos", "max_side")
    format: str = _default("photos", "format")
    quality: int = _default("photos", "quality")
    over_limit: str = _default("photos", "over_limit")
    max_megapixels: int = _default("photos", "max_megapixels")
    download_max_mb: int = _default("photos", "download_max_mb")
    max_photos: int = _default("photos", "max_photos")
    upload_folder_id: str = _default("photos", "upload_folder_id")
    max_decoded_mb: int = _default("photos", "max_decoded_mb")


def _photo_settings(raw: Mapping[str, Any], resolve: Callable[[str], Path]) -> PhotoSettings:
    """The ``[photos]`` settings (their values are checked by their declarations in SPECS)."""
    store, fmt, over = raw["store"], raw["format"], raw["over_limit"]
    return PhotoSettings(
        store=store,
        local_dir=resolve(raw["local_dir"]) if raw["local_dir"] else None,
        base_url=str(raw["base_url"]),
        max_side=raw["max_side"],
        format=fmt,
        quality=raw["quality"],
        over_limit=over,
        max_megapixels=raw["max_megapixels"],
        download_max_mb=raw["download_max_mb"],
        max_photos=raw["max_photos"],
        upload_folder_id=str(raw["upload_folder_id"]).strip(),
        max_decoded_mb=raw["max_decoded_mb"],
    )


@dataclass(frozen=True)
class Settings:
    """The validated, read-only configuration. Paths are absolute."""

    endpoint: str
    auth: str
    client_secret: Path
    token: Path
    service_account: Path | None
    spreadsheet_id: str
    responses_tab: str
    review_spreadsheet_id: str
    review_tab: str
    registry_tab: str
    archive_tab: str
    officers: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    start: str
    title_max: int
    body_min: int
    body_max: int
    require_registered_email: bool
    blog_id: str
    publish_mode: str
    labels: tuple[str, ...]
    extra_labels: tuple[str, ...]
    template: Path
    photo_folder_id: str
    photo_url: str
    photo_max_mb: int
    archive_after_days: int
    state_path: Path
    timezone: str
    poll_interval_minutes: int
    wilayah_csv: Path
    log_format: str
    max_retries: int
    retry_wait_ms: int
    sk_warning_days: int = _default("report", "sk_warning_days")
    quiet_days: int = _default("report", "quiet_days")
    interest_percent: int = _default("report", "interest_percent")
    power_min: int = _default("report", "power_min")
    influence_min: int = _default("report", "influence_min")
    weight_published: int = _default("report", "weight_published")
    weight_approval: int = _default("report", "weight_approval")
    weight_comments: int = _default("report", "weight_comments")
    place: str = _default("report", "place")
    signer_title: str = _default("report", "signer_title")
    signer_name: str = _default("report", "signer_name")
    signer_nip: str = _default("report", "signer_nip")
    letterhead: Letterhead = field(default_factory=lambda: Letterhead())
    report_drive_folder_id: str = _default("report", "drive_folder_id")
    monthly: bool = _default("report", "monthly")
    monthly_hour: int = _default("report", "monthly_hour")
    monthly_out_dir: Path | None = None
    csv_dialect: str = _default("report", "csv_dialect")
    source: str = "<defaults>"
    photos: PhotoSettings = PhotoSettings()
    notify: NotifySettings = NotifySettings()
    poll_interval_seconds: int = _default("bridge", "poll_interval_seconds")
    sandbox_clock: bool = _default("google", "sandbox_clock")
    oauth_app_status: str = _default("google", "oauth_app_status")
    status_tab: str = _default("sheets", "status_tab")
    grant_warn_days: int = _default("google", "grant_warn_days")
    coordination: CoordinationSettings = field(default_factory=lambda: CoordinationSettings())

    @property
    def poll_seconds(self) -> int:
        """Seconds between the cycles of `run`."""
        return self.poll_interval_seconds or 60 * self.poll_interval_minutes

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def uses_sandbox(self) -> bool:
        return self.auth == "sandbox"

    def validation_rules(self) -> ValidationRules:
        """The thresholds intake validates with (the core's rules have no defaults of their own)."""
        return ValidationRules(title_max=self.title_max, body_min=self.body_min, body_max=self.body_max,
                               require_registered_email=self.require_registered_email, max_photos=self.photos.max_photos)

    def report_rules(self) -> ReportRules:
        """The report's thresholds and weights (the core's rules have no defaults of their own)."""
        return ReportRules(interest_percent=self.interest_percent, power_min=self.power_min,
                           influence_min=self.influence_min, weight_published=self.weight_published,
                           weight_approval=self.weight_approval, weight_comments=self.weight_comments)


def _did_you_mean(section: str, key: str) -> str:
    """For an unknown key: the section it belongs in, or the known key it is a typo of ('' if none is close)."""
    import difflib

    homes = [s.section for s in SPECS if s.key == key]
    if homes:
        return f": it belongs in [{homes[0]}]"
    names = {f"{s.section}.{s.key}": s for s in SPECS}
    close = difflib.get_close_matches(f"{section}.{key}", list(names), n=1, cutoff=0.8)
    return f" (did you mean [{names[close[0]].section}] {names[close[0]].key}?)" if close else ""


def _coerce(spec: Spec, value: Any, where: str, problems: list[str]) -> Any:
    """Coerce a TOML or environment value to the spec's type, noting problems."""
    name = f"{where} [{spec.section}] {spec.key}"
    if spec.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "ya", "0", "false", "no", "tidak"}:
            return value.strip().lower() in {"1", "true", "yes", "ya"}
        problems.append(f"{name}: expected true or false, got {value!r}")
        return spec.default
    if spec.type is int:
        if isinstance(value, bool):
            problems.append(f"{name}: expected a whole number, got {value!r}")
            return spec.default
        if isinstance(value, float):
            if not value.is_integer():  # 2.5, inf and nan
                problems.append(f"{name}: expected a whole number, got {value!r}")
                return spec.default
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            problems.append(f"{name}: expected a whole number, got {value!r}")
            return spec.default
    if spec.type is list:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        problems.append(f"{name}: expected a list of strings, got {value!r}")
        return spec.default
    if spec.type is TableList:
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        problems.append(f"{name}: expected a list of tables like [{{ email = \"...\", role = \"...\" }}], got {value!r}")
        return spec.default
    if spec.type is dict:
        if isinstance(value, dict):
            return value
        problems.append(f"{name}: expected a table, got {value!r}")
        return spec.default
    if not isinstance(value, str):
        problems.append(f"{name}: expected a string, got {value!r}")
        return spec.default
    return value


def load_settings(path: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None) -> Settings:
    """Load, override and validate the configuration.

    Args:
        path: the TOML file; ``None`` means defaults plus environment only.
        env: environment mapping (defaults to ``os.environ``).

    Raises:
        ConfigError: listing every problem found (file, key, what is wrong).
    """
    source, base, data = _read_file(path)
    problems = _unknown_keys(data, source)
    raw = _values(data, os.environ if env is None else env, source, problems)

    def resolve(p: str) -> Path:
        q = Path(p).expanduser()
        return q if q.is_absolute() else (base / q).resolve()

    for spec in SPECS:  # every setting's checks, declared with it, in the order of the file
        problems += [f"{source}: {problem}" for check in spec.checks for problem in check(spec, raw[spec.key], raw)]
    aliases = _aliases(raw, source, problems)
    template, wilayah = _shipped_files(raw, source, resolve, problems)
    photos = _photo_settings(raw, resolve)
    notify = _notify_settings(raw, source, resolve, problems)
    coordination = _coordination_settings(raw, source, problems)
    problems += [f"{source}: {problem}" for problem in _coordination_messages_checks(notify, coordination)]
    if problems:
        raise ConfigError(problems, source)
    return _settings(raw, source, resolve, aliases=aliases, template=template, wilayah=wilayah, photos=photos, notify=notify,
                     coordination=coordination)


def _coordination_messages_checks(notify: NotifySettings, coordination: CoordinationSettings) -> list[str]:
    """[notify] coordinator_messages needs coordination on, and a way to send (issue 20)."""
    problems = []
    if notify.coordinator_messages and not coordination.on:
        problems.append("[notify] coordinator_messages = true needs [review] coordination (all or rules)")
    if notify.coordinator_messages and notify.channel == "apprise" and not notify.apprise_urls:
        problems.append("[notify] coordinator_messages with channel = \"apprise\" needs apprise_urls")
    return problems


def _read_file(path: str | os.PathLike[str] | None) -> tuple[str, Path, dict[str, Any]]:
    """The TOML file's tables, with its name (for messages) and its folder (relative paths start there).

    Raises:
        ConfigError: the file cannot be found, read or parsed (nothing else can be checked then).
    """
    if path is None:
        return "<defaults>", Path.cwd(), {}
    file = Path(path).expanduser().resolve()
    source = str(file)
    try:
        with file.open("rb") as fh:
            return source, file.parent, tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([f"file not found: {file} (copy config/bridge.example.toml and edit it)"], source) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], source) from exc
    except UnicodeDecodeError:
        raise ConfigError(["not UTF-8 text: save the file as UTF-8 (e.g. with nano, or 'UTF-8' in Notepad)"], source) from None
    except OSError as exc:
        raise ConfigError(
            [f"cannot read the file ({exc.strerror or exc}); it must be readable by the user the bridge runs as"], source
        ) from None


def _unknown_keys(data: Mapping[str, Any], source: str) -> list[str]:
    """A section that is no table, and each key no setting declares (with where it belongs, or what it is a typo of)."""
    problems: list[str] = []
    known = {(s.section, s.key) for s in SPECS}
    for section, table in data.items():
        if not isinstance(table, dict):
            problems.append(f"{source}: [{section}] should be a table")
            continue
        for key in table:
            if (section, key) not in known:
                problems.append(f"{source}: unknown key [{section}] {key}{_did_you_mean(section, key)}")
    return problems


def _values(data: Mapping[str, Any], env: Mapping[str, str], source: str, problems: list[str]) -> dict[str, Any]:
    """Each setting's value by key: the default, the file's value over it, ``MYMEIN_<SECTION>_<KEY>`` over that,
    each of the setting's type (a value that is not keeps the default, and a problem is noted)."""
    raw: dict[str, Any] = {}
    for spec in SPECS:
        value = spec.default
        table = data.get(spec.section)
        if isinstance(table, dict) and spec.key in table:
            value = _coerce(spec, table[spec.key], source, problems)
        env_name = f"{ENV_PREFIX}{spec.section}_{spec.key}".upper()
        if env_name in env:
            value = _coerce(spec, env[env_name], f"environment {env_name}:", problems)
        raw[spec.key] = value
    return raw


def _aliases(raw: Mapping[str, Any], where: str, problems: list[str]) -> dict[str, tuple[str, ...]]:
    """``[sheets.aliases]``: field name → question titles (a field whose titles are no list of text is a problem)."""
    aliases: dict[str, tuple[str, ...]] = {}
    for name, titles in dict(raw["aliases"]).items():
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            problems.append(f"{where}: [sheets.aliases] {name} must be a list of question titles")
            continue
        aliases[str(name)] = tuple(titles)
    return aliases


def _shipped_files(raw: Mapping[str, Any], where: str, resolve: Callable[[str], Path], problems: list[str]) -> tuple[Path, Path]:
    """The post template and the wilayah list: the configured ones, or those shipped in config/; both must exist."""
    template = resolve(raw["template"]) if raw["template"] else REPO_CONFIG_DIR / "templates" / "post.html"
    wilayah = resolve(raw["wilayah_csv"]) if raw["wilayah_csv"] else REPO_CONFIG_DIR / "balangan_wilayah.csv"
    if not template.is_file():
        problems.append(f"{where}: [blog] template: file not found: {template}")
    if not wilayah.is_file():
        problems.append(f"{where}: [bridge] wilayah_csv: file not found: {wilayah}")
    return template, wilayah


def _settings(
    raw: Mapping[str, Any], source: str, resolve: Callable[[str], Path], *, aliases: Mapping[str, tuple[str, ...]],
    template: Path, wilayah: Path, photos: PhotoSettings, notify: NotifySettings, coordination: CoordinationSettings,
) -> Settings:
    """The validated values as :class:`Settings` (paths absolute, lists as tuples)."""
    def optional_path(key: str) -> Path | None:
        return resolve(raw[key]) if raw[key] else None

    return Settings(
        endpoint=str(raw["endpoint"]).rstrip("/"),
        auth=raw["auth"],
        client_secret=resolve(raw["client_secret"]),
        token=resolve(raw["token"]),
        service_account=optional_path("service_account"),
        spreadsheet_id=raw["spreadsheet_id"],
        responses_tab=raw["responses_tab"],
        review_spreadsheet_id=raw["review_spreadsheet_id"] or raw["spreadsheet_id"],
        review_tab=raw["review_tab"],
        registry_tab=raw["registry_tab"],
        archive_tab=raw["archive_tab"],
        officers=tuple(raw["officers"]),
        aliases=aliases,
        start=raw["start"],
        title_max=raw["title_max"],
        body_min=raw["body_min"],
        body_max=raw["body_max"],
        require_registered_email=raw["require_registered_email"],
        blog_id=raw["blog_id"],
        publish_mode=raw["publish_mode"],
        labels=tuple(raw["labels"]),
        extra_labels=tuple(raw["extra_labels"]),
        template=template,
        photo_folder_id=raw["photo_folder_id"],
        photo_url=raw["photo_url"],
        photo_max_mb=raw["photo_max_mb"],
        archive_after_days=raw["archive_after_days"],
        state_path=resolve(raw["state_path"]),
        timezone=raw["timezone"],
        poll_interval_minutes=raw["poll_interval_minutes"],
        wilayah_csv=wilayah,
        log_format=raw["log_format"],
        max_retries=raw["max_retries"],
        retry_wait_ms=raw["retry_wait_ms"],
        sk_warning_days=raw["sk_warning_days"],
        quiet_days=raw["quiet_days"],
        interest_percent=raw["interest_percent"],
        power_min=raw["power_min"],
        influence_min=raw["influence_min"],
        weight_published=raw["weight_published"],
        weight_approval=raw["weight_approval"],
        weight_comments=raw["weight_comments"],
        place=raw["place"],
        signer_title=raw["signer_title"],
        signer_name=raw["signer_name"],
        signer_nip=raw["signer_nip"],
        letterhead=Letterhead(
            kabupaten=raw["kabupaten"], dinas=raw["dinas"], address=raw["address"], telephone=raw["telephone"],
            email=raw["email"], website=raw["website"], logo=optional_path("logo"),
            signer_rank=raw["signer_rank"], preparer_title=raw["preparer_title"], preparer_name=raw["preparer_name"],
            preparer_rank=raw["preparer_rank"], preparer_nip=raw["preparer_nip"]),
        report_drive_folder_id=raw["drive_folder_id"],
        monthly=raw["monthly"],
        monthly_hour=raw["monthly_hour"],
        monthly_out_dir=optional_path("monthly_out_dir"),
        csv_dialect=raw["csv_dialect"],
        source=source,
        photos=photos,
        poll_interval_seconds=raw["poll_interval_seconds"],
        sandbox_clock=raw["sandbox_clock"],
        notify=notify,
        oauth_app_status=raw["oauth_app_status"],
        status_tab=str(raw["status_tab"]).strip(),
        grant_warn_days=raw["grant_warn_days"],
        coordination=coordination,
    )


def setting_names() -> list[str]:
    """All ``[section] key`` names, for docs and tests."""
    return [f"[{s.section}] {s.key}" for s in SPECS]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(values: Mapping[tuple[str, str], Any], header: str = "") -> str:
    """Write a complete, commented TOML config: defaults overridden by ``values``.

    Used by ``sandbox --write-config``; every key appears with its help line.
    """
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    section = None
    for spec in SPECS:
        if spec.type is dict and not values.get((spec.section, spec.key)):
            continue  # an empty table is left out (the example file shows it as a [section.key] table)
        if spec.section != section:
            section = spec.section
            lines += ["", f"[{section}]"]
        value = values.get((spec.section, spec.key), spec.default)
        lines.append(f"# {spec.help}")
        lines.append(f"{spec.key} = {_toml_value(value)}")
    return "\n".join(lines).lstrip("\n") + "\n"


__all__ = ["CoordinationSettings", "Coordinator", "Letterhead", "PhotoSettings", "Settings", "SPECS", "load_settings", "render_config", "setting_names"]
