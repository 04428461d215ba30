"""Fixtures of the browser tests: the real product (own processes), partner pages on other origins, Chromium.

* ``product``: the API started once per session with ``python -m api`` on a free loopback port, static files from
  api/static/, ``BK_ALLOWED_ORIGINS`` = the partner origin. The chat backend is ``none`` (search-only answers)
  unless ``BK_BROWSER_CHAT_BACKEND=rasa``: then the Rasa settings of the environment (``BK_RASA_URL``,
  ``BK_RASA_TOKEN``, ``BK_ACTIONS_PORT``, ``BK_TRACKER_DB``) are passed through to an already running Rasa.
  ``BK_BROWSER_SEARCH_MODE`` (default ``lexical``: no index or model needed) selects the search.
* ``rasa_product``: the full stack (API → Rasa → action server) started by scripts/run.py exactly like `make run`
  (scripts/benchlib.py ``start_stack``), once per test module that uses it, with its own partner sites. Missing
  .venv-rasa or trained model: a skip, or a failure when ``CI`` is set. The keyboard-only conversation runs against
  both: search-only with ``product`` (test_browser_widget.py), the Rasa dialogue up to the hand-off with
  ``rasa_product`` (test_browser_dialogue.py).
* ``partner`` / ``foreign``: tiny ``http.server`` sites on two more ports; only the partner origin is allowed.
* ``browser``: Debian's Chromium (/usr/bin/chromium) driven by Playwright; ``new_page`` opens a fresh context
  (fresh sessionStorage) and fails the test on any uncaught JavaScript error of the page.
* Screenshots and axe reports go to tests/artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bk_browser_kit import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FOREIGN_PAGE,
    PARTNER_PAGE,
    ROOT,
    NewPage,
    PageErrors,
    Product,
    Site,
    free_port,
    unavailable,
)

sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import NO_RATE_LIMITS, start_stack, stop_group
from benchlib import free_port as free_stack_port
from run import rasa_missing

START_TIMEOUT = 90.0  # seconds for the API to become healthy (catalogue, search, spaCy)
STACK_START_TIMEOUT = 420.0  # seconds for scripts/run.py to get Rasa, the action server and the API ready


def _tail(log_file: Path) -> str:
    return log_file.read_text(errors="replace")[-4000:]


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited with {process.returncode}; log:\n{_tail(log_file)}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code == 503:  # up, but a component is degraded: still usable for the browser tests
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not become healthy in {START_TIMEOUT:.0f} s; log:\n{_tail(log_file)}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _start_sites(tmp_path_factory: pytest.TempPathFactory, api: str) -> tuple[Site, Site]:
    """The partner site (its origin goes into BK_ALLOWED_ORIGINS) and the foreign one, both embedding ``api``."""
    partner_dir = tmp_path_factory.mktemp("partner")
    (partner_dir / "partner.html").write_text(PARTNER_PAGE.format(api=api), encoding="utf-8")
    foreign_dir = tmp_path_factory.mktemp("foreign")
    (foreign_dir / "foreign.html").write_text(FOREIGN_PAGE.format(api=api), encoding="utf-8")
    return Site(partner_dir).start(), Site(foreign_dir).start()


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[Product]:
    """Partner sites first (their origin goes into BK_ALLOWED_ORIGINS), then the API in its own process group."""
    api_port = free_port()
    api = f"http://127.0.0.1:{api_port}"
    partner, foreign = _start_sites(tmp_path_factory, api)

    backend = os.environ.get("BK_BROWSER_CHAT_BACKEND", "none")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BK_") and k != "PORT"}
    env.update(
        {
            "PORT": str(api_port),
            "BK_HOST": "127.0.0.1",
            "BK_LOG_LEVEL": "warning",
            "BK_CHAT_BACKEND": backend,
            "BK_SEARCH_MODE": os.environ.get("BK_BROWSER_SEARCH_MODE", "lexical"),
            "BK_ALLOWED_ORIGINS": partner.origin,
            "PYTHONUNBUFFERED": "1",
        }
    )
    if backend == "rasa":
        for name in ("BK_RASA_URL", "BK_RASA_TOKEN", "BK_ACTIONS_PORT", "BK_TRACKER_DB"):
            if name in os.environ:
                env[name] = os.environ[name]
    else:
        env["BK_TRACKER_DB"] = ""
    for name in ("BK_CATALOGUE_DIR", "BK_INDEX_DIR", "BK_EMBEDDING_MODEL"):
        if name in os.environ:
            env[name] = os.environ[name]

    log_file = artifacts / "api.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
    try:
        _wait_healthy(api, process, log_file)
        yield Product(api, partner, foreign, backend, log_file, process)
    finally:
        stop_group(process)
        partner.stop()
        foreign.stop()


@pytest.fixture(scope="module")
def rasa_product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """The full stack as `make run` starts it (scripts/run.py: action server, Rasa, API), on free loopback ports.

    Module scope: the stack (about 2.5 GB resident with Rasa) runs only while the module that needs it runs."""
    message = rasa_missing()
    if message:
        unavailable(message)
    port = free_stack_port()  # its derived ports (Rasa, actions, Redis) are free as well
    api = f"http://127.0.0.1:{port}"
    partner, foreign = _start_sites(tmp_path_factory, api)
    try:
        stack = start_stack(
            port=port, env={**NO_RATE_LIMITS, "BK_ALLOWED_ORIGINS": partner.origin}, timeout=STACK_START_TIMEOUT
        )
        try:
            yield Product(stack.url, partner, foreign, "rasa", stack.log, stack.proc)
        finally:
            stack.stop()
    finally:
        partner.stop()
        foreign.stop()


# --- Chromium -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        # `make test` installs it: in CI a missing browser is a set-up bug, not a skip
        unavailable("Chromium is not installed: run `scripts/setup.sh --test` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def new_page(browser: Any, page_errors: PageErrors) -> Iterator[NewPage]:
    """Open a page in a fresh context (own sessionStorage); keyword arguments go to ``browser.new_context``."""
    contexts: list[Any] = []

    def make(**context_options: Any) -> Any:
        options: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "de-DE", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            page_errors.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not page_errors.errors, f"uncaught JavaScript errors: {page_errors.errors}"
