# The tag comes from a build argument without a default: still the full python image.
ARG PY
# optimus-expect-next: docker-heavy-base
FROM python:${PY}
COPY . /app
