"""Command line: python -m knowledge build | validate | review | search | eval.

    build [--retrain]                      train the builtin model if needed, then build the index folder
    validate [--contract PATH] [--today YYYY-MM-DD]
                                           every problem of the catalogue (file, service id, field); exit 1 on any
                                           error, warnings (e.g. amounts older than 18 months) are only printed
    review SERVICE [--list] [--editor NAME --confirm CLAIM_ID … [--source REF] [--date YYYY-MM-DD] [--note TEXT]]
                                           confirm an entry's claims against their sources (interactive without
                                           --confirm); records who confirmed what, when, in the entry's YAML
    search ["frage"] [--top 5] [--json] [--mode hybrid|lexical|dense] [--lexical-only]
                                           without a query: one query per line from stdin, one result per line
    eval FILE.yaml [FILE.yaml …] [--json]  Recall@1, Recall@3, MRR@10 for hybrid, lexical and dense, overall and per
                                           language, for each file (one model load)

Exit codes: 0 ok, 1 problems found / refused, 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.catalogue import CONTRACT_FILE_ENV, DEFAULT_CATALOGUE_DIR, load_catalogue, validate_catalogue
from knowledge.errors import KnowledgeError, QueryError
from knowledge.schema import Claim, Confirmation, Service

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
    problems = validate_catalogue(_catalogue_dir(args), contract, today=args.today)
    for problem in problems:
        print(problem)
    checked = f" against {contract}" if contract else ""
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if errors:
        print(f"{errors} problem(s), {warnings} warning(s){checked}", file=sys.stderr)
        return 1
    count = sum(1 for _ in _catalogue_dir(args).rglob("*.yaml"))
    print(f"ok: {count} service file(s), {warnings} warning(s){checked}", file=sys.stderr)
    return 0


def _claim_lines(service: Service, claim: Claim) -> list[str]:
    from knowledge.review import resolve_source

    title, url = resolve_source(service, claim.source)
    state = "confirmed" if claim.confirmed else "open"
    lines = [f"[{state}] {claim.id} ({claim.kind}, {claim.origin}): {claim.text}", f"    source: {title}"]
    if url:
        lines.append(f"    link:   {url}")
    if claim.valid_from:
        lines.append(
            f"    valid from {claim.valid_from.isoformat()}" + (f"; {claim.change_rule}" if claim.change_rule else "")
        )
    if claim.note:
        lines.append(f"    note:   {claim.note}")
    for c in claim.confirmations:
        lines.append(f"    confirmed by {c.by} on {c.date.isoformat()} against {c.source}")
    return lines


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.strip()


def _interactive(service: Service, editor: str | None, day: dt.date) -> dict[str, list[Confirmation]]:
    """Walk the editor through the open claims; returns the confirmations they gave."""
    from knowledge.review import resolve_source

    open_claims = [c for c in service.claims if not c.confirmed]
    print(f"{service.id}: {len(service.claims) - len(open_claims)} of {len(service.claims)} claims confirmed")
    given: dict[str, list[Confirmation]] = {}
    if not open_claims:
        return given
    try:
        editor = editor or _ask("Your name (recorded with each confirmation): ")
        if not editor:
            print("no name given: nothing recorded", file=sys.stderr)
            return given
        answer = _ask(f"Date of the check [{day.isoformat()}]: ")
        day = dt.date.fromisoformat(answer) if answer else day
        for claim in open_claims:
            print()
            print("\n".join(_claim_lines(service, claim)))
            answer = _ask("Confirmed against this source? [y]es / [n]o / [s]kip / [q]uit: ").lower()
            if answer.startswith("q"):
                break
            if not answer.startswith("y"):
                continue
            source = claim.source
            if source is None or resolve_source(service, source)[1] is None:
                typed = _ask(f"Source you checked (source id, citation or URL) [{source or ''}]: ")
                source = typed or source
            if not source:
                print("  no source: not recorded", file=sys.stderr)
                continue
            given[claim.id] = [Confirmation(by=editor, source=source, date=day)]
    except EOFError:
        print("\n(end of input)", file=sys.stderr)
    return given


def cmd_review(args: argparse.Namespace) -> int:
    """Show an entry's claims and record an editor's confirmations in its YAML file."""
    from knowledge.review import load_service, record, service_file

    path = service_file(_catalogue_dir(args), args.service)
    service = load_service(path)
    if args.list:
        confirmed = service.confirmed_claims
        print(f"{service.id}: {confirmed} of {len(service.claims)} claims confirmed, verified: {service.verified}")
        for claim in service.claims:
            print("\n".join(_claim_lines(service, claim)))
        return 0
    day = args.date or dt.date.today()
    if args.confirm:
        if not args.editor:
            print("--confirm needs --editor NAME", file=sys.stderr)
            return 2
        by_id = {c.id: c for c in service.claims}
        given: dict[str, list[Confirmation]] = {}
        for claim_id in args.confirm:
            found = by_id.get(claim_id)
            source = args.source or (found.source if found else None)
            if found is not None and source is None:
                print(f"claim {claim_id!r} names no source: pass --source", file=sys.stderr)
                return 2
            given[claim_id] = [Confirmation(by=args.editor, source=source or "", date=day, note=args.note)]
    else:
        given = _interactive(service, args.editor, day)
    if not given:
        print("nothing recorded")
        return 0
    updated = record(path, given)
    print(
        f"recorded {len(given)} confirmation(s) in {path}: {updated.confirmed_claims} of {len(updated.claims)} "
        f"claims confirmed, verified: {str(updated.verified).lower()}"
    )
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

    sets = {name: load_eval_set(Path(name)) for name in args.file}  # every file checked before the model loads
    retriever = _retriever(args)
    reports = {name: evaluate(retriever, items) for name, items in sets.items()}
    if args.json:
        single = len(reports) == 1
        print(json.dumps(next(iter(reports.values())) if single else reports, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(f"== {name}\n{format_report(report)}" for name, report in reports.items()))
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
    p.add_argument("--today", type=dt.date.fromisoformat, help="date the staleness warnings count from (default today)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("review", help="confirm an entry's claims against their sources (the editor's path)")
    p.add_argument("service", help="service id, e.g. blindengeld")
    p.add_argument("--list", action="store_true", help="only show the claims, their sources and confirmations")
    p.add_argument("--editor", help="your name, recorded with each confirmation (asked when interactive)")
    p.add_argument("--confirm", action="append", metavar="CLAIM_ID", help="confirm this claim (repeatable)")
    p.add_argument("--source", help="what you checked, when not the claim's own source: source id, citation, URL")
    p.add_argument("--date", type=dt.date.fromisoformat, help="date of the check (default today)")
    p.add_argument("--note", help="a note recorded with the confirmations")
    p.set_defaults(func=cmd_review)

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
    p.add_argument("file", nargs="+", help="YAML file(s) in the format of shared/eval/dev.yaml")
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
