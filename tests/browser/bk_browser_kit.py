"""Helpers of the browser tests (imported by conftest.py and the test modules): the partner sites, the product
handle, Chromium settings and shortcuts into the widget's open shadow root."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
CHROMIUM = Path(os.environ.get("BK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET = "beratungskompass-chat"  # the widget's host element; its open shadow root holds the UI
TURN_TIMEOUT = 15.0  # seconds for one answer of the search-only API; the full dialogue gets more


def unavailable(message: str) -> NoReturn:
    """A missing part of the test set-up: a failure in CI (`make test` installs everything), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- small static sites on other origins ----------------------------------------------------------------------


@dataclass
class Site:
    """A static site served by http.server from ``directory`` on a loopback port."""

    directory: Path
    port: int = 0
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Site:
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(self.directory)))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


PARTNER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Partner portal (test)</title>
  <link rel="icon" href="data:,">
  <style>
    /* A hostile host stylesheet: none of it may reach the widget's UI. */
    * {{ font-size: 9px !important; color: #ff00ff !important; letter-spacing: 3px !important; }}
    button {{ display: none !important; }}
    p {{ text-transform: uppercase !important; }}
  </style>
  <script>
    window.__events = [];
    window.addEventListener("message", (event) => {{
      if (event.source !== window || event.origin !== window.location.origin) return;
      if (event.data && typeof event.data.type === "string" && event.data.type.startsWith("beratungskompass:")) {{
        window.__events.push({{origin: event.origin, data: event.data}});
      }}
    }});
  </script>
  <script src="{api}/widget.js" data-api="{api}" data-open="true" defer></script>
</head>
<body>
  <main><h1>Partner portal</h1><p>A page on another origin that embeds the Beratungskompass widget.</p></main>
</body>
</html>
"""

FOREIGN_PAGE = """<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><title>Nicht freigegebene Seite (Test)</title><link rel="icon" href="data:,">
<script src="{api}/widget.js" data-api="{api}" data-open="true" defer></script></head>
<body><main><h1>Nicht freigegebener Ursprung</h1></main></body>
</html>
"""


@dataclass
class Product:
    """The running API and the sites around it."""

    url: str  # http://127.0.0.1:<port>
    partner: Site
    foreign: Site
    chat_backend: str
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def partner_page(self) -> str:
        return f"{self.partner.origin}/partner.html"

    @property
    def foreign_page(self) -> str:
        return f"{self.foreign.origin}/foreign.html"


@dataclass
class PageErrors:
    """Uncaught errors and dialogs of the pages of one test."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


NewPage = Callable[..., Any]


# --- helpers for the widget's shadow DOM ------------------------------------------------------------------------


def widget_active(page: Any) -> dict[str, Any] | None:
    """The focused element inside the widget's shadow root: class, text, tag (None when focus is elsewhere)."""
    result: dict[str, Any] | None = page.evaluate(
        """(name) => {
            const host = document.querySelector(name);
            const el = host && document.activeElement === host ? host.shadowRoot.activeElement : null;
            return el ? {cls: el.className, text: el.textContent.trim(), tag: el.tagName.toLowerCase(),
                         role: el.getAttribute('role')} : null;
        }""",
        WIDGET,
    )
    return result


def session_state(page: Any) -> dict[str, Any] | None:
    """The widget's sessionStorage entry (parsed), or None."""
    raw = page.evaluate(
        "() => { for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i);"
        " if (k.startsWith('beratungskompass:')) return sessionStorage.getItem(k); } return null; }"
    )
    return json.loads(raw) if raw else None


def open_widget(page: Any) -> None:
    """Open the widget with its launcher (when closed) and wait until the input is there."""
    launcher = page.locator(f"{WIDGET} .bk-launcher")
    launcher.wait_for(state="attached")
    if launcher.is_visible():
        launcher.click()
    page.locator(f"{WIDGET} .bk-input").wait_for(state="visible")


def send_text(page: Any, text: str) -> None:
    """Type a message into the widget and send it with Enter; wait for the answer of this turn."""
    before = user_messages(page)
    page.locator(f"{WIDGET} .bk-input").fill(text)
    page.locator(f"{WIDGET} .bk-input").press("Enter")
    wait_bot_turns(page, before + 1)


def user_messages(page: Any) -> int:
    """Number of user messages in the widget's conversation."""
    count: int = page.locator(f"{WIDGET} .bk-user").count()
    return count


def wait_bot_turns(page: Any, turns: int, timeout: float = TURN_TIMEOUT) -> None:
    """Wait until ``turns`` user messages are answered (log not busy) – or an error notice appeared."""
    page.wait_for_function(
        """([name, turns]) => {
            const root = document.querySelector(name)?.shadowRoot;
            if (!root) return false;
            const busy = root.querySelector('.bk-log').getAttribute('aria-busy') === 'true';
            return !busy && root.querySelectorAll('.bk-user').length >= turns;
        }""",
        arg=[WIDGET, turns],
        timeout=timeout * 1000,
    )


# --- keyboard only ----------------------------------------------------------------------------------------------


def tab_to(
    page: Any, predicate: Callable[[dict[str, Any]], bool], *, backwards: bool = False, limit: int = 60
) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused element inside the widget satisfies ``predicate``."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        active = widget_active(page)
        if active is not None and predicate(active):
            return active
    raise AssertionError(f"no focusable element matched after {limit} × {key}")


def is_choice(active: dict[str, Any]) -> bool:
    """A quick reply of a bot message (a service, a section such as "Voraussetzungen", yes/no); not read-aloud."""
    return "bk-choice" in active["cls"]


def _in_input(active: dict[str, Any] | None) -> bool:
    return active is not None and active["cls"] == "bk-input"


def open_by_keyboard(page: Any) -> None:
    """Tab from the top of the page to the launcher and open it with Enter: the focus goes to the message field."""
    page.locator(f"{WIDGET} .bk-launcher").wait_for(state="visible")
    tab_to(page, lambda a: "bk-launcher" in a["cls"])
    page.keyboard.press("Enter")
    active = widget_active(page)
    assert _in_input(active), f"focus after opening: {active}"


def type_by_keyboard(page: Any, text: str, timeout: float = TURN_TIMEOUT) -> None:
    """Tab (forward) to the message field, type ``text``, send with Enter and wait for the answer.

    The answer must not move the focus: it stays in the message field (new messages are announced by the log)."""
    if not _in_input(widget_active(page)):
        tab_to(page, _in_input)
    turns = user_messages(page) + 1
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_bot_turns(page, turns, timeout)
    active = widget_active(page)
    assert _in_input(active), f"focus moved away from the input: {active}"


def press_choice_by_keyboard(
    page: Any, predicate: Callable[[dict[str, Any]], bool] = is_choice, timeout: float = TURN_TIMEOUT
) -> str:
    """From the message field go back (Shift+Tab) to the nearest quick reply that satisfies ``predicate``, press
    Enter and wait for the answer. The button's title is shown as the user's turn; it is returned."""
    if not _in_input(widget_active(page)):
        tab_to(page, _in_input)
    turns = user_messages(page) + 1
    choice = tab_to(page, lambda a: is_choice(a) and predicate(a), backwards=True)
    page.keyboard.press("Enter")
    wait_bot_turns(page, turns, timeout)
    user_texts = page.locator(f"{WIDGET} .bk-user .bk-text").all_inner_texts()
    assert user_texts[-1] == choice["text"], "the button's title is shown as the user's turn"
    title: str = choice["text"]
    return title


def fake_reply(route: Any, text: str, language: str, yes: str | None = None) -> None:
    """Answer a chat turn with one message in ``language`` (and a quick reply ``yes`` for /affirm)."""
    body = {
        "session_id": "fakedreply1234",
        "messages": [{"text": text, "buttons": [{"title": yes, "payload": "/affirm"}] if yes else []}],
        "metadata": {"service_ids": [], "authority": None, "handoff": None, "fallback": False, "language": language},
    }
    route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


def last_source_box(page: Any) -> Any:
    """The provenance box ("Grundlage dieser Antwort", authority, hand-off) of the latest answer that has one."""
    return page.locator(f"{WIDGET} .bk-source").last


def screenshot_last_answer(page: Any, path: Path) -> None:
    page.wait_for_timeout(400)  # smooth scrolling settles
    last_source_box(page).scroll_into_view_if_needed()
    page.screenshot(path=str(path))


# --- accessibility scans (axe-core) -----------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def _axe_script() -> str:
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError as exc:  # pragma: no cover - a set-up error, reported clearly
        raise AssertionError("axe-playwright-python is missing: run `make setup-test` (.[dev] extras)") from exc
    return str(AXE_SCRIPT)


def scan(page: Any, name: str, artifacts: Path, *, widget_only: bool = False) -> list[dict[str, Any]]:
    """Run axe on the page (or only the widget: a partner's test page is not ours to judge); print every violation,
    save them to ``artifacts/axe-<name>.json`` and return them."""
    page.evaluate(_axe_script())
    result = page.evaluate(
        """async ([tags, host]) => {
            const r = await axe.run(host ? {include: [[host]]} : document,
                {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return {version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),
                summary: n.failureSummary}))}))};
        }""",
        [AXE_TAGS, WIDGET if widget_only else None],
    )
    violations: list[dict[str, Any]] = result["violations"]
    (artifacts / f"axe-{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\naxe-core {result['version']} on {name}: {len(violations)} violation(s)")
    for v in violations:
        print(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} node(s))")
        for node in v["nodes"][:5]:
            print(f"      {node['target']}: {node['html']}")
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The violations of impact "serious" or "critical", one line each."""
    return [
        f"{v['impact']} {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in BLOCKING
    ]
