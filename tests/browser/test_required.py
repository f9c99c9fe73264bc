"""Where a browser is required (CI, or SEEDANCE_REQUIRE_BROWSER=1), a missing Chromium fails the
browser tests with the fix in the message; elsewhere they skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import require_chromium

REQUIRED = [{"CI": "true"}, {"CI": "1"}, {"SEEDANCE_REQUIRE_BROWSER": "1"},
            {"CI": "false", "SEEDANCE_REQUIRE_BROWSER": "1"}]  # fmt: skip
NOT_REQUIRED = [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}, {"SEEDANCE_REQUIRE_BROWSER": "0"}]


@pytest.mark.parametrize("env", REQUIRED, ids=str)
def test_missing_chromium_fails_where_a_browser_is_required(tmp_path: Path, env: dict[str, str]):
    with pytest.raises(pytest.fail.Exception) as failed:
        require_chromium(tmp_path / "chromium", env)
    assert "apt-get install -y chromium" in str(failed.value)
    assert "bash scripts/setup.sh" in str(failed.value)


@pytest.mark.parametrize("env", NOT_REQUIRED, ids=str)
def test_missing_chromium_skips_on_a_developer_machine(tmp_path: Path, env: dict[str, str]):
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium(tmp_path / "chromium", env)


def test_present_chromium_passes(tmp_path: Path):
    (tmp_path / "chromium").touch()
    require_chromium(tmp_path / "chromium", {"CI": "true"})
