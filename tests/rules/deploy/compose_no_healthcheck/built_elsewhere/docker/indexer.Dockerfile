FROM python:3.12-slim
RUN pip install --no-cache-dir psycopg[binary]
COPY docker/start.sh /start.sh
CMD ["/start.sh"]
