#!/bin/sh
until curl -fs "http://${DOCSTASH_SEARCH_HOST}:9200/_cluster/health"; do sleep 2; done
