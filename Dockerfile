# One image for every part of the stack; docker-compose.yml picks the command.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY resolvers ./resolvers
COPY storage ./storage
COPY sandbox ./sandbox
COPY schema ./schema
RUN pip install . && useradd --create-home --uid 10001 retail
USER retail

# Health checks use Python itself (the slim image has no curl).
HEALTHCHECK NONE
CMD ["retail-gateway", "--help"]
