"""The replication rows a registry's own writes keep (its home region's replication) and the data endpoint
names of its replications: what registries needs of replications, below both."""

from azlocal.core import arm
from azlocal.platform.store import store

REPLICATION_TYPE = "Microsoft.ContainerRegistry/registries/replications"


def endpoint(registry_name, region):
    return f"{registry_name.lower()}.{region}.data.azurecr.io"


def document(doc, name, region, global_endpoint_routing=True, zone_redundancy=None, tags=None):
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
            s.put(document(doc, doc["location"], doc["location"], True, doc.get("zoneRedundancy")))
    elif s.get(home_id) is not None:
        s.delete(home_id)


def others(doc):
    """The replications outside the registry's home region."""
    return [r for r in store().list(type=REPLICATION_TYPE, parent_id=doc["id"]) if r["location"] != doc["location"]]


def endpoints_of(doc):
    return [endpoint(doc["name"], r["location"]) for r in store().list(type=REPLICATION_TYPE, parent_id=doc["id"])]
