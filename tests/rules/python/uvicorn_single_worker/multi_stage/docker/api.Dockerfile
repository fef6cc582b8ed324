FROM python:3.12 AS build
CMD ["uvicorn", "app.main:app"]

FROM python:3.12-slim
CMD ["sh", "-c", "uvicorn app.main:app --host 0.0.0.0 --workers ${WORKERS:-4}"]
