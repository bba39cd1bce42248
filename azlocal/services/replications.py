"""ACR geo-replications (Premium): each emulated region gets its own data endpoint,
`<name>.<region>.data.azurecr.io`, served by the daemon from the same content."""

from azlocal.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.services import arm, registries
from azlocal.services.locations import normalise_location
from azlocal.state.store import store

REPLICATION_TYPE = "Microsoft.ContainerRegistry/registries/replications"


def endpoint(registry_name, region):
    return f"{registry_name.lower()}.{region}.data.azurecr.io"


def _premium(doc):
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError("Replications are only supported for managed registries in Premium SKU.")


def create(registry, location, resource_group=None, name=None, tags=None, global_endpoint_routing=True,
           zone_redundancy=None):
    from azlocal import settings
    from azlocal.daemon import hosts

    doc = registries.get(registry, resource_group)
    _premium(doc)
    region = normalise_location(location)
    if region == doc["location"]:
        raise AzLocalError("Replication could not be created in the same location as the registry.")
    name = name or region
    if not name.isalnum() or not name.isascii() or not 5 <= len(name) <= 50:
        raise ValidationError("Replication names must be between 5 and 50 alphanumeric characters.")
    now = arm.utc_now()
    replication = {
        "id": f"{doc['id']}/replications/{name}",
        "location": region,
        "name": name,
        "provisioningState": "Succeeded",
        "regionEndpointEnabled": global_endpoint_routing,
        "status": {"displayStatus": "Ready", "message": None, "timestamp": now},
        "systemData": doc.get("systemData"),
        "tags": tags or {},
        "type": REPLICATION_TYPE,
        "zoneRedundancy": zone_redundancy or "Disabled",
    }
    s = store()
    with s.transaction():
        if s.get(replication["id"]) is not None:
            raise AzLocalError(f"(ReplicationAlreadyExists) The replication '{name}' already exists.")
        s.put(replication)
    from azlocal.engine import docker_client, lookup

    if hosts.set_entries(add={endpoint(doc["name"], region): settings.daemon_host()}) and docker_client.reachable():
        lookup.wait_until_engine_resolves(endpoint(doc["name"], region))
    return replication


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    replication = store().get(f"{doc['id']}/replications/{name}")
    if replication is None:
        raise ResourceNotFound(f"The Resource '{REPLICATION_TYPE}/{doc['name']}/{name}' under resource group "
                               f"'{registries.group_of_doc(doc)}' was not found.")
    return replication


def list_replications(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    _premium(doc)
    return store().list(type=REPLICATION_TYPE, parent_id=doc["id"])


def delete(registry, name, resource_group=None):
    from azlocal.daemon import hosts

    replication = get(registry, name, resource_group)
    s = store()
    with s.transaction():
        s.delete(replication["id"])
    hosts.set_entries(remove=[endpoint(registry, replication["location"])])


def endpoints_of(doc):
    return [endpoint(doc["name"], r["location"]) for r in store().list(type=REPLICATION_TYPE, parent_id=doc["id"])]
