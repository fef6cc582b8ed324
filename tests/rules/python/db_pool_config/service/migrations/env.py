from sqlalchemy import create_engine

connectable = create_engine("postgresql://app@db/app")  # Alembic env.py: short-lived
