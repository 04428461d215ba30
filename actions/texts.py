"""The message templates of the actions: German in standard language and in Leichte Sprache, and English.

Rules for every text: "Sie" form in German, friendly, chat-sized, plain text (no HTML, no Markdown). Leichte Sprache:
short sentences, one statement per sentence, common words, hyphenated long compounds ("Post-Leitzahl"). English: plain
and short, German legal terms in brackets where a citizen meets them on forms ("Regional Association (LVR)").
Templates use `str.format` fields; `TEMPLATE(voice, **values)` fills them in the voice's language and level.

A new language is a third text per template (and the tables below), not new code: see docs/languages.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from contract.chat import DEFAULT_LANGUAGE, Language
from knowledge.vocab import SECTIONS


@dataclass(frozen=True)
class Voice:
    """How a reply speaks: its language, and Leichte Sprache (a German standard; in English the texts are plain
    already, so `of` drops the flag there)."""

    language: Language = DEFAULT_LANGUAGE
    leicht: bool = False

    @classmethod
    def of(cls, language: Language, leicht: bool) -> Voice:
        return cls(language, leicht and language == DEFAULT_LANGUAGE)

    @property
    def english(self) -> bool:
        return self.language == "en"


STANDARD: Final = Voice()
LEICHT: Final = Voice(leicht=True)
ENGLISH: Final = Voice("en")


@dataclass(frozen=True)
class Template:
    """One message: German standard, German Leichte Sprache, English."""

    standard: str
    leicht: str
    en: str

    def __call__(self, voice: Voice, /, **values: Any) -> str:
        german = self.leicht if voice.leicht else self.standard
        return (self.en if voice.english else german).format(**values)


# --- search -------------------------------------------------------------------------------------------------------
FOUND_ONE = Template(
    "Das passt am ehesten: {title}\n{text}",
    "Diese Hilfe kann passen: {title}\n{text}",
    "This fits best: {title}\n{text}",
)
ALSO_POSSIBLE = Template(
    "Vielleicht passt auch:\n{lines}",
    "Das kann auch passen:\n{lines}",
    "This may also fit:\n{lines}",
)
CLOSE_QUESTION = Template(
    "Ich habe mehrere passende Angebote gefunden. Geht es um {options}?\n{lines}",
    "Ich habe mehrere Hilfen gefunden. Was meinen Sie?\n{lines}",
    "I found several services that could fit. Is it about {options}?\n{lines}",
)
OPTIONS_AFTER_CLARIFY = Template(
    "Diese Angebote könnten passen. Bitte wählen Sie eins aus:\n{lines}",
    "Diese Hilfen können passen. Bitte wählen Sie:\n{lines}",
    "These services could fit. Please choose one:\n{lines}",
)
VAGUE_QUESTION = Template(
    "Damit ich das Richtige finde: Worum geht es bei Ihnen? Zum Beispiel um ein Kind, um Arbeit, ums Wohnen "
    "oder um Geld zum Leben. Sie können es auch in eigenen Worten beschreiben.",
    "Ich brauche noch mehr Infos. Worum geht es? Um ein Kind? Um Arbeit? Um Wohnen? Um Geld?",
    "So that I find the right thing: what is it about? For example a child, work, housing or money to live on. You "
    "can also describe it in your own words.",
)
NOTHING_FOUND = Template(
    "Dazu habe ich leider nichts Passendes gefunden. Beschreiben Sie Ihre Situation bitte mit anderen Worten, "
    "zum Beispiel: „Ich bin blind und brauche Unterstützung im Alltag.“",
    "Dazu habe ich nichts gefunden. Bitte schreiben Sie es mit anderen Worten.",
    "Sorry, I found nothing that fits. Please describe your situation in other words, for example: \"I am blind "
    "and need support in everyday life.\"",
)

# --- one service ----------------------------------------------------------------------------------------------------
SHOW_SERVICE = Template("{title}\n{text}", "{title}\n{text}", "{title}\n{text}")
UNVERIFIED = Template(
    "Angaben ohne Gewähr, bitte beim Amt bestätigen lassen.",
    "Diese Infos sind nicht ganz sicher. Bitte fragen Sie beim Amt nach.",
    "No guarantee for this information; please have it confirmed by the office.",
)
PLACE_QUESTION = Template(
    "Wer zuständig ist, hängt von Ihrem Wohnort ab. In welcher Stadt oder Gemeinde wohnen Sie? "
    "Die Postleitzahl genügt auch.",
    "Wer hilft Ihnen? Das hängt von Ihrem Wohn-Ort ab. Wo wohnen Sie? Schreiben Sie bitte Ihren Ort "
    "oder Ihre Post-Leitzahl.",
    "Who is responsible depends on where you live. In which town or municipality do you live? The postcode is enough.",
)
ASK_WHICH_SERVICE_FREE = Template(
    "Zu welchem Angebot möchten Sie das wissen? Beschreiben Sie bitte kurz, worum es geht.",
    "Zu welcher Hilfe wollen Sie das wissen? Bitte schreiben Sie kurz, worum es geht.",
    "Which service would you like to know this for? Please describe briefly what it is about.",
)

# --- sections -------------------------------------------------------------------------------------------------------
#: The label of each section of vocab.SECTIONS (its German label there is the standard one here).
SECTION_LABELS: Final[dict[str, Template]] = {
    "prerequisites": Template(SECTIONS["prerequisites"], "Wer kann die Hilfe bekommen?", "Requirements"),
    "documents": Template(SECTIONS["documents"], "Welche Papiere brauchen Sie?", "Documents needed"),
    "costs": Template(SECTIONS["costs"], "Was kostet das?", "Costs"),
    "deadlines": Template(SECTIONS["deadlines"], "Bis wann müssen Sie etwas tun?", "Deadlines"),
    "processing_time": Template(SECTIONS["processing_time"], "Wie lange dauert es?", "Processing time"),
    "procedure": Template(SECTIONS["procedure"], "So geht der Antrag", "How to apply"),
    "legal_bases": Template(SECTIONS["legal_bases"], "Welche Gesetze gelten?", "Legal basis"),
    "legal_remedy": Template(SECTIONS["legal_remedy"], "Sie sind nicht einverstanden?", "Objection and appeal"),
}
#: Short button titles per section.
SECTION_BUTTONS: Final[dict[str, Template]] = {
    "prerequisites": Template("Voraussetzungen", "Wer bekommt das?", "Requirements"),
    "documents": Template("Unterlagen", "Welche Papiere?", "Documents"),
    "costs": Template("Kosten", "Was kostet das?", "Costs"),
    "deadlines": Template("Fristen", "Bis wann?", "Deadlines"),
    "processing_time": Template("Bearbeitungsdauer", "Wie lange?", "Processing time"),
    "procedure": Template("Ablauf", "Wie geht der Antrag?", "Procedure"),
    "legal_bases": Template("Rechtsgrundlage", "Welches Gesetz?", "Legal basis"),
    "legal_remedy": Template("Widerspruch und Klage", "Nicht einverstanden?", "Objection and appeal"),
}
SECTION = Template("{label} – {title}:\n{body}", "{label}\n{body}", "{label} – {title}:\n{body}")
SECTION_EMPTY = Template(
    "Zu „{label}“ habe ich für {title} leider keine bestätigten Angaben. Bitte fragen Sie direkt nach: {office}.",
    "Dazu habe ich keine sicheren Infos. Bitte fragen Sie hier nach: {office}.",
    "Sorry, I have no confirmed information on \"{label}\" for {title}. Please ask directly: {office}.",
)

# --- responsibility ------------------------------------------------------------------------------------------------
RESPONSIBLE_FOR = Template("Für „{title}“: {text}", "Für {title}: {text}", "For \"{title}\": {text}")
RESPONSIBLE_NO_PLACE = Template("Zuständig: {office}.", "Diese Stelle hilft Ihnen: {office}.", "Responsible: {office}.")
RESPONSIBLE_LWL = Template(
    "{place} gehört zu Westfalen-Lippe. Dort ist nicht der LVR zuständig, sondern der LWL "
    "(Landschaftsverband Westfalen-Lippe): {office}.",
    "Sie wohnen in Westfalen-Lippe. Dort hilft nicht der LVR. Dort hilft der LWL: {office}.",
    "{place} is in Westphalia-Lippe. There the LVR is not responsible but the LWL (Regional Association of "
    "Westphalia-Lippe, Landschaftsverband Westfalen-Lippe): {office}.",
)
RESPONSIBLE_OUTSIDE = Template(
    "{place} liegt außerhalb von Nordrhein-Westfalen. Dort ist der LVR nicht zuständig. Bitte fragen Sie bei "
    "Ihrer Stadt- oder Kreisverwaltung nach, wer diese Leistung bei Ihnen anbietet.",
    "Sie wohnen nicht in Nordrhein-Westfalen. Dann hilft der LVR nicht. Bitte fragen Sie bei Ihrer Stadt nach.",
    "{place} is outside North Rhine-Westphalia, so the LVR is not responsible for you. Please ask your town or "
    "district administration who offers this service where you live.",
)
PLACE_UNKNOWN = Template(
    "Diesen Ort kenne ich leider nicht. Nennen Sie mir bitte Ihre Stadt, Ihren Kreis oder Ihre Postleitzahl.",
    "Den Ort kenne ich nicht. Schreiben Sie bitte Ihre Post-Leitzahl.",
    "Sorry, I don't know this place. Please tell me your town, your district (Kreis) or your postcode.",
)
RESPONSIBLE_WHAT_AND_WHERE = Template(
    "Wer zuständig ist, hängt von der Leistung und von Ihrem Wohnort ab. Worum geht es, und in welcher Stadt "
    "wohnen Sie?",
    "Wer hilft Ihnen? Das hängt von der Hilfe ab. Und von Ihrem Wohn-Ort. Worum geht es? Wo wohnen Sie?",
    "Who is responsible depends on the service and on where you live. What is it about, and in which town do you "
    "live?",
)
ASK_WHAT_ABOUT = Template(
    "Wobei kann ich Ihnen helfen? Beschreiben Sie bitte kurz Ihre Situation.",
    "Wobei brauchen Sie Hilfe? Bitte schreiben Sie es kurz.",
    "How can I help you? Please describe your situation briefly.",
)
CONTACT = Template("Kontakt: {details}", "So erreichen Sie die Stelle: {details}", "Contact: {details}")
CONTACT_BY_REGION = Template(
    "Wenn Sie im Rheinland wohnen: {rheinland}\nWenn Sie in Westfalen-Lippe wohnen: {westfalen}",
    "Sie wohnen im Rheinland? Dann: {rheinland}\nSie wohnen in Westfalen-Lippe? Dann: {westfalen}",
    "If you live in the Rhineland: {rheinland}\nIf you live in Westphalia-Lippe: {westfalen}",
)
KREIS_OFFICE_UNKNOWN = Template(
    "Zuständig ist die Kreis- oder Stadtverwaltung Ihres Wohnorts. Wenn Sie mir Ihren Ort nennen, sage ich Ihnen, "
    "welche es ist.",
    "Ihre Stadt hilft Ihnen. Oder Ihr Kreis. Schreiben Sie mir Ihren Wohn-Ort. Dann sage ich Ihnen, wer hilft.",
    "The district (Kreis) or town administration where you live is responsible. If you tell me your town, I will "
    "tell you which one it is.",
)

# --- hand-off to the online form ------------------------------------------------------------------------------------
ONLINE_WITH_URL = Template(
    "Sie können „{title}“ online beantragen: {url}",
    "Sie können den Antrag im Internet stellen: {url}",
    "You can apply for \"{title}\" online: {url}",
)
ONLINE_WITHOUT_URL = Template(
    "Für „{title}“ gibt es einen Online-Antrag. Die genaue Adresse des Formulars kann ich Ihnen leider nicht "
    "bestätigt nennen. Sie finden ihn über den LVR-Beratungskompass, oder Sie fragen hier nach: {office}.",
    "Es gibt einen Antrag im Internet. Die genaue Internet-Adresse weiß ich nicht sicher. Bitte fragen Sie hier "
    "nach: {office}.",
    "There is an online application for \"{title}\". I cannot give you a confirmed address of the form. You will "
    "find it via the LVR-Beratungskompass, or ask here: {office}.",
)
ONLINE_LOGIN = Template(
    "Zum Anmelden brauchen Sie: {login}.", "Zum Anmelden brauchen Sie: {login}.", "To log in you need: {login}."
)
DOCUMENTS_NEEDED = Template(
    "Halten Sie bitte diese Unterlagen bereit:\n{lines}",
    "Diese Papiere brauchen Sie:\n{lines}",
    "Please have these documents ready:\n{lines}",
)
DOCUMENTS_UNKNOWN = Template(
    "Welche Unterlagen Sie brauchen, ist bei mir nicht bestätigt. Bitte fragen Sie hier nach: {office}.",
    "Welche Papiere Sie brauchen, weiß ich nicht sicher. Das sagt Ihnen: {office}.",
    "Which documents you need is not confirmed to me. Please ask here: {office}.",
)
CONSENT_QUESTION = Template(
    "Soll ich dem Formular Angaben aus unserem Gespräch mitgeben, damit Sie sie nicht noch einmal eingeben "
    "müssen? Das wären:\n{lines}\nOhne Ihr Ja gebe ich nichts weiter.",
    "Soll ich dem Antrag Infos aus unserem Gespräch mitgeben? Dann müssen Sie weniger schreiben. "
    "Das sind diese Infos:\n{lines}\nIch gebe nur etwas weiter, wenn Sie Ja sagen.",
    "Shall I pass details from our conversation on to the form, so you don't have to type them again? These would "
    "be:\n{lines}\nWithout your yes I pass nothing on.",
)
CONSENT_GIVEN = Template(
    "Danke. Ich gebe diese Angaben an das Formular weiter:\n{lines}",
    "Danke. Ich gebe diese Infos an den Antrag weiter:\n{lines}",
    "Thank you. I pass these details on to the form:\n{lines}",
)
CONSENT_GIVEN_URL = Template(
    "Hier geht es zum Formular: {url}", "Hier ist der Antrag: {url}", "Here is the form: {url}"
)
CONSENT_GIVEN_NO_URL = Template(
    "Die Formular-Adresse ist nicht bestätigt. Bitte öffnen Sie den Antrag über den LVR-Beratungskompass "
    "oder fragen Sie hier nach: {office}.",
    "Die Internet-Adresse weiß ich nicht sicher. Bitte fragen Sie hier nach: {office}.",
    "The address of the form is not confirmed. Please open the application via the LVR-Beratungskompass or ask "
    "here: {office}.",
)
CONSENT_DECLINED = Template(
    "In Ordnung, ich gebe nichts weiter. Sie können den Antrag trotzdem jederzeit selbst stellen.",
    "Gut. Ich gebe nichts weiter. Sie können den Antrag trotzdem selbst stellen.",
    "All right, I pass nothing on. You can still apply yourself at any time.",
)
NOTHING_TO_CONFIRM = Template(
    "Gern. Wobei kann ich Ihnen noch helfen?",
    "Gut. Wobei kann ich noch helfen?",
    "Sure. What else can I help you with?",
)
APPLY_OFFLINE = Template(
    "„{title}“ kann man nach meinen Informationen nicht online beantragen. So geht es:\n{lines}",
    "Den Antrag gibt es nicht im Internet. So geht es:\n{lines}",
    "As far as I know, \"{title}\" cannot be applied for online. This is how it works:\n{lines}",
)
APPLY_OFFLINE_NO_STEPS = Template(
    "„{title}“ kann man nach meinen Informationen nicht online beantragen. Wie der Antrag genau geht, ist bei mir "
    "nicht bestätigt; bitte wenden Sie sich an: {office}.",
    "Den Antrag gibt es nicht im Internet. Bitte fragen Sie hier nach: {office}.",
    "As far as I know, \"{title}\" cannot be applied for online. How exactly to apply is not confirmed to me; "
    "please contact: {office}.",
)
APPLY_OTHER_REGION = Template(
    "Der Online-Antrag des LVR gilt nur im Rheinland. Für Sie ist eine andere Stelle zuständig; "
    "dort stellen Sie den Antrag.",
    "Der Antrag im Internet ist nur für das Rheinland. Für Sie ist eine andere Stelle da.",
    "The LVR's online application is for the Rhineland only. Another office is responsible for you; you apply there.",
)
#: Labels of what would be passed on (once-only).
PASS_PLACE = Template("Wohnort: {value}", "Wohn-Ort: {value}", "Place of residence: {value}")
PASS_AGE = Template("Alter: {value} Jahre", "Alter: {value} Jahre", "Age: {value} years")
PASS_SERVICE = Template("Leistung: {value}", "Hilfe: {value}", "Service: {value}")

# --- human contact, fallback, out of scope, Leichte Sprache ---------------------------------------------------------
HUMAN_CONTACT = Template(
    "Gern. Hier erreichen Sie eine Ansprechperson{about}:",
    "Sie möchten mit einem Menschen sprechen? Hier bekommen Sie Hilfe{about}:",
    "Of course. Here you can reach a contact person{about}:",
)
HUMAN_ABOUT = Template(" zu „{title}“", " zu: {title}", " about \"{title}\"")
FALLBACK_FIRST = Template(
    "Das habe ich leider nicht verstanden. Können Sie es bitte anders sagen? Zum Beispiel: "
    "„Ich bin blind und brauche Unterstützung im Alltag.“",
    "Das habe ich nicht verstanden. Bitte schreiben Sie es noch einmal anders.",
    "Sorry, I did not understand that. Could you say it differently? For example: \"I am blind and need support in "
    "everyday life.\"",
)
FALLBACK_SECOND = Template(
    "Ich verstehe Sie leider immer noch nicht. Am besten hilft Ihnen eine Ansprechperson weiter:",
    "Ich verstehe Sie leider nicht. Ein Mensch kann Ihnen besser helfen:",
    "Sorry, I still don't understand you. A contact person can help you best:",
)
OUT_OF_SCOPE_CONTACT = Template(
    "Fragen zu den Leistungen des Landschaftsverbands beantwortet Ihnen auch eine Ansprechperson:",
    "Sie haben eine Frage zu Hilfen vom Landschafts-Verband? Hier hilft Ihnen ein Mensch:",
    "A contact person can also answer questions about the services of the Regional Association:",
)
OUT_OF_SCOPE = Template(
    "Dabei kann ich leider nicht helfen. Ich kenne mich mit den Leistungen des LVR aus, zum Beispiel mit Hilfen für "
    "Menschen mit Behinderung, Blindengeld, Hilfen im Arbeitsleben, Förderschulen und der Sozialen Entschädigung. "
    "Für Anliegen wie Reisepass oder Steuern ist meist Ihre Stadt- oder Gemeindeverwaltung zuständig.",
    "Dabei kann ich nicht helfen. Ich kenne Hilfen vom LVR. Zum Beispiel: Hilfe bei Behinderung. "
    "Geld für blinde Menschen. Hilfe bei der Arbeit. Für andere Fragen fragen Sie bitte Ihre Stadt.",
    "Sorry, I cannot help with that. I know the services of the LVR (Regional Association of Rhineland), for "
    "example support for people with disabilities, the allowance for blind people (Blindengeld), support at work, "
    "special schools (Förderschulen) and social compensation (Soziale Entschädigung). For matters like passports "
    "or taxes your town or municipality is usually responsible.",
)
LEICHTE_SPRACHE_ON = Template(
    "Gern. Ab jetzt schreibe ich in Leichter Sprache.",
    "Gern. Ab jetzt schreibe ich in Leichter Sprache.",
    "Easy Language (Leichte Sprache) is only written in German. If you write \"Deutsch bitte\", I will answer in "
    "Leichte Sprache.",
)
LEICHTE_SPRACHE_OFF = Template(
    "In Ordnung, ich schreibe wieder in Standardsprache.",
    "In Ordnung, ich schreibe wieder in Standardsprache.",
    "All right, I write in standard language again.",
)

LANGUAGE_SWITCHED = Template(
    "Gern, ab jetzt schreibe ich auf Deutsch.",
    "Gut. Ab jetzt schreibe ich auf Deutsch.",
    "Sure, from now on I will answer in English.",
)

# --- buttons ---------------------------------------------------------------------------------------------------------
BUTTON_YES = Template("Ja", "Ja", "Yes")
BUTTON_NO = Template("Nein", "Nein", "No")
BUTTON_APPLY_ONLINE = Template("Online beantragen", "Antrag im Internet", "Apply online")
BUTTON_APPLY = Template("So beantragen", "Wie geht der Antrag?", "How to apply")
BUTTON_RESPONSIBLE = Template("Wer ist zuständig?", "Wer hilft mir?", "Who is responsible?")
BUTTON_HUMAN = Template("Ansprechperson", "Mit Menschen sprechen", "Contact person")

#: Lebenslage buttons of the clarifying question: (title, payload text). The payload is plain text in the
#: conversation's language so that it runs through NLU as `describe_situation` and is added to the situation
#: (actions.understanding.LEBENSLAGE_WORDS knows its words).
LEBENSLAGE_CHOICES: Final[tuple[tuple[Template, Template], ...]] = (
    (Template("Kind und Familie", "Kind", "Child and family"),
     Template("Es geht um mein Kind", "Es geht um mein Kind", "It is about my child")),
    (Template("Arbeit und Beruf", "Arbeit", "Work and career"),
     Template("Es geht um Arbeit und Beruf", "Es geht um Arbeit und Beruf", "It is about work and my job")),
    (Template("Wohnen und Alltag", "Wohnen", "Housing and daily life"),
     Template("Es geht um Wohnen und Alltag", "Es geht um Wohnen und Alltag", "It is about housing and daily life")),
    (Template("Geld zum Leben", "Geld", "Money to live on"),
     Template("Es geht um Geld zum Leben", "Es geht um Geld zum Leben", "It is about money to live on")),
)  # fmt: skip
#: The word between the last two items of a list ("A, B oder C").
OR: Final = Template("oder", "oder", "or")
#: Labels of the contact details (actions.responsibility.contact_details).
CONTACT_LABELS: Final[dict[str, Template]] = {
    "phone": Template("Telefon", "Telefon", "Phone"),
    "email": Template("E-Mail", "E-Mail", "Email"),
    "url": Template("Internet", "Internet", "Web"),
    "address": Template("Adresse", "Adresse", "Address"),
    "hours": Template("Erreichbar", "Erreichbar", "Opening hours"),
}


def bullet_lines(items: Iterable[str]) -> str:
    """One "• item" line per item."""
    return "\n".join(f"• {item}" for item in items)


def join_or(items: list[str], voice: Voice = STANDARD) -> str:
    """ "A", "A oder B", "A, B oder C" (in English "A, B or C")."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {OR(voice)} {items[-1]}"


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
