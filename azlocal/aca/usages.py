"""Quota usages as Azure reports them: `containerapp list-usages` (the subscription's environments in
a region) and `containerapp env list-usages` (an environment's cores), counted from what runs here.

An environment's Consumption cores are the CPU limits of its running Consumption replicas (read from
the Docker Engine); the cores of a dedicated category are its profiles' nodes (their minimum count, at
least one node while a replica runs on the profile) times the node's cores.
"""

from azlocal.aca import workload_profiles
from azlocal.core.locations import normalise_location
from azlocal.platform.store import store

ENVIRONMENT_LIMIT = 15
CORE_LIMITS = {"Consumption": 100, "GeneralPurpose": 100, "MemoryOptimized": 100}
_NAMES = {"Consumption": ("ManagedEnvironmentConsumptionCores", "Managed Environment Consumption Cores"),
          "GeneralPurpose": ("ManagedEnvironmentGeneralPurposeCores", "Managed Environment General Purpose Cores"),
          "MemoryOptimized": ("ManagedEnvironmentMemoryOptimizedCores",
                              "Managed Environment Memory Optimized Cores")}


def _usage(value, localized, current, limit):
    return {"limit": limit, "name": {"localizedValue": localized, "value": value}, "unit": "Count",
            "usage": current}


def subscription_usages(location):
    from azlocal.aca.environments import ENV_TYPE, region_of

    region = normalise_location(location)
    count = sum(1 for e in store().list(type=ENV_TYPE) if region_of(e["location"]) == region)
    return {"value": [_usage("ManagedEnvironmentCount", "Managed Environment Count", count, ENVIRONMENT_LIMIT)]}


def _running_cpus(resource_id):
    """CPU limits (cores) of the resource's running containers, from the engine."""
    from azlocal.platform.engine import objects

    return sum((c.attrs.get("HostConfig") or {}).get("NanoCpus", 0) / 1e9
               for c in objects.containers(resource_id=resource_id))


def environment_usages(env_doc):
    used = dict.fromkeys(CORE_LIMITS, 0.0)
    busy = set()
    for kind in ("Microsoft.App/containerApps", "Microsoft.App/jobs"):
        for doc in store().list(type=kind):
            props = doc.get("properties") or {}
            env_id = props.get("managedEnvironmentId") or props.get("environmentId") or ""
            if env_id.lower() != env_doc["id"].lower():
                continue
            try:
                profile = workload_profiles.resolve(env_doc, props.get("workloadProfileName"))
            except Exception:  # a profile deleted under the app: counted as Consumption
                profile = None
            if profile is None or profile["type"] == workload_profiles.CONSUMPTION:
                used["Consumption"] += _running_cpus(doc["id"])
            elif _running_cpus(doc["id"]):
                busy.add(profile["name"].lower())
    for p in workload_profiles.profiles_of(env_doc) or []:
        kind = p.get("workloadProfileType")
        category = workload_profiles.CATALOGUE.get(kind, (None, None))[1]
        if category in used and kind != workload_profiles.CONSUMPTION:
            nodes = max(p.get("minimumCount") or 0, 1 if p["name"].lower() in busy else 0)
            used[category] += nodes * workload_profiles.CATALOGUE[kind][2]
    return {"value": [_usage(_NAMES[k][0], _NAMES[k][1], round(v, 2), CORE_LIMITS[k]) for k, v in used.items()]}
