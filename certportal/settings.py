"""Settings for the certification portal, read from the environment (12-factor).

Every value has a default that runs the portal on a fresh machine: SQLite in the project
folder, tasks run eagerly when no broker is set (`make run` sets a file-system one), e-mail
printed to the console.
Production sets DEBUG off (the default), SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# Without SECRET_KEY the portal still starts (a fresh clone must run with one command), but
# `manage.py check --deploy` reports it as an error: see certportal/checks.py.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "certportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_fsm",
    "django_fsm_log",
    "django_celery_beat",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as static files
    "knox",
    "axes",
    "csp",
    "certportal",
    "outbox",
    "accounts",
    "catalogue",
    "workflow",
    "dod",
    "support_audit",
    "kpi",
    "insight",
    "sales",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "certportal.middleware.security_headers",
    "csp.middleware.CSPMiddleware",
    "certportal.middleware.api_body_limit",
    "certportal.middleware.method_not_allowed_page",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.session_lifetime",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "workflow.middleware.refused_access_log",
    # Last: it turns a log-in refused for a locked account or address into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "certportal.urls"
WSGI_APPLICATION = "certportal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and the scheduler of `make run` share the file: writers wait
    # for each other instead of failing with "database is locked", and readers never wait.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# --- Log-in lockout (django-axes): per account and, separately, per address. ---
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"  # the page says for how long, in 429
AXES_VERBOSE = False  # the security log (accounts.security) records failures and lockouts

# --- Sessions: an idle timeout by role and an absolute lifetime, both kept in the session on
# the server (never in the cookie's expiry), so a client cannot stretch them. ---
SESSION_IDLE_TIMEOUT_STAFF = int(os.environ.get("SESSION_IDLE_TIMEOUT_STAFF", str(30 * 60)))
SESSION_IDLE_TIMEOUT_PARTNER = int(os.environ.get("SESSION_IDLE_TIMEOUT_PARTNER", str(8 * 60 * 60)))
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", str(12 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
# A password reset link is good for one hour.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", "3600"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format and one date-time format per language (certportal/formats/).
FORMAT_MODULE_PATH = ["certportal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- The partner API (/api/v1/): token or session, JSON; the browsable API only in DEBUG. ---
# Rows one batch may hold; a larger batch answers 413 and stores nothing.
API_MAX_ROWS_PER_BATCH = int(os.environ.get("API_MAX_ROWS_PER_BATCH", "10000"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kpi.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "kpi.api_auth.TokenRateThrottle",
        "kpi.api_auth.UserRateThrottle",
        "kpi.api_auth.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_TOKEN", "60/min"),
        "user": os.environ.get("API_RATE_USER", "120/min"),
        "anon": os.environ.get("API_RATE_ANON", "60/min"),
    },
    "EXCEPTION_HANDLER": "kpi.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
}

# The API's OpenAPI 3 schema (/api/schema/, `manage.py spectacular`) and its Swagger UI
# (/api/docs/), both public: they describe the API, never a partner's data, and a partner
# reads them before it has a token. Swagger UI comes from the static files, never a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Certification portal API",
    "VERSION": "1",
    "DESCRIPTION": (
        "The partner API: a partner organisation sends its support cases, NPS answers and "
        "customers as JSON lists (all or nothing: one bad row rejects the batch, with every "
        "bad row reported), and anyone may list the published solutions with their badge. "
        "The workflow: solutions and versions registered, certification requests filed, read "
        "with their timeline and moved on by the transitions the caller may take, through the "
        "same rules as the pages. "
        "A partner and the Marketplace team also follow a request's materials (uploads "
        "included) and DoD review, and a solution's certificate, badge, KPI snapshots and "
        "breaches. "
        "Authenticate with `Authorization: Token <secret>`, a token created on the profile "
        "page. Every error is JSON: `detail` for the whole request, `errors` (line, column, "
        "reason) for the rows of a batch, or a field's list of messages."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would otherwise send the schema to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Choice sets shared by several fields get one name each: a request's states (state,
    # seen_state, a transition's target), a certificate's state and its events', the badge's
    # with "not certified".
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "workflow.enums.ApplicationState",
        "ApplicationKindEnum": "workflow.enums.ApplicationKind",
        "MaterialKindEnum": "workflow.enums.MaterialKind",
        "CertificationStatusEnum": "catalogue.enums.CertificationStatus",
        "BadgeStateEnum": "workflow.api_review_serializers.BADGE_STATES",
    },
}

# API tokens (django-rest-knox): only a hash is stored; a partner picks the expiry.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its default token table even when the model is swapped; with
# our model in its place the table would only hold a foreign key to users.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": None, "TOKEN_PREFIX": "cp_", "AUTO_REFRESH": False}
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

# --- Redis: Celery broker and cache. Without it the portal runs tasks in-process. ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage degrades the cache to misses instead of failing the page.
            "BACKEND": "certportal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The broker: Redis when REDIS_URL is set; else a broker named by CELERY_BROKER_URL, which
# `make run` sets to "filesystem://" (kombu's file-system transport: messages are files in
# CELERY_BROKER_FOLDER, so a worker and the beat scheduler run with nothing to install);
# else none at all, and tasks run eagerly in the calling process.
CELERY_BROKER_URL = REDIS_URL or os.environ.get("CELERY_BROKER_URL", "")
BROKER_FOLDER = Path(os.environ.get("CELERY_BROKER_FOLDER") or BASE_DIR / "var" / "broker")
if CELERY_BROKER_URL.startswith("filesystem:"):
    BROKER_FOLDER.mkdir(parents=True, exist_ok=True)
    # One folder in and out: every process reads and writes the same queue files.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER),
        "data_folder_out": str(BROKER_FOLDER),
        # The exchange tables too, else kombu writes them into the working directory.
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged task goes back to the queue after this long; it must outlast the
        # longest task (the hard time limit below), or a slow task would run twice at once.
        "visibility_timeout": 3 * 900,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_EAGER_PROPAGATES = True
# At-least-once work with idempotent tasks:
# a task is acknowledged when it has finished, not when it starts, so a worker that dies
# half-way leaves it in the queue ...
CELERY_TASK_ACKS_LATE = True
# ... and so does a pool process killed under it (SIGKILL, the OOM killer): rejected and
# requeued instead of acknowledged as if done.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per process: a dying worker holds back nothing else.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task that hangs is told to stop (soft, it can clean up), then killed (hard).
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
# A worker started before the broker keeps trying to connect instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Handing a task to a broker that is down fails fast: the outbox keeps it for the sweep,
# so the request that made it does not wait.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The periodic jobs are declared by their apps (<app>/jobs.py) and written to the scheduler's
# tables after every migrate; an operator's edit in the admin is kept. A job named here gets
# this schedule instead of its default, applied at every migrate ("30 1 * * *" in UTC, or
# "every 5 minutes"); docs/reliability.md, "Periodic jobs".
PERIODIC_JOB_SCHEDULES: dict[str, str] = {}

# The outbox (outbox/): a message handed over or started longer ago than this is taken for
# lost and run again (longer than the hard time limit); after this many failed attempts it
# waits for staff in the admin.
OUTBOX_STALE_SECONDS = int(os.environ.get("OUTBOX_STALE_SECONDS", str(2 * 900)))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "12"))
# A solution of a KPI run handed to a worker is handed again after this long without being
# done (longer than CELERY_TASK_TIME_LIMIT); one that failed this often waits for staff.
KPI_RUN_STALE_SECONDS = int(os.environ.get("KPI_RUN_STALE_SECONDS", str(2 * 900)))
KPI_RUN_MAX_ATTEMPTS = int(os.environ.get("KPI_RUN_MAX_ATTEMPTS", "8"))
# Solutions per task of a KPI run: the counting is a few queries per chunk, whatever its size.
KPI_RUN_CHUNK_SIZE = int(os.environ.get("KPI_RUN_CHUNK_SIZE", "200"))

# --- E-mail: console by default, SMTP when EMAIL_HOST is set. ---
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
if "EMAIL_FILE_PATH" in os.environ:  # with the file backend: one file per message sent
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "certification@marketplace.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute address used in e-mails, where no request is at hand.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security: on unless DEBUG is on. ---
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "certportal.views.csrf_failure"
# Scripts only from the portal's own static files, never inline; styles allow inline style
# attributes (the admin and the crispy forms write a few). The badge has a stricter one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page of the portal uses these browser features.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
        # Log-ins, lockouts, refused access, API tokens, badge changes by hand.
        "certportal.security": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- The programme ---
# Requests waiting in the analyst queue per page.
QUEUE_PAGE_SIZE = int(os.environ.get("QUEUE_PAGE_SIZE", "25"))
# Certified solutions per page of the public catalogue.
CATALOGUE_PAGE_SIZE = int(os.environ.get("CATALOGUE_PAGE_SIZE", "24"))
# Requests per page of the partner dashboard (open and closed ones each), and the rows the
# short lists show before their link to the rest: the queue's audits due, the overlap table
# of a request in the admin, a partner's solutions.
# The largest ZIP of the certified solutions' product tests the sales pages build (R7.2).
SALES_ZIP_MAX_BYTES = int(os.environ.get("SALES_ZIP_MAX_MB", "200")) * 1024 * 1024
DASHBOARD_PAGE_SIZE = int(os.environ.get("DASHBOARD_PAGE_SIZE", "20"))
SHORT_LIST_SIZE = int(os.environ.get("SHORT_LIST_SIZE", "10"))

# A constant JSON view at /bench/bare/, the floor scripts/bench_http.py compares the public
# pages with. Only the benchmark sets it; never routed otherwise.
BENCH_BARE_VIEW = env_bool("BENCH_BARE_VIEW")

# Critical fixes are reviewed within this many business days of the Marketplace team (R6.5).
CRITICAL_FIX_REVIEW_BUSINESS_DAYS = int(os.environ.get("CRITICAL_FIX_REVIEW_BUSINESS_DAYS", "2"))
TEAM_TIME_ZONE = os.environ.get("TEAM_TIME_ZONE", "Europe/Moscow")
TEAM_HOLIDAYS_COUNTRY = os.environ.get("TEAM_HOLIDAYS_COUNTRY", "RU")
# A support case belongs to the month it was registered in, in this time zone (KPIs, R5).
KPI_REPORTING_TIME_ZONE = os.environ.get("KPI_REPORTING_TIME_ZONE", "UTC")
# Largest CSV file (bytes) a partner uploads on a solution's KPI page: cases, NPS, customers.
KPI_UPLOAD_MAX_BYTES = int(os.environ.get("KPI_UPLOAD_MAX_BYTES", str(20 * 1024**2)))
# Most rows (below the header) of one such file.
KPI_UPLOAD_MAX_ROWS = int(os.environ.get("KPI_UPLOAD_MAX_ROWS", "100000"))
# Days a customer's personal NPS survey link stays valid (never past the half-year's end).
KPI_SURVEY_LINK_DAYS = int(os.environ.get("KPI_SURVEY_LINK_DAYS", "30"))

# --- Uploaded materials: private storage, never a public URL. ---
# Large uploads go to a temporary file, so validation streams from disk, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
MATERIALS_S3_BUCKET = os.environ.get("MATERIALS_S3_BUCKET", "")
if MATERIALS_S3_BUCKET:
    # S3-compatible storage shared by every web server (django-storages); credentials from
    # the usual AWS_* variables or the instance role.
    _materials_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MATERIALS_S3_BUCKET,
            "endpoint_url": os.environ.get("MATERIALS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MATERIALS_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _materials_storage = {
        "BACKEND": "certportal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "materials": _materials_storage,
}
# Per-kind upload limits in bytes, e.g. UPLOAD_MAX_BYTES_PACKAGES=2147483648; the defaults
# live beside each material's rules in workflow/materials.py.
for _name, _value in os.environ.items():
    if _name.startswith("UPLOAD_MAX_BYTES_"):
        globals()[_name] = int(_value)

# Certified solutions' support is audited again this many months after the last audit (R5.7).
REGULAR_AUDIT_MONTHS = int(os.environ.get("REGULAR_AUDIT_MONTHS", "6"))
