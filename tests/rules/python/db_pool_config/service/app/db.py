"""Engines: server databases without disconnect handling, and the ones that are fine."""

import os

from sqlalchemy import URL, create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import create_engine as sqlmodel_engine

DATABASE_URL = "postgresql+psycopg://app@db/app"

engine = create_engine(DATABASE_URL)  # optimus-expect: db-pool-config
async_engine = create_async_engine(  # optimus-expect: db-pool-config
    f"postgresql+asyncpg://{os.environ['DB_USER']}@db/app", pool_size=20, max_overflow=10
)
mysql = create_engine("mysql+pymysql://app@db/app", pool_pre_ping=False)  # optimus-expect: db-pool-config
mssql = create_engine(  # optimus-expect: db-pool-config
    URL.create("mssql+pyodbc", username="app", host="db", database="app")
)
settings_engine = create_engine(os.environ["DATABASE_URL"], pool_size=5)  # optimus-expect: db-pool-config
model_engine = sqlmodel_engine("postgresql://app@db/app", echo=True)  # optimus-expect: db-pool-config

# Fine: disconnects handled, not pooled, not a server database, or nothing known.
pinged = create_engine(DATABASE_URL, pool_pre_ping=True)
recycled = create_async_engine("postgresql+asyncpg://app@db/app", pool_recycle=1800)
unpooled = create_engine(DATABASE_URL, poolclass=NullPool)
local = create_engine("sqlite:///app.db")
memory = create_async_engine("sqlite+aiosqlite://")
unknown = create_engine(os.environ["DATABASE_URL"])  # no pool arguments: not judged
options = {"pool_pre_ping": True}
forwarded = create_engine(DATABASE_URL, **options)
from_setting = create_engine(DATABASE_URL, pool_pre_ping=os.environ.get("PING") == "1")
