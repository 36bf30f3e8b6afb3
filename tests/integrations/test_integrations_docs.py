"""docs/frameworks.md: the page has its recipes, and the ones that need no large framework
install (the Agents SDK adapter, the import alias) run here, in the default suite."""

from __future__ import annotations

from pathlib import Path

from recipes import recipes, run_script


def test_the_page_has_every_recipe() -> None:
    assert set(recipes()) == {"agents", "pipecat", "livekit", "install-as"}


def test_the_agents_sdk_recipe_runs_against_the_emulator(tmp_path: Path) -> None:
    result = run_script(recipes()["agents"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tool get_weather -> 'sunny in Paris'"
    assert lines[1].endswith("s of 24 kHz audio")
    assert not lines[1].startswith("0.0 s")


def test_the_install_as_recipe_runs(tmp_path: Path) -> None:
    result = run_script(recipes()["install-as"], tmp_path)
    assert result.returncode == 0, result.stderr
