"""The OpenAPI document is exact enough to build on: a client generated from it holds a conversation, and
schemathesis, with all its checks, finds no response that contradicts it (issue 9, finding 9).

Both tools live in .venv-tools (scripts/setup.sh --test; they would downgrade httpx in .venv). They run against the
session's stack of `make run` (tests/e2e/conftest.py, rate limits off).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import httpx
import pytest
from benchlib import Stack

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".venv-tools" / "bin"


def _tool(name: str) -> Path:
    path = TOOLS / name
    if not path.exists():
        message = f"{path} is missing: run `bash scripts/setup.sh --test`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _spec(client: httpx.Client, tmp_path: Path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(client.get("/openapi.json").text, encoding="utf-8")
    return path


def test_output_models_list_every_field_the_api_always_sends_as_required(client: httpx.Client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["TurnMetadata"]["required"]) >= {"service_ids", "authority", "handoff", "fallback"}
    assert set(schemas["Handoff"]["required"]) == {"service_id", "url", "office", "prefill", "data"}
    assert set(schemas["ChatMessage"]["required"]) == {"text", "buttons"}
    assert set(schemas["Prefill"]["properties"]) == {"place", "ags", "age", "leika"}
    message = schemas["ChatRequest"]["properties"]["message"]
    assert message["minLength"] == 1 and message["maxLength"] == 5000
    chat = client.get("/openapi.json").json()["paths"]["/api/v1/chat"]["post"]["responses"]
    assert {"200", "400", "408", "413", "422", "429"} <= set(chat)


CONVERSATION = textwrap.dedent(
    """
    import sys
    from bk_client import Client
    from bk_client.api.chat import chat_api_v1_chat_post as chat
    from bk_client.models import ChatRequest, ChatResponse, Handoff, Prefill

    api = Client(base_url=sys.argv[1], timeout=60)
    session = None

    def turn(text):
        global session
        answer = chat.sync(client=api, body=ChatRequest(message=text, session_id=session))
        assert isinstance(answer, ChatResponse), answer
        session = answer.session_id
        meta = answer.metadata
        assert isinstance(meta.fallback, bool) and meta.fallback is False, meta
        assert isinstance(meta.service_ids, list)
        for message in answer.messages:
            assert isinstance(message.text, str) and isinstance(message.buttons, list)
        return answer

    first = turn("Ich bin erwachsen, habe eine Behinderung und möchte Eingliederungshilfe beantragen")
    offered = [b.payload for m in first.messages for b in m.buttons if '"eingliederungshilfe-antrag"' in b.payload]
    if first.metadata.service_ids != ["eingliederungshilfe-antrag"] or offered:
        turn(offered[0])  # the button of the service, when the bot offered a choice
    placed = turn("Ich wohne in Köln")
    assert placed.metadata.authority is not None and placed.metadata.authority.value == "LVR", placed.metadata

    asked = turn("Kann ich den Antrag online stellen?")
    handoff = asked.metadata.handoff
    assert isinstance(handoff, Handoff) and handoff.service_id == "eingliederungshilfe-antrag", handoff
    assert isinstance(handoff.office, str) and handoff.prefill is None, handoff
    assert isinstance(handoff.data, Prefill) and handoff.data.to_dict() == {}, handoff.data
    assert "/affirm" in [b.payload for m in asked.messages for b in m.buttons]

    agreed = turn("/affirm")
    prefill = agreed.metadata.handoff.prefill
    assert isinstance(prefill, Prefill) and prefill.place == "Köln" and prefill.ags == "05315000", prefill
    print("conversation held:", session)
    """
)


def test_a_generated_client_holds_a_conversation_to_the_prefilled_handoff(
    client: httpx.Client, stack: Stack, tmp_path: Path
) -> None:
    generator = _tool("openapi-python-client")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"package_name_override": "bk_client", "post_hooks": []}), encoding="utf-8")
    out = tmp_path / "bk_client"
    generated = subprocess.run(
        [str(generator), "generate", "--path", str(_spec(client, tmp_path)), "--meta", "none",
         "--config", str(config), "--output-path", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    script = tmp_path / "conversation.py"
    script.write_text(CONVERSATION, encoding="utf-8")
    held = subprocess.run(
        [str(TOOLS / "python"), str(script), stack.url],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert held.returncode == 0, held.stdout + held.stderr
    assert "conversation held" in held.stdout


def test_schemathesis_with_every_check_finds_no_failure(client: httpx.Client, stack: Stack, tmp_path: Path) -> None:
    tool = _tool("schemathesis")
    report = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            str(tool), "run", str(_spec(client, tmp_path)), "--url", stack.url,
            "--checks", "all",
            "--max-examples", os.environ.get("BK_SCHEMATHESIS_EXAMPLES", "100"),
            "--phases", "examples,coverage,fuzzing",
            "--request-timeout", "60",
            "--seed", "20261205",
            "--report", "junit", "--report-junit-path", str(report),
            "--no-color",
        ],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    assert "Failures:" not in output and re.search(r"\b[1-9]\d* generated", output), output[-4000:]
    tested = re.search(r"Tested: (\d+)", output)
    operations = len([op for path in client.get("/openapi.json").json()["paths"].values() for op in path])
    assert tested and int(tested.group(1)) == operations, output[-4000:]  # every operation was exercised
