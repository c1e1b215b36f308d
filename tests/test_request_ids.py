"""Request ids across processes: a task queued by a request logs that request's id.

A real Celery worker consumes a real Redis; the request runs through the generated
project's own request middleware in another process, the way a web worker queues a task.
"""

import json
import time

from .support.celery_worker import CeleryWorker
from .support.project import production_env

# A web worker's part, in the project's venv: a request through the real middleware whose
# view queues core.ping; prints the id the response carried.
QUEUE_FROM_A_REQUEST = """
import sys
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from routex.observability.request_log import RequestLogMiddleware
from routex.core.tasks import ping

def view(request):
    ping.delay().get(timeout=60)
    return HttpResponse("queued")

request = RequestFactory().get(
    "/queue/", REMOTE_ADDR=sys.argv[1], HTTP_X_REQUEST_ID=sys.argv[2], HTTP_HOST="api.example.com"
)
print(RequestLogMiddleware(view)(request)["X-Request-ID"])
"""


def task_log_request_ids(log_text):
    ids = []
    for line in log_text.splitlines():
        if '"ping answered"' in line:
            ids.append(json.loads(line[line.index("{") :])["request_id"])
    return ids


def test_a_task_queued_by_a_request_logs_that_requests_id(bake, postgres, redis_server):
    project = bake()
    env = production_env(DATABASE_URL=postgres.url(), REDIS_URL=redis_server.url(6))
    with CeleryWorker(project, env, queues="default") as worker:
        from_proxy = project.run("python", "-c", QUEUE_FROM_A_REQUEST, "127.0.0.1", "nginx-req-0001", env=env)
        forged = project.run("python", "-c", QUEUE_FROM_A_REQUEST, "198.51.100.7", "forged-req-0001", env=env)
        deadline = time.monotonic() + 30
        while len(task_log_request_ids(worker.log.read_text())) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        logged = task_log_request_ids(worker.log.read_text())

    fresh_id = forged.stdout.strip()
    assert from_proxy.stdout.strip() == "nginx-req-0001"
    assert fresh_id != "forged-req-0001" and len(fresh_id) == 32
    # The worker's line for each task carries the id of the request that queued it.
    assert logged == ["nginx-req-0001", fresh_id]
