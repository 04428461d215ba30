"""Who is responsible for a service at a place, and how to reach them, in words the bot can say.

The rules live in knowledge.places (LVR in the Rheinland, LWL in Westfalen-Lippe, Kreis / kreisfreie Stadt for
their services, nobody of the two outside NRW); this module words them (standard language or Leichte Sprache) and
builds contact blocks from what the catalogue confirms (no invented phone numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actions import deps, texts
from contract.chat import Authority

if TYPE_CHECKING:
    from knowledge.places import PlaceMatch, Responsibility
    from knowledge.schema import Contact, Service

#: The general contact when no service-specific office is known (no phone numbers: none is confirmed).
LVR_GENERAL_NAME = "LVR – Landschaftsverband Rheinland"
LVR_GENERAL_URL = "https://www.lvr.de"
LWL_GENERAL_NAME = "LWL – Landschaftsverband Westfalen-Lippe"
LWL_GENERAL_URL = "https://www.lwl.org"


# --- who is responsible ---------------------------------------------------------------------------------------------
def resolve(service: Service | None, place: PlaceMatch | None) -> Responsibility:
    return deps.responsibility(service, place)


def authority(service: Service | None, place: PlaceMatch | None) -> Authority | None:
    """The metadata `authority` for a service at a place (None when it depends on a missing place)."""
    if service is None:
        return None
    return resolve(service, place).authority


def office_name(service: Service, resp: Responsibility | None = None) -> str:
    """A name of the office to turn to, for texts that point there."""
    if resp is not None and resp.office:
        return resp.office
    responsible = service.responsible
    if responsible.unit:
        return responsible.unit
    if responsible.contact is not None:
        return responsible.contact.name
    return responsible.provider


def responsibility_text(resp: Responsibility, place: PlaceMatch | None, is_leicht: bool) -> str:
    """Who is responsible, in standard language (the sentence of knowledge.places) or in Leichte Sprache."""
    if not is_leicht:
        return resp.text
    if place is not None and place.kind == "outside_nrw":
        return texts.RESPONSIBLE_OUTSIDE(True, place=place.name)
    if resp.needs_place:
        return texts.PLACE_QUESTION(True)
    office = resp.office or "die Stelle in Ihrer Stadt"
    if resp.authority == "LWL":
        return texts.RESPONSIBLE_LWL(True, office=office, place=place.name if place else "")
    return texts.RESPONSIBLE_NO_PLACE(True, office=office)


def contact_details(contact: Contact | None) -> str | None:
    """The confirmed ways to reach an office, one per line; None when only a name is known."""
    if contact is None:
        return None
    lines = [contact.name]
    if contact.phone:
        lines.append(f"Telefon: {contact.phone}")
    if contact.email:
        lines.append(f"E-Mail: {contact.email}")
    if contact.url:
        lines.append(f"Internet: {contact.url}")
    if contact.address:
        lines.append(f"Adresse: {contact.address}")
    if contact.hours:
        lines.append(f"Erreichbar: {contact.hours}")
    return "\n".join(lines) if len(lines) > 1 else None


def general_contact(place: PlaceMatch | None) -> str:
    """The Landschaftsverband's general contact: LWL for Westfalen-Lippe, else LVR."""
    if place is not None and place.landschaftsverband == "LWL":
        return general_contact_lwl()
    return f"{LVR_GENERAL_NAME}\nInternet: {LVR_GENERAL_URL}"


def general_contact_lwl() -> str:
    return f"{LWL_GENERAL_NAME}\nInternet: {LWL_GENERAL_URL}"


def contact_block(service: Service | None, place: PlaceMatch | None, is_leicht: bool) -> tuple[str, Authority | None]:
    """Whom to contact about `service` (or in general), with the metadata authority. Never asks back."""
    if service is None:
        return texts.CONTACT(is_leicht, details=general_contact(place)), None
    resp = resolve(service, place)
    if resp.needs_place:
        if service.responsible.kind == "kreis":
            return texts.KREIS_OFFICE_UNKNOWN(is_leicht), resp.authority
        rheinland = contact_details(service.responsible.contact) or general_contact(None)
        text = texts.CONTACT_BY_REGION(is_leicht, rheinland=rheinland, westfalen=general_contact_lwl())
        return text, resp.authority
    contact = resp.contact
    if contact is None and resp.authority == "LVR":
        contact = service.responsible.contact
    details = contact_details(contact)
    if details is not None:
        office = resp.office if resp.office and contact is not None and resp.office != contact.name else None
        text = texts.CONTACT(is_leicht, details=details)
        return (texts.RESPONSIBLE_NO_PLACE(is_leicht, office=office) + "\n" + text if office else text), resp.authority
    parts = [responsibility_text(resp, place, is_leicht)]
    if resp.authority in ("LVR", "LWL"):
        parts.append(texts.CONTACT(is_leicht, details=general_contact(place)))
    return "\n".join(parts), resp.authority
