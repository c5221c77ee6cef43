"""API client secrets: more than one secret per client, each with a name and an optional expiry.

Sources: the SDKs' ApiClients.CreateSecret / ListSecrets / GetSecret / PatchSecret / DeleteSecret and
their models (ApiClientSecret {ID, Name, Expiration}; ApiClientSecretCreateResponse adds ClientSecret);
BEHAVIOUR.md §1.2: a client with a secret wants it on every grant.

Create generates the secret's value and answers it this once: it is kept hashed, never stored on
the object, so get, list and patch (generic) never show it. The token endpoint accepts, for a
client, its ClientSecret or the value of any of its secrets not yet expired (directory.secret_accepted);
choice: once a client has a secret, expired or not, every grant through it needs one. Deleting a
secret (or its client) stops it working at once.
"""

from __future__ import annotations

from typing import Any

from ..directory import API_CLIENT_SECRETS
from ..registry import Call, handles


@handles("ApiClients.CreateSecret")
def create_secret(call: Call) -> dict[str, Any]:
    market = call.market
    collection = market.resources.collection(API_CLIENT_SECRETS)
    secret = market.resources.create(call, collection, call.params, call.body)
    value = market.directory.add_client_secret(call.params["apiClientID"], secret["ID"])
    return {**secret, "ClientSecret": value}
