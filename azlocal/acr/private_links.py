"""az acr private-endpoint-connection and az acr private-link-resource.

A private endpoint is made on the network side (`az network private-endpoint create` in a virtual network),
and offline there are no virtual networks, so no registry here has a private endpoint connection: `list`
prints the registry's `privateEndpointConnections` (always []), and `show`, `approve`, `reject` and `delete`
of a named connection get ARM's not-found error (exit 3), as they would in Azure for a name that does not
exist. The private link resource a registry offers is what Azure lists: the `registry` group, whose
required members are the registry and one data endpoint per region it is served in.
"""

from azlocal.acr import registries, replication_records
from azlocal.core.lookups import not_found
from azlocal.platform.store import group_of, store

PRIVATE_LINK_TYPE = "Microsoft.ContainerRegistry/registries/privateLinkResources"


def _registry(name, resource_group):
    return registries.get(name, resource_group)


def list_connections(name, resource_group=None):
    return list(_registry(name, resource_group).get("privateEndpointConnections") or [])


def _connection(name, connection, resource_group):
    doc = _registry(name, resource_group)
    for item in doc.get("privateEndpointConnections") or []:
        if (item.get("name") or "").lower() == (connection or "").lower():
            return doc, item
    raise not_found("Microsoft.ContainerRegistry/registries", f"{doc['name']}/privateEndpointConnections/{connection}",
                    group_of(doc["id"]))


def show(name, connection, resource_group=None):
    return _connection(name, connection, resource_group)[1]


def approve(name, connection, resource_group=None, description=None):
    return _set_status(name, connection, resource_group, "Approved", description)


def reject(name, connection, resource_group=None, description=None):
    return _set_status(name, connection, resource_group, "Rejected", description)


def _set_status(name, connection, resource_group, status, description):
    # Reached only for a recorded connection; none can be recorded offline (see the module's notes).
    _, item = _connection(name, connection, resource_group)
    state = dict(item.get("privateLinkServiceConnectionState") or {})
    state.update(status=status, description=description)
    return dict(item, privateLinkServiceConnectionState=state)


def delete(name, connection, resource_group=None):
    _connection(name, connection, resource_group)


def list_private_link_resources(name, resource_group=None):
    doc = _registry(name, resource_group)
    regions = [r["location"] for r in store().list(type=replication_records.REPLICATION_TYPE, parent_id=doc["id"])]
    regions = regions or [doc["location"]]
    return [{
        "groupId": "registry",
        "id": f"{doc['id']}/privateLinkResources/registry",
        "name": "registry",
        "requiredMembers": ["registry"] + [f"registry_data_{region}" for region in regions],
        "requiredZoneNames": ["privatelink.azurecr.io"],
        "systemData": None,
        "type": PRIVATE_LINK_TYPE,
    }]
