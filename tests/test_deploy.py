"""The systemd unit: memory bounded, files private, only the sockets the bridge uses, exposure measured."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).parents[1] / "deploy" / "mymein-bridge.service"


def _settings() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


def _mib(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([KMG])", value).groups()  # type: ignore[union-attr]
    return int(number) * {"K": 1 / 1024, "M": 1, "G": 1024}[unit]


def test_unit_bounds_memory_and_keeps_files_and_sockets_to_what_the_bridge_needs() -> None:
    """A 34-byte photo decoding to 900 MB could take the office server down; tokens were created world-readable."""
    unit = _settings()
    assert 150 < _mib(unit["MemoryMax"][-1]) <= 512  # the 150 MiB service target, with headroom for one photo
    assert unit["MemorySwapMax"] == ["0"]  # a real ceiling, not the server swapping
    assert unit["UMask"] == ["0077"]
    assert unit["RestrictAddressFamilies"] == ["AF_INET AF_INET6 AF_UNIX"]
    assert unit["ReadWritePaths"] == ["/var/lib/mymein-bridge /etc/mymein-bridge"]  # the ledger, the renewed token
    for key in ("NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "RestrictNamespaces",
                "MemoryDenyWriteExecute", "LockPersonality", "RestrictSUIDSGID", "PrivateUsers"):
        assert unit[key] == ["true"], key
    assert unit["CapabilityBoundingSet"] == [""]


def _stated_score() -> float:
    match = re.search(r"measures\n# (\d+\.\d) OK for this unit", UNIT.read_text(encoding="utf-8"))
    assert match, "the unit's comment states its measured exposure score"
    return float(match.group(1))


def test_unit_comment_states_an_exposure_score_below_3() -> None:
    """The unit's hardening would go unmeasured: IT staff could not tell what `systemd-analyze security` says."""
    assert _stated_score() < 3.0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_measures_the_score_the_unit_states() -> None:
    """An edit would weaken the unit past 'OK', or its stated exposure score drift from what systemd measures."""
    done = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(UNIT)],
                          capture_output=True, text=True, timeout=60, check=False)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d) (\w+)", done.stdout)
    if match is None:  # an older systemd without --offline
        pytest.skip(f"systemd-analyze cannot measure a unit file here: {done.stderr.strip()[:200]}")
    assert float(match.group(1)) < 3.0
    version = subprocess.run(["systemd-analyze", "--version"], capture_output=True, text=True, check=False).stdout
    if version.startswith("systemd 252 "):  # the version the comment was measured with; others weigh a little differently
        assert float(match.group(1)) == _stated_score()
