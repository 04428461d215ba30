"""`make bench-search`: search latency in process and over HTTP, index build time, process memory.

    .venv/bin/python scripts/bench_search.py [--repeat 20] [--mode hybrid] [--no-build] [--no-http]

Queries: the example questions of the catalogue, each searched --repeat times (after one warm-up round).
Build: a fresh build (builtin model + index) into a temporary folder. HTTP: the API alone (scripts/run.py --no-rasa)
on a free loopback port, GET /api/v1/services/search with 1 and 8 concurrent clients (the load generator shares
the two cores with the server, so these figures include its cost). Prints figures; never asserts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import NO_RATE_LIMITS, percentiles, rss_mib, run_clients, self_rss_mib, start_stack

from knowledge import Retriever, load_catalogue
from knowledge.search import Mode


def build_seconds() -> dict[str, float]:
    """Time a fresh build of the builtin model and the index in a temporary folder."""
    import os

    from knowledge.index import build

    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BK_MODEL_DIR"] = str(Path(tmp) / "model")
        started = time.perf_counter()
        report = build(catalogue, Path(tmp) / "index", "builtin", retrain=True)
        total = time.perf_counter() - started
        del os.environ["BK_MODEL_DIR"]
    return {"model_s": report.model_seconds, "index_s": report.index_seconds, "total_s": round(total, 2)}


def http_figures(queries: list[str], requests_per_client: int, max_seconds: float) -> dict[str, object]:
    """Latency and throughput of the search endpoint through the API, at 1 and 8 concurrent clients."""
    import asyncio

    import httpx

    stack = start_stack("--no-rasa", env=NO_RATE_LIMITS)
    figures: dict[str, object] = {}
    try:

        async def load(concurrency: int, total: int) -> tuple[list[float], float]:
            limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(base_url=stack.url, timeout=10, limits=limits) as client:

                async def one(i: int) -> float:
                    started = time.perf_counter()
                    response = await client.get("/api/v1/services/search", params={"q": queries[i % len(queries)]})
                    response.raise_for_status()
                    return (time.perf_counter() - started) * 1000

                return await run_clients(concurrency, total, one, max_seconds=max_seconds)

        asyncio.run(load(2, 200))  # warm-up
        for concurrency in (1, 8):
            latencies, wall = asyncio.run(load(concurrency, requests_per_client * concurrency))
            stats = percentiles(latencies)
            figures[f"http_c{concurrency}"] = {
                "requests": len(latencies),
                **{k: round(v, 2) for k, v in stats.items() if k != "n"},
                "rps": round(len(latencies) / wall, 1),
            }
        figures["api_rss_mb"] = round(rss_mib(stack.pids()["api"]), 1)
    finally:
        stack.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default="hybrid")
    parser.add_argument("--lexical-only", action="store_true", help="Retriever.lexical_only (degraded mode)")
    parser.add_argument("--no-build", action="store_true", help="skip timing a fresh build of model and index")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP part")
    parser.add_argument("--http-requests", type=int, default=400, help="HTTP requests per concurrent client")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    figures: dict[str, object] = {"rss_mb_start": round(self_rss_mib(), 1)}
    started = time.perf_counter()
    catalogue = load_catalogue()
    retriever = Retriever.lexical_only(catalogue) if args.lexical_only else Retriever.load(catalogue=catalogue)
    figures["load_s"] = round(time.perf_counter() - started, 2)
    figures["rss_mb_loaded"] = round(self_rss_mib(), 1)
    if retriever.manifest is not None:
        figures["index_build_s_manifest"] = retriever.manifest.build_seconds

    queries = [q for service in catalogue for q in service.example_questions]
    mode: Mode = "lexical" if args.lexical_only else args.mode
    for query in queries:  # warm-up: lemma and split caches, first-call overheads
        retriever.search(query, mode=mode)
    times: list[float] = []
    for _ in range(args.repeat):
        for query in queries:
            t0 = time.perf_counter()
            retriever.search(query, mode=mode)
            times.append((time.perf_counter() - t0) * 1000)
    stats = percentiles(times)
    figures.update(
        mode=mode,
        queries=len(queries),
        searches=len(times),
        **{f"{k}_ms": round(v, 3) for k, v in stats.items() if k != "n"},
        rss_mb_after=round(self_rss_mib(), 1),
    )
    if not args.no_build:
        figures["fresh_build"] = build_seconds()
    if not args.no_http:
        figures.update(http_figures(queries, args.http_requests, max_seconds=60.0))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:<24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
