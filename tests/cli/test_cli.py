"""The command line: help with examples, exact messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import EXIT_CONFIG, build_parser, main

COMMANDS = ("demo", "sandbox", "check", "init", "once", "run", "report", "auth")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff get a description and an example from `mymein-bridge COMMAND --help`."""
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Example:" in out
    assert f"mymein-bridge {command}" in out


def test_no_placeholder_commands() -> None:
    """Only commands that work are offered."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(COMMANDS)  # type: ignore[union-attr]


def test_config_problems_exit_2_with_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken config file prints each problem on its own line and exits 2."""
    cfg = tmp_path / "bridge.toml"
    cfg.write_text('[blog]\npublish_mode = "soon"\n', encoding="utf-8")
    assert main(["check", "-c", str(cfg)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.startswith(f"Configuration problem in {cfg}:\n")
    assert "  - " in err and "spreadsheet_id is empty" in err and "publish_mode must be draft or live" in err


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong path is reported, not a traceback."""
    assert main(["once", "-c", str(tmp_path / "missing.toml")]) == EXIT_CONFIG
    assert "file not found" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Running without a command shows the list of commands."""
    assert main([]) == EXIT_CONFIG
    assert "COMMAND" in capsys.readouterr().out


def test_command_list_shows_whole_summaries() -> None:
    """`mymein-bridge --help` cut summaries mid-sentence ("start the sandbox in this process,")."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    summaries = {action.dest: action.help for action in sub._choices_actions}  # type: ignore[attr-defined]
    assert summaries == {
        "demo": "Try the whole bridge with no Google account",
        "sandbox": "Run the local Google sandbox (Sheets v4, Blogger v3, Drive v3, Gmail v1) on this machine",
        "check": "Check the config, the credentials, the spreadsheet tabs and the blog, in plain words",
        "init": "Prepare the spreadsheet (safe to run again)",
        "once": "Run one cycle: read new form responses, queue them in Review, publish approved rows",
        "run": "Run the bridge as a service: one cycle every [bridge] poll_interval_minutes",
        "report": "Write the monitoring-and-evaluation report (Juknis Kemitraan KIM 2022) for a period",
        "auth": "Sign in as a blog author (OAuth, installed app) and save the token (owner-only file)",
    }
