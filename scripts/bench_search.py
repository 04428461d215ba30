"""Benchmark of the search, part "in process": latency percentiles, index build time, process memory.

    .venv/bin/python scripts/bench_search.py [--repeat 20] [--mode hybrid] [--build]

Queries: the example questions of the catalogue, each searched --repeat times (after one warm-up round).
--build also measures a fresh build (builtin model + index) into a temporary folder. Prints figures; never asserts.
The HTTP part (through the API) is added separately.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge import Retriever, load_catalogue
from knowledge.search import Mode


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values, nearest-rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def rss_mb() -> float:
    """Resident set size of this process in MB (current, from /proc; peak as a fallback)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default="hybrid")
    parser.add_argument("--lexical-only", action="store_true", help="Retriever.lexical_only (degraded mode)")
    parser.add_argument("--build", action="store_true", help="also time a fresh build of model and index")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    figures: dict[str, object] = {"rss_mb_start": round(rss_mb(), 1)}
    started = time.perf_counter()
    catalogue = load_catalogue()
    retriever = Retriever.lexical_only(catalogue) if args.lexical_only else Retriever.load(catalogue=catalogue)
    figures["load_s"] = round(time.perf_counter() - started, 2)
    figures["rss_mb_loaded"] = round(rss_mb(), 1)
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
    figures.update(
        mode=mode,
        queries=len(queries),
        searches=len(times),
        p50_ms=round(percentile(times, 0.50), 3),
        p95_ms=round(percentile(times, 0.95), 3),
        p99_ms=round(percentile(times, 0.99), 3),
        mean_ms=round(statistics.fmean(times), 3),
        max_ms=round(max(times), 3),
        rss_mb_after=round(rss_mb(), 1),
    )
    if args.build:
        figures["fresh_build"] = build_seconds()
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:<24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
