# coopwatch: scheduled syncs + read-only Datasette on port 8001.
# The steps mirror `make run`: a venv, `pip install -e '.[test]'`-free install, `coopwatch run`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    COOPWATCH_CONFIG=/app/sources.yaml \
    COOPWATCH_DB=/app/db/coopwatch.db

RUN useradd --create-home --uid 10001 coopwatch
WORKDIR /app

COPY pyproject.toml README.md ./
COPY jobs ./jobs
RUN python -m venv /app/.venv \
    && /app/.venv/bin/pip install --no-cache-dir --upgrade pip \
    && /app/.venv/bin/pip install --no-cache-dir . \
    && mkdir -p /app/db && chown coopwatch:coopwatch /app/db

# sources.yaml is mountable: -v $PWD/sources.yaml:/app/sources.yaml:ro
COPY sources.yaml ./sources.yaml

USER coopwatch
VOLUME ["/app/db"]
EXPOSE 8001

# Unhealthy = /-/health answers 503: no source has synced successfully within twice the largest
# interval (or the web server does not answer at all). See README, "Operating".
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8001/-/health', timeout=4)"]

CMD ["/app/.venv/bin/coopwatch", "run", "--host", "0.0.0.0", "--port", "8001"]
