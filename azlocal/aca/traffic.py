"""`az containerapp ingress traffic` and `revision label`: traffic weights (az's arithmetic) and labels."""

from azlocal.aca import revisions
from azlocal.aca.appstore import environment_of, get
from azlocal.aca.deploy import save_configuration
from azlocal.aca.ingress import require_ingress
from azlocal.core.errors import AzLocalError
from azlocal.core.parsing import pairs


def parse_weight(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        raise AzLocalError("Traffic weights must be integers between 0 and 100")
    return value


def _key(entry):
    return "latest" if entry.get("latestRevision") else entry.get("revisionName")


def update_weights(traffic, named):
    """az's arithmetic: named entries take their weights; the others are rescaled so the total is 100."""
    traffic = [dict(t) for t in traffic]
    old_named_sum = sum(t["weight"] for t in traffic if _key(t) in named)
    for rev, weight in named.items():
        entry = next((t for t in traffic if _key(t) == rev), None)
        if entry is None:
            entry = {"latestRevision": True, "weight": weight} if rev == "latest" else \
                {"latestRevision": False, "revisionName": rev, "weight": weight}
            traffic.append(entry)
        entry["weight"] = weight
    new_named_sum = sum(named.values())
    others = [t for t in traffic if _key(t) not in named]
    total_others = sum(t["weight"] for t in others)
    if others and total_others:
        factor = (old_named_sum - new_named_sum) / total_others + 1
        for t in others:
            t["weight"] = max(round(t["weight"] * factor), 0)
    i = 0
    while sum(t["weight"] for t in traffic) < 100 and others:
        others[i % len(others)]["weight"] += 1
        i += 1
    return traffic


def named_weights(traffic, revision_weights=None, label_weights=None):
    """`rev=weight` and `label=weight` items -> {revision name or "latest": weight}, summing to <= 100."""
    named = {}
    for rev, weight in pairs(revision_weights):
        named[rev] = parse_weight(weight)
    for label, weight in pairs(label_weights):
        entry = next((t for t in traffic if t.get("label") == label), None)
        if entry is None:
            raise AzLocalError(f"No revision with the label '{label}' was found.")
        named["latest" if entry.get("latestRevision") else entry["revisionName"]] = parse_weight(weight)
    if sum(named.values()) > 100:
        raise AzLocalError("Traffic sums may not exceed 100.")
    return named


def traffic_show(resource_group, name):
    app = get(resource_group, name)
    return require_ingress(app, "Ingress must be enabled to show ingress traffic. Try running `az containerapp "
                                "ingress -h` for more info.")["traffic"]


def traffic_set(resource_group, name, revision_weights=None, label_weights=None):
    from azlocal.aca.app_revisions import revision_activate

    app = get(resource_group, name)
    if app["properties"]["configuration"]["activeRevisionsMode"] == "Single":
        raise AzLocalError(f"Containerapp '{name}' is configured for single revision. Set revision mode to multiple "
                           "in order to set ingress traffic. Try `az containerapp revision set-mode -h` for more "
                           "details.")
    ingress = require_ingress(app)
    named = named_weights(ingress["traffic"], revision_weights, label_weights)
    known = {r["name"] for r in revisions.all_revisions(app)}
    for rev in named:
        if rev != "latest" and rev not in known:
            raise AzLocalError(f"Revision '{rev}' is not a valid revision name.")
    ingress["traffic"] = update_weights(ingress["traffic"], named)
    save_configuration(app)
    for entry in ingress["traffic"]:
        if entry.get("revisionName") and entry["weight"] > 0:
            rev = revisions.get(app, entry["revisionName"])
            if not rev["properties"]["active"]:
                revision_activate(resource_group, name, rev["name"])
    return ingress["traffic"]


def _labelled(traffic, label):
    found = next((t for t in traffic if t.get("label") == label), None)
    if found is None:
        raise AzLocalError("Please specify a label name with an associated traffic weight.")
    return found


def label_add(resource_group, name, revision, label, yes=False):
    from azlocal.aca.app_revisions import app_of_revision

    app, rev = app_of_revision(resource_group, name, revision)
    ingress = require_ingress(app, "Ingress and traffic weights are required to add labels.")
    traffic = ingress["traffic"]
    for t in traffic:
        if t.get("label") == label:
            t.pop("label")
    entry = next((t for t in traffic if t.get("revisionName") == rev["name"]), None)
    if entry is None and revision == "latest":
        entry = next((t for t in traffic if t.get("latestRevision")), None)
    if entry is None:
        entry = {"label": label, "latestRevision": False, "revisionName": rev["name"], "weight": 0}
        traffic.append(entry)
    entry["label"] = label
    save_configuration(app)
    return traffic


def label_remove(resource_group, name, label):
    from azlocal.platform import hosts

    app = get(resource_group, name)
    traffic = require_ingress(app)["traffic"]
    _labelled(traffic, label).pop("label")
    ingress = app["properties"]["configuration"]["ingress"]
    ingress["traffic"] = [t for t in traffic if t.get("weight") or t.get("label") or t.get("latestRevision")]
    hosts.set_entries(remove=[f"{name}---{label}.{environment_of(app)['properties']['defaultDomain']}"])
    save_configuration(app)
    return ingress["traffic"]


def label_swap(resource_group, name, source, target):
    app = get(resource_group, name)
    traffic = require_ingress(app)["traffic"]
    a = next((t for t in traffic if t.get("label") == source), None)
    b = next((t for t in traffic if t.get("label") == target), None)
    if a is None or b is None:
        raise AzLocalError("Please specify a label name with an associated traffic weight.")
    a["label"], b["label"] = target, source
    save_configuration(app)
    return traffic
