# A bare interpreter with the application copied in: an application image (medium severity).
# optimus-expect-next: docker-root-user
FROM python:3.12-slim
COPY . /app
CMD ["python3"]
EXPOSE 8080
