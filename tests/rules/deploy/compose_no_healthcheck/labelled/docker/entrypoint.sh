#!/bin/sh
set -e
python3 /opt/ledger/scripts/ping_cache.py
python3 /opt/ledger/scripts/load_fixtures.py
exec "$@"
