"""Loading and validating the service catalogue (one YAML file per service under knowledge/catalogue/).

    load_catalogue(path) -> Catalogue        raises CatalogueError listing every error (warnings do not count)
    validate_catalogue(path) -> list[Problem]  errors and warnings; never raises for content problems

The provenance rules (sources, dated amounts, "verified") are those of knowledge.provenance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import ValidationError

from knowledge.errors import CatalogueError
from knowledge.provenance import check_service
from knowledge.schema import TRANSLATED_FIELDS, Service
from knowledge.vocab import DEFAULT_LANGUAGE, LANGUAGES, SECTIONS

#: The sections a chat answer shows that have a text per language (legal bases are citations); their
#: translations are checked.
CHAT_SECTIONS = tuple(section for section in SECTIONS if section in TRANSLATED_FIELDS)

DEFAULT_CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
CONTRACT_FILE_ENV = "BK_CONTRACT_FILE"


@dataclass(frozen=True)
class Problem:
    """One validation problem, located by file, service id and field."""

    file: str
    service_id: str | None
    field: str | None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.file
        if self.service_id:
            where += f" [{self.service_id}]"
        if self.field:
            where += f" {self.field}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{where}: {self.message}"


class Catalogue:
    """The validated services, in a stable order (by id)."""

    def __init__(self, services: list[Service]) -> None:
        self._by_id = {s.id: s for s in sorted(services, key=lambda s: s.id)}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Service]:
        return iter(self._by_id.values())

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._by_id

    def get(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def __getitem__(self, service_id: str) -> Service:
        return self._by_id[service_id]

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def content_hash(self) -> str:
        """SHA-256 over the canonical JSON of all services: changes whenever any fact changes."""
        canonical = json.dumps(
            [s.model_dump(mode="json") for s in self], ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _service_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.yaml") if p.is_file())


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base.parent.parent))
    except ValueError:
        return str(path)


def _parse(directory: Path) -> tuple[list[Service], list[Problem], dict[str, list[str]]]:
    services: list[Service] = []
    problems: list[Problem] = []
    files_by_id: dict[str, list[str]] = {}
    if not directory.is_dir():
        return [], [Problem(str(directory), None, None, "catalogue folder does not exist")], {}
    for path in _service_files(directory):
        name = _relative(path, directory)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, None, None, f"not valid YAML: {exc}"))
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(name, None, None, "a service file must hold one mapping"))
            continue
        service_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        if service_id:
            files_by_id.setdefault(service_id, []).append(name)
            if path.stem != service_id:
                problems.append(Problem(name, service_id, "id", f"file name must be {service_id}.yaml"))
        try:
            services.append(Service.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or None
                problems.append(Problem(name, service_id, field, err["msg"]))
    return services, problems, files_by_id


def _translation_problems(file: str, service: Service) -> list[Problem]:
    """Every served language needs a title and a teaser (an error: the bot would answer in German); a chat section
    that has German text but none in the language falls back to German (a warning)."""
    problems: list[Problem] = []
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        for name in service.missing_translations(language):
            message = f"no {LANGUAGES[language]['name']} text; add it under translations.{language}.{name}"
            problems.append(Problem(file, service.id, f"translations.{language}", message))
        texts = service.translations.get(language)
        if texts is None:
            continue
        for name in CHAT_SECTIONS:
            if getattr(service, name) not in (None, []) and getattr(texts, name) is None:
                message = f"{name} has German text only; {LANGUAGES[language]['name']} answers show it in German"
                problems.append(Problem(file, service.id, f"translations.{language}.{name}", message, "warning"))
    return problems


def _cross_checks(
    services: list[Service], files_by_id: dict[str, list[str]], today: dt.date | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    today = today or dt.date.today()
    for service_id, files in files_by_id.items():
        if len(files) > 1:
            problems.append(Problem(files[1], service_id, "id", f"duplicate id, also in {files[0]}"))
    ids = {s.id for s in services}
    for service in services:
        file = files_by_id.get(service.id, ["?"])[0]
        for related in service.related:
            if related not in ids:
                problems.append(Problem(file, service.id, "related", f"unknown service id {related!r}"))
        if service.responsible.kind != "landschaftsverband" and service.responsible.lwl_unit:
            problems.append(Problem(file, service.id, "responsible.lwl_unit", "only for kind landschaftsverband"))
        online = service.online_service
        if online.leika and service.verified is False and online.leika != "99003031135000":
            # LeiKa keys are only accepted where the research confirmed them.
            problems.append(Problem(file, service.id, "online_service.leika", "LeiKa key is not verified"))
        problems += _translation_problems(file, service)
        for finding in check_service(service, today):
            problems.append(Problem(file, service.id, finding.field, finding.message, finding.severity))
    return problems


def contract_problems(services: list[Service], contract_file: Path) -> list[Problem]:
    """Every id of the contract file must be in the catalogue, with the same provider."""
    data = yaml.safe_load(contract_file.read_text(encoding="utf-8"))
    by_id = {s.id: s for s in services}
    problems: list[Problem] = []
    for entry in data.get("services", []):
        service = by_id.get(entry["id"])
        if service is None:
            problems.append(Problem(str(contract_file), entry["id"], None, "contract id missing from catalogue"))
        elif service.responsible.provider != entry["provider"]:
            problems.append(
                Problem(
                    str(contract_file),
                    entry["id"],
                    "responsible.provider",
                    f"is {service.responsible.provider!r}, contract says {entry['provider']!r}",
                )
            )
    return problems


def validate_catalogue(
    directory: Path = DEFAULT_CATALOGUE_DIR, contract_file: Path | None = None, today: dt.date | None = None
) -> list[Problem]:
    """Every problem of the catalogue folder (and against the contract file, when given); `today` dates the
    staleness warnings (default: the current date)."""
    services, problems, files_by_id = _parse(directory)
    problems += _cross_checks(services, files_by_id, today)
    if contract_file is not None:
        problems += contract_problems(services, contract_file)
    return problems


def load_catalogue(directory: Path = DEFAULT_CATALOGUE_DIR) -> Catalogue:
    """The catalogue; raises CatalogueError when anything is wrong (warnings are no reason)."""
    services, problems, files_by_id = _parse(directory)
    problems = [p for p in problems + _cross_checks(services, files_by_id) if p.severity == "error"]
    if problems:
        raise CatalogueError(problems)
    return Catalogue(services)
