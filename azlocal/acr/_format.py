"""Table formats of az acr (az's column names)."""

from collections import OrderedDict

from azlocal.core.tables import table


def _format_date(value):
    return (value or "")[:19] + "Z" if value else " "


def registry_table(result):
    return table(result, {
        "NAME": lambda r: r["name"], "RESOURCE GROUP": lambda r: r.get("resourceGroup", ""),
        "LOCATION": lambda r: r["location"], "SKU": lambda r: r["sku"]["name"],
        "LOGIN SERVER": lambda r: r["loginServer"], "CREATION DATE": lambda r: _format_date(r["creationDate"]),
        "ADMIN ENABLED": lambda r: r["adminUserEnabled"],
    })


def usage_table(result):
    return table(result["value"], {"NAME": lambda u: u["name"], "LIMIT": lambda u: u["limit"],
                                   "CURRENT VALUE": lambda u: u["currentValue"], "UNIT": lambda u: u["unit"]})


def credential_table(result):
    return OrderedDict([("USERNAME", result["username"]), ("PASSWORD", result["passwords"][0]["value"]),
                        ("PASSWORD2", result["passwords"][1]["value"])])


def _trigger(run):
    source = (run.get("sourceTrigger") or {}).get("eventType")  # az: a source trigger's event, then timer, image
    return source or ("Timer" if run.get("timerTrigger") else "Image Update" if run.get("imageUpdateTrigger")
                      else "Manual")


def run_table(result):
    return table(result, {
        "RUN ID": lambda r: r["runId"], "TASK": lambda r: r.get("task") or "",
        "PLATFORM": lambda r: (r.get("platform") or {}).get("os", ""), "STATUS": lambda r: r["status"],
        "TRIGGER": _trigger, "STARTED": lambda r: _format_date(r.get("startTime")), "DURATION": lambda r: _duration(r),
    })


def _duration(run):
    from datetime import datetime

    try:
        seconds = int((datetime.fromisoformat(run["finishTime"]) - datetime.fromisoformat(run["startTime"]))
                      .total_seconds())
    except (KeyError, TypeError, ValueError):
        return ""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _task_triggers(task):
    trig = task.get("trigger") or {}
    sources = trig.get("sourceTriggers") or [{}]
    on = (("BASE_IMAGE", (trig.get("baseImageTrigger") or {}).get("status") == "Enabled"),
          ("SOURCE", (sources[0].get("status") or "").lower() == "enabled"),  # az looks at the first only
          ("TIMER", any(t.get("status") != "Disabled" for t in trig.get("timerTriggers") or [])))
    return ", ".join(name for name, enabled in on if enabled)


def task_table(result):
    return table(result, {
        "NAME": lambda t: t["name"], "PLATFORM": lambda t: t["platform"]["os"], "STATUS": lambda t: t["status"],
        "SOURCE REPOSITORY": lambda t: (t.get("step") or {}).get("contextPath") or "", "TRIGGERS": _task_triggers,
    })


def webhook_table(result):
    return table(result, {"NAME": lambda w: w["name"], "LOCATION": lambda w: w["location"],
                          "ACTIONS": lambda w: ", ".join(w["actions"]), "SCOPE": lambda w: w["scope"],
                          "STATUS": lambda w: w["status"]})


def replication_table(result):
    return table(result, {"NAME": lambda r: r["name"], "LOCATION": lambda r: r["location"],
                          "PROVISIONING STATE": lambda r: r["provisioningState"],
                          "STATUS": lambda r: r["status"]["displayStatus"],
                          "REGION ENDPOINT ENABLED": lambda r: r["regionEndpointEnabled"]})


def task_identity_table(result):
    result = result or {}
    users = list(result.get("userAssignedIdentities") or {})
    return OrderedDict([("PRINCIPAL ID", result.get("principalId") or " "),
                        ("TENANT ID", result.get("tenantId") or " "), ("TYPE", result.get("type") or " "),
                        ("USER ASSIGNED IDENTITIES", "\n".join(users) or " ")])


def taskrun_table(result):
    return table(result, {
        "NAME": lambda t: t["name"], "RUN ID": lambda t: (t.get("runResult") or {}).get("runId", ""),
        "TASK": lambda t: (t.get("runResult") or {}).get("task", ""),
        "PLATFORM": lambda t: ((t.get("runResult") or {}).get("platform") or {}).get("os", ""),
        "STATUS": lambda t: (t.get("runResult") or {}).get("status", ""),
        "STARTED": lambda t: _format_date((t.get("runResult") or {}).get("startTime")),
        "DURATION": lambda t: _duration(t.get("runResult") or {}),
    })


def agentpool_table(result):
    return table(result, {"NAME": lambda p: p["name"], "COUNT": lambda p: p.get("count"),
                          "TIER": lambda p: p.get("tier"), "STATE": lambda p: p.get("provisioningState"),
                          "VNET": lambda p: p.get("virtualNetworkSubnetResourceId") or " ",
                          "OS": lambda p: p.get("os")})
