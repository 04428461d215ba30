"""Chat gateway for the widget and partner portals: one turn in, the bot's messages and turn metadata out.

Forwards to Rasa's token REST channel. When the dialogue assistant is unavailable (connection error, timeout, 5xx,
empty answer) or the chat backend is ``none``, the answer comes from the search, with ``metadata.fallback`` true:
the endpoint answers 200 for every valid request.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Body, Depends, Path, Response
from fastapi.openapi.models import Example

from api import dialogue
from api.case_state import StoredCase, read_case
from api.conversations import forget_conversation
from api.deps import KnowledgeDep, OfferedDep, RasaDep, SettingsDep, limit_chat
from api.errors import RasaError, TrackerStoreError
from api.knowledge_state import KnowledgeState
from api.language import detect
from api.payloads import OfferedPayloads, admitted
from api.rasa_pool import RasaPool
from api.schemas import SESSION_ID_PATTERN, ChatRequest, ChatResponse, ErrorBody, TurnMetadata
from api.settings import Settings
from contract.chat import MessageMetadata, choose_language

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/chat", tags=["chat"], dependencies=[Depends(limit_chat)])

_DESCRIPTION = """
Send one user message; get the bot's messages of this turn and the turn's **metadata**.

* Start with `session_id: null`; send the returned `session_id` with every further message of the conversation.
* `messages[].text` is **plain text** (may contain line breaks). Render it with `textContent`, never `innerHTML`:
  the API neither interprets HTML nor escapes it. Control characters are removed from input and output.
* A button's `payload` is sent back as the next `message` when the button is clicked. Only payloads the bot offered
  in this conversation (and the widget's Leichte-Sprache switch, `/leichte_sprache_on` / `/leichte_sprache_off`, and
  its language switch, `/switch_language{"language":"en"}` / `…"de"}`) are read as payloads; any other message
  starting with "/" is plain text.
* `language` (optional, `de` | `en`) is a hint for the conversation's language, e.g. the page's `lang`. The
  language of each message is detected offline; a clear message's language wins, short ones ("ok", "Köln") keep
  the conversation's language.
* `metadata` is the contract for widgets and partner portals: `service_ids` (catalogue ids the reply is about,
  details at `/api/v1/services/{id}`), `authority` (`LVR`, `LWL`, `Kreis/kreisfreie Stadt`, `other` or null),
  `handoff` (`{service_id, url}` after the citizen consented, else null), `fallback` (true when the answer came from
  the search instead of the dialogue assistant, or the assistant did not understand), `language` (the reply's
  language; set `lang` on the message elements from it).
* When the dialogue assistant is unavailable, the answer is still 200: a notice and the best matching services; a
  follow-up question ("Welche Unterlagen brauche ich?") is answered for the conversation's service and place as the
  tracker store last saved them.
"""

_CHAT_EXAMPLES = {
    "start": Example(
        summary="Start a conversation",
        value={"session_id": None, "message": "Ich bin blind und wohne in Köln. Gibt es Geld vom LVR?"},
    ),
    "button": Example(
        summary="A button click (send its payload)",
        value={
            "session_id": "3f2a9c1e8b7d4a6f9e0c1b2a3d4e5f60",
            "message": '/choose_service{"service_id":"blindengeld"}',
        },
    ),
    "follow-up": Example(
        summary="A follow-up question",
        value={"session_id": "3f2a9c1e8b7d4a6f9e0c1b2a3d4e5f60", "message": "Welche Unterlagen brauche ich?"},
    ),
}

_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The request body could not be read (`bad_request`)"},
    408: {"model": ErrorBody, "description": "The request body stalled (`request_timeout`); the connection is closed"},
    413: {"model": ErrorBody, "description": "The request body is larger than 64 KiB (`too_large`)"},
    422: {"model": ErrorBody, "description": "Invalid message or session id"},
    429: {"model": ErrorBody, "description": "Rate limit reached; see the Retry-After header"},
}

SessionId = Annotated[str, Path(pattern=SESSION_ID_PATTERN, description="The conversation's session id.")]


@router.post(
    "", summary="Send a chat message", description=_DESCRIPTION, response_model=ChatResponse, responses=_RESPONSES
)
async def chat(
    turn: Annotated[ChatRequest, Body(openapi_examples=_CHAT_EXAMPLES)],
    knowledge: KnowledgeDep,
    rasa: RasaDep,
    offered: OfferedDep,
    settings: SettingsDep,
) -> ChatResponse:
    session_id = turn.session_id or uuid.uuid4().hex
    response = await _answer(session_id, turn, knowledge, rasa, offered, settings)
    offered.add(session_id, (b.payload for m in response.messages for b in m.buttons))
    return response


async def _answer(
    session_id: str,
    turn: ChatRequest,
    knowledge: KnowledgeState,
    rasa: RasaPool | None,
    offered: OfferedPayloads,
    settings: Settings,
) -> ChatResponse:
    message = turn.message
    detected = detect(message)
    case: StoredCase | None = None
    store_down = False
    if rasa is not None:
        to_rasa = admitted(message, session_id, offered, knowledge.catalogue)  # "/restart" typed is text
        metadata_out = MessageMetadata(language=detected, language_hint=turn.language)
        guess = choose_language(detected, turn.language)  # if the actions do not say the language
        try:
            answer = await rasa.send(session_id, to_rasa, metadata=metadata_out)
            reply = dialogue.from_rasa(answer, knowledge.catalogue, guess)
        except RasaError as exc:
            logger.warning("dialogue assistant unavailable, answering from the search: %s", exc)
            reply = None
        else:
            if reply is None:
                logger.warning("dialogue assistant gave an empty answer, answering from the search")
        if reply is not None:
            messages, metadata = reply
            return ChatResponse(session_id=session_id, messages=messages, metadata=metadata)
        try:  # what the conversation was about, as the tracker store last saved it
            url = settings.tracker_url.get_secret_value()
            case = await anyio.to_thread.run_sync(lambda: read_case(settings.tracker_db, session_id, url=url))
        except TrackerStoreError as exc:
            logger.warning("tracker store unreadable, answering without the conversation: %s", exc)
            store_down = True
    language = choose_language(detected, case.language if case else None, turn.language)  # as the actions
    try:
        messages, metadata = await anyio.to_thread.run_sync(
            lambda: dialogue.from_search(
                message,
                knowledge.retriever,
                knowledge.catalogue,
                unavailable=rasa is not None,
                case=case,
                store_down=store_down,
                language=language,
            )
        )
    except Exception:  # the chat must answer even then; the log has the bug
        logger.exception("the search answer failed")
        messages, metadata = dialogue.apology(language), TurnMetadata(fallback=True, language=language)
    return ChatResponse(session_id=session_id, messages=messages, metadata=metadata)


@router.delete(
    "/{session_id}",
    summary="Delete a conversation",
    status_code=204,
    response_class=Response,
    responses={
        422: _RESPONSES[422],
        429: _RESPONSES[429],
        503: {"model": ErrorBody, "description": "The dialogue assistant is unavailable; nothing was deleted"},
    },
)
async def delete_conversation(
    session_id: SessionId, rasa: RasaDep, settings: SettingsDep, offered: OfferedDep
) -> Response:
    """Delete the conversation server-side (the dialogue assistant's tracker). 503 when that is not possible now.

    In search-only mode (no dialogue assistant) nothing is stored, and the answer is 204 as well.
    """
    if rasa is not None:
        await forget_conversation(
            rasa, settings.tracker_db, session_id, tracker_url=settings.tracker_url.get_secret_value()
        )
    offered.forget(session_id)
    return Response(status_code=204)
