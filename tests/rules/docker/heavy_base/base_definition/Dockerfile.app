# A bare interpreter, but the application's sources are copied in: an application image.
# optimus-expect-next: docker-heavy-base
FROM python:3.12
COPY . /app
RUN pip install --no-cache-dir -r /app/requirements.txt
CMD ["python3"]
