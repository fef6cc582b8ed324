#!/bin/sh
# testdrivenio/django-on-docker: wait for Postgres before starting
if [ "$DATABASE" = "postgres" ]
then
    echo "Waiting for postgres..."
    while ! nc -z $SQL_HOST $SQL_PORT; do
      sleep 0.1
    done
fi
exec "$@"
