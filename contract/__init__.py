"""Contracts shared by the packages of this repository (no dependencies of their own).

    contract.chat   the chat contract between the action server and the API: intents, slots, payloads, metadata
"""
