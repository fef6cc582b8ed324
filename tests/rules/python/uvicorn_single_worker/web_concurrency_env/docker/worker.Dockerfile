FROM python:3.12-slim
ENV GUNICORN_CMD_ARGS="--workers 3 --timeout 60"
CMD ["gunicorn", "app.main:app"]
