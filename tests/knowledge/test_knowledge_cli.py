"""The command line: build, search (single query, stdin batch, table) and eval."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bk_knowledge_testkit import SMALL_CATALOGUE, Built, run_cli

from knowledge.__main__ import main
from knowledge.index import MANIFEST_FILE


def _search(built: Built, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """`python -m knowledge search` in a subprocess."""
    common = ["--catalogue", str(SMALL_CATALOGUE), "search", *args]
    return run_cli([*common, "--index", str(built.index_dir), "--model", built.model], stdin=stdin)


@pytest.fixture
def search_in_process(
    small_built: Built, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str, str]]:
    """The search command run in this process (faster than a subprocess: no second torch start-up)."""

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        common = ["--catalogue", str(SMALL_CATALOGUE), "search", *args]
        code = main([*common, "--index", str(small_built.index_dir), "--model", small_built.model])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_search_json_single_query(small_built: Built) -> None:
    code, out, err = _search(small_built, "Ich bin blind", "--top", "3", "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) <= 3
    assert hits[0]["id"] == "blindengeld"
    assert set(hits[0]) == {"id", "title", "score"}
    assert hits[0]["title"] == "Blindengeld"


def test_search_stdin_batch_one_line_per_query(small_built: Built) -> None:
    queries = ["Ich bin blind", "Welche Museen gibt es?", "Schulbegleitung für mein Kind"]
    code, out, err = _search(small_built, "--json", "--top", "2", stdin="\n".join(queries) + "\n")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)[0]["id"] for line in lines] == ["blindengeld", "lvr-museen", "schulbegleitung"]


def test_search_stdin_batch_reports_bad_lines_in_place(search_in_process: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = search_in_process("--json", stdin="Ich bin blind\n\nWelche Museen gibt es?\n")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert json.loads(lines[1]) == []
    assert "empty" in err


@pytest.mark.parametrize("mode", ["lexical", "dense"])
def test_search_modes(search_in_process: Callable[..., tuple[int, str, str]], mode: str) -> None:
    code, out, _ = search_in_process("Gehörlosengeld", "--json", "--mode", mode)
    assert code == 0
    assert json.loads(out)[0]["id"] == "gehoerlosengeld"


def test_search_table(search_in_process: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = search_in_process("Museum")
    assert code == 0
    assert "lvr-museen" in out and "LVR-Museen" in out


def test_search_query_error_exit_code(search_in_process: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = search_in_process("x" * 1001)
    assert code == 2
    assert "1000" in err


def test_search_refuses_mismatching_index(small_built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search", "Blindengeld", "--index", str(small_built.index_dir), "--model", small_built.model])
    assert code == 1  # the real catalogue against the index of the fixture catalogue
    assert "make index" in capsys.readouterr().err


def test_build_and_eval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BK_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("BK_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("BK_EMBEDDING_MODEL", raising=False)
    catalogue = ["--catalogue", str(SMALL_CATALOGUE)]
    assert main([*catalogue, "build"]) == 0
    assert "trained" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "index" / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["model"]["spec"] == "builtin"

    assert main([*catalogue, "build"]) == 0
    assert "up to date" in capsys.readouterr().out

    # --if-needed: nothing to do while catalogue and model match; a changed catalogue is rebuilt.
    assert main([*catalogue, "build", "--if-needed"]) == 0
    assert capsys.readouterr().out.strip() == "index: up to date"
    changed = tmp_path / "catalogue"
    shutil.copytree(SMALL_CATALOGUE, changed)
    first = sorted(changed.rglob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("teaser:", "teaser: Neu.", 1), encoding="utf-8")
    assert main(["--catalogue", str(changed), "build", "--if-needed"]) == 0
    out = capsys.readouterr().out
    assert "rebuilding" in out and "another catalogue" in out
    assert main(["--catalogue", str(changed), "build", "--if-needed"]) == 0
    assert capsys.readouterr().out.strip() == "index: up to date"
    assert main([*catalogue, "build", "--if-needed"]) == 0  # and back to the original catalogue
    assert "rebuilding" in capsys.readouterr().out

    questions = tmp_path / "questions.yaml"
    items = [
        {"q": "Ich bin taub und brauche Geld", "expect": ["gehoerlosengeld"], "style": "colloquial"},
        {"q": "Museum Eintritt", "expect": ["lvr-museen"], "style": "keyword"},
        {"q": "LVR museum opening hours", "expect": ["lvr-museen"], "style": "english"},
    ]
    questions.write_text(yaml.safe_dump({"items": items}, allow_unicode=True), encoding="utf-8")
    assert main([*catalogue, "eval", str(questions), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["modes"]) == {"hybrid", "lexical", "dense"}
    assert report["modes"]["hybrid"]["recall@3"] == 1.0
    assert set(report["styles"]) == {"colloquial", "english", "keyword"}
    assert len(report["slowest"]) == 3
    assert {lang: by_mode["hybrid"]["n"] for lang, by_mode in report["languages"].items()} == {"de": 2, "en": 1}

    english = tmp_path / "english.yaml"  # the file's language applies to items without a style saying it
    english.write_text(yaml.safe_dump({"language": "en", "items": items[:1]}), encoding="utf-8")
    assert main([*catalogue, "eval", str(questions), str(english)]) == 0
    out = capsys.readouterr().out
    assert "R@3" in out and "slowest" in out
    assert f"== {english}" in out and "Deutsch (de, 2 questions)" in out and "English (en, 1 questions)" in out

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"language": "xx", "items": items[:1]}), encoding="utf-8")
    assert main([*catalogue, "eval", str(bad)]) == 1
    assert "language 'xx'" in capsys.readouterr().err
