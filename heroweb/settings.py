"""Django settings for heroweb, read from the environment once.

Everything a deployment changes is an environment variable; the defaults are a safe
single-machine setup (DEBUG off, SQLite and keys under HERO_HOME, the embedded Redis).
Helpers fail loudly on a value they do not understand rather than guessing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from heroweb.base.config import get_settings as hero_settings

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ValueError(f"Unexpected value {name}={value!r}: use 1/0, true/false, yes/no or on/off")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"Unexpected value {name}={value!r}: expected an integer") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into DATABASES["default"]."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/or/abs -> the path after the third slash; sqlite:////abs is absolute.
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ValueError(f"DATABASE_URL {url!r} has no file path (use sqlite:////abs/path)")
        return sqlite_database(path)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": envint("HEROWEB_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported: use sqlite or postgres")


def sqlite_database(path: str | Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Several uvicorn workers and scripts share the file: WAL, a busy timeout and
        # BEGIN IMMEDIATE keep "database is locked" away under concurrent writes.
        "OPTIONS": {
            "timeout": 5,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def _secret_key(keys_dir: Path) -> str:
    """HEROWEB_SECRET_KEY, or a random key kept in HERO_HOME/keys/django.key (0600)."""
    from_env = os.environ.get("HEROWEB_SECRET_KEY")
    if from_env:
        return from_env
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = keys_dir / "django.key"
    try:
        # O_EXCL: when two workers start at once exactly one writes; the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if key:
            return key
        raise ValueError(f"{path} is empty: delete it to create a new key") from None
    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
        file.flush()
        os.fsync(file.fileno())
    return key


HERO_HOME: Path = hero_settings().hero_home
HERO_HOME.mkdir(parents=True, exist_ok=True)

SECRET_KEY = _secret_key(HERO_HOME / "keys")
DEBUG = envbool("HEROWEB_DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "heroweb",
    "contexts",
    "sessions.apps.HeroSessionsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "heroweb.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "heroweb.middleware.HtmxLoginRequiredMiddleware",
    "heroweb.middleware.RedisUnavailableMiddleware",
]

ROOT_URLCONF = "heroweb.urls"
ASGI_APPLICATION = "heroweb.asgi.application"
WSGI_APPLICATION = "heroweb.wsgi.application"

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
                "heroweb.context_processors.heroweb",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(HERO_HOME / "heroweb.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache (and the cached half of login sessions) lives in Redis DB 0 under "heroweb:".
# Short timeouts and ignored exceptions: a down Redis falls back to the database for
# sessions instead of breaking login, and costs milliseconds, not seconds.
CACHES = {
    "default": {
        # LOCATION "" = heroweb.base.redisconn.redis_url(), resolved on first use (see heroweb.cache).
        "BACKEND": "heroweb.cache.HeroRedisCache",
        "LOCATION": "",
        "KEY_PREFIX": "heroweb",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "DB": 0,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = envint("HEROWEB_SESSION_AGE", 14 * 24 * 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served straight from STATICFILES_DIRS by whitenoise: no collectstatic step for `make run`.
# Set HEROWEB_STATIC_ROOT only to collect files for a front proxy.
STATIC_ROOT = os.environ.get("HEROWEB_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security headers and cookies -------------------------------------------------------
HTTPS = envbool("HEROWEB_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = envbool("HEROWEB_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("HEROWEB_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HEROWEB_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("HEROWEB_HSTS_PRELOAD", True)
# Only behind a proxy that sets X-Forwarded-Proto itself; otherwise clients could forge it.
if envbool("HEROWEB_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

# Any POST field may be a secret (env values, secrets, passphrases): error reports hide them all.
DEFAULT_EXCEPTION_REPORTER_FILTER = "heroweb.reporting.HideEverythingReporterFilter"

# Logs carry the method, path and status, never request bodies, headers or POST data, and
# no mail_admins handler (its reports include request details).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "heroweb": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
