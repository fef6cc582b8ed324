#!/bin/sh
until pg_isready -h "$PGHOST"; do sleep 1; done
exec python -m indexer
