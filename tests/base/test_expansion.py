from __future__ import annotations

import os
from pathlib import Path

import pytest

from heroweb.base import context_new


def test_it_expands_home_and_variables_from_env_params_and_process(
    hero: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FROM_PROCESS", "proc")
    monkeypatch.setenv("SHADOWED", "process-loses")
    context = context_new(id=1, name="c", params="FROM_PARAMS:param SHADOWED:param-loses")
    session = context.session_new(name="sess", env={"SHADOWED": "env-wins"})
    text = context.hero_config_set(
        "paths",
        "x",
        "home: ~/code\nbare: ~\na: $FROM_PROCESS\nb: ${FROM_PARAMS}/sub\n"
        "c: $SHADOWED\nd: $UNKNOWN_VAR_X\ne: a~b\n",
        session=session,
    )
    home = os.path.expanduser("~")
    assert f"home: {home}/code\n" in text and f"bare: {home}\n" in text
    assert "a: proc\n" in text and "b: param/sub\n" in text and "c: env-wins\n" in text
    assert "d: $UNKNOWN_VAR_X\n" in text and "e: a~b\n" in text


def test_it_never_runs_commands(hero: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    context = context_new(id=1, name="c")
    content = f'a: "$(touch {marker})"\nb: "`touch {marker}`"\n'
    text = context.hero_config_set("x", "y", content)
    assert not marker.exists()
    assert f"$(touch {marker})" in text and f"`touch {marker}`" in text
