"""The editor's path to "verified": confirm an entry's claims against their sources, recorded in its YAML file.

    service_file(directory, service_id) -> Path        the YAML file of one entry
    load_service(path) -> Service                       the validated entry of one file
    resolve_source(service, ref) -> (title, url)        what a claim's source reference points to
    record(path, confirmations) -> Service              append confirmations, set `verified`, rewrite the file

Only the `claims:` block and the `verified:` line of the file are rewritten; every other line stays as the editor
wrote it, so `git diff` shows exactly who confirmed what. `verified` becomes true only when every claim of the entry
has a confirmation. Nothing here confirms anything by itself: confirmations come from an editor (the CLI's
prompts or its --confirm options).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.errors import KnowledgeError
from knowledge.schema import Confirmation, Service


class ReviewError(KnowledgeError):
    """Raised when a review cannot be recorded (unknown entry or claim, a file that would become invalid)."""


_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):")


class _BlockDumper(yaml.SafeDumper):
    """Indents list items under their key ("claims:\\n  - id: …"), as the catalogue files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:  # repeated dates stay dates, never &id001 anchors
        return True


def dump_block(key: str, value: Any) -> str:
    """`key: value` as block YAML in the catalogue's style (ends with a newline)."""
    return yaml.dump(
        {key: value}, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False
    )


def replace_block(text: str, key: str, block: str, *, before: str | None = None) -> str:
    """Replace the top-level `key:` block of a YAML text by `block`; insert it before the top-level key `before`
    when the key is missing. Raises ReviewError when neither is found."""
    lines = text.splitlines(keepends=True)
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _TOP_LEVEL_KEY.match(line))]
    for n, (start, name) in enumerate(starts):
        if name == key:
            end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
            return "".join(lines[:start]) + block + "".join(lines[end:])
    for start, name in starts:
        if name == before:
            return "".join(lines[:start]) + block + "".join(lines[start:])
    raise ReviewError(f"no top-level {key!r} (or {before!r}) in the file")


def service_file(directory: Path, service_id: str) -> Path:
    """The YAML file of an entry (knowledge/catalogue/<area>/<id>.yaml)."""
    matches = sorted(directory.rglob(f"{service_id}.yaml"))
    if not matches:
        raise ReviewError(f"no catalogue file for {service_id!r} under {directory}")
    if len(matches) > 1:
        raise ReviewError(f"more than one file for {service_id!r}: {', '.join(map(str, matches))}")
    return matches[0]


def _validate(raw: object, path: Path) -> Service:
    try:
        return Service.model_validate(raw)
    except ValidationError as exc:
        raise ReviewError(f"{path}: {exc}") from None


def load_service(path: Path) -> Service:
    """The validated entry of one file."""
    return _validate(yaml.safe_load(path.read_text(encoding="utf-8")), path)


def resolve_source(service: Service, ref: str | None) -> tuple[str, str | None]:
    """(title, url) of a claim's source reference: a source id, a legal basis citation, or a URL."""
    if ref is None:
        return "keine Quelle angegeben", None
    for source in service.sources:
        if source.id == ref:
            return source.title, source.url
    for basis in service.legal_bases:
        if basis.citation == ref:
            return f"{basis.citation} – {basis.title}" if basis.title else basis.citation, basis.url
    return ref, ref if ref.startswith(("https://", "http://")) else None


def record(path: Path, confirmations: Mapping[str, Sequence[Confirmation]]) -> Service:
    """Append the confirmations (by claim id) to the entry's claims, set `verified`, rewrite the file."""
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    service = _validate(raw, path)
    known = {c.id for c in service.claims}
    unknown = sorted(set(confirmations) - known)
    if unknown:
        raise ReviewError(f"{service.id} has no claim {', '.join(unknown)}; claims: {', '.join(sorted(known))}")
    claims = []
    for claim in service.claims:
        added = list(confirmations.get(claim.id, ()))
        claims.append(claim.model_copy(update={"confirmations": [*claim.confirmations, *added]}))
    verified = bool(claims) and all(c.confirmed for c in claims)
    block = dump_block("claims", [c.model_dump(exclude_defaults=True) for c in claims])
    new_text = replace_block(text, "claims", block, before="stand")
    new_text = replace_block(new_text, "verified", f"verified: {'true' if verified else 'false'}\n")
    updated = _validate(yaml.safe_load(new_text), path)  # never write a file that would not load
    path.write_text(new_text, encoding="utf-8")
    return updated
