"""Who is responsible for a service at a place, and how to reach them, in words the bot can say.

The rules live in knowledge.places (LVR in the Rheinland, LWL in Westfalen-Lippe, Kreis / kreisfreie Stadt for
their services, nobody of the two outside NRW); this module words them (standard language or Leichte Sprache) and
builds contact blocks from what the catalogue confirms (no invented phone numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actions import deps, texts
from actions.texts import Voice
from contract.chat import Authority

if TYPE_CHECKING:
    from knowledge.places import Landschaftsverband, PlaceMatch, Responsibility
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


def responsibility_text(resp: Responsibility, place: PlaceMatch | None, voice: Voice) -> str:
    """Who is responsible: in standard German the sentence of knowledge.places; in Leichte Sprache and in other
    languages worded here from its fields."""
    if voice.english:
        return _english(resp, place)
    if not voice.leicht:
        return resp.text
    if place is not None and place.kind == "outside_nrw":
        return texts.RESPONSIBLE_OUTSIDE(voice, place=place.name)
    if resp.needs_place:
        return texts.PLACE_QUESTION(voice)
    office = resp.office or "die Stelle in Ihrer Stadt"
    if resp.authority == "LWL":
        return texts.RESPONSIBLE_LWL(voice, office=office, place=place.name if place else "")
    return texts.RESPONSIBLE_NO_PLACE(voice, office=office)


#: The Landschaftsverbände and regions in English, with the German names people meet on letters.
LANDSCHAFTSVERBAND_EN = {
    "LVR": "Regional Association of Rhineland (LVR, Landschaftsverband Rheinland)",
    "LWL": "Regional Association of Westphalia-Lippe (LWL, Landschaftsverband Westfalen-Lippe)",
}
REGION_EN = {"LVR": "Rhineland", "LWL": "Westphalia-Lippe"}


def _english(resp: Responsibility, place: PlaceMatch | None) -> str:
    """The responsibility in English, from the same rules' result as the German sentence."""
    english = texts.ENGLISH
    if resp.basis == "outside":
        return texts.RESPONSIBLE_OUTSIDE(english, place=place.name if place else "Your place")
    if resp.basis == "fixed":
        if resp.authority == "LVR":
            return f"This is handled by {resp.office} wherever you live."
        return f"Not the LVR but this office is responsible: {resp.office}."
    if resp.needs_place:
        if place is not None and len(place.municipalities) > 1:
            return (f"Several municipalities share the postcode {place.plz} ({', '.join(place.municipalities)}). "
                    "Which one do you live in?")
        if resp.basis == "kreis":
            return ("The district (Kreis) or independent city (kreisfreie Stadt) where you live is responsible. "
                    "Where do you live?")
        return ("It depends on where you live: in the Rhineland the LVR, in Westphalia-Lippe the LWL. " +
                texts.PLACE_QUESTION(english))
    where = _where_en(place)
    if resp.basis == "kreis":
        return f"You live {where}. Your town or district administration is responsible: {resp.office}."
    verband = place.landschaftsverband if place is not None else None
    region = f" ({REGION_EN[verband]})" if verband else ""
    if resp.authority == "LWL":
        return f"You live {where}{region}. There not the LVR but the {_named('LWL', resp.office)}"
    return f"You live {where}{region}. The {_named('LVR', resp.office)}"


def _named(verband: Landschaftsverband, office: str | None) -> str:
    """ "Regional Association … is responsible: <office>." — the office only when it is a unit of its own."""
    from knowledge.places import LVR_NAME, LWL_NAME

    general = {"LVR": LVR_NAME, "LWL": LWL_NAME}[verband]
    said = f"{LANDSCHAFTSVERBAND_EN[verband]} is responsible"
    return f"{said}: {office}." if office and office != general else f"{said}."


def _where_en(place: PlaceMatch | None) -> str:
    """ "in Troisdorf", "in Kreis Kleve", "in 53840 Troisdorf", "in the area of postcode 53721"."""
    if place is None:
        return "there"
    if place.kind == "plz" and len(place.municipalities) > 1:
        return f"in the area of postcode {place.plz}"
    if place.kind == "plz":
        return f"in {place.plz} {place.name}"
    return f"in {place.name}"


def contact_details(contact: Contact | None, voice: Voice) -> str | None:
    """The confirmed ways to reach an office, one per line; None when only a name is known."""
    if contact is None:
        return None
    labels = texts.CONTACT_LABELS
    lines = [contact.name]
    for field in ("phone", "email", "url", "address", "hours"):
        value = getattr(contact, field)
        if value:
            lines.append(f"{labels[field](voice)}: {value}")
    return "\n".join(lines) if len(lines) > 1 else None


def general_contact(place: PlaceMatch | None, voice: Voice) -> str:
    """The Landschaftsverband's general contact: LWL for Westfalen-Lippe, else LVR."""
    if place is not None and place.landschaftsverband == "LWL":
        return general_contact_lwl(voice)
    return f"{LVR_GENERAL_NAME}\n{texts.CONTACT_LABELS['url'](voice)}: {LVR_GENERAL_URL}"


def general_contact_lwl(voice: Voice) -> str:
    return f"{LWL_GENERAL_NAME}\n{texts.CONTACT_LABELS['url'](voice)}: {LWL_GENERAL_URL}"


def contact_block(service: Service | None, place: PlaceMatch | None, voice: Voice) -> tuple[str, Authority | None]:
    """Whom to contact about `service` (or in general), with the metadata authority. Never asks back."""
    if service is None:
        return texts.CONTACT(voice, details=general_contact(place, voice)), None
    resp = resolve(service, place)
    if resp.needs_place:
        if service.responsible.kind == "kreis":
            return texts.KREIS_OFFICE_UNKNOWN(voice), resp.authority
        rheinland = contact_details(service.responsible.contact, voice) or general_contact(None, voice)
        text = texts.CONTACT_BY_REGION(voice, rheinland=rheinland, westfalen=general_contact_lwl(voice))
        return text, resp.authority
    contact = resp.contact
    if contact is None and resp.authority == "LVR":
        contact = service.responsible.contact
    details = contact_details(contact, voice)
    if details is not None:
        office = resp.office if resp.office and contact is not None and resp.office != contact.name else None
        text = texts.CONTACT(voice, details=details)
        return (texts.RESPONSIBLE_NO_PLACE(voice, office=office) + "\n" + text if office else text), resp.authority
    parts = [responsibility_text(resp, place, voice)]
    if resp.authority in ("LVR", "LWL"):
        parts.append(texts.CONTACT(voice, details=general_contact(place, voice)))
    return "\n".join(parts), resp.authority
