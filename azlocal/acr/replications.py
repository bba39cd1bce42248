"""ACR geo-replications (Premium): each emulated region gets its own data endpoint,
`<name>.<region>.data.azurecr.io`, served by the daemon from the same content."""

from azlocal.acr import registries
from azlocal.acr.replication_records import (  # noqa: F401 - sync_home, others and endpoints_of: their old home
    REPLICATION_TYPE,
    document,
    endpoint,
    endpoints_of,
    others,
    sync_home,
)
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.platform.store import store


def _premium(doc):
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError("Replications are only supported for managed registries in Premium SKU.")


def create(registry, location, resource_group=None, name=None, *, tags=None, global_endpoint_routing=True,
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
    replication = document(doc, name, region, global_endpoint_routing, zone_redundancy, tags)
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


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    _premium(doc)  # as az: show and delete check the SKU first
    return store().require(f"{doc['id']}/replications/{name}", not_found(
        f"{REPLICATION_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False))


def list_replications(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    _premium(doc)
    return store().list(type=REPLICATION_TYPE, parent_id=doc["id"])


_UPDATABLE = ("tags", "regionEndpointEnabled")


def update(registry, name, resource_group=None, *, tags=None, global_endpoint_routing=None, set_=None, add=None,
           remove=None, force_string=False):
    """ARM's PATCH of a replication: only its tags and regionEndpointEnabled can change (az checks no SKU here:
    a registry that is not Premium has no replication to find)."""
    from azlocal.core import generic_update

    doc = registries.get(registry, resource_group)
    replication = store().require(f"{doc['id']}/replications/{name}", not_found(
        f"{REPLICATION_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False))
    if tags is not None:
        replication["tags"] = tags
    if global_endpoint_routing is not None:
        replication["regionEndpointEnabled"] = global_endpoint_routing
    if set_ or add or remove:
        read_only = [key for key in replication if key not in _UPDATABLE]
        replication = generic_update.updated_copy(replication, set_, add, remove, force_string, read_only=read_only)
        if not isinstance(replication.get("regionEndpointEnabled"), bool):
            raise ValidationError("(InvalidParameter) regionEndpointEnabled must be true or false.")
        if not isinstance(replication.get("tags"), dict):
            raise ValidationError("(InvalidParameter) tags must be an object of names and values.")
    s = store()
    with s.transaction():
        s.put(replication)
    return replication


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
