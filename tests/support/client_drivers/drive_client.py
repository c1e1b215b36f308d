"""Drive a project through the Python client openapi-python-client generated from its schema.

Run with the generated package ``routex_client`` on PYTHONPATH and ROUTEX_CLIENT holding
the settings (JSON: base_url, auth, headers, email, password, wrong_accept). Prints one
JSON report line of what the typed results were; the test asserts on it.
"""

import datetime as dt
import json
import os

from routex_client import AuthenticatedClient, Client
from routex_client.api.auth import auth_password_reset_create, sign_in
from routex_client.api.items import (
    items_create,
    items_destroy,
    items_list,
    items_partial_update,
    items_retrieve,
    items_update,
)
from routex_client.models import (
    CredentialsRequest,
    Error,
    Item,
    ItemRequest,
    PaginatedItemList,
    PasswordResetRequest,
    PatchedItemRequest,
)

settings = json.loads(os.environ["ROUTEX_CLIENT"])
headers = settings["headers"]
anonymous = Client(base_url=settings["base_url"], headers=headers, timeout=30)


def error_of(response):
    assert isinstance(response.parsed, Error), (response.status_code, response.content[:300])
    error = response.parsed.error
    assert error.status == response.status_code
    return {"status": error.status, "code": error.code, "details": error.details}


signed_in = sign_in.sync_detailed(
    client=anonymous, body=CredentialsRequest(email=settings["email"], password=settings["password"])
)
assert signed_in.status_code == 200, signed_in.content
if settings["auth"] == "jwt":
    token, prefix = signed_in.parsed.access, "Bearer"
else:
    token, prefix = signed_in.parsed.token, "Token"
    assert isinstance(signed_in.parsed.expires, dt.datetime)
client = AuthenticatedClient(base_url=settings["base_url"], token=token, prefix=prefix, headers=headers, timeout=30)

created = items_create.sync_detailed(client=client, body=ItemRequest(name="From Python", description="typed"))
assert isinstance(created.parsed, Item), created.content
item = created.parsed
listed = items_list.sync(client=client, page_size=100)
assert isinstance(listed, PaginatedItemList)
read = items_retrieve.sync(item.id, client=client)
updated = items_update.sync(item.id, client=client, body=ItemRequest(name="Renamed", description="put"))
patched = items_partial_update.sync(item.id, client=client, body=PatchedItemRequest(description="patched"))
assert isinstance(read, Item) and isinstance(updated, Item) and isinstance(patched, Item)
deleted = items_destroy.sync_detailed(item.id, client=client)
gone = items_retrieve.sync_detailed(item.id, client=client)
invalid = items_create.sync_detailed(client=client, body=ItemRequest(name="   "))

# The per-address tier of /api/auth/: ask for resets until the limit answers.
accepted_before_limit = 0
throttled = None
for _ in range(20):
    answer = auth_password_reset_create.sync_detailed(
        client=anonymous, body=PasswordResetRequest(email="nobody@example.org")
    )
    if answer.status_code != 202:
        throttled = answer
        break
    accepted_before_limit += 1
assert throttled is not None, "never throttled"

report = {
    "token_type": type(signed_in.parsed).__name__,
    "created": {
        "status": created.status_code,
        "name": item.name,
        "id_type": type(item.id).__name__,
        "created_at_type": type(item.created_at).__name__,
    },
    "listed": {"count": listed.count, "ids": [i.id for i in listed.results]},
    "item_id": item.id,
    "read_name": read.name,
    "updated": [updated.name, updated.description],
    "patched": [patched.name, patched.description],
    "later_update": patched.updated_at >= item.updated_at,
    "deleted": deleted.status_code,
    "gone": error_of(gone),
    "invalid": error_of(invalid),
    "throttled": {**error_of(throttled), "retry_after": throttled.headers.get("Retry-After")},
    "accepted_before_limit": accepted_before_limit,
}
if settings.get("wrong_accept"):
    # The pinned Accept header is what picks the version: another one is refused.
    stranger = client.with_headers({"Accept": settings["wrong_accept"]})
    report["wrong_version"] = error_of(items_list.sync_detailed(client=stranger))
print(json.dumps(report))
