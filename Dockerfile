# The MACFA service: one image for the web app, the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=macfa.settings

WORKDIR /app
# Pango and a font for WeasyPrint, which makes the PDF briefing.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 macfa

COPY pyproject.toml README.md manage.py ./
COPY macfa ./macfa
COPY agencies ./agencies
COPY audits ./audits
COPY templates ./templates
# Editable, so the code runs from /app and finds /app/templates (settings locate files from the source tree).
RUN pip install -e .

# collectstatic needs settings that pass the production guard; these values exist only for this build step.
RUN MACFA_ENV=production SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    ALLOWED_HOSTS=build DEBUG=false python manage.py collectstatic --noinput

RUN mkdir -p /app/media && chown macfa /app/media
USER macfa
EXPOSE 8000
CMD ["gunicorn", "macfa.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
