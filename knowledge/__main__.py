"""Command line: python -m knowledge build | validate | search | eval.

    build [--retrain]                      train the builtin model if needed, then build the index folder
    validate [--contract PATH]             every problem of the catalogue (file, service id, field); exit 1 on any
    search ["frage"] [--top 5] [--json] [--mode hybrid|lexical|dense] [--lexical-only]
                                           without a query: one query per line from stdin, one result per line
    eval FILE.yaml [--json]                Recall@1, Recall@3, MRR@10 for hybrid, lexical and dense

Exit codes: 0 ok, 1 problems found / refused, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.catalogue import CONTRACT_FILE_ENV, DEFAULT_CATALOGUE_DIR, load_catalogue, validate_catalogue
from knowledge.errors import KnowledgeError, QueryError

if TYPE_CHECKING:
    from knowledge.search import Retriever, SearchHit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTRACT = REPO_ROOT.parent / "shared" / "contract" / "services.yaml"


def default_contract() -> Path | None:
    """The contract file: BK_CONTRACT_FILE, else ../shared/contract/services.yaml next to the repo when present."""
    configured = os.environ.get(CONTRACT_FILE_ENV, "").strip()
    if configured:
        return Path(configured)
    return DEFAULT_CONTRACT if DEFAULT_CONTRACT.is_file() else None


def _catalogue_dir(args: argparse.Namespace) -> Path:
    return Path(args.catalogue) if args.catalogue else DEFAULT_CATALOGUE_DIR


def cmd_validate(args: argparse.Namespace) -> int:
    """Print every problem of the catalogue; exit 1 when there is any."""
    contract = Path(args.contract) if args.contract else default_contract()
    if contract is not None and not contract.is_file():
        print(f"contract file not found: {contract}", file=sys.stderr)
        return 2
    problems = validate_catalogue(_catalogue_dir(args), contract)
    for problem in problems:
        print(problem)
    checked = f" against {contract}" if contract else ""
    if problems:
        print(f"{len(problems)} problem(s){checked}", file=sys.stderr)
        return 1
    count = sum(1 for _ in _catalogue_dir(args).rglob("*.yaml"))
    print(f"ok: {count} service file(s){checked}", file=sys.stderr)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Train the builtin model when needed and build the index."""
    from knowledge.index import build

    catalogue = load_catalogue(_catalogue_dir(args))
    if args.if_needed:
        from knowledge.index import outdated_reason

        reason = outdated_reason(catalogue, Path(args.index) if args.index else None, args.model)
        if reason is None and not args.retrain:
            print("index: up to date")
            return 0
        print(f"index: rebuilding ({reason})")
    report = build(catalogue, Path(args.index) if args.index else None, args.model, retrain=args.retrain)
    m = report.manifest
    if report.model_trained:
        trained = f"trained in {report.model_seconds:.1f} s"
    else:
        trained = "up to date" if m.model == "builtin" else "external model, not trained here"
    print(f"model: {m.model} ({trained}), hash {m.model_hash[:16]}…, dimension {m.dimension}")
    print(f"index: {m.records} records for {m.services} services in {report.index_seconds:.1f} s")
    print(f"catalogue hash {m.catalogue_hash[:16]}…, total build {m.build_seconds:.1f} s")
    return 0


def _retriever(args: argparse.Namespace) -> Retriever:
    from knowledge.search import Retriever

    catalogue = load_catalogue(_catalogue_dir(args))
    if getattr(args, "lexical_only", False):
        return Retriever.lexical_only(catalogue)
    return Retriever.load(args.index, catalogue, args.model)


def _hits_json(hits: Sequence[SearchHit]) -> str:
    return json.dumps(
        [{"id": h.id, "title": h.service.title, "score": round(h.score, 4)} for h in hits], ensure_ascii=False
    )


def _hits_table(query: str, hits: Sequence[SearchHit]) -> str:
    lines = [f"» {query}"]
    if not hits:
        lines.append("   (no match)")
    for rank, hit in enumerate(hits, 1):
        lines.append(f"{rank:>3}. {hit.score:6.3f}  {hit.id:<40} {hit.service.title}")
    return "\n".join(lines)


def cmd_search(args: argparse.Namespace) -> int:
    """Search one query, or one query per stdin line (one model load for the batch)."""
    retriever = _retriever(args)
    queries = [args.query] if args.query is not None else [line.rstrip("\n") for line in sys.stdin]
    status = 0
    for query in queries:
        try:
            hits = retriever.search(query, args.top, lebenslage=args.lebenslage, provider=args.provider, mode=args.mode)
        except QueryError as exc:
            if args.query is not None:
                raise
            print(f"query error: {exc}", file=sys.stderr)
            hits, status = [], 1
        print(_hits_json(hits) if args.json else _hits_table(query, hits), flush=True)
    return status


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate all modes on a question set."""
    from knowledge.evaluate import evaluate, format_report, load_eval_set

    items = load_eval_set(Path(args.file))
    report = evaluate(_retriever(args), items)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    root = argparse.ArgumentParser(
        prog="python -m knowledge", description="Catalogue and search of the Beratungskompass"
    )
    root.add_argument("--catalogue", help="catalogue folder (default knowledge/catalogue)")
    sub = root.add_subparsers(dest="command", required=True)

    def with_index(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", help="index folder (default BK_INDEX_DIR or knowledge/build/index)")
        p.add_argument("--model", help="embedding model: builtin, a folder or a hub name (default BK_EMBEDDING_MODEL)")

    p = sub.add_parser("validate", help="check the catalogue")
    p.add_argument("--contract", help="contract file (default BK_CONTRACT_FILE or ../shared/contract/services.yaml)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="build the builtin model (when needed) and the search index")
    with_index(p)
    p.add_argument("--retrain", action="store_true", help="train the builtin model even when it is up to date")
    p.add_argument("--if-needed", action="store_true", help="do nothing when the index matches catalogue and model")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("search", help="search the catalogue")
    p.add_argument("query", nargs="?", help="the question; without it, one question per line from stdin")
    p.add_argument("--top", type=int, default=5)
    p.add_argument("--json", action="store_true", help='print [{"id", "title", "score"}, …]')
    p.add_argument("--mode", choices=["hybrid", "lexical", "dense"], default="hybrid")
    p.add_argument("--lebenslage", help="only services of this Lebenslage (id)")
    p.add_argument("--provider", help="only services of this provider")
    p.add_argument("--lexical-only", action="store_true", help="no model and index (degraded mode)")
    with_index(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("eval", help="evaluate retrieval on a question set")
    p.add_argument("file", help="YAML file in the format of shared/eval/dev.yaml")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lexical-only", action="store_true", help="no model and index (degraded mode)")
    with_index(p)
    p.set_defaults(func=cmd_eval)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except QueryError as exc:
        print(f"query error: {exc}", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
