FROM python:3.12-slim AS base
COPY . /app

FROM base AS dev
CMD ["fastapi", "dev", "app/main.py"]

FROM base AS production
CMD ["fastapi", "run", "app/main.py", "--workers", "4"]
