# syntax=docker/dockerfile:1
# Parley server image: the web client built with Node, served by a slim Python runtime.
#
#   docker build -t parley .
#   docker compose up -d          (see docker-compose.yml and docs/DEPLOY.md)

# --- 1. the web client (desktop/ renderer, web build) -------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /src/desktop
COPY desktop/package.json desktop/package-lock.json ./
# Electron's binary is for the desktop app, not for this image: skip its download.
RUN ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
COPY desktop/ ./
RUN npm run build:web && test -f dist/web/index.html

# --- 2. the server, installed into a virtual environment ----------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/parley/venv
WORKDIR /src
COPY pyproject.toml README.md setup.py MANIFEST.in ./
COPY src ./src
# The package carries the web client (setup.py copies it in as parley/web).
COPY --from=web /src/desktop/dist/web ./desktop/dist/web
RUN /opt/parley/venv/bin/pip install . \
    && /opt/parley/venv/bin/parley --version

# --- 3. the runtime: no compilers, no Node, not root ---------------------------------
FROM python:3.11-slim-bookworm
# `parley backup` / `parley restore` run mariadb-dump and mariadb against the database.
RUN apt-get update \
    && apt-get install -y --no-install-recommends mariadb-client \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 parley \
    && useradd --system --uid 10001 --gid parley --home-dir /var/lib/parley --no-create-home parley \
    && mkdir -p /var/lib/parley \
    && chown parley:parley /var/lib/parley
COPY --from=build /opt/parley/venv /opt/parley/venv
COPY --from=web /src/desktop/dist/web /opt/parley/web
# Demo data, for `parley seed` / `parley demo` inside the container.
COPY fixtures/fixtures.sql /opt/parley/fixtures/fixtures.sql
ENV PATH=/opt/parley/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PARLEY_WEB_DIR=/opt/parley/web \
    PARLEY_DATA_DIR=/var/lib/parley
WORKDIR /opt/parley
USER parley
# SQLite (if no database is configured), the generated key, and attachments on disk.
VOLUME ["/var/lib/parley"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# SIGTERM: stop accepting, finish requests in flight, close sockets with 1012.
STOPSIGNAL SIGTERM
# `serve` waits for the database, migrates it, checks Redis, then serves.
CMD ["parley", "serve", "--host", "0.0.0.0", "--port", "8000"]
