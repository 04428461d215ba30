"""German message templates of the actions, each in standard language and in Leichte Sprache.

Rules for every text: "Sie" form, friendly, chat-sized, plain text (no HTML, no Markdown). Leichte Sprache: short
sentences, one statement per sentence, common words, hyphenated long compounds ("Post-Leitzahl").
Templates use `str.format` fields; `Template(leicht)(**values)` fills them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class Template:
    """One message in two language levels."""

    standard: str
    leicht: str

    def __call__(self, leicht: bool, /, **values: Any) -> str:
        return (self.leicht if leicht else self.standard).format(**values)


# --- search -------------------------------------------------------------------------------------------------------
FOUND_ONE = Template(
    "Das passt am ehesten: {title}\n{text}",
    "Diese Hilfe kann passen: {title}\n{text}",
)
ALSO_POSSIBLE = Template(
    "Vielleicht passt auch:\n{lines}",
    "Das kann auch passen:\n{lines}",
)
CLOSE_QUESTION = Template(
    "Ich habe mehrere passende Angebote gefunden. Geht es um {options}?\n{lines}",
    "Ich habe mehrere Hilfen gefunden. Was meinen Sie?\n{lines}",
)
OPTIONS_AFTER_CLARIFY = Template(
    "Diese Angebote könnten passen. Bitte wählen Sie eins aus:\n{lines}",
    "Diese Hilfen können passen. Bitte wählen Sie:\n{lines}",
)
VAGUE_QUESTION = Template(
    "Damit ich das Richtige finde: Worum geht es bei Ihnen? Zum Beispiel um ein Kind, um Arbeit, ums Wohnen "
    "oder um Geld zum Leben. Sie können es auch in eigenen Worten beschreiben.",
    "Ich brauche noch mehr Infos. Worum geht es? Um ein Kind? Um Arbeit? Um Wohnen? Um Geld?",
)
NOTHING_FOUND = Template(
    "Dazu habe ich leider nichts Passendes gefunden. Beschreiben Sie Ihre Situation bitte mit anderen Worten, "
    "zum Beispiel: „Ich bin blind und brauche Unterstützung im Alltag.“",
    "Dazu habe ich nichts gefunden. Bitte schreiben Sie es mit anderen Worten.",
)

# --- one service ----------------------------------------------------------------------------------------------------
SHOW_SERVICE = Template("{title}\n{text}", "{title}\n{text}")
UNVERIFIED = Template(
    "Angaben ohne Gewähr, bitte beim Amt bestätigen lassen.",
    "Diese Infos sind nicht ganz sicher. Bitte fragen Sie beim Amt nach.",
)
PLACE_QUESTION = Template(
    "Wer zuständig ist, hängt von Ihrem Wohnort ab. In welcher Stadt oder Gemeinde wohnen Sie? "
    "Die Postleitzahl genügt auch.",
    "Wer hilft Ihnen? Das hängt von Ihrem Wohn-Ort ab. Wo wohnen Sie? Schreiben Sie bitte Ihren Ort "
    "oder Ihre Post-Leitzahl.",
)
ASK_WHICH_SERVICE_FREE = Template(
    "Zu welchem Angebot möchten Sie das wissen? Beschreiben Sie bitte kurz, worum es geht.",
    "Zu welcher Hilfe wollen Sie das wissen? Bitte schreiben Sie kurz, worum es geht.",
)

# --- sections -------------------------------------------------------------------------------------------------------
#: Labels of vocab.SECTIONS in Leichte Sprache (the standard labels come from knowledge.vocab).
SECTION_LABELS_LEICHT: Final[dict[str, str]] = {
    "prerequisites": "Wer kann die Hilfe bekommen?",
    "documents": "Welche Papiere brauchen Sie?",
    "costs": "Was kostet das?",
    "deadlines": "Bis wann müssen Sie etwas tun?",
    "processing_time": "Wie lange dauert es?",
    "procedure": "So geht der Antrag",
    "legal_bases": "Welche Gesetze gelten?",
    "legal_remedy": "Sie sind nicht einverstanden?",
}
#: Short button titles per section.
SECTION_BUTTONS: Final[dict[str, tuple[str, str]]] = {
    "prerequisites": ("Voraussetzungen", "Wer bekommt das?"),
    "documents": ("Unterlagen", "Welche Papiere?"),
    "costs": ("Kosten", "Was kostet das?"),
    "deadlines": ("Fristen", "Bis wann?"),
    "processing_time": ("Bearbeitungsdauer", "Wie lange?"),
    "procedure": ("Ablauf", "Wie geht der Antrag?"),
    "legal_bases": ("Rechtsgrundlage", "Welches Gesetz?"),
    "legal_remedy": ("Widerspruch und Klage", "Nicht einverstanden?"),
}
SECTION = Template("{label} – {title}:\n{body}", "{label}\n{body}")
SECTION_EMPTY = Template(
    "Zu „{label}“ habe ich für {title} leider keine bestätigten Angaben. Bitte fragen Sie direkt nach: {office}.",
    "Dazu habe ich keine sicheren Infos. Bitte fragen Sie hier nach: {office}.",
)

# --- responsibility ------------------------------------------------------------------------------------------------
RESPONSIBLE_FOR = Template("Für „{title}“: {text}", "Für {title}: {text}")
RESPONSIBLE_NO_PLACE = Template("Zuständig: {office}.", "Diese Stelle hilft Ihnen: {office}.")
RESPONSIBLE_LWL = Template(
    "{place} gehört zu Westfalen-Lippe. Dort ist nicht der LVR zuständig, sondern der LWL "
    "(Landschaftsverband Westfalen-Lippe): {office}.",
    "Sie wohnen in Westfalen-Lippe. Dort hilft nicht der LVR. Dort hilft der LWL: {office}.",
)
RESPONSIBLE_OUTSIDE = Template(
    "{place} liegt außerhalb von Nordrhein-Westfalen. Dort ist der LVR nicht zuständig. Bitte fragen Sie bei "
    "Ihrer Stadt- oder Kreisverwaltung nach, wer diese Leistung bei Ihnen anbietet.",
    "Sie wohnen nicht in Nordrhein-Westfalen. Dann hilft der LVR nicht. Bitte fragen Sie bei Ihrer Stadt nach.",
)
PLACE_UNKNOWN = Template(
    "Diesen Ort kenne ich leider nicht. Nennen Sie mir bitte Ihre Stadt, Ihren Kreis oder Ihre Postleitzahl.",
    "Den Ort kenne ich nicht. Schreiben Sie bitte Ihre Post-Leitzahl.",
)
RESPONSIBLE_WHAT_AND_WHERE = Template(
    "Wer zuständig ist, hängt von der Leistung und von Ihrem Wohnort ab. Worum geht es, und in welcher Stadt "
    "wohnen Sie?",
    "Wer hilft Ihnen? Das hängt von der Hilfe ab. Und von Ihrem Wohn-Ort. Worum geht es? Wo wohnen Sie?",
)
ASK_WHAT_ABOUT = Template(
    "Wobei kann ich Ihnen helfen? Beschreiben Sie bitte kurz Ihre Situation.",
    "Wobei brauchen Sie Hilfe? Bitte schreiben Sie es kurz.",
)
CONTACT = Template("Kontakt: {details}", "So erreichen Sie die Stelle: {details}")
CONTACT_BY_REGION = Template(
    "Wenn Sie im Rheinland wohnen: {rheinland}\nWenn Sie in Westfalen-Lippe wohnen: {westfalen}",
    "Sie wohnen im Rheinland? Dann: {rheinland}\nSie wohnen in Westfalen-Lippe? Dann: {westfalen}",
)
KREIS_OFFICE_UNKNOWN = Template(
    "Zuständig ist die Kreis- oder Stadtverwaltung Ihres Wohnorts. Wenn Sie mir Ihren Ort nennen, sage ich Ihnen, "
    "welche es ist.",
    "Ihre Stadt hilft Ihnen. Oder Ihr Kreis. Schreiben Sie mir Ihren Wohn-Ort. Dann sage ich Ihnen, wer hilft.",
)

# --- hand-off to the online form ------------------------------------------------------------------------------------
ONLINE_WITH_URL = Template(
    "Sie können „{title}“ online beantragen: {url}",
    "Sie können den Antrag im Internet stellen: {url}",
)
ONLINE_WITHOUT_URL = Template(
    "Für „{title}“ gibt es einen Online-Antrag. Die genaue Adresse des Formulars kann ich Ihnen leider nicht "
    "bestätigt nennen. Sie finden ihn über den LVR-Beratungskompass, oder Sie fragen hier nach: {office}.",
    "Es gibt einen Antrag im Internet. Die genaue Internet-Adresse weiß ich nicht sicher. Bitte fragen Sie hier "
    "nach: {office}.",
)
ONLINE_LOGIN = Template("Zum Anmelden brauchen Sie: {login}.", "Zum Anmelden brauchen Sie: {login}.")
DOCUMENTS_NEEDED = Template(
    "Halten Sie bitte diese Unterlagen bereit:\n{lines}",
    "Diese Papiere brauchen Sie:\n{lines}",
)
DOCUMENTS_UNKNOWN = Template(
    "Welche Unterlagen Sie brauchen, ist bei mir nicht bestätigt. Bitte fragen Sie hier nach: {office}.",
    "Welche Papiere Sie brauchen, weiß ich nicht sicher. Das sagt Ihnen: {office}.",
)
CONSENT_QUESTION = Template(
    "Soll ich dem Formular Angaben aus unserem Gespräch mitgeben, damit Sie sie nicht noch einmal eingeben "
    "müssen? Das wären:\n{lines}\nOhne Ihr Ja gebe ich nichts weiter.",
    "Soll ich dem Antrag Infos aus unserem Gespräch mitgeben? Dann müssen Sie weniger schreiben. "
    "Das sind diese Infos:\n{lines}\nIch gebe nur etwas weiter, wenn Sie Ja sagen.",
)
CONSENT_GIVEN = Template(
    "Danke. Ich gebe diese Angaben an das Formular weiter:\n{lines}",
    "Danke. Ich gebe diese Infos an den Antrag weiter:\n{lines}",
)
CONSENT_GIVEN_URL = Template("Hier geht es zum Formular: {url}", "Hier ist der Antrag: {url}")
CONSENT_GIVEN_NO_URL = Template(
    "Die Formular-Adresse ist nicht bestätigt. Bitte öffnen Sie den Antrag über den LVR-Beratungskompass "
    "oder fragen Sie hier nach: {office}.",
    "Die Internet-Adresse weiß ich nicht sicher. Bitte fragen Sie hier nach: {office}.",
)
CONSENT_DECLINED = Template(
    "In Ordnung, ich gebe nichts weiter. Sie können den Antrag trotzdem jederzeit selbst stellen.",
    "Gut. Ich gebe nichts weiter. Sie können den Antrag trotzdem selbst stellen.",
)
NOTHING_TO_CONFIRM = Template(
    "Gern. Wobei kann ich Ihnen noch helfen?",
    "Gut. Wobei kann ich noch helfen?",
)
APPLY_OFFLINE = Template(
    "„{title}“ kann man nach meinen Informationen nicht online beantragen. So geht es:\n{lines}",
    "Den Antrag gibt es nicht im Internet. So geht es:\n{lines}",
)
APPLY_OFFLINE_NO_STEPS = Template(
    "„{title}“ kann man nach meinen Informationen nicht online beantragen. Wie der Antrag genau geht, ist bei mir "
    "nicht bestätigt; bitte wenden Sie sich an: {office}.",
    "Den Antrag gibt es nicht im Internet. Bitte fragen Sie hier nach: {office}.",
)
APPLY_OTHER_REGION = Template(
    "Der Online-Antrag des LVR gilt nur im Rheinland. Für Sie ist eine andere Stelle zuständig; "
    "dort stellen Sie den Antrag.",
    "Der Antrag im Internet ist nur für das Rheinland. Für Sie ist eine andere Stelle da.",
)
#: Labels of what would be passed on (once-only).
PASS_PLACE = Template("Wohnort: {value}", "Wohn-Ort: {value}")
PASS_AGE = Template("Alter: {value} Jahre", "Alter: {value} Jahre")
PASS_SERVICE = Template("Leistung: {value}", "Hilfe: {value}")

# --- human contact, fallback, out of scope, Leichte Sprache ---------------------------------------------------------
HUMAN_CONTACT = Template(
    "Gern. Hier erreichen Sie eine Ansprechperson{about}:",
    "Sie möchten mit einem Menschen sprechen? Hier bekommen Sie Hilfe{about}:",
)
HUMAN_ABOUT = Template(" zu „{title}“", " zu: {title}")
FALLBACK_FIRST = Template(
    "Das habe ich leider nicht verstanden. Können Sie es bitte anders sagen? Zum Beispiel: "
    "„Ich bin blind und brauche Unterstützung im Alltag.“",
    "Das habe ich nicht verstanden. Bitte schreiben Sie es noch einmal anders.",
)
FALLBACK_SECOND = Template(
    "Ich verstehe Sie leider immer noch nicht. Am besten hilft Ihnen eine Ansprechperson weiter:",
    "Ich verstehe Sie leider nicht. Ein Mensch kann Ihnen besser helfen:",
)
OUT_OF_SCOPE_CONTACT = Template(
    "Fragen zu den Leistungen des Landschaftsverbands beantwortet Ihnen auch eine Ansprechperson:",
    "Sie haben eine Frage zu Hilfen vom Landschafts-Verband? Hier hilft Ihnen ein Mensch:",
)
OUT_OF_SCOPE = Template(
    "Dabei kann ich leider nicht helfen. Ich kenne mich mit den Leistungen des LVR aus, zum Beispiel mit Hilfen für "
    "Menschen mit Behinderung, Blindengeld, Hilfen im Arbeitsleben, Förderschulen und der Sozialen Entschädigung. "
    "Für Anliegen wie Reisepass oder Steuern ist meist Ihre Stadt- oder Gemeindeverwaltung zuständig.",
    "Dabei kann ich nicht helfen. Ich kenne Hilfen vom LVR. Zum Beispiel: Hilfe bei Behinderung. "
    "Geld für blinde Menschen. Hilfe bei der Arbeit. Für andere Fragen fragen Sie bitte Ihre Stadt.",
)
LEICHTE_SPRACHE_ON = Template(
    "Gern. Ab jetzt schreibe ich in Leichter Sprache.",
    "Gern. Ab jetzt schreibe ich in Leichter Sprache.",
)
LEICHTE_SPRACHE_OFF = Template(
    "In Ordnung, ich schreibe wieder in Standardsprache.",
    "In Ordnung, ich schreibe wieder in Standardsprache.",
)

# --- buttons ---------------------------------------------------------------------------------------------------------
BUTTON_YES = Template("Ja", "Ja")
BUTTON_NO = Template("Nein", "Nein")
BUTTON_APPLY_ONLINE = Template("Online beantragen", "Antrag im Internet")
BUTTON_APPLY = Template("So beantragen", "Wie geht der Antrag?")
BUTTON_RESPONSIBLE = Template("Wer ist zuständig?", "Wer hilft mir?")
BUTTON_HUMAN = Template("Ansprechperson", "Mit Menschen sprechen")

#: Lebenslage buttons of the clarifying question: (standard title, Leichte-Sprache title, payload text).
#: The payload is plain text so that it runs through NLU as `describe_situation` and is added to the situation.
LEBENSLAGE_CHOICES: Final[tuple[tuple[str, str, str], ...]] = (
    ("Kind und Familie", "Kind", "Es geht um mein Kind"),
    ("Arbeit und Beruf", "Arbeit", "Es geht um Arbeit und Beruf"),
    ("Wohnen und Alltag", "Wohnen", "Es geht um Wohnen und Alltag"),
    ("Geld zum Leben", "Geld", "Es geht um Geld zum Leben"),
)


def bullet_lines(items: Iterable[str]) -> str:
    """One "• item" line per item."""
    return "\n".join(f"• {item}" for item in items)


def join_or(items: list[str]) -> str:
    """ "A", "A oder B", "A, B oder C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} oder {items[-1]}"


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a text (cut at `limit` characters on a word boundary)."""
    cut = len(text)
    for mark in (". ", "! ", "? "):
        pos = text.find(mark)
        if 0 < pos < cut:
            cut = pos + 1
    sentence = text[:cut].strip()
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return sentence
