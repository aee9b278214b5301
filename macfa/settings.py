"""Settings for the MACFA service, read from the environment.

Development needs nothing set: SQLite, Celery in eager mode, mail to the console. Production
(``MACFA_ENV=production``) refuses to start without a real SECRET_KEY, with DEBUG on, or with no
ALLOWED_HOSTS or a wildcard in them, and says which of these is wrong.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - production refuses it

MACFA_ENV: str = env.str("MACFA_ENV", default="development")
PRODUCTION = MACFA_ENV == "production"

SECRET_KEY: str = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG: bool = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])


def production_problems(*, secret_key: str, debug: bool, allowed_hosts: list[str]) -> list[str]:
    problems = []
    if not secret_key or secret_key == DEVELOPMENT_SECRET_KEY or secret_key.startswith("django-insecure"):
        problems.append("SECRET_KEY is missing or is the development default: set a long random value.")
    elif len(secret_key) < 50 or len(set(secret_key)) < 5:
        problems.append("SECRET_KEY is too short or too simple (50+ characters, 5+ different): set a random value.")
    if debug:
        problems.append("DEBUG is on: set DEBUG=false.")
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty: list the host names the service answers on.")
    elif any("*" in host for host in allowed_hosts):
        problems.append("ALLOWED_HOSTS contains '*': list the host names the service answers on.")
    return problems


if PRODUCTION:
    _problems = production_problems(secret_key=SECRET_KEY, debug=DEBUG, allowed_hosts=ALLOWED_HOSTS)
    if _problems:
        raise ImproperlyConfigured("Refusing to start in production: " + " ".join(_problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "agencies",
    "audits",
]

MIDDLEWARE = [
    "macfa.faults.DatabaseUnavailableMiddleware",  # PostgreSQL not answering: 503 with Retry-After, not 500
    "django.middleware.security.SecurityMiddleware",
    "macfa.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "macfa.middleware.CSPMiddleware",  # django-csp's, building the settings' policy once
    "simple_history.middleware.HistoryRequestMiddleware",
    "macfa.middleware.ForgetScopeMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:  # runserver serves static files in development; gunicorn needs WhiteNoise
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "macfa.urls"

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
                "audits.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "macfa.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
# A kept connection is checked before a request reuses it, so after PostgreSQL restarts no web process answers one
# request with an error on its dead connection first.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "macfa.postgresql"  # Django's, with a health check that needs no round trip
    # Parameters bound by the server, and a statement run twice on a connection is prepared: PostgreSQL plans a
    # scoped query once per connection instead of on every request (planning was most of a detail's query time).
    # Behind PgBouncer in transaction mode, use PgBouncer ≥ 1.21 with max_prepared_statements (docs/scaling.md)
    # or set DB_PREPARE_THRESHOLD=0 to prepare nothing.
    _prepare = env.int("DB_PREPARE_THRESHOLD", default=2)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=_prepare if _prepare > 0 else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo: a write transaction takes the lock when it begins and others wait for it, so two people
    # saving at once queue (the second then gets 412 or 409 as on PostgreSQL) instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by all web processes in production (sign-in throttling counts across them); per-process in development.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # With Redis down the cache answers as empty (throttling pauses, logged once) instead of failing the request.
    CACHES["default"]["BACKEND"] = "macfa.faults.DegradingRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 1, "socket_timeout": 1})

# Sign-in: repeated failures for one username from one address lock it out for a while (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT: int = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many proxies in front of the app append to X-Forwarded-For. 0: the client address is REMOTE_ADDR and the header
# is ignored (a client could write anything in it); n: the n-th address from the right, which the nearest proxy wrote.
# PROXY_COUNT is the earlier name, still read.
TRUSTED_PROXY_COUNT: int = env.int("TRUSTED_PROXY_COUNT", default=env.int("PROXY_COUNT", default=0))
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # GOV.UK Frontend (vendored, see static/govuk/VERSION) and our own
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# A strict Content-Security-Policy: scripts, styles, fonts and images from this site only, never inline; nothing may
# frame the pages. Every page, the admin and the API documentation work under it (no asset from another site).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# A session ends after SESSION_COOKIE_AGE seconds without a request (each request saves it and starts the count
# again) and when the browser closes.
SESSION_COOKIE_AGE: int = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# An API token answers 401 this many days after it was made; signing in again makes a new one.
API_TOKEN_LIFETIME_DAYS: int = env.int("API_TOKEN_LIFETIME_DAYS", default=30)
if API_TOKEN_LIFETIME_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_LIFETIME_DAYS must be 1 or more.")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
        "macfa.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "macfa.filters.StableOrderingFilter",  # DRF's, with the id after the fields asked for
    ],
    "DEFAULT_PAGINATION_CLASS": "macfa.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "macfa.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "macfa.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="10/minute")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MACFA service API",
    "DESCRIPTION": "Multi-Agency Case File Audits for safeguarding children partnerships. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "macfa.api.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AuditStatusEnum": "audits.choices.AuditStatus",
        "ActionStatusEnum": "audits.choices.ActionStatus",
        "ConcernStatusEnum": "audits.choices.ConcernStatus",
        "SummaryStatusEnum": "audits.choices.SummaryStatus",
        "ReturnStatusEnum": "audits.choices.ReturnStatus",
        "GradeEnum": "audits.choices.Grade",
        "SectorEnum": "agencies.models.Sector",
        "RoleEnum": "agencies.models.Role",
    },
}

# Celery. With no broker configured, tasks run eagerly in the web process (the embedded default).
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER: bool = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Mail.
EMAIL_BACKEND: str = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST: str = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT: int = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER: str = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD: str = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS: bool = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="macfa@localhost")

# The service's own settings.
MACFA_SITE_URL: str = env.str("MACFA_SITE_URL", default="http://127.0.0.1:8000")
# Counts below this are suppressed in anything that leaves the service; a partnership may set its own.
MACFA_SUPPRESSION_THRESHOLD: int = env.int("MACFA_SUPPRESSION_THRESHOLD", default=5)
if MACFA_SUPPRESSION_THRESHOLD < 1:
    raise ImproperlyConfigured("MACFA_SUPPRESSION_THRESHOLD must be 1 or more.")
# Evidence files on actions: the largest accepted upload, and an optional virus scanner (a dotted path to a callable
# taking the file and its name, returning None when clean or the reason it refuses it; see audits/services/evidence.py).
EVIDENCE_MAX_BYTES: int = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
if EVIDENCE_MAX_BYTES < 1:
    raise ImproperlyConfigured("EVIDENCE_MAX_BYTES must be 1 or more.")
EVIDENCE_SCANNER: str = env.str("EVIDENCE_SCANNER", default="")
# Uploaded evidence is served only through the scoped download views, never at MEDIA_URL: nothing in macfa/urls.py
# serves MEDIA_ROOT, and it must not lie where WhiteNoise or runserver serve static files from.
if any(MEDIA_ROOT.resolve().is_relative_to(Path(root).resolve()) for root in [STATIC_ROOT, *STATICFILES_DIRS]):
    raise ImproperlyConfigured("MEDIA_ROOT must not be inside STATIC_ROOT or a static files folder: it holds evidence.")

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
