# `sheetsync serve` in a container, for a serverless platform or any container host.
# Build: docker build -t sheetsync .
# Run:   docker run -p 8080:8080 -e SHEETSYNC_SERVE_TOKEN=... \
#          -e SHEETSYNC_CONFIG=/config/sheetsync.toml -v "$PWD/config:/config:ro" sheetsync
# The config names the sheet (`sheet = "https://docs.google.com/..."`) and the
# service-account key (`credentials = "service-account.json"`, beside it in /config).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md sample_sheet.csv ./
COPY sheetsync ./sheetsync
COPY templates ./templates
RUN pip install '.[serve]' && rm -rf /src && useradd --create-home --uid 10001 sheetsync

USER sheetsync
WORKDIR /home/sheetsync
# State (lock, history for undo) lives in the container: it is lost when the container goes.
ENV SHEETSYNC_STATE_DIR=/home/sheetsync/state PORT=8080
EXPOSE 8080
# Platforms set $PORT; behind their HTTPS front, listen on every interface (the token
# must then be at least 32 characters: serve refuses a shorter one).
CMD ["sh", "-c", "exec sheetsync serve --host 0.0.0.0 --port \"${PORT}\""]
