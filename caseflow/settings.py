"""Caseflow settings: everything from environment variables, with laptop-safe defaults.

Production differs from a laptop only by its environment; see README.md, "Configuration".
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CASEFLOW_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from None
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-laptop-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Before the admin: the configuration's names per language (caseflow/*/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",
    "bootstrap",
    "ninja",
    "huey.contrib.djhuey",
    "caseflow.core",
    "caseflow.accounts",
    "caseflow.customers",
    "caseflow.catalog",
    "caseflow.cases",
    "caseflow.ui",
    "caseflow.channels",
    "caseflow.desk",
    "caseflow.demo",
]

MIDDLEWARE = [
    "caseflow.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Django's LocaleMiddleware, but after the log-in is known: the user's language and time
    # zone, else the browser's language; the API follows Accept-Language.
    "caseflow.accounts.middleware.UserLanguageMiddleware",
    # Last, so it sees the log-in view's failed attempt and answers with the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Server-Timing headers with the time spent in Django and in the database (docs/performance.md).
SERVER_TIMING = env_bool("SERVER_TIMING", False)

ROOT_URLCONF = "caseflow.urls"
WSGI_APPLICATION = "caseflow.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "desk:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Plain inputs, text areas and selects are written in Python: caseflow/core/renderers.py.
FORM_RENDERER = "caseflow.core.renderers.Renderer"

# --- Database -------------------------------------------------------------------------------
# SQLite file by default; PostgreSQL (or anything dj-database-url reads) via DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    # The laptop default: a SQLite file in VAR_DIR, which must exist for SQLite to create it.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'caseflow.sqlite3'}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead of
        # deadlocking on a read-to-write upgrade; WAL lets readers go on meanwhile.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Server-side parameters let psycopg prepare a statement the second time a connection
    # runs it: PostgreSQL then plans the hot statements once per connection, not per call
    # (case creation: a quarter less database CPU). Off behind a transaction-pooling proxy.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "caseflow" / "locale"]
# Dates, times and numbers per language (caseflow/formats/en, de, es): day first, a 24-hour
# clock, ISO in date fields.
FORMAT_MODULE_PATH = ["caseflow.formats"]
# Configuration rows (codes, priorities, event types, product types, message templates) carry
# a name per language (django-modeltranslation): shown in the reader's language, English when
# that one is empty. docs/languages-config.md.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "de", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A row created in German (say) gets the same name in English too, so no reader sees it empty.
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# Numbers without a country code are read as numbers of this region (ISO 3166 alpha-2).
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "DE")
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "EUR")

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
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
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)

# --- Security (check --deploy passes once DEBUG is off and HTTPS is on) -----------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy on every response (django-csp; docs/security.md): scripts only from
# our own static files (or a tag carrying the request's nonce), never inline handlers or eval.
# Styles keep 'unsafe-inline': htmx adds a <style> for its indicators, and templates carry a
# few style="" attributes; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Behind a reverse proxy: the request header carrying the client's address (its last entry,
# the one our proxy added, is used), e.g. X-Forwarded-For. Empty: the connection's address
# (REMOTE_ADDR). Log-in lockouts, the API's token brake and the web form count by it; set it
# only when a proxy always writes that header, or clients could pick their own address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", env_str("WEBFORM_IP_HEADER"))

# --- Log-in protection (django-axes; docs/security.md) -------------------------------------
# Failed log-ins (desk and admin) are counted per account and client address, per client
# address alone and, when set, per account from any address. Once a count reaches its limit,
# log-ins it covers are refused (429, even with the right password) until the failures are
# LOGIN_COOLOFF_MINUTES old, or an administrator unlocks them in the admin. 0: no such limit.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_IP = env_int("LOGIN_FAILURE_LIMIT_PER_IP", 30)
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 0)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be >= 1")
if min(LOGIN_FAILURE_LIMIT_PER_IP, LOGIN_FAILURE_LIMIT_PER_ACCOUNT) < 0:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT_PER_IP/_PER_ACCOUNT must be >= 0")
# Each lockout parameter with its own limit (read by caseflow.accounts.lockout).
LOGIN_LOCKOUTS = [
    (["username", "ip_address"], LOGIN_FAILURE_LIMIT),
    *([(["ip_address"], LOGIN_FAILURE_LIMIT_PER_IP)] if LOGIN_FAILURE_LIMIT_PER_IP else []),
    *([(["username"], LOGIN_FAILURE_LIMIT_PER_ACCOUNT)] if LOGIN_FAILURE_LIMIT_PER_ACCOUNT else []),
]
AUTHENTICATION_BACKENDS = [
    "caseflow.accounts.lockout.LockoutBackend",
    # roles decide the admin permissions of the models they govern (accounts.permissions)
    "caseflow.accounts.permissions.RoleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "caseflow.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _limit in LOGIN_LOCKOUTS]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lockout is not counted again: the lockout ends on time, and an
# attacker hammering a locked account writes nothing.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "caseflow.accounts.lockout.client_address"
AXES_USERNAME_CALLABLE = "caseflow.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "caseflow.accounts.lockout.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@caseflow.localhost")

# --- Phone and SMS ---------------------------------------------------------------------------
# The PBX signs its CTI events, and the SMS gateway the messages it forwards, with an
# HMAC-SHA256 of "<timestamp>.<body>" (docs/phone-and-sms.md). Several comma-separated secrets
# may be valid at once, for rotation. Without a secret the webhook answers 503: feature off.
CTI_SECRETS = [s.strip() for s in env_secret("CTI_SECRET").split(",") if s.strip()]
SMS_INBOUND_SECRETS = [s.strip() for s in env_secret("SMS_INBOUND_SECRET").split(",") if s.strip()]
# How far a signed timestamp may be from our clock (seconds, either way).
WEBHOOK_TIMESTAMP_WINDOW = env_int("WEBHOOK_TIMESTAMP_WINDOW", 300)
# The times inside an event (a call's, an SMS's) may be at most this many days old (and not
# later than the window above): a PBX or gateway catching up after an outage is fine, a call
# "ringing" since the year 1 or 9999 is refused.
WEBHOOK_EVENT_MAX_AGE_DAYS = env_int("WEBHOOK_EVENT_MAX_AGE_DAYS", 7)
if WEBHOOK_EVENT_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("WEBHOOK_EVENT_MAX_AGE_DAYS must be >= 1")
# Outgoing SMS: the backend (a dotted path), the sender shown to customers, the longest
# message (in SMS segments) and how often a temporary failure is retried.
SMS_BACKEND = env_str("SMS_BACKEND", "caseflow.channels.sms.backends.ConsoleBackend")
SMS_FROM = env_str("SMS_FROM", "Caseflow")
SMS_MAX_SEGMENTS = env_int("SMS_MAX_SEGMENTS", 6)
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 5)
SMS_RETRY_DELAY = env_int("SMS_RETRY_DELAY", 30)
# A case opened by a customer's SMS is confirmed by SMS (the "sms" message template).
SMS_ACKNOWLEDGE = env_bool("SMS_ACKNOWLEDGE", True)
# The generic HTTP gateway (SMS_BACKEND=caseflow.channels.sms.backends.HttpGatewayBackend).
SMS_HTTP_URL = env_str("SMS_HTTP_URL")
SMS_HTTP_METHOD = env_str("SMS_HTTP_METHOD", "POST").upper()
SMS_HTTP_AUTH_HEADER = env_str("SMS_HTTP_AUTH_HEADER", "Authorization")
SMS_HTTP_AUTH_VALUE = env_secret("SMS_HTTP_AUTH_VALUE")
SMS_HTTP_FORMAT = env_str("SMS_HTTP_FORMAT", "json").lower()
SMS_HTTP_BODY = env_str("SMS_HTTP_BODY", '{"to": "{to}", "from": "{from}", "text": "{text}"}')
SMS_HTTP_ID_KEY = env_str("SMS_HTTP_ID_KEY", "id")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
if SMS_HTTP_METHOD not in ("POST", "PUT"):
    raise ImproperlyConfigured(f"SMS_HTTP_METHOD must be POST or PUT, not {SMS_HTTP_METHOD!r}")
if SMS_HTTP_FORMAT not in ("json", "form"):
    raise ImproperlyConfigured(f"SMS_HTTP_FORMAT must be json or form, not {SMS_HTTP_FORMAT!r}")

# --- Mail intake ----------------------------------------------------------------------------
# Inbound e-mail (docs/email-intake.md). The raw message is always kept whatever these say;
# attachments over a limit are left in it and listed on the timeline entry.
MAIL_MAX_MESSAGE_BYTES = env_int("MAIL_MAX_MESSAGE_BYTES", 64 * 1024 * 1024)
MAIL_ATTACHMENT_MAX_BYTES = env_int("MAIL_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES)
MAIL_INLINE_IMAGE_MAX_BYTES = env_int("MAIL_INLINE_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
MAIL_MAX_ATTACHMENTS = env_int("MAIL_MAX_ATTACHMENTS", 50)
MAIL_MAX_MIME_DEPTH = 20
MAIL_HTML_MAX_CHARS = 1_000_000
# Order and serial numbers looked for in subject and body (Python regular expressions, case
# ignored). The default order pattern matches the catalogue's numbers (SO-2026-000123).
MAIL_ORDER_PATTERN = env_str("MAIL_ORDER_PATTERN", r"\bSO-\d{4}-\d{4,8}\b")
MAIL_SERIAL_PATTERN = env_str(
    "MAIL_SERIAL_PATTERN", r"\b(?=[A-Z0-9./_-]*\d)[A-Z0-9][A-Z0-9./_-]{3,62}[A-Z0-9]\b"
)
# The real-mail corpus the intake tests read (skipped when absent); never in the repository.
MAIL_CORPUS_DIR = Path(
    env_str("CASEFLOW_MAIL_CORPUS", str(BASE_DIR.parent / "shared" / "corpus" / "mail"))
)

# --- IMAP polling ---
# Mailboxes with an IMAP host are polled by a periodic Huey task every IMAP_POLL_MINUTES
# minutes (and on demand by `manage.py poll_mailboxes`); see docs/imap-polling.md.
IMAP_POLL_MINUTES = env_int("IMAP_POLL_MINUTES", 1)
if not 1 <= IMAP_POLL_MINUTES <= 60:
    raise ImproperlyConfigured("IMAP_POLL_MINUTES must be between 1 and 60")
IMAP_POLL_LIMIT = env_int("IMAP_POLL_LIMIT", 500)  # messages per mailbox and poll
IMAP_FETCH_BATCH = env_int("IMAP_FETCH_BATCH", 25)  # messages per FETCH
IMAP_FETCH_BATCH_BYTES = env_int("IMAP_FETCH_BATCH_BYTES", 16 * 1024 * 1024)
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 60)  # seconds per network operation
IMAP_CA_FILE = env_str("IMAP_CA_FILE")  # extra trusted CA certificates (PEM), e.g. in-house
if min(IMAP_POLL_LIMIT, IMAP_FETCH_BATCH, IMAP_FETCH_BATCH_BYTES, IMAP_TIMEOUT) < 1:
    raise ImproperlyConfigured(
        "IMAP_POLL_LIMIT, IMAP_FETCH_BATCH, IMAP_FETCH_BATCH_BYTES and IMAP_TIMEOUT must be >= 1"
    )

# --- Drop folder ---
# Mail delivered as files: every minute the worker takes <MAIL_DROP_DIR>/<mailbox name>/*.eml
# (and `manage.py ingest_drop`); empty: off. See docs/email-intake.md, "Drop folder".
MAIL_DROP_DIR = env_str("MAIL_DROP_DIR")
# --- end of drop folder ---

# --- Mail out and web form ------------------------------------------------------------------
# Replies and acknowledgements leave through the mail backend above, from the mailbox the
# case's mail came in through, else OUTBOUND_DEFAULT_MAILBOX (a mailbox name; empty: the first
# active mailbox), else DEFAULT_FROM_EMAIL. A refused or failed send is retried after
# OUTBOUND_RETRY_DELAY seconds, four times longer each time, OUTBOUND_MAX_ATTEMPTS in all.
OUTBOUND_DEFAULT_MAILBOX = env_str("OUTBOUND_DEFAULT_MAILBOX")
OUTBOUND_MAX_ATTEMPTS = env_int("OUTBOUND_MAX_ATTEMPTS", 6)
OUTBOUND_RETRY_DELAY = env_int("OUTBOUND_RETRY_DELAY", 60)
# A send that hangs must end long before its claim on the message (10 minutes) runs out.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60)
# The public web form (/support/): confirmation mail, attachments, and its spam brakes
# (submissions per e-mail address and per client address within the window, in seconds;
# counted in Django's cache, so several web processes need a shared cache to share counts).
WEBFORM_ACKNOWLEDGE = env_bool("WEBFORM_ACKNOWLEDGE", True)
WEBFORM_MAX_FILES = env_int("WEBFORM_MAX_FILES", 5)
WEBFORM_MAX_FILE_BYTES = env_int("WEBFORM_MAX_FILE_BYTES", 10 * 1024 * 1024)
WEBFORM_LIMIT_PER_ADDRESS = env_int("WEBFORM_LIMIT_PER_ADDRESS", 5)
WEBFORM_LIMIT_PER_IP = env_int("WEBFORM_LIMIT_PER_IP", 20)
WEBFORM_LIMIT_WINDOW = env_int("WEBFORM_LIMIT_WINDOW", 3600)
# Behind a proxy: the header carrying the client's address (its last entry is used), e.g.
# X-Forwarded-For. Empty: CLIENT_IP_HEADER (the older name of the same setting).
WEBFORM_IP_HEADER = env_str("WEBFORM_IP_HEADER", CLIENT_IP_HEADER)
# --- end of mail out and web form ------------------------------------------------------------

# --- Cache -----------------------------------------------------------------------------------
# Counters that must be shared by every web process (the web form's rate limits): Redis when
# CACHE_URL is set (redis://127.0.0.1:6379/1); else each process counts on its own (laptop).
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "caseflow",
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be a redis:// (or rediss://, unix://) URL")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work (Huey) ------------------------------------------------------------------
# SQLite storage in VAR_DIR by default (one machine); Redis storage for several consumers on
# several machines when HUEY_REDIS_URL is set. `manage.py run_huey` is the worker.
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL")
HUEY = {
    "name": env_str("HUEY_NAME", "caseflow"),
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {
        "workers": env_int("HUEY_WORKERS", 2),
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    },
}
if HUEY_REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": HUEY_REDIS_URL}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_polls": {"()": "caseflow.desk.logfilters.QuietPolls"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The development server's request log (Django's own set-up) without the call
        # notice's poll, which every open desk tab repeats every 3 s; failed polls stay.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["quiet_polls"],
        },
    },
}
