"""Rasa project of the Beratungskompass: domain, training data, custom channel and NLU components."""
