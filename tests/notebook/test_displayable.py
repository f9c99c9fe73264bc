"""Results that show themselves: sd.check and %seedance config are tables, not raw reprs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import seedance_nb as sd
from seedance_nb.requests import VideoRequest


def test_check_shows_a_table_in_a_notebook_and_lines_in_a_terminal() -> None:
    found = sd.check(VideoRequest(model="seedance-2.0-fast", prompt="x", resolution="1080p"), "ark")
    [problem] = found  # still a list of Problem
    assert problem.field == "resolution"
    assert repr(found).splitlines()[0] == "1 problem:"
    assert repr(found).splitlines()[1].startswith("  1. resolution: ")
    assert "Problem(" not in repr(found)
    page = found._repr_html_()
    assert page.startswith("<table>") and "<th>fix</th>" in page and "1080p" in page
    fine = sd.check(VideoRequest(prompt="a calm sea"), "ark")
    assert fine == [] and repr(fine) == "no problems: the request may be sent"


def test_config_is_a_table_that_names_region_and_user_files(
    shell: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(tmp_path / "cfg"))
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "prices.toml").write_text("")
    monkeypatch.setenv("SEEDANCE_BASE_URL", "volcengine")
    monkeypatch.setenv("ARK_API_KEY", "k-123456789")
    shown = shell.run_line_magic("seedance", "config")
    lines = repr(shown).splitlines()
    assert lines[0].split() == ["provider", "ark"]
    assert "prices of      volcengine (CNY)" in lines
    assert f"config folder  {tmp_path / 'cfg'}" in lines
    assert "prices.toml    in use" in lines and "catalog.toml   none (optional)" in lines
    assert "k-123456789" not in repr(shown) and "k-123456789" not in shown._repr_html_()
    assert shown._repr_html_().startswith("<table>")


def test_models_marks_the_users_catalog_entries(
    shell: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(tmp_path / "cfg"))
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "catalog.toml").write_text(
        '[[model]]\nid = "seedance-2-5-270101"\nshort = "seedance-2.5"\nlike = "seedance-2.0"\n'
    )
    frame = shell.run_line_magic("seedance", "models")
    sources = dict(zip(frame["model"], frame["source"], strict=True))
    assert sources["seedance-2.5"] == "user" and sources["seedance-2.0"] == "built-in"
