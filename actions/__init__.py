"""Custom actions of the LVR-Beratungskompass chatbot (rasa-sdk): one case per conversation, every turn understood
against it. The import graph is one-way, top to bottom:

    tracker.py        reading the tracker (latest message, entities, slots)
    case.py           the case: what the conversation is about, kept in slots
    understanding.py  search, the answer-or-ask decision, and understand(tracker, asked) -> Turn
    responsibility.py who is responsible at a place, contact blocks
    presenter.py      how a service is shown (texts and buttons; also used by api/dialogue.py)
    handoff.py        the hand-off to the application and the prefill consent
    fallback.py       not understood, out of scope, Leichte Sprache
    replies.py        the replies to search, show, section, responsibility and human-contact turns
    talk.py           the actions (thin: understand, reply, store the case)
    texts.py          German message templates (standard and Leichte Sprache)
    metadata.py       the turn metadata payload {"beratungskompass": {...}} (types in contract/chat.py)
    deps.py           catalogue, retriever and places, loaded once (the seam for tests)
    server.py         `python -m actions --port N`

Importing the package loads nothing: the knowledge base is loaded by the server at start (deps.warm_up).
"""
