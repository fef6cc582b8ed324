# optimus-expect-next: docker-heavy-base
FROM ruby:3.3-bookworm
COPY . /app
