"""PolicyTracker settings: one module, driven by environment variables (and `.env` if present).

With nothing configured the app runs embedded: SQLite in the project folder and Celery tasks run
eagerly in-process. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and a Redis broker;
`DEBUG=0` switches on production hardening.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp_constants
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
    "policytracker.apps.PolicyTrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_standardized_errors",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.tracker",
    "apps.news",
    "bench",
    "allauth",
    "allauth.account",
    "apps.alerts",
    "apps.search",  # on top: reads tracker and news, which never import it
    "policytracker.apps.PolicyTrackerConfig",  # the response cache's write watch
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so a redirect or an error still carries the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    # Anonymous GETs from the shared cache (Redis only); inside the header-adding middleware
    # above, so every cached answer gets them anew, and before sessions and auth, which a
    # cached answer never needs. See policytracker/response_cache.py.
    "policytracker.response_cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "policytracker.security.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
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

# Seconds an anonymous answer may be served from the shared cache; any write to the record
# invalidates it before then. 0 switches the response cache off. Off by default without Redis:
# a cache of each process's own would not see the other processes' writes.
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=300 if REDIS_URL else 0)

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
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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
API_MAX_PAGE_SIZE = 200
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    # Scripts send "Authorization: Token …" (tokens from admin or `manage.py api_token`); the
    # browsable API and Swagger UI use the admin session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Search and ordering are filters of each resource's FilterSet (apps/*/filtersets.py), so
    # the pages share them and a bad value is a 400 naming the parameter, not silently ignored.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.tracker.api.pagination.NumberedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.tracker.api.schema.AutoSchema",
    # One JSON error shape for every 4xx and 5xx: {"type", "errors": [{"code", "detail", "attr"}]}.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.tracker.api.throttles.AnonRateThrottle",
        "apps.tracker.api.throttles.UserRateThrottle",
    ],
}
# Requests per client; exceeding them answers 429 with Retry-After.
API_THROTTLE_RATES = {
    "anon": env.str("API_ANON_RATE", default="120/min"),
    "user": env.str("API_USER_RATE", default="600/min"),
}
DRF_STANDARDIZED_ERRORS = {"ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True}

# Anyone may read the API from a browser on another site; writes need a token and are not
# offered to other origins (a preflight for POST/PUT/PATCH/DELETE gets no CORS headers).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]

SPECTACULAR_SETTINGS = {
    "TITLE": "PolicyTracker API",
    "DESCRIPTION": (
        "A curated, cited record of government agreements and policies: parties, stakeholders "
        "and their statements, legal challenges, dated timelines and the news that reports them."
    ),
    "VERSION": "1.0.0",
    # drf-standardized-errors names its error-code enums; the hook keeps them from colliding.
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
    ],
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
        # The error-code enums of drf-standardized-errors, one component each.
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in (
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                "ParseErrorCodeEnum",
                "ErrorCode401Enum",
                "ErrorCode403Enum",
                "ErrorCode404Enum",
                "ErrorCode405Enum",
                "ErrorCode406Enum",
                "ErrorCode415Enum",
                "ErrorCode429Enum",
                "ErrorCode500Enum",
            )
        },
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
# Enqueueing from a request must not hang it when Redis is down: one quick retry, then the caller
# records the work for later (see apps/news/tasks.request_feed_fetches).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
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
# How often a worker asks whether the aliases and records it matches articles against changed.
MATCHER_RECHECK_SECONDS = env.float("MATCHER_RECHECK_SECONDS", default=5.0)

# --- Security (every mode) ------------------------------------------------------------------
# Behind a TLS-terminating reverse proxy, how many proxies append to X-Forwarded-For, and whether
# that proxy's X-Forwarded-Proto is to be believed. Zero (the default) trusts neither header: a
# client could otherwise claim HTTPS or another address (and dodge the login lock-out with it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/address pair before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Readers sign in with their email address (django-allauth, apps/alerts).
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Lock a username from one address after this many failures; keyed on the pair so that an
# attacker elsewhere cannot lock the real user out, and on the address the socket saw (see
# policytracker/client_ip.py), so that a forged X-Forwarded-For neither resets nor moves a lock.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "policytracker.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# allauth signs in by email ("login" in its form): lock that address, not every reader at once.
AXES_USERNAME_CALLABLE = "apps.alerts.accounts.login_username"

# A second factor (TOTP, django-otp) is available to every staff account; with this on, the
# admin accepts only staff who have a confirmed device and enter its code.
ADMIN_REQUIRE_OTP = env.bool("ADMIN_REQUIRE_OTP", default=False)
OTP_TOTP_ISSUER = "PolicyTracker"

# Sessions: a week for everyone; a staff session also ends after this much idle time.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 3600)
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)

# A strict Content-Security-Policy on every response (django-csp 4): nothing inline, nothing
# from another origin. Pages that must be embeddable relax frame-ancestors on their own views.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        # data: for the images Swagger UI and the admin's widgets draw inline.
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}
# No powerful browser feature is used by any page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Accounts, email and alerts -------------------------------------------------------------
# Absolute links in emails, feeds and webhook payloads start with this (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Accounts are email + password; an address must be confirmed before the account can sign in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PolicyTracker] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https:") else "http"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "alerts:follows"
# Embedded default: emails are printed on the console. EMAIL_URL sends them for real, e.g.
# smtp+tls://user:password@smtp.example.org:587 (smtp://, smtp+ssl:// too; see the README).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PolicyTracker <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Daily digests go out at this hour (UTC); weekly ones on Mondays at the same hour.
ALERTS_DIGEST_HOUR = env.int("ALERTS_DIGEST_HOUR", default=7)
# How long the previous secret of a webhook keeps signing deliveries after a rotation.
ALERTS_SECRET_ROTATION_OVERLAP_HOURS = env.int("ALERTS_SECRET_ROTATION_OVERLAP_HOURS", default=24)
ALERTS_WEBHOOK_TIMEOUT = env.float("ALERTS_WEBHOOK_TIMEOUT", default=10.0)
CELERY_BEAT_SCHEDULE["send-alerts"] = {
    "task": "apps.alerts.tasks.send_alerts",
    "schedule": env.float("ALERTS_SWEEP_SECONDS", default=60.0),
}

# --- Production hardening -------------------------------------------------------------------
if not DEBUG:
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The container health check calls /healthz over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    # Both reach beyond this site (every subdomain; browsers' built-in lists, hard to undo):
    # opt in only when every subdomain is HTTPS for good.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
