"""Parse texts with the trained Rasa model; run by test_rasa.py with the Rasa environment's Python (3.10/3.9).

    .venv-rasa/bin/python tests/rasa/parse_texts.py MODEL IN.json OUT.json

IN.json is a list of texts; OUT.json gets one {"text", "intent", "confidence", "entities": [{"entity", "value",
"text"}]} per text ("text" of an entity: its span in the message). The working directory must be the repository
root (the model loads bot/spacy/de_bk and bot.nlu).
"""

import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the model's custom component bot.nlu.entity_values, as `rasa` itself does

from rasa.core.agent import Agent


async def parse_all(model: str, texts: list) -> list:
    agent = Agent.load(model)
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        results.append(
            {
                "text": text,
                "intent": parsed["intent"]["name"],
                "confidence": parsed["intent"].get("confidence"),
                "entities": [
                    {"entity": e["entity"], "value": e["value"], "text": text[e["start"] : e["end"]]}
                    for e in parsed.get("entities", [])
                ],
            }
        )
    return results


def main() -> None:
    model, source, target = sys.argv[1:4]
    texts = json.loads(Path(source).read_text(encoding="utf-8"))
    results = asyncio.run(parse_all(model, texts))
    Path(target).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
