# One image for every PolicyTracker process: gunicorn by default; docker-compose.yml runs the
# Celery worker and beat from the same image with another command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Dependencies before the code, so that a code change does not reinstall them: every package,
# transitive ones included, at the version of requirements.lock (what CI tested). The project
# itself ships no package (`packages = []`); the code runs from /app.
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock

COPY . .

# Static files go into the image, hashed and compressed for whitenoise. The settings refuse
# DEBUG=0 without a SECRET_KEY; this throwaway one exists only for this build step and is not
# in the environment of any running container.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-build-key-never-used-to-serve-requests \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
USER app

EXPOSE 8000
# Worker count from WEB_CONCURRENCY (gunicorn reads it); logs to stdout for `docker logs`.
CMD ["gunicorn", "policytracker.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
