"""Helpers of the knowledge tests: fixture paths, the Built record, running `python -m knowledge`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from knowledge.catalogue import Catalogue

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SMALL_CATALOGUE = FIXTURES / "catalogue_small"
SMALL_CONTRACT = FIXTURES / "contract_small.yaml"
DEV_SET = REPO.parent / "shared" / "eval" / "dev.yaml"


@dataclass(frozen=True)
class Built:
    """A catalogue with its trained model folder and index folder."""

    catalogue: Catalogue
    model: str  # the model spec the index was built with ("builtin" or the model folder)
    index_dir: Path


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for `python -m knowledge` subprocesses (repo on the path, no hub access attempts)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", **extra}
    env.pop("BK_EMBEDDING_MODEL", None)
    return env


def run_cli(args: list[str], *, stdin: str | None = None, **env: str) -> tuple[int, str, str]:
    """Run `python -m knowledge ARGS`; returns (exit code, stdout, stderr)."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "knowledge", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=cli_env(**env),
        timeout=600,
    )
    return done.returncode, done.stdout, done.stderr
