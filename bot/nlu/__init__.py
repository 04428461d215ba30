"""Custom NLU components and helpers (loaded by Rasa from config.yml; runs in .venv-rasa)."""
