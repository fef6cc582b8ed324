"""Load the fixtures once: connects to the queue for each, but never retries or waits."""

import os

from ledger.queue import connect

for name in ("accounts", "journals"):
    channel = connect(os.environ["QUEUE_URL"])
    channel.queue_declare(name)
    channel.close()
