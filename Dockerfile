# One image for web, worker and beat; docker-compose.yml picks the command.
# Runtime packages only: requirements.lock has no test or lint tools.
FROM python:3.13-slim-bookworm

# uvicorn believes X-Forwarded-For only from the proxy named here: nobody,
# unless the deployment names its proxy (docker-compose.yml does).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FORWARDED_ALLOW_IPS=""

# Chinese PDFs need the Noto CJK fonts (Typst itself is in its wheel). The
# compiled translations are in the repository, so gettext is not needed here.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0

RUN useradd --create-home desk && mkdir -p /app/media && chown desk /app/media
USER desk
EXPOSE 8000
CMD ["uvicorn", "talk.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
