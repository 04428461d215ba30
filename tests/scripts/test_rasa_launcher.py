"""scripts/rasa_server.py's command line for Rasa: the token from the environment, as one argument that argparse
cannot mistake for an option. (Its fixes of Rasa itself are tested in the Rasa environment: tests/rasa.)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from rasa_server import rasa_argv


def _parse_like_rasa(argv: list[str]) -> argparse.Namespace:
    """The options of `rasa run` that matter here, declared as Rasa 3.6 declares them."""
    parser = argparse.ArgumentParser(prog="rasa", exit_on_error=False)
    parser.add_argument("command")
    parser.add_argument("-p", "--port", type=int)
    parser.add_argument("-t", "--auth-token", type=str)
    return parser.parse_args(argv[1:])


@pytest.mark.parametrize("token", ["plain-token", "-starts-with-a-dash", "--looks-like-an-option", "a=b"])
def test_every_token_reaches_rasa_whole(token: str) -> None:
    argv = rasa_argv(["run", "--port", "5005"], token)
    assert argv[:4] == ["rasa", "run", "--port", "5005"]
    assert _parse_like_rasa(argv).auth_token == token


def test_the_split_form_would_lose_a_token_with_a_leading_dash() -> None:
    """Why the launcher joins option and value: the two-argument form fails for such a token."""
    with pytest.raises((argparse.ArgumentError, SystemExit)):
        _parse_like_rasa(["rasa", "run", "--auth-token", "-starts-with-a-dash"])


@pytest.mark.parametrize("given", [["--auth-token", "x"], ["--auth-token=x"], ["-t", "x"]])
def test_a_token_on_the_command_line_is_refused(given: list[str]) -> None:
    with pytest.raises(SystemExit, match="read from BK_RASA_TOKEN"):
        rasa_argv(["run", *given], "secret")


def test_no_token_is_refused() -> None:
    with pytest.raises(SystemExit, match="BK_RASA_TOKEN is not set"):
        rasa_argv(["run"], "")
