"""Config: declared once, overridable by MYMEIN_* variables, every problem reported together."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bridge.config import SPECS, load_settings, render_config
from bridge.exceptions import ConfigError

ROOT = Path(__file__).parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_documents_every_key() -> None:
    """IT staff find every setting, with a comment, in config/bridge.example.toml."""
    text = (ROOT / "config" / "bridge.example.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for spec in SPECS:
        if spec.type is dict:
            continue
        assert spec.key in data[spec.section], f"[{spec.section}] {spec.key} missing from the example"
        assert f"# {spec.help}\n{spec.key} =" in text


def test_example_config_loads() -> None:
    """The example file is valid as shipped, with WITA as the default time zone."""
    settings = load_settings(ROOT / "config" / "bridge.example.toml", env={})
    assert settings.timezone == "Asia/Makassar"
    assert settings.endpoint == ""


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    """A broken config lists every problem with its key, not just the first one."""
    path = _write(tmp_path, '[google]\nauth = "robot"\n[blog]\npublish_mode = "now"\n[bridge]\ntimezone = "Mars/Base"\npoll_interval_minutes = "often"\n[oops]\nx = 1\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    text = "\n".join(info.value.problems)
    for needle in ("auth must be one of", "publish_mode", "Mars/Base", "poll_interval_minutes", "spreadsheet_id is empty", "blog_id is empty", "[oops]"):
        assert needle in text
    assert str(path) in str(info.value)


def test_body_max_fits_in_a_sheets_cell(tmp_path: Path) -> None:
    """A body_max above 50,000 would let Google refuse every Review append (HTTP 400) instead of cutting the body."""
    path = _write(tmp_path, '[sheets]\nspreadsheet_id = "abc"\n[blog]\nblog_id = "1"\n[intake]\nbody_max = 60000\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.problems == [
        f"{path}: [intake] body_max must be at most 50000 (a Google Sheets cell holds at most 50,000 characters), got 60000"
    ]
    assert load_settings(path, env={"MYMEIN_INTAKE_BODY_MAX": "50000"}).body_max == 50_000


def test_environment_overrides(tmp_path: Path) -> None:
    """MYMEIN_<SECTION>_<KEY> overrides the file, e.g. for systemd or CI."""
    path = _write(tmp_path, '[sheets]\nspreadsheet_id = "abc"\n[blog]\nblog_id = "1"\n')
    settings = load_settings(
        path,
        env={"MYMEIN_GOOGLE_ENDPOINT": "http://127.0.0.1:9", "MYMEIN_GOOGLE_AUTH": "sandbox", "MYMEIN_SHEETS_OFFICERS": "a@x.id, b@x.id",
             "MYMEIN_BLOG_ARCHIVE_AFTER_DAYS": "7"},
    )
    assert settings.endpoint == "http://127.0.0.1:9"
    assert settings.officers == ("a@x.id", "b@x.id")
    assert settings.archive_after_days == 7
    assert settings.review_spreadsheet_id == "abc"
    assert settings.state_path == tmp_path / "state" / "bridge.sqlite3"


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    """A typo in an environment override says which variable is wrong."""
    path = _write(tmp_path, '[sheets]\nspreadsheet_id = "abc"\n[blog]\nblog_id = "1"\n')
    with pytest.raises(ConfigError, match="MYMEIN_BRIDGE_MAX_RETRIES"):
        load_settings(path, env={"MYMEIN_BRIDGE_MAX_RETRIES": "many"})


def test_missing_file(tmp_path: Path) -> None:
    """A wrong -c path says where the example is."""
    with pytest.raises(ConfigError, match="bridge.example.toml"):
        load_settings(tmp_path / "nope.toml", env={})


def test_settings_are_read_only(tmp_path: Path) -> None:
    """Nothing can change the settings after they were validated."""
    path = _write(tmp_path, render_config({("sheets", "spreadsheet_id"): "x", ("blog", "blog_id"): "1"}))
    settings = load_settings(path, env={})
    with pytest.raises(AttributeError):
        settings.blog_id = "2"  # type: ignore[misc]


def test_files_it_cannot_read_give_a_plain_message(tmp_path: Path) -> None:
    """A folder given as the config, or a file saved as UTF-16 by Notepad: a reason, not a traceback."""
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_settings(tmp_path, env={})
    utf16 = tmp_path / "bridge.toml"
    utf16.write_text('[sheets]\nspreadsheet_id = "x"\n', encoding="utf-16")
    with pytest.raises(ConfigError, match="save the file as UTF-8"):
        load_settings(utf16, env={})


def test_a_fraction_is_not_a_whole_number(tmp_path: Path) -> None:
    path = _write(tmp_path, render_config({("sheets", "spreadsheet_id"): "x", ("blog", "blog_id"): "1"}))
    path.write_text(path.read_text(encoding="utf-8").replace("poll_interval_minutes = 1", "poll_interval_minutes = 2.5"))
    with pytest.raises(ConfigError, match="poll_interval_minutes: expected a whole number, got 2.5"):
        load_settings(path, env={})


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_infinity_is_not_a_whole_number_either(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, render_config({("sheets", "spreadsheet_id"): "x", ("blog", "blog_id"): "1"}))
    path.write_text(path.read_text(encoding="utf-8").replace("poll_interval_minutes = 1", f"poll_interval_minutes = {value}"))
    with pytest.raises(ConfigError, match="expected a whole number"):
        load_settings(path, env={})


def test_photos_section_is_validated_together(tmp_path: Path) -> None:
    """A typo in [photos] would only show when the first photo is published, one problem at a time."""
    path = _write(
        tmp_path,
        '[sheets]\nspreadsheet_id = "abc"\n[blog]\nblog_id = "1"\n'
        '[photos]\nstore = "local"\nformat = "gif"\nover_limit = "shrink"\nquality = 100\nmax_side = 50\n',
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    text = "\n".join(info.value.problems)
    for needle in ("format must be jpeg or webp", "over_limit must be downscale or refuse", "quality must be between 1 and 95",
                   "max_side must be between 200 and 8000", "needs [photos] local_dir", "needs [photos] base_url"):
        assert needle in text
    ok = _write(tmp_path, '[sheets]\nspreadsheet_id = "abc"\n[blog]\nblog_id = "1"\n[photos]\nstore = "local"\nlocal_dir = "www/foto"\nbase_url = "https://foto.example.go.id/m/"\n')
    photos = load_settings(ok, env={"MYMEIN_PHOTOS_FORMAT": "webp"}).photos
    assert photos.local_dir == tmp_path / "www" / "foto" and photos.format == "webp" and photos.max_side == 1600
def test_report_settings_are_checked_together(tmp_path: Path) -> None:
    """A monthly hour of 24 or weights that are all zero would break the report silently."""
    cfg = tmp_path / "bridge.toml"
    cfg.write_text('[sheets]\nspreadsheet_id = "x"\n[blog]\nblog_id = "1"\n[report]\nmonthly_hour = 24\nweight_published = 0\n'
                   'weight_approval = 0\nweight_comments = 0\nquiet_days = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "[report] quiet_days must be at least 0, got -1",
        "[report] weight_published, weight_approval and weight_comments cannot all be 0",
        "[report] monthly_hour must be between 0 and 23, got 24",
    ]
    settings = load_settings(_ok(tmp_path), env={"MYMEIN_REPORT_MONTHLY": "true"})
    assert settings.monthly is True and settings.sk_warning_days == 60 and settings.monthly_out_dir is None


def _ok(tmp_path: Path) -> Path:
    cfg = tmp_path / "ok.toml"
    cfg.write_text('[sheets]\nspreadsheet_id = "x"\n[blog]\nblog_id = "1"\n', encoding="utf-8")
    return cfg


def test_an_unknown_key_says_where_it_belongs_or_what_it_is_a_typo_of(tmp_path: Path) -> None:
    """A typo or a key in the wrong section said only 'unknown key', leaving IT staff to search the example file."""
    path = _write(tmp_path, '[sheets]\nspreadsheet_id = "x"\n[blog]\nblog_id = "1"\npublish_mod = "live"\n'
                            '[photo]\nstore = "drive"\n[report]\npoll_interval_minutes = 1\nzzz = 1\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.problems == [
        f"{path}: unknown key [blog] publish_mod (did you mean [blog] publish_mode?)",
        f"{path}: unknown key [photo] store: it belongs in [photos]",
        f"{path}: unknown key [report] poll_interval_minutes: it belongs in [bridge]",
        f"{path}: unknown key [report] zzz",
    ]


def test_a_soak_interval_in_seconds_and_the_sandbox_clock_are_checked(tmp_path: Path) -> None:
    """A soak could not run `run` as systemd does at a few seconds per cycle; and the sandbox's clock
    must never be followed against real Google."""
    base = {("sheets", "spreadsheet_id"): "x", ("blog", "blog_id"): "1"}
    ok = load_settings(_write(tmp_path, render_config({**base, ("bridge", "poll_interval_seconds"): 10})), env={})
    assert ok.poll_seconds == 10 and not ok.sandbox_clock
    assert load_settings(_write(tmp_path, render_config(base)), env={}).poll_seconds == 60
    bad = {**base, ("bridge", "poll_interval_seconds"): 2, ("google", "sandbox_clock"): True}
    with pytest.raises(ConfigError) as info:
        load_settings(_write(tmp_path, render_config(bad)), env={})
    assert "poll_interval_seconds must be 0 (use poll_interval_minutes) or at least 5, got 2" in str(info.value)
    assert "sandbox_clock = true works only against the sandbox" in str(info.value)


def test_digest_and_kim_channel_settings_are_checked(tmp_path: Path) -> None:
    """A digest time like '7.30' or a KIM channel URL without {address} would fail silently at 07:30, not at start."""
    base = '[sheets]\nspreadsheet_id = "abc"\n[blog]\nblog_id = "1"\n'
    path = _write(tmp_path, base + '[notify]\ndigest_at = "7.30"\ndigest_items = 0\n'
                  'kim_channels = { sms = "x://{address}", telegram = "tgram://BOT/123" }\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    text = str(err.value)
    for needle in ("digest_at must be a time of day HH:MM", "digest_items must be between 1 and 50", "unknown channel 'sms'",
                   "kim_channels.telegram must be an Apprise URL containing {address}"):
        assert needle in text
    path = _write(tmp_path, base + '[notify]\ndigest_to = ["petugas@balangankab.go.id"]\n[notify.kim_channels]\n'
                  'telegram = "tgram://BOT/{address}"\n')
    n = load_settings(path, env={}).notify
    assert n.digest and n.email and n.digest_at == "07:30" and n.kim_channels == {"telegram": "tgram://BOT/{address}"}


def test_an_office_templates_folder_from_before_perlu_revisi_still_loads(tmp_path: Path) -> None:
    """An office that copied the templates before PERLU REVISI existed would see the bridge refuse its config after upgrading."""
    from bridge.config import REPO_CONFIG_DIR, notice_template

    assert notice_template(tmp_path, "perlu-revisi") == REPO_CONFIG_DIR / "templates" / "notice_perlu-revisi.txt"
    assert notice_template(tmp_path, "perlu-revisi").is_file()
    assert notice_template(tmp_path, "ditolak") == tmp_path / "notice_ditolak.txt"  # the office's own: still required
