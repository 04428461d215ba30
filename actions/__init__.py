"""Custom actions of the LVR-Beratungskompass chatbot (rasa-sdk), one module per concern.

    search.py         action_search_services (retrieval, clarifying questions)
    service_info.py   action_show_service, action_explain_section
    responsibility.py action_resolve_place, action_tell_responsibility
    handoff.py        action_offer_handoff, action_handoff_consent, action_handoff_decline
    fallback.py       action_default_fallback, action_human_contact, action_out_of_scope, action_set_leichte_sprache
    texts.py          German message templates (standard and Leichte Sprache)
    metadata.py       the turn metadata payload {"beratungskompass": {...}}
    deps.py           catalogue, retriever and places, loaded once (the seam for tests)
    server.py         `python -m actions --port N`

Importing the package loads nothing: the knowledge base is loaded by the server at start (deps.warm_up).
"""
