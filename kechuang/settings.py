"""Django settings for Kechuang.

Everything a deployment changes comes from the environment, so the same code runs embedded
(SQLite, one process, no server to install) and in production (PostgreSQL, Redis, gunicorn):

- ``DATABASE_URL``: ``sqlite:///path`` (default: ``var/kechuang.sqlite3``) or
  ``postgres://user@host:5432/db``.
- ``REDIS_URL``: when set, the cache (job progress) lives in Redis; otherwise on local disk.
- ``KECHUANG_SECRET_KEY`` (else generated once into ``$KECHUANG_VAR_DIR/secret_key``, 0600),
  ``KECHUANG_DEBUG`` (off unless ``1``), ``KECHUANG_ALLOWED_HOSTS``, ``KECHUANG_VAR_DIR``,
  ``KECHUANG_HTTPS`` (``1`` behind TLS: Secure cookies, HSTS), ``KECHUANG_SESSION_AGE`` (seconds).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KECHUANG_VAR_DIR", BASE_DIR.parent / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# DEBUG is an explicit developer opt-in (KECHUANG_DEBUG=1): tests, the demo and production run
# without it, so error pages never show tracebacks or settings.
DEBUG = os.environ.get("KECHUANG_DEBUG", "0") == "1"


def _secret_key() -> str:
    """``KECHUANG_SECRET_KEY`` when given (production); else one generated once and kept under
    the var directory (mode 0600), so the embedded demo starts with one command."""
    key = os.environ.get("KECHUANG_SECRET_KEY", "")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("KECHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "kechuang.core",
    "kechuang.accounts",
    "kechuang.enterprises",
    "kechuang.ingest",
    "kechuang.evaluation",
    "kechuang.rating",
    "kechuang.marketplace",
    "kechuang.targets",
    "kechuang.ip",
    "kechuang.listing",
    "kechuang.funds",
    "kechuang.risk",
    "kechuang.points",
    "kechuang.talent",
    "kechuang.supervision",
    "kechuang.trade",
    "kechuang.workbench",
    "kechuang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kechuang.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

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
                "kechuang.context_processors.platform",
            ],
            "builtins": ["kechuang.enterprises.templatetags.kechuang_tags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kechuang.sqlite3'}",
        conn_max_age=int(os.environ.get("KECHUANG_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the page server read while an import writes; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# A locked account or address is refused by every login path (page, admin, API Basic auth).
AUTHENTICATION_BACKENDS = ["kechuang.accounts.throttle.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# OWASP ASVS L2 (V2.1): length, similarity to the account, common and all-digit passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers grouped by three with commas in both languages ("1,100"): Django's zh_Hans formats do
# not group (kechuang/formats).
FORMAT_MODULE_PATH = ["kechuang.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# Uploads above 5 MB stream to a temporary file on disk, never into memory (file parts do not
# count towards DATA_UPLOAD_MAX_MEMORY_SIZE); a body without files is read into memory and may be
# up to 50 MB (the evaluation batch API takes up to 1,000 JSON records).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# The largest import file the upload page and the API accept (413 above it); bigger files go
# through the command line (``kechuang import``), which reads them in place.
KECHUANG_MAX_UPLOAD_MB = int(os.environ.get("KECHUANG_MAX_UPLOAD_MB", "200"))
# An import run whose heartbeat (written at each committed chunk) is older than this is taken for
# killed: it is marked failed and can be resumed from its last committed chunk.
KECHUANG_IMPORT_STALE_SECONDS = int(os.environ.get("KECHUANG_IMPORT_STALE_SECONDS", "900"))

# Sessions live on the server (database, cached), so logout really ends them: a copied cookie
# is worthless after logout. Expiry: 8 hours from login, and at browser close.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(os.environ.get("KECHUANG_SESSION_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie, but the token travels in forms anyway
# Behind HTTPS (production), set KECHUANG_HTTPS=1: cookies become Secure and HSTS is sent.
_HTTPS = os.environ.get("KECHUANG_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
if _HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if os.environ.get("KECHUANG_CACHE") == "locmem":  # tests: a fresh cache per process
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "kechuang.core.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kechuang.core.restricted.WritersOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "kechuang.core.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kechuang.core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kechuang 科创金融服务平台 API",
    "DESCRIPTION": "The theme database of tech enterprises and the services built on it.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its 400/403/404 answers with the one error body.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "kechuang.core.openapi.document_errors"],
    # Swagger UI and Redoc from the sidecar package: no CDN on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets of different apps share field names (kind, status, purpose): name them apart.
    "ENUM_NAME_OVERRIDES": {
        "ProductKindEnum": "kechuang.marketplace.choices.ProductKind",
        "DemandKindEnum": "kechuang.marketplace.choices.DemandKind",
        "LegKindEnum": "kechuang.marketplace.choices.LegKind",
        "DemandPurposeEnum": "kechuang.marketplace.choices.Purpose",
        "TaskStatusEnum": "kechuang.targets.choices.TaskStatus",
        "ModelStatusEnum": "kechuang.rating.choices.ModelStatus",
        "MilestoneKindEnum": "kechuang.listing.choices.MilestoneKind",
        "PoolTierEnum": "kechuang.listing.choices.PoolTier",
        "WarningLevelEnum": "kechuang.risk.choices.Level",
        "ProgrammeBasisEnum": "kechuang.funds.choices.Basis",
        "ProgrammeModeEnum": "kechuang.funds.choices.Mode",
        "ImportModeEnum": "kechuang.enterprises.choices.ImportMode",
        "ValueBasisEnum": "kechuang.ip.choices.ValueBasis",
        "PoolRunStatusEnum": "kechuang.listing.choices.RunStatus",
        "TalentRunStatusEnum": "kechuang.talent.choices.RunStatus",
        "PointsRunStatusEnum": "kechuang.points.choices.RunStatus",
        "TalentConsentPurposeEnum": "kechuang.talent.choices.TalentConsentPurpose",
        "SupervisedOrgStatusEnum": "kechuang.supervision.choices.OrgStatus",
        "ReportUploadStatusEnum": "kechuang.supervision.choices.UploadStatus",
        "InspectionStatusEnum": "kechuang.supervision.choices.InspectionStatus",
        "DealKindEnum": "kechuang.trade.choices.DealKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KECHUANG_LOG_LEVEL", "WARNING")},
}

# The region a fresh installation serves (Jinan); organisations narrow it further.
KECHUANG_REGION_CODE = os.environ.get("KECHUANG_REGION_CODE", "370100")
