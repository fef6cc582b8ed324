FROM python:3.12-slim
WORKDIR /src
# optimus-expect-next: docker-cache-order
ADD . /src
RUN poetry config virtualenvs.create false && poetry install --only main
