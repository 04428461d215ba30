"""`python -m actions --port N` starts the action server (see actions/server.py)."""

from __future__ import annotations

if __name__ == "__main__":
    from actions.server import main

    main()
