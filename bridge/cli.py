"""The ``mymein-bridge`` command line: parse options, call one library function, map errors.

Exit codes: 0 ok; 1 a check found problems; 2 bad usage or configuration, or a local
ledger that cannot be used (folder or file); 3 credentials problem; 4 another problem;
75 temporary failure (try again later). systemd restarts `run` on 4 and 75, not on 2 or 3
(deploy/mymein-bridge.service).
"""

from __future__ import annotations

import argparse
import inspect
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bridge import __version__
from bridge.clock import Clock
from bridge.exceptions import (
    AuthError,
    BridgeError,
    ConfigError,
    FatalError,
    LedgerError,
    NotFoundError,
    RetriableError,
)

log = logging.getLogger("bridge.cli")

if TYPE_CHECKING:  # imported when used: `--help` and `--version` stay fast
    from bridge.config import Settings
    from bridge.service.scheduler import StopFlag

EXIT_OK, EXIT_PROBLEMS, EXIT_CONFIG, EXIT_AUTH, EXIT_FATAL, EXIT_TEMPFAIL = 0, 1, 2, 3, 4, 75

Handler = Callable[[argparse.Namespace], int]


def _require_ledger_folder(settings: Settings) -> None:
    """Stop with exit 2 (systemd does not restart it: RestartPreventExitStatus) when the ledger cannot be kept."""
    from bridge.service.ledger_folder import ledger_folder_problem

    problem = ledger_folder_problem(settings.state_path)
    if problem:
        raise ConfigError([problem], str(settings.source))


def _load(args: argparse.Namespace) -> Settings:
    """The validated settings; from here on, logs use the configured format (text or JSON)."""
    from dataclasses import replace

    from bridge.config import load_settings
    from bridge.logs import setup_logging

    settings = load_settings(args.config)
    if getattr(args, "start", None):
        settings = replace(settings, start=args.start)
    setup_logging(settings.log_format, logging.DEBUG if args.verbose else logging.INFO)
    return settings


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Run the local Google sandbox (Sheets v4, Blogger v3, Drive v3, Gmail v1) on this machine.

    Without --state it starts from a demo seed: a form responses tab with
    submissions from Balangan villages, a KIM registry and a blog. Open the
    printed URL in a browser to see the blog preview and the outbox (messages
    sent through Gmail users.messages.send, and those posted to the webhook
    sink json://127.0.0.1:PORT/_sandbox/webhook/NAME). Changes through
    POST /_sandbox/* need the admin token it prints (header X-Sandbox-Admin);
    the config it writes carries a token the sandbox issued for the bridge.

    Example:
      mymein-bridge sandbox --port 8765 --state sandbox.json --write-config sandbox.toml
    """
    from bridge.sandbox.server import serve_forever_cli

    return serve_forever_cli(args.port, args.state, args.write_config, host=args.host)


def cmd_check(args: argparse.Namespace) -> int:
    """Check the config, the credentials, the spreadsheet tabs and the blog, in plain words.
    Also checks the KIM tab row by row and lists the partnership alerts (SK ending or ended,
    KIM under review or terminated, KIM with no accepted news for [report] quiet_days).

    Exits 0 when everything is reachable, 1 when something needs fixing (registry problems and
    alerts are WARN lines: officers fix them in the sheet), 75 when the only problem is that
    Google or the network cannot be reached now (try again later, as `run` does).
    With --probe-blog it also creates a draft post on the blog (markers and a photo, as the
    bridge builds posts), reads it back, fetches the photo anonymously and deletes the draft:
    run it once at install.

    Example:
      mymein-bridge check -c /etc/mymein-bridge/bridge.toml
      mymein-bridge check -c /etc/mymein-bridge/bridge.toml --probe-blog
      mymein-bridge check -c /etc/mymein-bridge/bridge.toml --send-test operator@example.com

    With operator messages, IT alerts or the digest on ([notify]), it verifies the templates and
    each channel without sending; --send-test ADDRESS sends one test message there through
    [notify] channel.
    """
    from bridge.commands.check import Verdict, run_check

    settings = _load(args)
    lines, verdict = run_check(settings, clock=args.clock, probe_blog=args.probe_blog, send_test=args.send_test)
    for line in lines:
        print(line)
    return {Verdict.OK: EXIT_OK, Verdict.PROBLEMS: EXIT_PROBLEMS, Verdict.UNREACHABLE: EXIT_TEMPFAIL}[verdict]


def cmd_init(args: argparse.Namespace) -> int:
    """Prepare the spreadsheet (safe to run again): Review, KIM and Arsip tabs with headers,
    frozen header rows, the Status dropdown, protected bridge columns, the Status Bridge tab
    officers read the bridge's health in, and a check that the responses tab has the form's questions. The KIM tab gets the Juknis Tabel 3.1 columns it
    lacks (added at the right, officers' data untouched) and dropdowns for its closed lists.

    Example:
      mymein-bridge init -c bridge.toml
    """
    from bridge.app import build_deps
    from bridge.commands.prepare import prepare

    settings = _load(args)
    _require_ledger_folder(settings)  # exit 2 with what to do, as once and run (not 4)
    deps = build_deps(settings, clock=args.clock)
    try:
        lines = prepare(deps)
    finally:
        deps.close()
    for line in lines:
        print(line)
    return EXIT_OK


def cmd_once(args: argparse.Namespace) -> int:
    """Run one cycle: read new form responses, queue them in Review, publish approved rows.

    With --dry-run nothing is written anywhere (sheet, blog, Drive or the local
    ledger); it prints what it would queue and publish. A real cycle refuses to
    start while another bridge (e.g. the `run` service) uses the same state file,
    or holds the spreadsheet's lease from another machine or state file (exit 4,
    naming it); --take-over takes the lease from it (that bridge then stops writing).

    Example:
      mymein-bridge once -c bridge.toml
      mymein-bridge once -c bridge.toml --dry-run
      mymein-bridge once -c bridge.toml --take-over
    """
    from contextlib import nullcontext

    from bridge.adapters.ledger import Ledger
    from bridge.app import build_deps
    from bridge.cycle.pipeline import run_cycle
    from bridge.service.scheduler import single_instance
    from bridge.service.startup import refuse_a_wrong_blog_id

    settings = _load(args)
    if not args.dry_run:
        _require_ledger_folder(settings)
    # A dry run writes nothing, so it may look while the service runs; a real cycle may not.
    with nullcontext() if args.dry_run else single_instance(settings.state_path):
        deps = build_deps(settings, clock=args.clock,
                          ledger=Ledger.scratch_copy(settings.state_path) if args.dry_run else None)
        deps.dry_run = args.dry_run
        deps.take_over = args.take_over
        try:
            refuse_a_wrong_blog_id(settings.blog_id, settings.source, deps.blogger)  # exit 2; no row turns GAGAL
            report = run_cycle(deps)
        finally:
            deps.close()
    print(report.summary())
    for line in report.lease:
        print(f"  note: {line}")
    for line in report.intake.drift:
        print(f"  note: responses tab changed: {line}")
    for line in report.plan:
        print(f"  {line}")
    for line in report.problems:
        print(f"  ! {line}")
    if report.skipped:
        return EXIT_TEMPFAIL  # nothing could be read: try again later
    if report.intake.halted_config:
        return EXIT_CONFIG  # a form question no longer maps: only a config (or header) edit fixes it
    # 1 whenever an item needs a person, a GAGAL row included (e.g. a wrong blog_id).
    failed = report.publish.failed and not args.dry_run  # a dry run only shows what would fail
    return EXIT_PROBLEMS if report.problems or report.intake.halted or failed else EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bridge as a service: one cycle every [bridge] poll_interval_minutes.

    [bridge] poll_interval_seconds, when set, replaces it (soaks against the sandbox).

    With [report] monthly = true it also writes the previous month's report on the 1st at
    [report] monthly_hour (or at the first cycle after, if it was not running then).

    Only one bridge may write a spreadsheet: while another one (another machine, or
    another state file) holds its lease, `run` stands by, writing nothing, and takes
    over when that lease expires (it is renewed while its bridge runs); --take-over
    takes it at once (the other bridge then stops writing). SIGTERM or Ctrl-C finish
    the current item and exit. See deploy/mymein-bridge.service for systemd.

    Example:
      mymein-bridge run -c /etc/mymein-bridge/bridge.toml
      mymein-bridge run -c /etc/mymein-bridge/bridge.toml --take-over
    """
    from bridge.app import build_deps, it_alert
    from bridge.clock import system_clock
    from bridge.commands.report import maybe_monthly_report
    from bridge.cycle.context import CycleContext
    from bridge.cycle.grant import warn_grant_ending
    from bridge.cycle.pipeline import run_cycle
    from bridge.cycle.release import keep_started
    from bridge.service.pulse import Pulse
    from bridge.service.scheduler import ServiceCycle, StopFlag, run_forever, single_instance
    from bridge.service.startup import refuse_a_wrong_blog_id

    settings = _load(args)
    _require_ledger_folder(settings)
    stop = StopFlag()
    restore_signals = _stop_on_signals(stop)  # systemd may stop us while we connect: exit 0, not -15

    take_over = [args.take_over]  # once: the first connection's first cycle takes the lease over

    def connect() -> CycleContext:
        deps = build_deps(settings, clock=args.clock)
        deps.should_stop = stop
        deps.standby = True  # another bridge holds the spreadsheet: wait, take over when its lease expires
        deps.take_over, take_over[0] = take_over[0], False
        try:
            # Reach Google once at start: unreachable (network still down) ends `run` with 75, as
            # README promises, instead of waiting silently. The answer is cached for the first cycle.
            deps.sheets.info(settings.spreadsheet_id)
            refuse_a_wrong_blog_id(settings.blog_id, settings.source, deps.blogger)  # exit 2, not an error each cycle
        except BaseException:
            deps.close()
            raise
        return deps

    alert = it_alert(settings)

    def cycle_then_monthly_report(deps: CycleContext) -> object:
        report = run_cycle(deps)
        maybe_monthly_report(deps)  # after the cycle, on the same connections: never two at once
        warn_grant_ending(settings, deps.now(), deps.ledger, alert)  # once, days before a Testing grant ends
        return report

    try:
        with single_instance(settings.state_path):
            cycle = ServiceCycle(connect, cycle_then_monthly_report, CycleContext.close)
            cycle.connect()  # credentials, ledger: a problem here ends `run` with its exit code
            keep_started()  # what starting made lives as long as `run`: out of the collector's way (issue 22)
            try:
                if stop():
                    log.info("stopped while starting: no cycle run")
                else:
                    run_forever(cycle, interval_seconds=settings.poll_seconds, stop=stop,
                                pulse=Pulse(args.clock or system_clock, alert, settings.tz))
            finally:
                cycle.close()
    finally:
        restore_signals()
    return EXIT_OK


def _stop_on_signals(stop: StopFlag) -> Callable[[], None]:
    """SIGTERM/SIGINT set ``stop`` (until the scheduler installs its own handlers); returns the undo."""
    import signal

    def early(signum: int, _frame: object) -> None:
        log.info("received %s while starting: stopping before the first cycle", signal.Signals(signum).name)
        stop.set()

    before = {sig: signal.signal(sig, early) for sig in (signal.SIGTERM, signal.SIGINT)}

    def undo() -> None:
        for sig, handler in before.items():
            signal.signal(sig, handler)

    return undo


def cmd_auth(args: argparse.Namespace) -> int:
    """Sign in as a blog author (OAuth, installed app) and save the token (owner-only file).

    On a server without a browser: open the printed URL on any computer, allow
    access, then paste back the address the browser was sent to. With --listen,
    a local listener receives the redirect instead (tunnel it with ssh -L).

    Example:
      mymein-bridge auth -c bridge.toml
      mymein-bridge auth -c bridge.toml --listen --port 8085
    """
    from bridge.adapters.auth import (
        listener_flow,
        paste_back_flow,
        read_client_config,
        save_token,
        user_scopes,
    )
    from bridge.clock import system_clock

    settings = _load(args)
    config = read_client_config(settings.client_secret)
    if settings.endpoint:  # the sandbox's consent screen and token endpoint, never Google's
        import os

        config["installed"] = dict(config["installed"], auth_uri=f"{settings.endpoint}/o/oauth2/auth",
                                   token_uri=f"{settings.endpoint}/token")
        if settings.endpoint.startswith("http://"):
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib insists on https otherwise
    if args.listen:
        creds = listener_flow(config, port=args.port, say=print, scopes=user_scopes(settings))
    else:
        creds = paste_back_flow(config, ask=input, say=print, port=args.port, scopes=user_scopes(settings))
    save_token(creds, settings.token, consented_at=(args.clock or system_clock)().astimezone(settings.tz))
    print(f"Token tersimpan / token saved: {settings.token} (permissions 600). Next: mymein-bridge check -c {args.config}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Try the whole bridge with no Google account: start the sandbox in this process,
    queue the demo submissions, approve some as an officer would, publish them, and
    show the Review tab, the posts and where to open the blog preview.

    Example:
      mymein-bridge demo
      mymein-bridge demo --port 8765 --dir demo-state --no-serve
    """
    from bridge.commands.demo import run_demo

    return run_demo(port=args.port, workdir=Path(args.dir) if args.dir else None, serve=args.serve, out=print)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the monitoring-and-evaluation report (Juknis Kemitraan KIM 2022) for a period: the
    'Laporan <period>' tab, replaced whole on each run, and with --out a PDF to print and sign
    (A4 landscape, with the kop and the signature block), an Excel workbook and one CSV file per
    table.

    PERIOD is a month 2026-11, a quarter 2026-Q4, a half-year 2026-S2, a year 2026 or a range
    2026-10-01..2026-11-30. A period that ends after today is refused unless --allow-future; a
    period that has not ended is marked SEMENTARA (provisional) on the title.

    Example:
      mymein-bridge report -c bridge.toml --period 2026-11 --out laporan-2026-11
    """
    from bridge.app import build_deps
    from bridge.commands.report import write_report
    from bridge.core.period import PeriodError, ends_after, parse_period
    from bridge.core.waiting import waiting_line

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        print(f"Error: --period {exc}", file=sys.stderr)
        return EXIT_CONFIG
    settings = _load(args)
    _require_ledger_folder(settings)  # exit 2 with what to do, as once and run (not 4)
    deps = build_deps(settings, clock=args.clock)
    try:
        today = deps.now().date()
        if ends_after(period, today) and not args.allow_future:
            print(f"Error: --period {period.key} ends on {period.end:%d/%m/%Y}, after today ({today:%d/%m/%Y}): its report "
                  "would be incomplete; add --allow-future for a provisional (SEMENTARA) report", file=sys.stderr)
            return EXIT_CONFIG
        result = write_report(deps, period, Path(args.out) if args.out else None)
    except OSError as exc:  # the tab is written first; only the files failed
        print(f"Error: the tab was written, but not the report files in {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FATAL
    finally:
        deps.close()
    report = result.report
    published = len(report.table("tabel-5-2-diseminasi").rows)
    drafts = f", {report.drafts} approved item(s) waiting as drafts in Blogger" if report.drafts else ""
    provisional = " (provisional: the period has not ended)" if report.provisional else ""
    print(f"Report {period.key} ({period.label}){provisional}: {published} published item(s){drafts}; tab '{result.tab}' written")
    print(f"  {waiting_line(report.waiting)}")
    for path in result.files:
        print(f"  {path}")
    for link in result.uploaded:
        print(f"  Drive: {link}")
    if result.alerts:  # in Indonesian, word for word as `check` prints them
        print(f"  partnership alerts: {len(result.alerts)}")
    for alert in result.alerts:
        print(f"    {alert.kim} ({alert.kecamatan}): {alert.id}")
    return EXIT_OK


def _port(text: str) -> int:
    """A TCP port number for argparse (0 = any free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {port}")
    return port


def _summary(doc: str) -> str:
    """The one-line summary `mymein-bridge --help` lists: the docstring's first sentence, whole.

    Its first line alone ended mid-sentence ("... start the sandbox in this process,").
    """
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    sentence = paragraph.split(". ", 1)[0].rstrip(".")
    if len(sentence) > 90 and ": " in sentence:  # the gist is before the colon, the details after
        sentence = sentence.split(": ", 1)[0]
    return sentence


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", required=True, help="the bridge's TOML config file")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mymein-bridge",
        description="MY MEIN bridge: KIM Balangan Google Form → Review tab → Blogger.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mymein-bridge {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler) -> argparse.ArgumentParser:
        doc = inspect.cleandoc(handler.__doc__ or "")  # dedent misses lines after a first line that starts at the quotes
        p = sub.add_parser(
            name, help=_summary(doc) or name, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        p.set_defaults(handler=handler)
        return p

    p = add("demo", cmd_demo)
    p.add_argument("--port", type=_port, default=0, help="sandbox port (default: any free port)")
    p.add_argument("--dir", default="", help="keep the demo's config, ledger and sandbox state here (default: a temp dir)")
    p.add_argument("--serve", action=argparse.BooleanOptionalAction, default=None,
                   help="keep the sandbox running for the browser preview until Ctrl-C (default: when in a terminal)")

    p = add("sandbox", cmd_sandbox)
    p.add_argument("--port", type=_port, default=8765, help="port to listen on (default 8765; 0 = any free port)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; any other is reachable by other machines, with a warning)")
    p.add_argument("--state", default=None, help="JSON state file to load and persist (created from the demo seed if missing)")
    p.add_argument("--write-config", default=None, metavar="CFG", help="write a bridge config pointing at this sandbox")

    p = add("check", cmd_check)
    _config_arg(p)
    p.add_argument("--probe-blog", action="store_true",
                   help="create a draft post with the markers and a photo, read it back, fetch the photo anonymously, delete it")
    p.add_argument("--send-test", default="", metavar="ADDRESS",
                   help="send one test message to this address through [notify] channel (used by operator messages, it_alerts or digest_to)")
    p = add("init", cmd_init)
    _config_arg(p)
    p = add("once", cmd_once)
    _config_arg(p)
    p.add_argument("--dry-run", action="store_true", help="read everything, write nothing, print the plan")
    p.add_argument("--start", choices=("backfill", "now"), help="first run on a sheet with history: queue it all, or only what comes next (overrides [intake] start)")
    p.add_argument("--take-over", action="store_true", help=TAKE_OVER_HELP)
    p = add("run", cmd_run)
    _config_arg(p)
    p.add_argument("--take-over", action="store_true", help=TAKE_OVER_HELP)
    p.add_argument("--start", choices=("backfill", "now"), help="first run on a sheet with history (overrides [intake] start)")
    p = add("report", cmd_report)
    _config_arg(p)
    p.add_argument("--period", required=True, metavar="P", help="2026-11, 2026-Q4, 2026-S2, 2026 or 2026-10-01..2026-11-30")
    p.add_argument("--out", default="", metavar="DIR", help="also write the PDF, the Excel workbook and the CSV files in this folder")
    p.add_argument("--allow-future", action="store_true", help="accept a period that ends after today (marked SEMENTARA)")
    p = add("auth", cmd_auth)
    _config_arg(p)
    p.add_argument("--listen", action="store_true", help="receive the redirect on a local listener (for ssh -L)")
    p.add_argument("--port", type=_port, default=8085, help="loopback port in the redirect address (default 8085)")
    return parser


TAKE_OVER_HELP = ("take the spreadsheet's lease from the bridge that holds it (another machine or state file), "
                  "which then stops writing; use it when moving the service here")


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one command; ``clock`` (tests) replaces the system clock for the bridge."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.clock = clock
    from bridge.pysupport import import_google_holding_warning

    import_google_holding_warning()  # logged once per state file when a command opens its ledger
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_CONFIG
    from bridge.logs import setup_logging

    # Until a config is loaded (then its log_format applies). The demo tells its own story on
    # stdout; its event log only shows problems unless -v.
    quiet = logging.WARNING if args.command == "demo" else logging.INFO
    setup_logging("text", logging.DEBUG if args.verbose else quiet)
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"Configuration problem in {exc.source}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_CONFIG
    except AuthError as exc:
        print(f"Credentials problem: {exc}", file=sys.stderr)
        return EXIT_AUTH
    except (LedgerError, NotFoundError) as exc:  # a person must fix the file or the config: 2, no restart loop
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except FatalError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except RetriableError as exc:
        print(f"Temporary problem, try again later: {exc}", file=sys.stderr)
        return EXIT_TEMPFAIL
    except BridgeError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
