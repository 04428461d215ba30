# The official Rasa Open Source image with one change: jsonschema 3.2 (inside Rasa 3.6's own range >=3.2,<4.18).
# Rasa validates every action-server response with jsonschema.validate(), which re-checks Rasa's event schema
# against the meta-schema each time: ~30 ms of CPU per custom action with the image's jsonschema 4.17, ~3.5 ms with
# 3.2 (docs/architecture.md, "Chat latency"). scripts/setup_rasa.sh pins the same version for `make run`.
FROM rasa/rasa:3.6.21-full
USER root
RUN pip install --no-cache-dir "jsonschema==3.2.0"
USER 1001
