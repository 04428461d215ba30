"""Run `rasa` with the HTTP API token from the environment, so that it never appears on a command line.

Rasa 3.6 takes the token of its HTTP API only as ``--auth-token <token>``, and a command line is visible to every
local user (``ps``, /proc/<pid>/cmdline). This launcher is started with the Rasa environment's Python
(``.venv-rasa/bin/python scripts/rasa_server.py run …``, see scripts/run_rasa.sh and docker-compose.yml), appends
``--auth-token`` from ``BK_RASA_TOKEN`` to the arguments inside the process and calls Rasa's own entry point. The
kernel's copy of the command line stays the one without the token. Sanic's worker processes are forked from this
one and show the same command line.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.get("BK_RASA_TOKEN", "")
    if not token:
        sys.exit("[rasa_server] BK_RASA_TOKEN is not set")
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in sys.argv[1:]):
        sys.exit("[rasa_server] do not pass --auth-token: it is read from BK_RASA_TOKEN")
    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
