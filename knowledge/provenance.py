"""Provenance rules of a catalogue entry: sources a caseworker can open, dated amounts, honest "verified".

    check_service(service, today) -> list[Finding]    every finding of one entry (errors and warnings)

Errors: a source or link that names the project's internal research notes; a bare home page as a link; an entry
without any primary source; a legal basis without a paragraph-level link and without a `url_note` saying why;
a claim whose source is not a source or legal basis of the entry; an amount, threshold or deadline without
`valid_from` and without a note; `verified: true` while a claim is unconfirmed.
Warnings: an amount whose `valid_from` is more than 18 months before `today`, or whose date is unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from knowledge.schema import DATED_CLAIM_KINDS, Service

#: Amounts older than this many months are flagged: they are probably out of date.
STALE_MONTHS = 18
#: Text that gives away the project's internal research notes (never a source for a caseworker).
_INTERNAL = re.compile(r"lvr-facts|shared/research|research/|recherche-notiz", re.IGNORECASE)
#: A paragraph's own page on gesetze-im-internet.de, e.g. /sgb_9_2018/__61a.html or /bgb/__1741.html.
_GII_PARAGRAPH = re.compile(r"^/[a-z0-9_]+/(?:__\d+[a-z]*|art_\d+[a-z]*)\.html$")

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One provenance problem of an entry."""

    field: str
    message: str
    severity: Severity = "error"


def is_bare_home_page(url: str) -> bool:
    """True for an address without a path (https://www.lvr.de, https://recht.nrw.de/)."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def is_paragraph_link(url: str) -> bool:
    """True when the URL can be a single paragraph's page (on gesetze-im-internet.de: the __N.html pattern)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or is_bare_home_page(url):
        return False
    if parts.netloc.endswith("gesetze-im-internet.de"):
        return bool(_GII_PARAGRAPH.match(parts.path))
    return True


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clamped to the month's last day)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _link_findings(field: str, url: str | None, note: str | None, *, paragraph: bool) -> list[Finding]:
    findings: list[Finding] = []
    for text in (url, note):
        if text and _INTERNAL.search(text):
            findings.append(Finding(field, "names the project's internal research notes; cite a primary source"))
    if url is None:
        if not note:
            findings.append(Finding(field, "no url: say in url_note why there is none"))
    elif is_bare_home_page(url):
        findings.append(
            Finding(field, f"{url} is a bare home page; link the page itself or set url null with url_note")
        )
    elif paragraph and not is_paragraph_link(url):
        findings.append(Finding(field, f"{url} is not a paragraph's own page; link the paragraph or set url_note"))
    return findings


def check_service(service: Service, today: dt.date) -> list[Finding]:
    """Every provenance finding of one entry."""
    findings: list[Finding] = []
    for i, source in enumerate(service.sources):
        field = f"sources.{i}"
        if _INTERNAL.search(source.title):
            findings.append(Finding(field, "names the project's internal research notes; cite a primary source"))
        findings += _link_findings(field, source.url, source.url_note, paragraph=source.kind == "law-paragraph")
    for i, basis in enumerate(service.legal_bases):
        findings += _link_findings(f"legal_bases.{i}", basis.url, basis.url_note, paragraph=True)
    if not service.sources and not any(b.url for b in service.legal_bases):
        findings.append(Finding("sources", "no primary source: name a publication or link a legal basis"))

    refs = {s.id for s in service.sources} | {b.citation for b in service.legal_bases}
    stale_before = months_later(today, -STALE_MONTHS)
    for i, claim in enumerate(service.claims):
        field = f"claims.{i}"
        if claim.source is None and not claim.note:
            findings.append(Finding(field, f"claim {claim.id!r} has no source: name one or say why in note"))
        elif claim.source is not None and claim.source not in refs:
            findings.append(Finding(field, f"source {claim.source!r} is neither a source id nor a legal basis"))
        if claim.kind in DATED_CLAIM_KINDS and claim.valid_from is None and not claim.note:
            findings.append(Finding(field, f"{claim.kind} {claim.id!r} needs valid_from, or a note why it has none"))
        if claim.kind == "amount":
            if claim.valid_from is None:
                findings.append(Finding(field, f"amount {claim.id!r}: the date it applies from is unknown", "warning"))
            elif claim.valid_from < stale_before:
                findings.append(
                    Finding(
                        field,
                        f"amount {claim.id!r} applies from {claim.valid_from.isoformat()}, more than "
                        f"{STALE_MONTHS} months ago: check whether it is still current",
                        "warning",
                    )
                )
        for j, confirmation in enumerate(claim.confirmations):
            checked = confirmation.source
            if checked not in refs and not checked.startswith(("https://", "http://")):
                findings.append(
                    Finding(f"{field}.confirmations.{j}", f"source {checked!r} is not a source of the entry or a URL")
                )
            if confirmation.date > today:
                findings.append(Finding(f"{field}.confirmations.{j}", "confirmation date lies in the future"))
    if service.verified:
        open_claims = [c.id for c in service.claims if not c.confirmed]
        if not service.claims:
            findings.append(Finding("verified", "verified is true but the entry lists no claims"))
        elif open_claims:
            findings.append(
                Finding("verified", f"verified is true but claims are unconfirmed: {', '.join(open_claims)}")
            )
    return findings
