"""Connection pooling benchmark: a database-backed endpoint, pooled vs a new connection per request.

Prints requests/second of the example list endpoint (/api/v1/items/, 20 rows from
PostgreSQL) under gunicorn, production settings, at 16 and 64 concurrent clients, for
  * db_pooling=psycopg_pool (Django's native pool, DATABASE_POOL_MAX_SIZE = threads), and
  * db_pooling=none with DATABASE_CONN_MAX_AGE=0 (connect and authenticate every request),
and the ratio pooled / unpooled. PostgreSQL runs locally with SCRAM password
authentication over TCP, as a real server would (a remote server makes the gap larger).

Usage: .venv/bin/python benchmarks/pooling.py [--seconds 10] [--rounds 2] [--workers 4] [--threads 4]
Needs wrk and PostgreSQL. Nothing is asserted: read the numbers, rerun when in doubt.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cookiecutter.main import cookiecutter

from benchmarks import harness
from benchmarks.harness import PRODUCTION_ENV, Site, alternating_throughput, run, run_benchmark, throughput_arguments
from tests.support.data_safety import PasswordPostgres
from tests.support.project import clean_env, shared_venv
from tests.support.template import TEMPLATE_DIR

QUIET = {
    "use_sentry": False,
    "use_celery": False,
    "use_db_backups": False,
    "use_throttling": False,
    "use_prometheus": False,
    "use_admin_error_log": False,
}
ENV = PRODUCTION_ENV
SEED = """
import django; django.setup()
from django.contrib.auth import get_user_model
from {slug}.items.models import Item
owner = get_user_model().objects.create_user("owner", password="correct-horse-9")
Item.objects.bulk_create(Item(owner=owner, name=f"item {{i}}") for i in range(100))
"""


def main():
    parser = throughput_arguments(workers=4, rounds=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64])
    args = parser.parse_args()

    venv = shared_venv()
    postgres = PasswordPostgres().start()
    with harness.workspace("routex-pool-bench-", postgres) as workdir:
        postgres.create_database("bench")
        base_env = clean_env(**ENV, DATABASE_URL=postgres.url("bench"))
        variants = {
            "pooled": ({"db_pooling": "psycopg_pool"}, {"DATABASE_POOL_MIN_SIZE": "1",
                                                         "DATABASE_POOL_MAX_SIZE": str(args.threads)}),
            "CONN_MAX_AGE=0": ({"db_pooling": "none"}, {"DATABASE_CONN_MAX_AGE": "0"}),
        }  # fmt: skip
        projects = {}
        for name, (answers, extra) in variants.items():
            out = workdir / re.sub(r"\W", "_", name)
            path = Path(
                cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(out), extra_context={**QUIET, **answers})
            )
            projects[name] = Site(path, {**base_env, **extra})
        first = projects["pooled"]
        run(venv, first.folder, "python", "manage.py", "migrate", "--noinput", env=first.env)
        run(venv, first.folder, "python", "-c", SEED.format(slug=first.folder.name), env=first.env)

        loads = {clients: ("/api/v1/items/", clients) for clients in args.clients}
        medians = alternating_throughput(
            venv, projects, loads, rounds=args.rounds, seconds=args.seconds, workers=args.workers, threads=args.threads
        )
        print(
            f"/api/v1/items/ under gunicorn ({args.workers} workers x {args.threads} threads), "
            f"PostgreSQL over TCP with SCRAM, median of {args.rounds} x {args.seconds}s:"
        )
        for clients in args.clients:
            pooled, unpooled = medians[("pooled", clients)], medians[("CONN_MAX_AGE=0", clients)]
            print(
                f"  {clients:3} clients: pooled {pooled:7.0f} req/s   CONN_MAX_AGE=0 {unpooled:7.0f} req/s"
                f"   ratio {pooled / unpooled:.2f}"
            )


if __name__ == "__main__":
    run_benchmark(main)
