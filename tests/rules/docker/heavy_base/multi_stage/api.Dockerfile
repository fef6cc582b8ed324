ARG PY_VERSION=3.11
ARG NODE_TAG=20-alpine
FROM node:${NODE_TAG} AS assets
RUN npm ci

# ARG default substituted: python:3.11
# optimus-expect-next: docker-heavy-base
FROM python:${PY_VERSION}
COPY --from=assets /dist /app/static
CMD ["python", "-m", "app"]
