"""Settings for the issue desk, read from the environment.

Every knob a deployment turns is an environment variable; the defaults give the
embedded mode (SQLite, in-process tasks and events) that `make run` uses on a
bare machine. README.md has the table.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")


def _local_secret_key() -> str:
    # The embedded mode needs no configuration, yet a key known to everyone
    # would let anyone forge sessions: each checkout makes its own, once.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "sections",
    "talk",
    "search",
    "notify",
    "desk",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
]

MIDDLEWARE = [
    "desk.middleware.healthz_first",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "desk.middleware.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "desk.urls"
WSGI_APPLICATION = "talk.wsgi.application"
ASGI_APPLICATION = "talk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "django.templatetags.l10n",
                "desk.templatetags.desk",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A bounded pool per process: under uvicorn every request would otherwise
    # open (and fork) a PostgreSQL connection, and a burst of requests, such
    # as 200 pages reconnecting after a restart, would take more than the
    # server's 100; with the pool they wait up to `timeout` for one instead.
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": 1,
            "max_size": env_int("DATABASE_POOL_SIZE", 10),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 20),
        }
    }
# Lets two test runs share one PostgreSQL server without sharing a database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode serves the page and the live stream from one process;
    # WAL and a busy timeout let readers and the writer share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "desk",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("alias", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: five failures for one alias from one address lock that pair
# out for fifteen minutes, so a guesser cannot lock a member out from elsewhere;
# fifty for one alias from all addresses together lock the alias, so a guesser
# with many addresses still meets a limit (docs/decisions.md weighs the two).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ALIAS_FAILURE_LIMIT = env_int("AXES_ALIAS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.throttle.AliasAndAddressHandler"
# The address uvicorn established (see accounts/throttle.py), never a header.
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("MEDIA_ROOT", str(BASE_DIR / "media"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
MEDIA_URL = "media/"
# Files are served by WhiteNoise from STATIC_ROOT after collectstatic; the
# finders let a test server started before collectstatic still find them.
WHITENOISE_USE_FINDERS = True

# The import page takes an issue's text of up to IMPORT_MAX_BYTES, uploaded or
# pasted. A pasted text is a form field, and Django refuses a request whose
# fields pass DATA_UPLOAD_MAX_MEMORY_SIZE with a 400 before the form can say
# anything: the margin lets a text at the limit through with the form's other
# fields (CSRF token, series), so one just over it gets the form's own error.
IMPORT_MAX_BYTES = 2_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 10_000
# And at most this many rows (entries, questions, answers, chat lines): the
# largest real issue has a few hundred; the page is measured at 1,300.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 3000)

# Mail goes to the console unless an SMTP server is configured.
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("SMTP_HOST"),
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USER", ""),
                "password": env_str("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_TLS", True),
                # A mail server that hangs holds a worker this long at most.
                "timeout": env_int("SMTP_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "talk.mail.ReadableConsoleBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "desk@localhost")

# Where the desk is read, for the links in mail and chat messages (a worker
# has no request to take the address from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Notifications (notify/). A delivery is tried this many times before it is
# failed and shown on /jobs/; a worker holds one it sends this long at most.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 120)
NOTIFY_SWEEP_SECONDS = env_int("NOTIFY_SWEEP_SECONDS", 60)
NOTIFY_DIGEST_HOUR = env_int("NOTIFY_DIGEST_HOUR", 8)
# The domain of the Message-IDs the desk's mail carries.
NOTIFY_MAIL_DOMAIN = env_str("NOTIFY_MAIL_DOMAIN", "issue-desk.invalid")
# Embedded mode (no broker): deliveries on background threads, after the
# response. Off in the tests, which run them in place.
NOTIFY_BACKGROUND = env_bool("NOTIFY_BACKGROUND", True)

# Chat bots and webhooks (notify/http.py). Their URLs must be https and reach
# public addresses only. ALLOW_PRIVATE lets them reach loopback and private
# networks: for the tests' receivers on 127.0.0.1, and for a desk whose bots
# live on its own LAN. Cloud metadata addresses stay refused either way.
NOTIFY_WEBHOOK_HTTPS_ONLY = env_bool("NOTIFY_WEBHOOK_HTTPS_ONLY", not DEBUG)
NOTIFY_WEBHOOK_ALLOW_PRIVATE = env_bool("NOTIFY_WEBHOOK_ALLOW_PRIVATE", False)
# Seconds for a whole exchange (connect, send, read); a worker waits this long at most.
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 5)
# Bytes of an answer read; the platforms say what they need in far fewer.
NOTIFY_WEBHOOK_MAX_BODY = env_int("NOTIFY_WEBHOOK_MAX_BODY", 64 * 1024)

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: scripts only from our own static files (htmx is
# vendored), nothing inline, so an injection that slipped past the sanitiser
# still could not run.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Celery: with REDIS_URL the broker is Redis and a worker runs the tasks;
# without it tasks run in the calling process (embedded mode).
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Nothing reads a task's result (exports and job runs keep their state in the
# database), so there is no result backend: with one in Redis, sending a task
# while Redis was down waited ~20 s on it, then failed with "the Celery
# application must be restarted".
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# In-process, a task's retries run at once (without the backoff) and, once
# they run out, its on_failure marks the export failed with the fault; with
# propagation on, the first retry would surface as a "Retry" error instead.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Sending a task while Redis is down gives up within seconds instead of
# holding the request (a freeze then leaves its exports for the sweep below):
# a refused connection after three tries in half a second, a Redis that
# hangs after the socket timeout (3 s), measured with kombu 5.7.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "socket_connect_timeout": 2,
    # Above the workers' BRPOP wait (1 s), which a shorter timeout would cut.
    "socket_timeout": 3,
}
CELERY_TIMEZONE = TIME_ZONE

# The schedule: beat wakes `open_next_issues` every NEXT_ISSUE_CHECK_MINUTES;
# it opens a series' next issue once the latest one met more than
# NEXT_ISSUE_AFTER_MINUTES ago (the date itself is the series' to say).
NEXT_ISSUE_AFTER_MINUTES = env_int("NEXT_ISSUE_AFTER_MINUTES", 60)
# A series whose latest issue met longer ago than this has paused (or is an
# imported archive): the schedule leaves it to an admin, and the jobs page
# lists it as overdue.
NEXT_ISSUE_WITHIN_DAYS = env_int("NEXT_ISSUE_WITHIN_DAYS", 14)
NEXT_ISSUE_CHECK_MINUTES = env_int("NEXT_ISSUE_CHECK_MINUTES", 15)
EXPORT_SWEEP_SECONDS = env_int("EXPORT_SWEEP_SECONDS", 30)
CELERY_BEAT_SCHEDULE = {
    "open-next-issues": {
        "task": "talk.tasks.open_next_issues",
        "schedule": timedelta(minutes=NEXT_ISSUE_CHECK_MINUTES),
        # A run still queued when the next one is due is dropped, not piled up.
        "options": {"expires": NEXT_ISSUE_CHECK_MINUTES * 60},
    },
    # Exports that nobody would render otherwise: never queued (Redis was
    # down), lost from the queue, or held by a worker that was killed.
    "requeue-exports": {
        "task": "talk.tasks.requeue_exports",
        "schedule": timedelta(seconds=EXPORT_SWEEP_SECONDS),
        "options": {"expires": EXPORT_SWEEP_SECONDS},
    },
    # Deliveries nobody would send otherwise (lost from the queue, a killed
    # worker, never queued while Redis was down).
    "requeue-deliveries": {
        "task": "notify.tasks.requeue_deliveries",
        "schedule": timedelta(seconds=NOTIFY_SWEEP_SECONDS),
        "options": {"expires": NOTIFY_SWEEP_SECONDS},
    },
    "send-reminders": {
        "task": "notify.tasks.send_reminders",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    "send-digests": {
        "task": "notify.tasks.send_digests",
        "schedule": crontab(hour=NOTIFY_DIGEST_HOUR, minute=0),
    },
}

# How long a worker holds an export it renders before another may take it
# over: a worker killed mid-export frees it after this, and the next sweep
# (every EXPORT_SWEEP_SECONDS) sends it to another. Above the export task's
# hard time limit (180 s), so a worker still rendering never loses it.
EXPORT_LEASE_SECONDS = env_int("EXPORT_LEASE_SECONDS", 300)

# The Noto Sans CJK file the PDF export loads when the system has no Noto Sans
# CJK SC (talk/exports/fonts.py); unset: the noto-cjk-sans-otc package's.
PDF_CJK_FONT = env_str("PDF_CJK_FONT", "")

# Posting limits per member and minute; admins can tighten them per series.
POSTS_PER_MINUTE = env_int("POSTS_PER_MINUTE", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
