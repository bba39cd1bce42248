"""Table formats of az acr (az's column names)."""

from collections import OrderedDict


def _format_date(value):
    return (value or "")[:19] + "Z" if value else " "


def registry_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([
        ("NAME", r["name"]), ("RESOURCE GROUP", r.get("resourceGroup", "")), ("LOCATION", r["location"]),
        ("SKU", r["sku"]["name"]), ("LOGIN SERVER", r["loginServer"]),
        ("CREATION DATE", _format_date(r["creationDate"])), ("ADMIN ENABLED", r["adminUserEnabled"]),
    ]) for r in rows]


def usage_table(result):
    return [OrderedDict([("NAME", u["name"]), ("LIMIT", u["limit"]), ("CURRENT VALUE", u["currentValue"]),
                         ("UNIT", u["unit"])]) for u in result["value"]]


def credential_table(result):
    return OrderedDict([("USERNAME", result["username"]), ("PASSWORD", result["passwords"][0]["value"]),
                        ("PASSWORD2", result["passwords"][1]["value"])])


def run_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("RUN ID", r["runId"]), ("TASK", r.get("task") or ""),
                         ("PLATFORM", (r.get("platform") or {}).get("os", "")), ("STATUS", r["status"]),
                         ("TRIGGER", "Timer" if r.get("timerTrigger") else
                          "Image Update" if r.get("imageUpdateTrigger") else "Manual"),
                         ("STARTED", _format_date(r.get("startTime"))),
                         ("DURATION", _duration(r))]) for r in rows]


def _duration(run):
    from datetime import datetime

    try:
        seconds = int((datetime.fromisoformat(run["finishTime"]) - datetime.fromisoformat(run["startTime"]))
                      .total_seconds())
    except (KeyError, TypeError, ValueError):
        return ""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def task_table(result):
    rows = result if isinstance(result, list) else [result]
    out = []
    for t in rows:
        trig = t.get("trigger") or {}
        triggers = [name for name, on in (("BASE_IMAGE", (trig.get("baseImageTrigger") or {}).get("status")
                                           == "Enabled"), ("TIMER", bool(trig.get("timerTriggers")))) if on]
        out.append(OrderedDict([("NAME", t["name"]), ("PLATFORM", t["platform"]["os"]), ("STATUS", t["status"]),
                                ("SOURCE REPOSITORY", t["step"].get("contextPath") or ""),
                                ("TRIGGERS", ", ".join(triggers))]))
    return out


def webhook_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("NAME", w["name"]), ("LOCATION", w["location"]), ("ACTIONS", ", ".join(w["actions"])),
                         ("SCOPE", w["scope"]), ("STATUS", w["status"])]) for w in rows]


def replication_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("NAME", r["name"]), ("LOCATION", r["location"]),
                         ("PROVISIONING STATE", r["provisioningState"]), ("STATUS", r["status"]["displayStatus"]),
                         ("REGION ENDPOINT ENABLED", r["regionEndpointEnabled"])]) for r in rows]
