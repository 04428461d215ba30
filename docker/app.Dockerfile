# The Python 3.11 image of the product: knowledge/ (catalogue + built index), actions/ (rasa-sdk action server)
# and api/ (FastAPI). docker-compose.yml runs it twice: as `actions` and as `api`.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# CPU build of torch first, so sentence-transformers does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY knowledge ./knowledge
COPY api ./api
COPY actions ./actions
# psycopg for the retention job on the PostgreSQL tracker store (api/retention.py)
RUN pip install ".[postgres]"
# The project's own embedding model and the search index are built at image build time (deterministic, offline).
RUN python -m knowledge validate && python -m knowledge build
RUN useradd --system --uid 1001 bk && chown -R bk /app
USER bk
EXPOSE 8000 5055
CMD ["python", "-m", "api"]
