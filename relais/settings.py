"""Relais settings, read from environment variables with safe development defaults.

Every variable is listed in docs/operations.md and in `.env.example`. With RELAIS_ENVIRONMENT=production, start-up
refuses an unsafe configuration (see `relais/checks.py`) rather than run with a development secret.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("RELAIS_ENVIRONMENT", "development")
PRODUCTION = ENVIRONMENT == "production"
DEVELOPMENT_SECRET_KEY = "relais-development-only-not-secret"  # noqa: S105 - refused in production by checks
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

DATA_DIR = Path(os.environ.get("RELAIS_DATA_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'relais.sqlite3'}"),
        conn_max_age=int(os.environ.get("RELAIS_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the help-card reads and report writes of several threads proceed together.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not shared-cache memory, so tests see the same locking (WAL, busy timeout) as production;
    # one per test process, so two suites running at once do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
elif os.environ.get("RELAIS_DB_PREPARED_STATEMENTS", "1") != "0":
    # Server-side parameters, and a statement run 5 times on a connection is prepared: PostgreSQL then skips
    # parsing and planning: report intake's one statement costs it 320 µs instead of 900 (docs/benchmarks.md §3). Set
    # RELAIS_DB_PREPARED_STATEMENTS=0 behind a transaction-mode pooler that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
RELAIS_REPLICA_DATABASE_URL = os.environ.get("RELAIS_REPLICA_DATABASE_URL", "")
"""A read replica of DATABASE_URL (PostgreSQL streaming replication): the statements export, the console's
statements page and the appeals list read from it (relais/replica.py); everything else from the primary.
Tests see it as a mirror of the test database. Refused beside SQLite (relais.E008)."""
if RELAIS_REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        RELAIS_REPLICA_DATABASE_URL,
        conn_max_age=int(os.environ.get("RELAIS_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if "OPTIONS" in DATABASES["default"] and DATABASES["replica"]["ENGINE"] == DATABASES["default"]["ENGINE"]:
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"]["OPTIONS"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict[str, Any]:
    """RELAIS_CACHE_URL → a Django cache. Rate-limit counters and in-flight idempotency keys live there, so
    with Redis they are shared by every worker and machine; the local-memory default is per process."""
    if url in ("", "locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "relais",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "relais",
            # A slow or lost Redis must not hold requests up: limits fail open (relais/ratelimit.py).
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    raise ImproperlyConfigured(f"RELAIS_CACHE_URL={url!r}: expected redis://host:port/db, rediss://… or empty")


CACHES = {"default": cache_from_url(os.environ.get("RELAIS_CACHE_URL", ""))}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_countries",  # country names in the reader's language (relais/handoffs/readable.py)
    "relais",
    "relais.tenants",
    "relais.directory",
    "relais.reports",
    "relais.idempotency",
    "relais.handoffs",
    "relais.webhooks",
    "relais.evidence",
    "relais.moderation",
    "relais.reporters",
    "relais.integrations",
    "relais.demo",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # The second factor (ADR 0031): TOTP apps, and recovery codes that work once each.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "relais.second_factor",  # passkeys (WebAuthn), a third django-otp device type
]

MIDDLEWARE = [
    # First: the request id, the log line and the latency cover every answer, the other middlewares' too.
    "relais.middleware.RequestLog",
    "django.middleware.security.SecurityMiddleware",
    # Every answer, error pages and the API's JSON included, carries the policies (ADR 0024).
    "csp.middleware.CSPMiddleware",
    "relais.middleware.PermissionsPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor in this session; then every console page wants it.
    "django_otp.middleware.OTPMiddleware",
    "relais.second_factor.middleware.SecondFactorRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuse over-limit calls before any work; then replay or run POSTs that carry an Idempotency-Key.
    "relais.ratelimit.RateLimits",
    "relais.evidence.middleware.UploadLimits",
    "relais.idempotency.middleware.Idempotency",
    "relais.middleware.ApiJsonErrors",
    # Last, as django-axes asks: it turns a lockout flagged during the login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "relais.urls"
WSGI_APPLICATION = "relais.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# django-axes first: it refuses a locked-out login before any password is checked. It needs the request,
# so every login view passes it to `authenticate` (Django's LoginView and the admin's do).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=10)
AXES_RESET_ON_SUCCESS = True
# Counted per account across addresses (a slow guesser moving between addresses) *and* per address across
# accounts (password spraying): either reaching AXES_FAILURE_LIMIT pauses it. The price: a stranger who knows a
# counsellor's username can pause their sign-in, hence the short cool-off (ADR 0031).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "relais.moderation.views.locked_out"  # each console says it in its words
AXES_VERBOSE = False
RELAIS_PROXY_COUNT = int(os.environ.get("RELAIS_PROXY_COUNT", "0"))
"""Reverse proxies in front of Relais that append to X-Forwarded-For; 0 = clients connect directly."""
if RELAIS_PROXY_COUNT:
    # Behind a proxy every client has the proxy's address: count login failures by the forwarded one.
    AXES_IPWARE_PROXY_COUNT = RELAIS_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:queue"
LOGOUT_REDIRECT_URL = "console:login"
RELAIS_REQUIRE_SECOND_FACTOR = env_bool("RELAIS_REQUIRE_SECOND_FACTOR", PRODUCTION)
"""Every console page (helpline, moderation, admin) wants a code from an authenticator app after the password;
enrolment on first sign-in (ADR 0031). On in production, off in development."""
OTP_TOTP_ISSUER = "Relais"
OTP_TOTP_THROTTLE_FACTOR = 1
"""After each wrong code, django-otp refuses the next one for 1, 2, 4, … seconds, until a right one."""
OTP_PASSKEY_THROTTLE_FACTOR = 1
"""The same doubling wait after each passkey answer that fails (relais.second_factor.models.PasskeyDevice)."""
RELAIS_PASSKEY_RP_ID = os.environ.get("RELAIS_PASSKEY_RP_ID", "").strip()
"""The host name passkeys are bound to (WebAuthn's RP ID). Empty: RELAIS_PUBLIC_URL's host, else the request's.
Changing it later makes every registered passkey unusable."""
RELAIS_PASSKEY_ORIGINS = env_list("RELAIS_PASSKEY_ORIGINS", "")
"""The page origins allowed to use them (`https://staff.relais.example.org`, comma-separated). Empty:
RELAIS_PUBLIC_URL's origin, else the request's."""

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
FORMAT_MODULE_PATH = ["relais.formats"]  # dates as people read them: « mardi 2 décembre 2026, 14:05 »
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = env_bool("RELAIS_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 9 * 3600
"""A counsellor's sign-in lasts one working day at most, and ends when the browser closes."""
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("RELAIS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("RELAIS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("RELAIS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("RELAIS_HSTS_PRELOAD", False)
# `preload` is a promise about the whole registrable domain (every subdomain HTTPS-only, for years), which only
# its owner can make, and which Relais, usually served from a subdomain of a helpline's or platform's domain,
# cannot make for them: it stays off unless RELAIS_HSTS_PRELOAD=true, so Django's reminder is silenced (ADR 0024).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp, ADR 0024): scripts, styles, images and fonts from Relais's own origin
# only, no inline script or style (a nonce, `{{ request.csp_nonce }}`, for one that cannot be a file), no
# plugin, no <base>, forms post only here, no framing. /api/docs adds what Swagger UI needs
# (relais/api.py). An operator extends a directive with RELAIS_CSP_EXTRA, e.g. `img-src=https://cdn.example`.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}


def csp_extra(value: str) -> dict[str, list[str]]:
    """RELAIS_CSP_EXTRA=`img-src=https://a https://b;connect-src=https://c` → sources added per directive."""
    extra: dict[str, list[str]] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        directive, sep, sources = part.partition("=")
        directive = directive.strip()
        if not sep or directive not in CONTENT_SECURITY_POLICY["DIRECTIVES"] or not sources.split():
            known = ", ".join(CONTENT_SECURITY_POLICY["DIRECTIVES"])
            raise ImproperlyConfigured(
                f"RELAIS_CSP_EXTRA: {part.strip()!r} is not `directive=source …` with one of {known}"
            )
        extra.setdefault(directive, []).extend(sources.split())
    return extra


for _directive, _sources in csp_extra(os.environ.get("RELAIS_CSP_EXTRA", "")).items():
    CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += _sources
if os.environ.get("RELAIS_CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = os.environ["RELAIS_CSP_REPORT_URI"]

RELAIS_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
"""Permissions-Policy: every powerful feature off, in every frame (`feature=()`); `interest-cohort` and
`browsing-topics` too, so no page a child reads feeds an advertising profile. Left at the browser's default
(this origin only): clipboard writes (the reporter's page copies a case code) and passkeys
(`publickey-credentials-*`, for staff sign-in)."""

# --- Relais ---
RELAIS_FAKE_NOW = os.environ.get("RELAIS_FAKE_NOW") or None
"""Pins the clock for demos and browser tests (ISO 8601, aware). Refused in production."""
RELAIS_DIRECTORY_REFRESH_SECONDS = float(os.environ.get("RELAIS_DIRECTORY_REFRESH_SECONDS", "30"))
RELAIS_DEMO = env_bool("RELAIS_DEMO", not PRODUCTION)
"""Serve the demo social feed at `/` (off in production unless asked for)."""
RELAIS_DEMO_PLATFORM = os.environ.get("RELAIS_DEMO_PLATFORM", "demo-social")

# --- Background tasks and webhooks (ADR 0008) ---
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
RELAIS_TASKS_BACKEND = os.environ.get("RELAIS_TASKS_BACKEND", "database")
"""`database`: tasks are rows that `relais db_worker` processes (no broker). `rq`: tasks go to Redis
(RELAIS_REDIS_URL) and `relais rqworker --job-class django_tasks_rq.Job --with-scheduler default` runs them,
on as many machines as needed. `immediate`: run in the request, for development only (no deferred retries;
refused in production by relais.E101)."""
if RELAIS_TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"RELAIS_TASKS_BACKEND={RELAIS_TASKS_BACKEND!r}: expected database, rq or immediate")
RELAIS_REDIS_URL = os.environ.get("RELAIS_REDIS_URL", "")
"""The Redis the rq backend queues tasks in (`redis://host:6379/1`); required with RELAIS_TASKS_BACKEND=rq
(relais.E104), unused otherwise. May be the cache's Redis, best with another db number."""
if RELAIS_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # Without a URL relais.E104 stops start-up; the placeholder only lets the settings load to say so.
    RQ_QUEUES = {"default": {"URL": RELAIS_REDIS_URL or "redis://127.0.0.1:6379/0"}}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[RELAIS_TASKS_BACKEND], "QUEUES": ["default"]}}
RELAIS_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("RELAIS_WEBHOOK_TIMEOUT_SECONDS", "10"))
"""The wall-clock deadline of one webhook attempt, from connecting to the answer's last header byte
(each phase also gets at most what is left of it)."""
RELAIS_WEBHOOK_LEASE_SECONDS = float(os.environ.get("RELAIS_WEBHOOK_LEASE_SECONDS", "120"))
"""How long a worker holds a delivery (and its endpoint) it is sending; a worker that died is replaced after
it. Never shorter than the timeout plus 5 s, whatever is set (relais.E102 also refuses a shorter one)."""
RELAIS_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("RELAIS_WEBHOOK_MAX_ATTEMPTS", "12"))
"""Attempts per delivery before it becomes a dead letter (12 span at least 27 h)."""
RELAIS_WEBHOOK_DISABLE_AFTER_FAILURES = int(os.environ.get("RELAIS_WEBHOOK_DISABLE_AFTER_FAILURES", "50"))
"""Failed attempts in a row (any delivery) after which an endpoint is disabled; its deliveries are held."""
RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS = float(os.environ.get("RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
"""After a secret rotation, how long the previous secret also signs."""
RELAIS_WEBHOOK_PROXY = os.environ.get("RELAIS_WEBHOOK_PROXY", "")
"""Optional egress proxy for webhook requests (e.g. an SSRF-filtering one); the environment's is ignored."""
RELAIS_WEBHOOK_ALLOWED_NETWORKS = os.environ.get("RELAIS_WEBHOOK_ALLOWED_NETWORKS", "")
"""CIDRs of the operator's own network whose addresses webhooks may reach (`10.20.0.0/16, fd12:3456::/48`),
over http:// too; empty: only public addresses. Checked on the resolved, pinned address; a network holding a
cloud metadata address is refused at start-up (relais.E105, ADR 0035)."""
RELAIS_WEBHOOK_RESOLVER = os.environ.get("RELAIS_WEBHOOK_RESOLVER", "relais.webhooks.targets.system_resolver")
"""Dotted path of the DNS look-up used to check webhook hosts (host -> addresses); the request connects to
what it answered. The system resolver unless a test or an operator's own resolver is put here."""
RELAIS_BLUESKY_DID_CACHE_SECONDS = float(os.environ.get("RELAIS_BLUESKY_DID_CACHE_SECONDS", "300"))
"""How long a Bluesky reporter's DID document (their signing key) is remembered; a signature that fails with
the remembered key fetches it again at once (integrations/bluesky/resolver.py, ADR 0033)."""

RELAIS_LOG_FORMAT = os.environ.get("RELAIS_LOG_FORMAT", "json" if PRODUCTION else "plain")
"""`json`: one JSON object a line (production default); `plain`: text for a terminal (relais/logs.py)."""
if RELAIS_LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"RELAIS_LOG_FORMAT={RELAIS_LOG_FORMAT!r}: expected json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "relais.logs.PlainLines", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "relais.logs.JsonLines"},
    },
    "filters": {"reporter_links": {"()": "relais.logs.RedactReporterLinks"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": RELAIS_LOG_FORMAT, "filters": ["reporter_links"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("RELAIS_LOG_LEVEL", "INFO")},
    # httpx logs every webhook request with its full URL at INFO; the delivery log already records them.
    # fontTools logs every font subset of every evidence PDF at INFO.
    # django_tasks logs each task's start and end at INFO: relais.tasks writes the one line per task (its
    # failures' tracebacks, at ERROR, still come through).
    "loggers": {
        "httpx": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
RELAIS_METRICS_TOKEN = os.environ.get("RELAIS_METRICS_TOKEN", "")
"""The bearer token a Prometheus scraper sends to GET /metrics; empty: there is no /metrics (404)."""
RELAIS_READY_WORKER_SECONDS = float(os.environ.get("RELAIS_READY_WORKER_SECONDS", "300"))
"""/api/v1/ready fails `worker` when a task has waited this long and no worker started one meanwhile."""
RELAIS_API_KEY_CACHE_SECONDS = float(os.environ.get("RELAIS_API_KEY_CACHE_SECONDS", "60"))
"""How long a process trusts an API key it has checked (lets help flow while the database is down)."""
RELAIS_CASE_CODE_DAYS = int(os.environ.get("RELAIS_CASE_CODE_DAYS", "30"))
"""How long a case code can be used to find a shared report (the case itself stays in the queue)."""
RELAIS_PUBLIC_URL = os.environ.get("RELAIS_PUBLIC_URL", "").rstrip("/")
"""Where reporters reach this Relais (`https://relais.example.org`): links sent outside a request (a worker's
direct message) are built on it. Empty: the request's own host, or http://127.0.0.1:8000 outside one."""
RELAIS_REPORTER_PAGE_RATE_LIMIT = os.environ.get("RELAIS_REPORTER_PAGE_RATE_LIMIT", "20/hour")
"""Wrong reporter-page tokens per client address (same syntax as RELAIS_RATE_LIMIT); then a 429 page."""
RELAIS_REPORTER_PAGE_MEMO = int(os.environ.get("RELAIS_REPORTER_PAGE_MEMO", "512"))
"""Rendered reporter pages kept per worker process and served again while nothing they show changed (0: none;
relais/reporters/page_memo.py)."""
RELAIS_QUICK_EXIT_URL = os.environ.get("RELAIS_QUICK_EXIT_URL", "https://www.wikipedia.org/")
"""Where Quick Exit takes a reporter: a neutral site that says nothing about what they were doing."""
RELAIS_CODE_LOOKUP_LIMIT = int(os.environ.get("RELAIS_CODE_LOOKUP_LIMIT", "10"))
RELAIS_CODE_LOOKUP_WINDOW_SECONDS = int(os.environ.get("RELAIS_CODE_LOOKUP_WINDOW_SECONDS", "900"))
"""At most LIMIT wrong case codes per person (or API key) per window; then lookups are refused."""
RELAIS_MODERATION_SLA_HOURS = {
    kind: float(os.environ.get(f"RELAIS_SLA_{kind.upper()}_HOURS", default))
    for kind, default in (("immediate", "1"), ("trusted_flagger", "24"), ("minor", "24"), ("standard", "72"))
}
"""Hours to decide a notice, by class (relais/moderation/priority.py): the platform's own commitments."""
RELAIS_APPEAL_MONTHS = int(os.environ.get("RELAIS_APPEAL_MONTHS", "6"))
"""How long a decision can be appealed, from the day the notifier is told (DSA Art. 20: at least 6)."""
if RELAIS_APPEAL_MONTHS < 6:
    raise ImproperlyConfigured("RELAIS_APPEAL_MONTHS must be at least 6 (DSA Art. 20(1))")
RELAIS_MISUSE_WINDOW_DAYS = float(os.environ.get("RELAIS_MISUSE_WINDOW_DAYS", "90"))
RELAIS_MISUSE_WARN_AT = int(os.environ.get("RELAIS_MISUSE_WARN_AT", "5"))
RELAIS_MISUSE_SUSPEND_AT = int(os.environ.get("RELAIS_MISUSE_SUSPEND_AT", "10"))
RELAIS_MISUSE_MIN_SHARE = float(os.environ.get("RELAIS_MISUSE_MIN_SHARE", "0.5"))
RELAIS_MISUSE_SUSPENSION_DAYS = float(os.environ.get("RELAIS_MISUSE_SUSPENSION_DAYS", "30"))
"""Art. 23: a notifier with WARN_AT manifestly unfounded notices in the window (and at least MIN_SHARE of
their decided ones) is warned; at SUSPEND_AT after a warning, their notices go unprocessed for SUSPENSION_DAYS."""
RELAIS_PILEON_REPORTS = int(os.environ.get("RELAIS_PILEON_REPORTS", "5"))
RELAIS_PILEON_WINDOW_HOURS = float(os.environ.get("RELAIS_PILEON_WINDOW_HOURS", "24"))
"""A pile-on (ADR 0034): at least REPORTS reports about one account or post within WINDOW_HOURS."""
RELAIS_PILEON_PLATFORMS = {
    slug.strip(): (int(reports), float(hours))
    for slug, _, rule in (
        entry.partition("=") for entry in os.environ.get("RELAIS_PILEON_PLATFORMS", "").split(",") if entry.strip()
    )
    for reports, _, hours in [rule.partition("/")]
}
"""Per-platform pile-on rules, `slug=reports/hours,…` (e.g. `mastodon-fr=3/6`); others use the two above."""
if RELAIS_PILEON_REPORTS < 2 or any(r < 2 or h <= 0 for r, h in RELAIS_PILEON_PLATFORMS.values()):
    raise ImproperlyConfigured("RELAIS_PILEON_*: a pile-on takes at least 2 reports in a positive window")
RELAIS_TRANSPARENCY_BACKEND = os.environ.get("RELAIS_TRANSPARENCY_BACKEND", "http")
"""`http`: statements of reasons go to each platform's Transparency Database account (none: nothing is sent,
the export API still has them); `console`: they are logged instead, for development (refused in production)."""
if RELAIS_TRANSPARENCY_BACKEND not in ("http", "console"):
    raise ImproperlyConfigured(f"RELAIS_TRANSPARENCY_BACKEND={RELAIS_TRANSPARENCY_BACKEND!r}: expected http or console")
if PRODUCTION and RELAIS_TRANSPARENCY_BACKEND == "console":
    raise ImproperlyConfigured("RELAIS_TRANSPARENCY_BACKEND=console would never submit statements: use http")
RELAIS_TRANSPARENCY_TIMEOUT_SECONDS = float(os.environ.get("RELAIS_TRANSPARENCY_TIMEOUT_SECONDS", "30"))
"""Per phase of a request to the Transparency Database (a batch of 100 statements is a large body)."""
RELAIS_TRANSPARENCY_MAX_ATTEMPTS = int(os.environ.get("RELAIS_TRANSPARENCY_MAX_ATTEMPTS", "12"))
"""Requests carrying a statement before it is given up (recorded on the decision; 12 span at least 27 h)."""
RELAIS_RATE_LIMIT = os.environ.get("RELAIS_RATE_LIMIT", "600/minute")
"""Requests per API key (any method, under /api/): N/second, N/minute, N/hour or N/day; `off` for none."""
RELAIS_HELP_RATE_LIMIT = os.environ.get("RELAIS_HELP_RATE_LIMIT", "600/minute")
"""Requests to the public GET /api/v1/help per client address (IPv6: per /64; behind RELAIS_PROXY_COUNT
proxies, the address they forwarded), same syntax."""
RELAIS_IDEMPOTENCY_HOURS = float(os.environ.get("RELAIS_IDEMPOTENCY_HOURS", "24"))
"""How long the first answer to a POST sent with an Idempotency-Key is replayed to its retries."""

# --- Evidence (relais/evidence, ADR 0011) ---
RELAIS_EVIDENCE_KEYS = os.environ.get("RELAIS_EVIDENCE_KEYS", "")
"""`id:base64key,…` (32-byte AES keys): the first seals new evidence, all open it. Empty: a key derived from
SECRET_KEY, outside production only (relais.E301 refuses it in production)."""
RELAIS_EVIDENCE_WINDOW_HOURS = float(os.environ.get("RELAIS_EVIDENCE_WINDOW_HOURS", "72"))
"""How long after a report was received the platform may still send its evidence."""
RELAIS_EVIDENCE_MAX_BYTES = int(os.environ.get("RELAIS_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
"""The largest evidence upload (one request, all its files); a larger one is a 413 before it is read."""
RELAIS_EVIDENCE_MAX_REPORT_BYTES = int(os.environ.get("RELAIS_EVIDENCE_MAX_REPORT_BYTES", str(200 * 1024 * 1024)))
"""The most evidence one report may hold, all uploads together: packs are built in memory, so this bounds them."""
RELAIS_EVIDENCE_MAX_REPORT_ITEMS = int(os.environ.get("RELAIS_EVIDENCE_MAX_REPORT_ITEMS", "100"))
"""The most evidence items one report may hold, all uploads together."""
RELAIS_EVIDENCE_MAX_PIXELS = int(os.environ.get("RELAIS_EVIDENCE_MAX_PIXELS", "40000000"))
"""Pictures with more pixels than this are refused (decompression bombs) before being decoded."""
RELAIS_PDQ_MATCH_DISTANCE = int(os.environ.get("RELAIS_PDQ_MATCH_DISTANCE", "31"))
"""Two pictures whose PDQ hashes differ in at most this many bits (of 256) are the same picture."""
RELAIS_RETENTION_DAYS = int(os.environ.get("RELAIS_RETENTION_DAYS", "365"))
"""Reports and their evidence are purged this many days after the last case about them closed, or after
receipt when none was opened; never while on legal hold or while a case is open (relais/evidence/retention.py)."""
REQUEST_BODY_MAX_BYTES = 2_621_440
"""Every request but an evidence upload stays within Django's default 2.5 MiB (relais/evidence/middleware.py)."""
DATA_UPLOAD_MAX_MEMORY_SIZE = RELAIS_EVIDENCE_MAX_BYTES + 256 * 1024
"""An evidence upload sent with an Idempotency-Key is read whole to fingerprint it; UploadLimits holds
every other request to REQUEST_BODY_MAX_BYTES, as Django's default did."""
try:
    _evidence_storage_options = json.loads(os.environ.get("RELAIS_EVIDENCE_STORAGE_OPTIONS") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f"RELAIS_EVIDENCE_STORAGE_OPTIONS is not a JSON object: {exc}") from None
STORAGES["evidence"] = {
    "BACKEND": os.environ.get("RELAIS_EVIDENCE_STORAGE", "django.core.files.storage.FileSystemStorage"),
    "OPTIONS": _evidence_storage_options  # type: ignore[dict-item]  # STORAGES was inferred as str → str
    or {
        "location": str(DATA_DIR / "evidence"),
        "base_url": None,
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
"""Sealed evidence blobs. Any Django storage: e.g. RELAIS_EVIDENCE_STORAGE=storages.backends.s3.S3Storage
with RELAIS_EVIDENCE_STORAGE_OPTIONS='{"bucket_name": "relais-evidence", …}' (django-storages, installed
separately)."""
