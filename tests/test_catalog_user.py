"""New model ids without a new release: a user's catalog.toml adds them to an existing family."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance_nb import catalog, errors
from seedance_nb.requests import VideoRequest
from seedance_nb.validation import check

ENTRY = """
[[model]]
id = "dreamina-seedance-2-0-mini-260415"
short = "seedance-2.0-mini"
like = "seedance-2.0-fast"
title = "Seedance 2.0 mini"
providers = ["ark"]
[model.limits]
resolutions = ["480p"]
durations = [4, 5, 6]
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(tmp_path))
    return tmp_path


def test_an_unknown_id_names_the_file_and_the_entry_to_add(config: Path) -> None:
    [problem] = check(VideoRequest(model="seedance-2.5", prompt="x"), "ark")
    assert problem.rule == "unknown model 'seedance-2.5'"
    assert str(config / "catalog.toml") in problem.fix
    assert '[[model]] id = "seedance-2.5" and like = ' in problem.fix


def test_a_user_entry_joins_its_family_with_its_own_limits(config: Path) -> None:
    (config / "catalog.toml").write_text(ENTRY)
    spec = catalog.resolve("seedance-2.0-mini", "ark")
    assert catalog.resolve("dreamina-seedance-2-0-mini-260415", "ark") is spec
    assert catalog.wire_id(spec, "ark") == "dreamina-seedance-2-0-mini-260415"
    assert catalog.is_user_model(spec) and spec.family == "2.0"
    assert catalog.capabilities(spec, "ark").resolutions == ("480p",)
    assert check(VideoRequest(model="seedance-2.0-mini", prompt="x", duration=5), "ark") == []
    [problem] = check(VideoRequest(model="seedance-2.0-mini", prompt="x", resolution="720p"), "ark")
    assert problem.field == "resolution"
    assert "seedance-2.0-mini" in [s.short for s in catalog.models_for("ark")]
    assert "seedance-2.0-mini" not in [s.short for s in catalog.models_for("maxapi")]


def test_a_wrong_entry_is_refused_with_the_fix(config: Path) -> None:
    (config / "catalog.toml").write_text('[[model]]\nid = "x-1"\nlike = "seedance-9"\n')
    with pytest.raises(
        errors.ConfigError, match=r"catalog.toml, model #1 \(x-1\): like = 'seedance-9'"
    ):
        catalog.find("x-1")
    (config / "catalog.toml").write_text(
        '[[model]]\nid = "x-2"\nlike = "seedance-2.0"\n[model.limits]\nfps = 30\n'
    )
    with pytest.raises(errors.ConfigError, match="unknown limits fps"):
        catalog.find("x-2")


def test_seedance_models_marks_user_entries(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from seedance_nb.cli.main import main

    (config / "catalog.toml").write_text(ENTRY)
    assert main(["models", "--provider", "ark", "--json"]) == 0
    import json

    rows = {r["model"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["seedance-2.0-mini"]["source"] == "user"
    assert rows["seedance-2.0"]["source"] == "built-in"
