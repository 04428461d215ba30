"""EntityValueNormalizer: clean values for the entities of the spaCy EntityRuler.

The ruler's spans carry context words so that they can be told apart ("Pflegegrad 3", "ist 4", "GdB von 50",
"in Essen"). The dialogue contract (docs/architecture.md) wants plain values: `age`, `gdb`, `pflegegrad` as numbers,
`plz` as five digits, `place` as the name. This component, placed after SpacyEntityExtractor and before
EntitySynonymMapper, rewrites the values and drops misreadings:

- numbers outside their range (bot.nlu.numbers.RANGES), e.g. "ist 300" as an age;
- an `age` or `plz` directly followed by a unit ("ist 3 Wochen her", "10000 Euro", "is 18 months old").

Entities without a rule here (`language`, `service_id`, `section`) pass unchanged.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.numbers import RANGES, first_number

#: Words after a number that show it is not an age or a postal code (German, then English).
_UNIT_AFTER = re.compile(
    r"^\s*(wochen?|monate?n?|tage?n?|stunden?|std\.?|minuten?|uhr|euro|eur|€|%|prozent|km|kilometer|meter|mal|"
    r"jahre?n?\s+her|her|kinder|personen|leute|seiten|cent|ct|"
    r"weeks?|months?|days?|hours?|hrs?|minutes?|mins?|o'?clock|euros?|percent|kilomet(?:er|re)s?|metres?|meters?|"
    r"miles?|times|years?\s+ago|ago|kids|children|people|persons|pages|kg|kilos?|cm|pounds?)\b",
    re.IGNORECASE,
)
#: Cue words the place patterns include before guarded names ("in Essen", "Nähe von Kamen").
#: English cues of bot/spacy/build_pipeline.py ("from Essen", "city of Essen") likewise.
_PLACE_CUES = re.compile(
    r"^((in|aus|nach|bei|von|stadt|gemeinde|nahe|nähe|naehe|umgebung|raum|"
    r"from|near|around|outside|to|city|town|village)\s+)+((von|of)\s+)?",
    re.IGNORECASE,
)
_PLZ = re.compile(r"\d{5}")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityValueNormalizer(GraphComponent, EntityExtractorMixin):
    """Turns ruler spans into the values of the dialogue contract and drops misread numbers."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityValueNormalizer:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            entities = [e for e in (normalize(entity, text) for entity in message.get(ENTITIES, [])) if e]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


def normalize(entity: Dict[str, Any], text: str) -> Optional[Dict[str, Any]]:
    """The entity with a clean value, or None when it is a misreading. Entities of other extractors pass as they are."""
    name = entity.get("entity")
    value = str(entity.get("value", ""))
    after = text[entity["end"]:] if isinstance(entity.get("end"), int) else ""
    cleaned: Any
    if name in RANGES:
        number = first_number(value)
        low, high = RANGES[name]
        if number is None or not low <= number <= high:
            return None
        if name == "age" and _UNIT_AFTER.match(after):
            return None
        cleaned = number
    elif name == "plz":
        match = _PLZ.search(value)
        if match is None or _UNIT_AFTER.match(after):
            return None
        cleaned = match.group()
    elif name == "place":
        cleaned = _PLACE_CUES.sub("", value).strip() or value
    else:
        return entity
    if cleaned == entity.get("value"):
        return entity
    return {**entity, "value": cleaned, "processors": [*entity.get("processors", []), "EntityValueNormalizer"]}
