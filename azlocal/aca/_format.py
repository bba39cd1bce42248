"""Table formats of az containerapp (az's column names)."""

from azlocal.core.tables import table


def _fqdn(app):
    return (app["properties"]["configuration"].get("ingress") or {}).get("fqdn") or ""


def app_table(result):
    return table(result, {"Name": lambda a: a["name"], "Location": lambda a: a["location"],
                          "ResourceGroup": lambda a: a.get("resourceGroup", ""), "Fqdn": _fqdn})


def revision_table(result):
    return table(result, {
        "CreatedTime": lambda r: r["properties"]["createdTime"], "Active": lambda r: r["properties"]["active"],
        "Replicas": lambda r: r["properties"]["replicas"],
        "TrafficWeight": lambda r: r["properties"]["trafficWeight"],
        "HealthState": lambda r: r["properties"]["healthState"],
        "ProvisioningState": lambda r: r["properties"]["provisioningState"], "Name": lambda r: r["name"],
    })


def traffic_table(result):
    return table(result or [], {
        "LatestRevision": lambda t: t.get("latestRevision", False), "Weight": lambda t: t.get("weight"),
        "Label": lambda t: t.get("label") or "", "RevisionName": lambda t: t.get("revisionName") or "",
    })
