"""Duban settings, read from environment variables with safe local defaults.

Every value that differs between a laptop, CI and production comes from the
environment (12-factor). See README.md for the list of variables.
"""

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    """A random key kept in var/secret_key, created on first use: no secret in the repo."""
    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or _local_secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("DUBAN_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "departments",
    "tasks_app",
    "notifications",
    "seeds",
    "ops",
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ops.replica.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "notifications.receipts.ReceiptMiddleware",  # ?r=<token>: 已读 (people #14)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tasks_app.portal.context.portal",
            ],
        },
    },
    {   # The row fragments of the longest tables only (tasks_app/portal/jinja.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "tasks_app.portal.jinja.environment",
                    "extensions": ["jinja2.ext.i18n"]},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat share the file without lock errors.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# Optional read replica for the heavy read pages (ops.replica): GET requests to the paths in
# DUBAN_REPLICA_PATHS read from it; every write and every other page uses the primary.
if env("DUBAN_REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = env.db("DUBAN_REPLICA_DATABASE_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["ops.replica.ReplicaRouter"]
# PostgreSQL's JIT compiles any query the planner costs high (the owed-reports query of the
# overview at city scale): ~140 ms of compiling for a query that runs in less. Pages are short
# queries, so it is off (docs/performance.md); DATABASE_URL's ?options=… can set it again.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Database metrics for /metrics (django-prometheus): the same engines, wrapped to count
# connections, queries, errors and query time.
for _database in DATABASES.values():
    if _database["ENGINE"] in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        _engine = _database["ENGINE"].rsplit(".", 1)[-1]
        _database["ENGINE"] = f"django_prometheus.db.backends.{_engine}"
DUBAN_REPLICA_PATHS = env.list("DUBAN_REPLICA_PATHS", default=[
    r"^/overview/", r"^/bulletins/", r"^/assessments/", r"^/ledger\.xlsx$",
])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first, English through Django i18n.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("DUBAN_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DUBAN_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
# Backups (manage.py backup): where, and how many archives to keep.
DUBAN_BACKUP_DIR = env("DUBAN_BACKUP_DIR", default=str(BASE_DIR / "var" / "backups"))
DUBAN_BACKUP_KEEP = env.int("DUBAN_BACKUP_KEEP", default=14)
# Media on S3-compatible object storage when a bucket is configured (several web machines
# then serve the same attachments); otherwise on the local disk in MEDIA_ROOT.
if env("DUBAN_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DUBAN_S3_BUCKET"),
            "endpoint_url": env("DUBAN_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("DUBAN_S3_REGION", default="") or None,
            "access_key": env("DUBAN_S3_ACCESS_KEY", default="") or None,
            "secret_key": env("DUBAN_S3_SECRET_KEY", default="") or None,
            "location": env("DUBAN_S3_PREFIX", default="media"),
            "addressing_style": env("DUBAN_S3_ADDRESSING_STYLE", default="path"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Attachments: PDF, Office documents and images, at most this many bytes each.
DUBAN_ATTACHMENT_MAX_BYTES = env.int("DUBAN_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: secure by default (https); the run command relaxes it for http on 127.0.0.1.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# Probes and the metrics scraper talk plain http to the process behind the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Email: every setting from the environment; console output by default.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="督办系统 <duban@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Delivery of notifications (email and group robots): retried with exponential backoff
# (capped) until the message is older than the horizon, then marked failed.
DUBAN_NOTIFY_HORIZON_SECONDS = env.float("DUBAN_NOTIFY_HORIZON_SECONDS", default=24 * 3600)
DUBAN_NOTIFY_RETRY_BASE_SECONDS = env.float("DUBAN_NOTIFY_RETRY_BASE_SECONDS", default=60)
DUBAN_NOTIFY_RETRY_MAX_SECONDS = env.float("DUBAN_NOTIFY_RETRY_MAX_SECONDS", default=600)
# A sender that died holding a message gives it back after the lease; messages handed out
# but not taken (queue lost with Redis or the database) are handed out again by the resweep.
DUBAN_NOTIFY_LEASE_SECONDS = env.float("DUBAN_NOTIFY_LEASE_SECONDS", default=90)
DUBAN_NOTIFY_RESWEEP_SECONDS = env.float("DUBAN_NOTIFY_RESWEEP_SECONDS", default=30)
DUBAN_WEBHOOK_TIMEOUT = env.float("DUBAN_WEBHOOK_TIMEOUT", default=10)

# People (#14): invitations, channels to a person, quiet hours. See README「人员与渠道」.
DUBAN_INVITATION_DAYS = env.int("DUBAN_INVITATION_DAYS", default=7)
DUBAN_SMS_PROVIDER = env("DUBAN_SMS_PROVIDER", default="")  # "" | aliyun | tencent
DUBAN_SMS_ENDPOINT = env("DUBAN_SMS_ENDPOINT", default="")  # vendor default when empty
DUBAN_SMS_ACCESS_KEY_ID = env("DUBAN_SMS_ACCESS_KEY_ID", default="")
DUBAN_SMS_ACCESS_KEY_SECRET = env("DUBAN_SMS_ACCESS_KEY_SECRET", default="")
DUBAN_SMS_SIGN_NAME = env("DUBAN_SMS_SIGN_NAME", default="")
DUBAN_SMS_TEMPLATE_CODE = env("DUBAN_SMS_TEMPLATE_CODE", default="")
DUBAN_SMS_SDK_APP_ID = env("DUBAN_SMS_SDK_APP_ID", default="")  # Tencent Cloud only
DUBAN_SMS_REGION = env("DUBAN_SMS_REGION", default="ap-guangzhou")  # Tencent Cloud only
DUBAN_DINGTALK_ENDPOINT = env("DUBAN_DINGTALK_ENDPOINT", default="https://oapi.dingtalk.com")
DUBAN_DINGTALK_APP_KEY = env("DUBAN_DINGTALK_APP_KEY", default="")
DUBAN_DINGTALK_APP_SECRET = env("DUBAN_DINGTALK_APP_SECRET", default="")
DUBAN_DINGTALK_AGENT_ID = env("DUBAN_DINGTALK_AGENT_ID", default="")
DUBAN_WECOM_ENDPOINT = env("DUBAN_WECOM_ENDPOINT", default="https://qyapi.weixin.qq.com")
DUBAN_WECOM_CORP_ID = env("DUBAN_WECOM_CORP_ID", default="")
DUBAN_WECOM_CORP_SECRET = env("DUBAN_WECOM_CORP_SECRET", default="")
DUBAN_WECOM_AGENT_ID = env("DUBAN_WECOM_AGENT_ID", default="")
# Channels a person receives when their profile chooses none, per kind ("*" = any kind).
DUBAN_CHANNELS_DEFAULT = env.json("DUBAN_CHANNELS_DEFAULT", default={"*": ["email"]})
DUBAN_QUIET_HOURS = env("DUBAN_QUIET_HOURS", default="21:00-08:00")  # no SMS/IM; "" = none
# An unread chase (逾期催报/升级督办/督办单/批示) climbs email → IM → SMS after this many
# working hours (DUBAN_WORKING_HOURS on Chinese working days); 0 = never.
DUBAN_ESCALATE_UNREAD_HOURS = env.float("DUBAN_ESCALATE_UNREAD_HOURS", default=4)
DUBAN_WORKING_HOURS = env("DUBAN_WORKING_HOURS", default="09:00-17:00")

# Single sign-on, optional (people #14; departments/sso.py). Users are matched by
# DUBAN_SSO_MATCH_FIELD (email | username | mobile); roles stay managed in Duban.
DUBAN_SSO_MATCH_FIELD = env("DUBAN_SSO_MATCH_FIELD", default="email")
DUBAN_SSO_CREATE_USERS = env.bool("DUBAN_SSO_CREATE_USERS", default=False)
DUBAN_LDAP_URI = env("DUBAN_LDAP_URI", default="")  # e.g. ldaps://ldap.example.gov.cn
DUBAN_LDAP_BIND_DN = env("DUBAN_LDAP_BIND_DN", default="")
DUBAN_LDAP_BIND_PASSWORD = env("DUBAN_LDAP_BIND_PASSWORD", default="")
DUBAN_LDAP_START_TLS = env.bool("DUBAN_LDAP_START_TLS", default=False)
DUBAN_LDAP_USER_BASE = env("DUBAN_LDAP_USER_BASE", default="")
DUBAN_LDAP_USER_FILTER = env("DUBAN_LDAP_USER_FILTER", default="(uid=%(user)s)")
DUBAN_LDAP_MATCH_ATTR = env("DUBAN_LDAP_MATCH_ATTR", default="mail")
DUBAN_LDAP_EMAIL_ATTR = env("DUBAN_LDAP_EMAIL_ATTR", default="mail")
DUBAN_LDAP_NAME_ATTR = env("DUBAN_LDAP_NAME_ATTR", default="cn")
DUBAN_OIDC_ENABLED = env.bool("DUBAN_OIDC_ENABLED", default=False)
DUBAN_OIDC_MATCH_CLAIM = env("DUBAN_OIDC_MATCH_CLAIM", default="email")
OIDC_RP_CLIENT_ID = env("DUBAN_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("DUBAN_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("DUBAN_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("DUBAN_OIDC_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("DUBAN_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("DUBAN_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("DUBAN_OIDC_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("DUBAN_OIDC_JWKS_ENDPOINT", default="")
OIDC_CREATE_USER = DUBAN_SSO_CREATE_USERS
AUTHENTICATION_BACKENDS = [
    "departments.sso.DubanLDAPBackend",  # only with DUBAN_LDAP_URI
    "departments.sso.DubanOIDCBackend",  # only with DUBAN_OIDC_ENABLED
    "django.contrib.auth.backends.ModelBackend",
]

# Celery on Redis. One beat entry drives the whole cycle (tasks_app.tasks.tick).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Heavy documents (ledger exports, published PDFs) go to their own queue, served by the
# Procfile's ``documents`` worker at a lower CPU priority (scripts/low_priority.sh): two
# city ledgers being built no longer slow every page on a 2-core server.
CELERY_TASK_ROUTES = {name: {"queue": "documents"} for name in (
    "tasks_app.tasks.export_build", "tasks_app.tasks.store_pdf")}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "duban-cycle-tick": {
        "task": "tasks_app.tasks.tick",
        "schedule": env.float("DUBAN_CYCLE_INTERVAL_SECONDS", default=15 * 60),
    },
    "duban-resweep": {
        "task": "notifications.tasks.resweep",
        "schedule": DUBAN_NOTIFY_RESWEEP_SECONDS,
    },
}
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # wait for Redis as long as it takes
# Exactly one beat sends (a Redis lock; a second beat waits on standby) and it writes a
# heartbeat on every loop, read by /readyz.
CELERY_BEAT_SCHEDULER = "ops.beat:LockedScheduler"
DUBAN_REDIS_URL = env("DUBAN_REDIS_URL", default=CELERY_BROKER_URL)
DUBAN_BEAT_LOOP_SECONDS = env.float("DUBAN_BEAT_LOOP_SECONDS", default=5)
DUBAN_BEAT_LOCK_SECONDS = env.float("DUBAN_BEAT_LOCK_SECONDS", default=30)
# /readyz: a message due this long that no sender has taken means the outbox is stuck.
DUBAN_READY_OUTBOX_STUCK_SECONDS = env.float("DUBAN_READY_OUTBOX_STUCK_SECONDS", default=900)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "tasks_app.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tasks_app.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("DUBAN_THROTTLE_AUTH", default="20/min"),
        "writes": env("DUBAN_THROTTLE_WRITES", default="120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("督办 Duban API"),
    "DESCRIPTION": _(
        "任务责任落实督办系统接口（v1）。认证：请求头 `Authorization: Token <令牌>`"
        "（POST /api/v1/auth/token/ 获取）或门户登录会话。可见范围与门户相同：部门用户只看到"
        "本部门承担的任务和报送，其他对象返回 404。错误统一为 "
        '`{"error": {"code", "message", "fields"}}`。写入时用 If-Match（412）或 version（409）'
        "防止覆盖他人的修改；写操作和换取令牌有频率限制（429）。"
    ),
    "TAGS": [
        {"name": _("认证"), "description": _("换取 API 令牌")},
        {"name": _("计划"), "description": _("计划、战略驱动")},
        {"name": _("任务"), "description": _("督办任务、责任分工、任务历史")},
        {"name": _("进展报送"), "description": _("填报周期、进展报送及审核")},
        {"name": _("量化指标"), "description": _("量化指标及月度监测")},
        {"name": _("部门"), "description": _("部门、部门组")},
        {"name": _("督办周期"), "description": _("专题会议、季度通报、年度考核")},
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tasks_app.api.schema.describe_fields",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "tasks_app.choices.TaskStatus",
        "ReportStatusEnum": "tasks_app.choices.ReportStatus",
        "ReportStateEnum": "tasks_app.choices.ReportState",
        "PartStateEnum": "tasks_app.choices.PartState",
        "PeriodStateEnum": "tasks_app.choices.PeriodState",
        "HealthEnum": "tasks_app.choices.Health",
        "BulletinStateEnum": "tasks_app.models.cycle.Bulletin.State",
        "AssessmentStateEnum": "tasks_app.models.cycle.Assessment.State",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DUBAN_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---------------------------------------------------------------- security (等保 2.0 三级, #13)
# Everything about login protection, second factor, sessions, tokens, audit and CSP is in
# this block. Other blocks may append to AUTHENTICATION_BACKENDS / MIDDLEWARE after it.
INSTALLED_APPS += [
    "axes", "django_otp", "django_otp.plugins.otp_totp", "csp", "security", "audit",
]
AUTHENTICATION_BACKENDS = [
    "security.backends.LockoutBackend",  # django-axes, first: refuses locked accounts
    *AUTHENTICATION_BACKENDS,  # single sign-on (when configured), then local passwords
]
_AFTER_AUTH = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_AFTER_AUTH:_AFTER_AUTH] = [
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.SessionLifetimeMiddleware",
    "security.middleware.SecondFactorMiddleware",
]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")
MIDDLEWARE += ["audit.middleware.AuditDownloadsMiddleware", "axes.middleware.AxesMiddleware"]

# Behind a reverse proxy: trust X-Forwarded-Proto / X-Forwarded-For only when it says so.
DUBAN_BEHIND_PROXY = env.bool("DUBAN_BEHIND_PROXY", default=False)
if DUBAN_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Shared cache: API throttle counts are the same in every worker. Default: the Redis server
# Celery uses (database 1); "locmem" keeps a per-process cache (tests).
DUBAN_CACHE_URL = env("DUBAN_CACHE_URL", default=(
    CELERY_BROKER_URL.rsplit("/", 1)[0] + "/1" if CELERY_BROKER_URL.startswith("redis") else ""))
if DUBAN_CACHE_URL and DUBAN_CACHE_URL != "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": DUBAN_CACHE_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # sessions shared too

# Login lockout (django-axes): N failures per account and per address, counted in the
# database every worker shares; the security admin unlocks in the admin.
AXES_FAILURE_LIMIT = env.int("DUBAN_LOGIN_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = env.float("DUBAN_LOGIN_COOLOFF_HOURS", default=1.0) or None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "common.net.client_ip"
AXES_VERBOSE = False

# Second factor (TOTP, django-otp): required for these roles ("operator" = superuser,
# "security_admin", "audit_admin", "lead_office", "manager"); departments by their own setting.
DUBAN_2FA_ROLES = env.list(
    "DUBAN_2FA_ROLES",
    default=["operator", "security_admin", "audit_admin", "lead_office", "manager"])
DUBAN_2FA_DEPARTMENTS = env.bool("DUBAN_2FA_DEPARTMENTS", default=False)
OTP_TOTP_ISSUER = _("督办系统")

# Sessions: idle timeout and absolute lifetime.
DUBAN_SESSION_IDLE_MINUTES = env.int("DUBAN_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = env.int("DUBAN_SESSION_MAX_AGE_HOURS", default=12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# API tokens expire; a password change or deactivation revokes them.
DUBAN_TOKEN_TTL_DAYS = env.int("DUBAN_TOKEN_TTL_DAYS", default=30)
AUTH_PASSWORD_VALIDATORS += [{"NAME": "security.passwords.RevokeTokensOnChange"}]

# Audit log: kept at least 180 days (等保), append-only, hash-chained.
DUBAN_AUDIT_RETENTION_DAYS = max(180, env.int("DUBAN_AUDIT_RETENTION_DAYS", default=365))

# Content-Security-Policy (django-csp): no inline script, nothing from other sites.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Uploads: refused before parsing when larger, more compressed or longer than this.
DUBAN_UPLOAD_MAX_UNCOMPRESSED_BYTES = env.int(
    "DUBAN_UPLOAD_MAX_UNCOMPRESSED_BYTES", default=20 * 1024 * 1024)
DUBAN_UPLOAD_MAX_RATIO = env.int("DUBAN_UPLOAD_MAX_RATIO", default=100)
# ---------------------------------------------------------------- end of security block
