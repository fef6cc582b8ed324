#!/bin/sh
exec gosu app pypi-server run -p 8080
