# Duban image: one image for web (gunicorn), worker and beat (scripts/container.sh ROLE).
# Built with the same scripts/setup.sh as ./scripts/run.sh; configuration only through
# environment variables (see docs/deploy.md and compose.yaml).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# 1. Build: the virtualenv (pinned requirements.txt) and the compressed static files.
FROM ${PYTHON_IMAGE} AS build
ENV DUBAN_VENV=/opt/duban/venv PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt requirements-dev.txt ./
COPY scripts/setup.sh scripts/setup.sh
RUN bash -c 'source scripts/setup.sh && duban_setup image-venv'
COPY . .
RUN DJANGO_SECRET_KEY=build-only "$DUBAN_VENV/bin/python" manage.py static_ensure

# 2. Runtime: system libraries for WeasyPrint and the CJK fonts, pg_dump; no compiler.
FROM ${PYTHON_IMAGE} AS runtime
ENV DUBAN_VENV=/opt/duban/venv PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PORT=8000 \
    DUBAN_MEDIA_ROOT=/app/var/media DUBAN_BACKUP_DIR=/app/var/backups
WORKDIR /app
COPY scripts/setup.sh scripts/setup.sh
RUN bash -c 'source scripts/setup.sh && duban_setup image-system' \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin duban
COPY --from=build /opt/duban/venv /opt/duban/venv
COPY --from=build --chown=duban:duban /app /app
RUN mkdir -p /app/var/media /app/var/backups && chown -R duban:duban /app/var
USER duban
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["/opt/duban/venv/bin/python", "-c", "import urllib.request,os; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["/app/scripts/container.sh"]
CMD ["web"]
