#!/bin/bash
chown -R cassandra /data
su cassandra -c "/opt/cassandra/bin/cassandra -f"
