"""PolicyTracker settings: one module, driven by environment variables (and `.env` if present).

With nothing configured the app runs embedded: SQLite in the project folder and Celery tasks run
eagerly in-process. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and a Redis broker;
`DEBUG=0` switches on production hardening.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - only used with DEBUG on
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "apps.tracker",
    "apps.news",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "policytracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "policytracker.wsgi.application"
ASGI_APPLICATION = "policytracker.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Ingestion logs one line per outcome; httpx's own line per request would double it.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Search and ordering are filters of each resource's FilterSet (apps/*/filtersets.py), so
    # the pages share them and a bad value is a 400 naming the parameter, not silently ignored.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PolicyTracker API",
    "DESCRIPTION": (
        "A curated, cited record of government agreements and policies: parties, stakeholders "
        "and their statements, legal challenges, dated timelines and the news that reports them."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from our own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a Status or Kind; name each enum for its model, not by a hash.
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "apps.tracker.models.Agreement.Status",
        "AgreementKindEnum": "apps.tracker.models.Agreement.Kind",
        "ActorKindEnum": "apps.tracker.models.Actor.Kind",
        "LegalChallengeStatusEnum": "apps.tracker.models.LegalChallenge.Status",
        "EventKindEnum": "apps.tracker.models.Event.Kind",
        "StatementKindEnum": "apps.tracker.models.Statement.Kind",
        "PartyRoleEnum": "apps.tracker.models.Party.Role",
        "DatePrecisionEnum": "apps.tracker.models.DatePrecision",
        "ArticleLinkStatusEnum": "apps.news.models.ArticleLink.Status",
    },
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in the calling process so the embedded mode needs no worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-task leaves the message unacknowledged, so another worker redoes it;
# tasks are idempotent, which makes that safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A message a worker took but never acknowledged (the worker was killed) goes back to the queue
# after this many seconds. It must exceed the longest task and retry countdown (30 minutes).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often, in seconds, a worker looks for such messages to put back (one small Redis query).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=30),
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "poll-due-feeds": {
        "task": "apps.news.tasks.poll_due_feeds",
        "schedule": env.float("INGEST_POLL_SECONDS", default=300.0),
    },
}

# --- Ingestion ------------------------------------------------------------------------------
# host:port pairs that may be fetched although they resolve to a non-public address
# (test servers on 127.0.0.1, an intranet feed). Empty: only public addresses are fetched.
INGEST_ALLOWED_PRIVATE_HOSTS = env.list("INGEST_ALLOWED_PRIVATE_HOSTS", default=[])
INGEST_USER_AGENT = env.str(
    "INGEST_USER_AGENT",
    default="PolicyTrackerBot/0.1 (+https://github.com/policytracker/policytracker)",
)
INGEST_CONNECT_TIMEOUT = env.float("INGEST_CONNECT_TIMEOUT", default=5.0)
INGEST_READ_TIMEOUT = env.float("INGEST_READ_TIMEOUT", default=15.0)
# Wall-clock limit for one whole response, so a server trickling bytes cannot hold a worker.
INGEST_TOTAL_TIMEOUT = env.float("INGEST_TOTAL_TIMEOUT", default=30.0)
INGEST_MAX_BYTES = env.int("INGEST_MAX_BYTES", default=5 * 1024 * 1024)
INGEST_MAX_REDIRECTS = env.int("INGEST_MAX_REDIRECTS", default=5)

# --- Production hardening -------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
