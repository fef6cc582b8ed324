import os
import tempfile

_tmp = tempfile.mkdtemp(prefix="orders-api-tests-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/orders.db")
os.environ.setdefault("RECEIPTS_DIR", f"{_tmp}/receipts")
