#!/bin/sh
set -e
iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-port 8080
exec haproxy -f /etc/haproxy/haproxy.cfg
