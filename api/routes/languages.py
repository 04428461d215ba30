"""GET /api/v1/languages: the languages the product serves, with their names and writing direction.

One source: knowledge.vocab.LANGUAGES. The widget sets `dir` on each message from the `rtl` flag of its language
(metadata.language), offers a switch to the other languages by their names, and sends only these codes as its
`language` hint.
"""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.schemas import OUTPUT_CONFIG
from contract.chat import Language
from knowledge.vocab import DEFAULT_LANGUAGE, LANGUAGES

router = APIRouter(prefix="/api/v1", tags=["chat"])


class LanguageInfo(BaseModel):
    """One language of the chat."""

    model_config = OUTPUT_CONFIG

    code: Language = Field(description="ISO 639-1 code, as in the chat request's `language` and `metadata.language`")
    name: str = Field(description="the language's name in the language itself (for a language switch)")
    rtl: bool = Field(description='written right to left: texts in this language get `dir="rtl"`')


class Languages(BaseModel):
    """The languages of the chat, the default first."""

    model_config = OUTPUT_CONFIG

    default: Language = Field(description="the language of a conversation nobody chose a language for")
    languages: list[LanguageInfo]


def languages_info() -> Languages:
    """The served languages from knowledge.vocab.LANGUAGES."""
    return Languages(
        default=cast(Language, DEFAULT_LANGUAGE),
        languages=[
            LanguageInfo(code=cast(Language, code), name=str(entry["name"]), rtl=entry["rtl"] is True)
            for code, entry in LANGUAGES.items()
        ],
    )


@router.get("/languages", response_model=Languages, summary="Languages of the chat")
def languages() -> JSONResponse:
    """Codes, names and writing direction of the languages the chat serves (the widget's `lang`, `dir` and switch)."""
    return JSONResponse(languages_info().model_dump(), headers={"Cache-Control": "public, max-age=300"})
