"""Local development: DEBUG on, readable logs, nothing to configure."""

from split_settings.tools import include

from config.env import env

ENVIRONMENT = "local"
include("base.py")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
SIMPLE_JWT["SIGNING_KEY"] = jwt_signing_key(SECRET_KEY, required=False)  # feature: jwt
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
INTERNAL_IPS = ["127.0.0.1"]
