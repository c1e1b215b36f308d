"""Static and media files: hashed static names, media storage from the environment.

Static files get content-hashed names at ``collectstatic`` (so they can be cached forever)
and, when DJANGO_STATIC_HOST names a CDN, their URLs point at it. Who serves STATIC_ROOT
in production is decided at generation: see docs/STATIC_FILES.md. Media (user uploads)
always goes through STORAGES["default"]; it is never served by the app in production.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, env
from config.settings.features.db_backups import BACKUP_DIR  # feature: db_backups

STATIC_URL = env.str("DJANGO_STATIC_URL", default="/static/")
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

# A CDN in front of the static files (https://cdn.example.com): the app becomes its origin.
STATIC_HOST = env.str("DJANGO_STATIC_HOST", default="").rstrip("/")
if STATIC_HOST and not STATIC_HOST.startswith(("https://", "http://", "//")):
    raise ImproperlyConfigured(
        f"Environment variable DJANGO_STATIC_HOST={STATIC_HOST!r} must be an origin such as "
        "https://cdn.example.com (or empty for the same host)"
    )
if STATIC_HOST and not STATIC_URL.startswith(("https://", "http://", "//")):
    STATIC_URL = f"{STATIC_HOST}/{STATIC_URL.lstrip('/')}"

MEDIA_STORAGE = env.choice("DJANGO_MEDIA_STORAGE", ["local", "s3"], default="local")
if MEDIA_STORAGE == "s3":
    # S3 or any S3-compatible store (MinIO, R2, Spaces...): pip install "django-storages[s3]".
    # Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
    MEDIA_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DJANGO_MEDIA_S3_BUCKET"),
            "endpoint_url": env.str("DJANGO_MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DJANGO_MEDIA_S3_REGION", default="") or None,
            "custom_domain": env.str("DJANGO_MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("DJANGO_MEDIA_S3_PREFIX", default="media"),
            # Private by default: uploads are reached through signed, expiring URLs.
            "default_acl": None,
            "querystring_auth": env.bool("DJANGO_MEDIA_S3_SIGNED_URLS", default=True),
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    # Files straight from the apps (runserver, tests); production.py hashes their names.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # begin feature: db_backups
    # Where backups go (features/db_backups.py): each file written atomically.
    "dbbackup": {
        "BACKEND": "{{ cookiecutter.project_slug }}.backups.storage.AtomicFileSystemStorage",
        "OPTIONS": {
            "location": str(BACKUP_DIR),
            # Backups hold every row of the database: readable by their owner only.
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    # end feature: db_backups
}

# A production server started before collectstatic says so at start-up (an error in the
# log), or refuses to start when DJANGO_STATIC_REQUIRE_MANIFEST is true (core/checks.py).
STATIC_REQUIRE_MANIFEST = env.bool("DJANGO_STATIC_REQUIRE_MANIFEST", default=False)
