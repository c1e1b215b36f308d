"""Foundation benchmark: bake time, and the generated project's overhead over bare Django.

Prints, measured side by side in one run:
  * bake time of the default project and of the all-on project;
  * requests/second of /api/health/live/ and of the example list endpoint under gunicorn
    (production settings) for the generated all-on project and for a bare
    ``django-admin startproject`` + DRF project serving equivalent views, as a ratio.

Usage: .venv/bin/python benchmarks/foundation.py [--seconds 10] [--connections 16]
Needs wrk (Debian package) and redis-server. Nothing here is asserted: these machines are
noisy, so read the ratios, and rerun when in doubt.
"""

import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cookiecutter.main import cookiecutter

from benchmarks import harness
from benchmarks.harness import PRODUCTION_ENV, Site, alternating_throughput, run, run_benchmark, throughput_arguments
from tests.support.matrix import all_on, prompt_space
from tests.support.project import clean_env, shared_venv
from tests.support.services import RedisServer
from tests.support.template import TEMPLATE_DIR

# Sentry unset: this compares the framework around the views, not the error tracker.
GENERATED_ENV = {**PRODUCTION_ENV, "SENTRY_DSN": ""}

BARE_SETTINGS = """
INSTALLED_APPS += ["rest_framework", "items"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
"""

BARE_MODELS = """
from django.conf import settings
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="items")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
"""

BARE_VIEWS = """
from django.http import JsonResponse
from rest_framework import permissions, serializers, viewsets

from .models import Item


def live(request):
    return JsonResponse({"status": "ok"})


class ItemSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "name", "description", "owner", "created_at", "updated_at"]


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.select_related("owner")
    serializer_class = ItemSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
"""

BARE_URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from items.views import ItemViewSet, live

router = DefaultRouter()
router.register("items", ItemViewSet, basename="item")
urlpatterns = [path("api/health/live/", live), path("api/v1/", include(router.urls))]
"""

SEED = (
    "from django.contrib.auth import get_user_model; {import_item}; "
    "u = get_user_model().objects.create_user('bench', password='bench-pass-123'); "
    "Item.objects.bulk_create(Item(owner=u, name=f'item {{i}}', description='x' * 200) for i in range(50))"
)


def timed_bakes(answers, repeats):
    durations = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=out, extra_context=answers)
            durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def prepare_generated(venv, workdir, redis_url):
    project = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(workdir)))
    env = clean_env(**GENERATED_ENV, REDIS_URL=redis_url)
    run(venv, project, "python", "manage.py", "migrate", "--noinput", env=env)
    run(venv, project, "python", "manage.py", "collectstatic", "--noinput", env=env)
    seed = SEED.format(import_item=f"from {project.name}.items.models import Item")
    run(venv, project, "python", "manage.py", "shell", "-c", seed, env=env)
    return project, env


def prepare_bare(venv, workdir):
    (workdir / "bare").mkdir()
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "django", "startproject", "bare", str(workdir / "bare")], check=True
    )
    root = workdir / "bare"
    (root / "items" / "migrations").mkdir(parents=True)
    (root / "items" / "__init__.py").touch()
    (root / "items" / "migrations" / "__init__.py").touch()
    (root / "items" / "models.py").write_text(textwrap.dedent(BARE_MODELS))
    (root / "items" / "views.py").write_text(textwrap.dedent(BARE_VIEWS))
    (root / "bare" / "urls.py").write_text(textwrap.dedent(BARE_URLS))
    with (root / "bare" / "settings.py").open("a") as settings:
        settings.write(textwrap.dedent(BARE_SETTINGS))
    env = clean_env(DJANGO_SETTINGS_MODULE="bare.settings")
    run(venv, root, "python", "manage.py", "makemigrations", "items", env=env)
    run(venv, root, "python", "manage.py", "migrate", "--noinput", env=env)
    run(
        venv,
        root,
        "python",
        "manage.py",
        "shell",
        "-c",
        SEED.format(import_item="from items.models import Item"),
        env=env,
    )
    return root, env


def main():
    args = throughput_arguments(connections=16, workers=2, rounds=3).parse_args()

    default_bake = timed_bakes({}, args.rounds)
    all_on_bake = timed_bakes(all_on(prompt_space()), args.rounds)
    print(f"bake time: default {default_bake:.2f}s, all-on {all_on_bake:.2f}s")

    venv = shared_venv()
    redis = RedisServer().start()
    with harness.workspace("routex-bench-", redis) as workdir:
        generated_dir, generated_env = prepare_generated(venv, workdir, redis.url())
        bare_dir, bare_env = prepare_bare(venv, workdir)
        paths = {"live": "/api/health/live/", "list": "/api/v1/items/"}
        sites = {
            "bare": Site(bare_dir, bare_env, app="bare.wsgi:application"),
            "generated": Site(generated_dir, generated_env),
        }
        loads = {key: (path, args.connections) for key, path in paths.items()}
        medians = alternating_throughput(
            venv, sites, loads, rounds=args.rounds, seconds=args.seconds, workers=args.workers
        )
        print(
            f"throughput under gunicorn ({args.workers} workers, {args.connections} connections, median of {args.rounds}):"
        )
        for key, path in paths.items():
            bare, generated = medians[("bare", key)], medians[("generated", key)]
            print(
                f"  {path:22} bare {bare:8.0f} req/s   generated all-on {generated:8.0f} req/s   ratio {generated / bare:.2f}"
            )


if __name__ == "__main__":
    run_benchmark(main)
