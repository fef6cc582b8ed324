#!/usr/bin/env bash
# stand-in for vishnubob/wait-for-it
echo "waiting for $1"
