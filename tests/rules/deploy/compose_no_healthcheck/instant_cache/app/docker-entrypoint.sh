#!/bin/sh
# Zulip-style start: wait for PostgreSQL, configure, migrate, then serve
set -e
until pg_isready -h "$DB_HOST" -q; do
  echo "waiting for the database"
  sleep 1
done
python manage.py migrate --noinput
exec "$@"
