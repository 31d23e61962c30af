"""Test settings: production settings with fast hashing, in-memory mail, no manifest."""

import os

os.environ.setdefault("DUBAN_STATICFILES_STORAGE",
                      "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("DUBAN_THROTTLE_AUTH", "10000/min")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("DUBAN_THROTTLE_WRITES", "10000/min")
# Security (#13): tests that need them switch these on with override_settings.
os.environ.setdefault("DUBAN_2FA_ROLES", "")
os.environ.setdefault("DUBAN_SESSION_IDLE_MINUTES", "0")
os.environ.setdefault("DUBAN_SESSION_MAX_AGE_HOURS", "336")
os.environ.setdefault("DUBAN_CACHE_URL", "locmem")
os.environ.setdefault("DUBAN_LOGIN_FAILURE_LIMIT", "1000")  # fuzzers try many passwords

from config.settings import *  # noqa: E402,F403
from config.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
SITE_URL = "http://testserver"
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
