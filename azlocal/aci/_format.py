"""`az container --output table`: the columns az shows for container groups."""

from azlocal.core.tables import table


def _ports(g):
    return ",".join(str(p["port"]) for p in (g.get("ipAddress") or {}).get("ports") or [])


def _ip_ports(g):
    ip, ports = (g.get("ipAddress") or {}).get("ip"), _ports(g)
    return f"{ip}:{ports}" if ip and ports else ""


def _cpu_memory(g):
    containers = g.get("containers") or []
    cpu = sum(c["resources"]["requests"]["cpu"] for c in containers)
    memory = sum(c["resources"]["requests"]["memoryInGb"] for c in containers)
    return f"{cpu:g} core/{memory:g} gb"


GROUP_COLUMNS = {
    "Name": lambda g: g["name"],
    "ResourceGroup": lambda g: g.get("resourceGroup", ""),
    "Status": lambda g: (g.get("instanceView") or {}).get("state") or g.get("provisioningState"),
    "Image": lambda g: ",".join(c["image"] for c in g.get("containers") or []),
    "IP:ports": _ip_ports,
    "Network": lambda g: (g.get("ipAddress") or {}).get("type") or "",
    "CPU/Memory": _cpu_memory,
    "OsType": lambda g: g.get("osType"),
    "Location": lambda g: g.get("location"),
}


def group_table(result):
    return table(result, GROUP_COLUMNS)


PROFILE_COLUMNS = {k: v for k, v in GROUP_COLUMNS.items() if k not in ("Status", "Network")}


def profile_table(result):
    return table(result, PROFILE_COLUMNS)
