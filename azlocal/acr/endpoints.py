"""az acr show-endpoints: the names a client must reach for a registry, as az 2.91 prints them.

The login server and, with dedicated data endpoints on (Premium, `--data-endpoint-enabled`), one
`<name>.<region>.data.azurecr.io` per region the registry is served in; those names are served by the
daemon (registries.served_names puts them in the hosts file and the TLS listener's names). Without them
Azure's layers live in storage blobs (`*.blob.core.windows.net`): az prints that wildcard per replication
region, and so does azlocal, though here the layers come from the daemon itself.
"""

from knack.log import get_logger

from azlocal.acr import registries, replication_records

logger = get_logger(__name__)

BLOB_WILDCARD = "*.blob.core.windows.net"


def show_endpoints(name, resource_group=None):
    doc = registries.get(name, resource_group)
    info = {"loginServer": doc["loginServer"], "dataEndpoints": []}
    if doc.get("dataEndpointEnabled"):
        for host in doc.get("dataEndpointHostNames") or []:
            info["dataEndpoints"].append({"region": host.split(".")[1], "endpoint": host})
    else:
        logger.warning('To configure client firewall w/o using wildcard storage blob urls, use "az acr update '
                       '--name %s --data-endpoint-enabled" to enable dedicated data endpoints.', name)
        from azlocal.platform.store import store

        regions = [r["location"] for r in store().list(type=replication_records.REPLICATION_TYPE,
                                                       parent_id=doc["id"])] or [doc["location"]]
        info["dataEndpoints"] = [{"region": region, "endpoint": BLOB_WILDCARD} for region in regions]
    if doc.get("regionalEndpoints") == "Enabled":
        info["regionalEndpoints"] = [{"region": host.split(".")[1], "endpoint": host}
                                     for host in doc.get("regionalEndpointHostNames") or []]
    return info
