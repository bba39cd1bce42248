"""ACR geo-replications (Premium): each emulated region gets its own data endpoint,
`<name>.<region>.data.azurecr.io`, served by the daemon from the same content."""

from azlocal.acr import registries
from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.platform.store import store

REPLICATION_TYPE = "Microsoft.ContainerRegistry/registries/replications"


def endpoint(registry_name, region):
    return f"{registry_name.lower()}.{region}.data.azurecr.io"


def _premium(doc):
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError("Replications are only supported for managed registries in Premium SKU.")


def create(registry, location, resource_group=None, name=None, tags=None, global_endpoint_routing=True,
           zone_redundancy=None):
    from azlocal.core import settings
    from azlocal.platform import hosts

    doc = registries.get(registry, resource_group)
    _premium(doc)
    region = normalise_location(location)
    if region == doc["location"]:
        raise AzLocalError("Replication could not be created in the same location as the registry.")
    name = name or region
    if not name.isalnum() or not name.isascii() or not 5 <= len(name) <= 50:
        raise ValidationError("Replication names must be between 5 and 50 alphanumeric characters.")
    replication = _document(doc, name, region, global_endpoint_routing, zone_redundancy, tags)
    s = store()
    with s.transaction():
        existing = s.get(replication["id"])
        if existing is not None:
            # ARM's create is a PUT: an existing replication of that name is updated, in its own region.
            if existing["location"] != region:
                raise AzLocalError(f"(InvalidResourceLocation) The replication '{name}' already exists in location "
                                   f"'{existing['location']}'. A replication with the same name cannot be created "
                                   f"in location '{region}'.")
            replication["status"] = existing["status"]
        s.put(replication)
        registry_doc = s.get(doc["id"])
        registries.sync_endpoint_names(registry_doc)
        s.put(registry_doc)
    from azlocal.platform.engine import docker_client, lookup

    names = {n: settings.daemon_host() for n in [endpoint(doc["name"], region)] + registries.served_names(registry_doc)}
    if hosts.set_entries(add=names) and docker_client.reachable():
        lookup.wait_until_engine_resolves(endpoint(doc["name"], region))
    return replication


def _document(doc, name, region, global_endpoint_routing=True, zone_redundancy=None, tags=None):
    return {
        "id": f"{doc['id']}/replications/{name}",
        "location": region,
        "name": name,
        "provisioningState": "Succeeded",
        "regionEndpointEnabled": True if global_endpoint_routing is None else global_endpoint_routing,
        "status": {"displayStatus": "Ready", "message": None, "timestamp": arm.utc_now()},
        "systemData": doc.get("systemData"),
        "tags": tags or {},
        "type": REPLICATION_TYPE,
        "zoneRedundancy": zone_redundancy or "Disabled",
    }


def sync_home(doc):
    """As Azure: a Premium registry lists its home region as a replication (named after the region, with the
    registry's zone redundancy); it goes when the registry leaves Premium. Called inside the registry's write."""
    s = store()
    home_id = f"{doc['id']}/replications/{doc['location']}"
    if doc["sku"]["name"] == "Premium":
        if s.get(home_id) is None:
            s.put(_document(doc, doc["location"], doc["location"], True, doc.get("zoneRedundancy")))
    elif s.get(home_id) is not None:
        s.delete(home_id)


def others(doc):
    """The replications outside the registry's home region."""
    return [r for r in store().list(type=REPLICATION_TYPE, parent_id=doc["id"]) if r["location"] != doc["location"]]


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    _premium(doc)  # as az: show and delete check the SKU first
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
    from azlocal.platform import hosts

    replication = get(registry, name, resource_group)
    doc = registries.get(registry, resource_group)
    if replication["location"] == doc["location"]:
        raise AzLocalError(f"(CannotDeleteHomeReplication) The replication '{name}' is in the registry's home "
                           "region and cannot be deleted.")
    s = store()
    with s.transaction():
        s.delete(replication["id"])
        registry_doc = s.get(doc["id"])
        before = registries.served_names(registry_doc)
        registries.sync_endpoint_names(registry_doc)
        s.put(registry_doc)
    stale = [n for n in before if n not in registries.served_names(registry_doc)]
    hosts.set_entries(remove=[endpoint(doc["name"], replication["location"])] + stale)


def endpoints_of(doc):
    return [endpoint(doc["name"], r["location"]) for r in store().list(type=REPLICATION_TYPE, parent_id=doc["id"])]
