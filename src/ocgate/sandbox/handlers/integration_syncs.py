"""Entity and product synchronization, and validating the error configuration.

Sources: the SDKs' EntitySynchronization.Sync* ("Sync a buyer", ...), ProductSynchronization.Sync and
ErrorConfigs.Validate with their request models (SyncBuyer {BuyerID}, SyncBuyerUser {BuyerID, UserID},
...); their delivery configurations are the fixed-path objects the engine serves
(/integrations/entitysync/buyers, /integrations/productsync, /integrations/ErrorConfig); the message
namespace of a full sync, `sitecore.ordercloud.messages.entitysync.<entity>.full.updated` (ordercloud.io
reference "Inventory Record Message": a full entity sync sends the ".full.updated" message).

A sync sends the named object, as it is now, through the delivery configuration of its kind: the
sandbox delivers the message to its outbox (GET /_sandbox/outbox), as it does every message. The
named object must exist (404 NotFound for it), and so must the configuration's DeliveryConfigID
(404 DeliveryConfig). Choices (README): without a configuration for that kind of object the sync
answers 404 NotFound for the configuration, as GET of that configuration does (a real marketplace
has nothing to deliver through either); a Paused configuration sends nothing and answers 204.
ErrorConfigs.Validate answers 404 without an error configuration, 404 DeliveryConfig when it names a
missing delivery configuration, and 204 when it is usable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import not_found
from ..models import require_values, validate
from ..registry import Call, handles
from ..resources import SINGLETON
from ..store import utc_now

DELIVERY_CONFIGS = "/integrations/deliveryconfig"


@dataclass(frozen=True)
class Sync:
    config: str  # the delivery configuration's fixed path
    entity: str  # the entity's name in the message namespace
    collection: str  # where the named object is stored; its path parameters come from the body


SYNCS = {
    "EntitySynchronization.SyncAdminUser": Sync("/integrations/entitysync/adminusers", "adminuser", "/adminusers"),
    "EntitySynchronization.SyncBuyer": Sync("/integrations/entitysync/buyers", "buyer", "/buyers"),
    "EntitySynchronization.SyncBuyerUserGroup": Sync("/integrations/entitysync/buyers/usergroups", "buyerusergroup", "/buyers/{buyerID}/usergroups"),
    "EntitySynchronization.SyncBuyerUser": Sync("/integrations/entitysync/buyers/users", "buyeruser", "/buyers/{buyerID}/users"),
    "EntitySynchronization.SyncCategory": Sync("/integrations/entitysync/categories", "category", "/catalogs/{catalogID}/categories"),
    "EntitySynchronization.SyncInventoryRecord": Sync("/integrations/entitysync/products/inventoryrecords", "inventoryrecord", "/products/{productID}/inventoryrecords"),
    "EntitySynchronization.SyncSupplier": Sync("/integrations/entitysync/suppliers", "supplier", "/suppliers"),
    "EntitySynchronization.SyncSupplierUser": Sync("/integrations/entitysync/suppliers/users", "supplieruser", "/suppliers/{supplierID}/users"),
    "ProductSynchronization.Sync": Sync("/integrations/productsync", "product", "/products"),
}
#: the body field naming the object itself, per collection (the others name its parents)
OBJECT_FIELDS = {
    "/adminusers": "UserID",
    "/buyers": "BuyerID",
    "/buyers/{buyerID}/usergroups": "UserGroupID",
    "/buyers/{buyerID}/users": "UserID",
    "/catalogs/{catalogID}/categories": "CategoryID",
    "/products/{productID}/inventoryrecords": "InventoryRecordID",
    "/suppliers": "SupplierID",
    "/suppliers/{supplierID}/users": "UserID",
    "/products": "ProductID",
}


def _configuration(call: Call, path: str) -> dict[str, Any]:
    """The stored configuration at a fixed path, whose delivery configuration exists; 404 otherwise."""
    resources = call.market.resources
    config = call.market.store.get(path, (), SINGLETON)
    if config is None:
        raise not_found(resources.collection(path).object_type, path)
    delivery_id = config.get("DeliveryConfigID")
    if delivery_id and call.market.store.get(DELIVERY_CONFIGS, (), delivery_id) is None:
        raise not_found("DeliveryConfig", delivery_id)
    return config


@handles(*SYNCS)
def sync(call: Call) -> None:
    plan = SYNCS[call.op.operation_id]
    schema = call.op.request_schema or {}
    validate(schema, call.body, model=schema.get("title", "Sync"))
    require_values(schema, call.body, model=schema.get("title", "Sync"))
    resources = call.market.resources
    collection = resources.collection(plan.collection)
    params = {name: str(call.body.get(name[:1].upper() + name[1:]) or "") for name in collection.scope_params}
    resources.require_parents(collection, params)
    obj = resources.require(collection, resources.scope(collection, params), str(call.body.get(OBJECT_FIELDS[plan.collection]) or ""))
    config = _configuration(call, plan.config)
    if config.get("Paused"):
        return
    call.market.outbox.append(
        {
            "MessageType": "EntitySync",
            "Namespace": f"sitecore.ordercloud.messages.entitysync.{plan.entity}.full.updated",
            "DeliveryConfigID": config.get("DeliveryConfigID"),
            "Entity": dict(obj),
            "DateSent": utc_now(),
        }
    )


@handles("ErrorConfigs.Validate")
def validate_error_config(call: Call) -> None:
    _configuration(call, "/integrations/ErrorConfig")
