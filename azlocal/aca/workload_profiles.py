"""Workload profiles of managed environments: Azure's catalogue of profile types, the profiles of one
environment (add, update, delete, the states `workload-profile list` prints), and what a profile means
for a replica here.

A profile's size is real locally: an app on a dedicated profile (D4, E16, ...) may ask for any CPU and
memory up to its node's size, and those become the Docker limits of its replicas (capped at what the
local engine has); Consumption keeps Azure's fixed CPU/memory pairs. Node counts (min/max nodes) are
recorded: every replica runs on the one local Docker Engine.
"""

from knack.log import get_logger

from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.locations import normalise_location

logger = get_logger(__name__)

CONSUMPTION = "Consumption"
# type -> (display name, category, cores, memory GiB, GPUs)
CATALOGUE = {
    "D4": ("Dedicated-D4", "GeneralPurpose", 4, 16, 0),
    "D8": ("Dedicated-D8", "GeneralPurpose", 8, 32, 0),
    "D16": ("Dedicated-D16", "GeneralPurpose", 16, 64, 0),
    "D32": ("Dedicated-D32", "GeneralPurpose", 32, 128, 0),
    "E4": ("Dedicated-E4", "MemoryOptimized", 4, 32, 0),
    "E8": ("Dedicated-E8", "MemoryOptimized", 8, 64, 0),
    "E16": ("Dedicated-E16", "MemoryOptimized", 16, 128, 0),
    "E32": ("Dedicated-E32", "MemoryOptimized", 32, 256, 0),
    "NC24-A100": ("GPU-NC24-A100", "GPU", 24, 220, 1),
    "NC48-A100": ("GPU-NC48-A100", "GPU", 48, 440, 2),
    "NC96-A100": ("GPU-NC96-A100", "GPU", 96, 880, 4),
    CONSUMPTION: ("Consumption", "Consumption", 4, 8, 0),
}
GPU_REGIONS = {"australiaeast", "northeurope", "swedencentral", "westus3"}
# Consumption: 0.25 CPU steps with twice the memory; up to 2 CPU in a Consumption-only environment.
CONSUMPTION_PAIRS = [(0.25 * i, 0.5 * i) for i in range(1, 17)]
CONSUMPTION_ONLY_PAIRS = CONSUMPTION_PAIRS[:8]


def canonical_type(kind):
    found = next((t for t in CATALOGUE if t.lower() == str(kind).lower()), None)
    if found is None:
        raise ValidationError(f"(ManagedEnvironmentInvalidWorkloadProfileType) Invalid workload profile type "
                              f"'{kind}'. Supported types: {', '.join(CATALOGUE)}.")
    return found


def list_supported(location):
    region = normalise_location(location)
    from azlocal.aca.environments import display_location

    out = []
    for kind, (display, category, cores, memory, gpus) in CATALOGUE.items():
        if gpus and region not in GPU_REGIONS:
            continue
        props = {"applicability": "LocationDefault" if kind in ("D4", CONSUMPTION) else "Custom",
                 "category": category, "cores": cores, "displayName": display, "memoryGiB": memory}
        if gpus:
            props["gpus"] = gpus
        out.append({"id": f"/subscriptions/{settings.SUBSCRIPTION_ID}/providers/Microsoft.App/locations/{region}/"
                          f"availableManagedEnvironmentsWorkloadProfileTypes/{kind}",
                    "location": display_location(region), "name": kind, "properties": props,
                    "type": "Microsoft.App/locations/availableManagedEnvironmentsWorkloadProfileTypes"})
    return out


# One environment's profiles -----------------------------------------------------------------------

def profiles_of(env_doc):
    return env_doc["properties"].get("workloadProfiles")


def find(env_doc, name):
    return next((p for p in profiles_of(env_doc) or [] if p["name"].lower() == str(name).lower()), None)


def resolve(env_doc, name=None):
    """The profile an app or a job of `env_doc` named (None: the default) -> {name, type, cores,
    memoryGiB}, or None in a Consumption-only environment. Jobs and apps both call it."""
    profiles = profiles_of(env_doc)
    if profiles is None:
        if name and name.lower() != CONSUMPTION.lower():
            raise ValidationError(f"Environment '{env_doc['name']}' is a Consumption-only environment: it has no "
                                  f"workload profile '{name}'.")
        return None
    found = find(env_doc, name or CONSUMPTION)
    if found is None:
        raise ValidationError(f"Workload profile '{name}' does not exist in environment '{env_doc['name']}'; its "
                              f"profiles are: {', '.join(p['name'] for p in profiles) or 'none'}.")
    kind = found.get("workloadProfileType") or CONSUMPTION
    _, _, cores, memory, _ = CATALOGUE.get(canonical_type(kind))
    return {"name": found["name"], "type": canonical_type(kind), "cores": cores, "memoryGiB": memory}


def _totals(template):
    cpu = sum(float(c["resources"]["cpu"]) for c in template["containers"])
    memory = sum(float(str(c["resources"]["memory"]).rstrip("Gi")) for c in template["containers"])
    return cpu, memory


def check_resources(env_doc, profile_name, template):
    """Azure's check of a template's CPU and memory totals on its profile: one of Consumption's pairs, or
    anything up to a dedicated node's size."""
    profile = resolve(env_doc, profile_name)
    cpu, memory = _totals(template)
    if profile is None or profile["type"] == CONSUMPTION:
        pairs = CONSUMPTION_ONLY_PAIRS if profile is None else CONSUMPTION_PAIRS
        if not any(abs(cpu - a) < 1e-6 and abs(memory - b) < 1e-6 for a, b in pairs):
            combos = "; ".join(f"[cpu: {a:g}, memory: {b:.1f}Gi]" for a, b in pairs)
            raise AzLocalError(f"(ContainerAppInvalidResourceTotal) The total requested CPU and memory resources for "
                               f"this application (CPU: {cpu:g}, memory: {memory:g}) is invalid. Total CPU and "
                               f"memory for all containers defined in a Container App must add up to one of the "
                               f"following CPU - Memory combinations: {combos}")
        return profile
    if cpu > profile["cores"] or memory > profile["memoryGiB"]:
        raise AzLocalError(f"(ContainerAppInvalidResourceTotal) The total requested CPU and memory resources for this "
                           f"application (CPU: {cpu:g}, memory: {memory:g}Gi) exceed what a node of workload profile "
                           f"'{profile['name']}' ({profile['type']}: {profile['cores']} cores, "
                           f"{profile['memoryGiB']}Gi) has.")
    return profile


def docker_limits(env_doc, profile_name, container, host_cpus=None):
    """(nano_cpus, mem_limit) of one container of a replica: its own CPU and memory (on a dedicated
    profile at most the node's size), the CPU capped at the local engine's processors."""
    import os

    cpu = float(container.get("resources", {}).get("cpu") or 0.5)
    memory = float(str(container.get("resources", {}).get("memory") or "1Gi").rstrip("Gi") or 1)
    try:
        profile = resolve(env_doc, profile_name)
    except ValidationError:  # a profile deleted under a running app: its own resources still apply
        profile = None
    if profile is not None and profile["type"] != CONSUMPTION:
        cpu, memory = min(cpu, profile["cores"]), min(memory, profile["memoryGiB"])
    cpu = min(cpu, float(host_cpus or os.cpu_count() or 1))
    return int(cpu * 1e9), int(memory * 1024 ** 3)


def state(env_doc, profile):
    """A profile as `workload-profile list/show` print it (Azure's workloadProfileStates)."""
    props = {"name": profile["name"], "workloadProfileType": profile.get("workloadProfileType")}
    if profile.get("workloadProfileType") != CONSUMPTION:
        props.update(minimumCount=profile.get("minimumCount"), maximumCount=profile.get("maximumCount"),
                     currentCount=profile.get("minimumCount") or 0)
    return {"id": f"{env_doc['id']}/workloadProfileStates/{profile['name']}", "name": profile["name"],
            "properties": props, "type": "Microsoft.App/managedEnvironments/workloadProfileStates"}


def set_profile(env_doc, name, kind=None, min_nodes=None, max_nodes=None):
    """Adds or changes one profile in the document (`env update -w`, `workload-profile add/update`); the
    name defaults to the type, as az does."""
    name = kind if name is None else name
    if name is None:
        if min_nodes is not None or max_nodes is not None:
            raise ValidationError("--workload-profile-name is required with --min-nodes and --max-nodes")
        return None
    profiles = profiles_of(env_doc)
    if not profiles:
        raise ValidationError("This environment does not allow for workload profiles. You can create a compatible "
                              "environment with 'az containerapp env create --enable-workload-profiles'")
    found = find(env_doc, name)
    if found is None:
        if not kind:
            raise ValidationError(f"(ManagedEnvironmentInvalidWorkloadProfile) Workload profile '{name}' needs a "
                                  "type (--workload-profile-type) to be added.")
        found = {"name": name}
        profiles.append(found)
    if kind:
        found["workloadProfileType"] = canonical_type(kind)
    if found["workloadProfileType"] == CONSUMPTION:
        if min_nodes is not None or max_nodes is not None:
            raise ValidationError("(ManagedEnvironmentInvalidWorkloadProfile) The Consumption workload profile has "
                                  "no node counts: --min-nodes and --max-nodes apply to dedicated profiles.")
        return found
    low = min_nodes if min_nodes is not None else found.get("minimumCount", 0)
    high = max_nodes if max_nodes is not None else found.get("maximumCount", max(low, 1))
    if low < 0 or high < 1 or low > high:
        raise ValidationError("(ManagedEnvironmentInvalidWorkloadProfile) The node counts of a workload profile "
                              "need 0 <= --min-nodes <= --max-nodes and --max-nodes >= 1.")
    found.update(minimumCount=low, maximumCount=high)
    return found


def users_of(env_doc, name):
    """The apps and jobs of the environment that run on profile `name`."""
    from azlocal.platform.store import store

    out = []
    for kind in ("Microsoft.App/containerApps", "Microsoft.App/jobs"):
        for doc in store().list(type=kind):
            props = doc.get("properties") or {}
            env_id = props.get("managedEnvironmentId") or props.get("environmentId") or ""
            if env_id.lower() == env_doc["id"].lower() and \
                    str(props.get("workloadProfileName") or "").lower() == name.lower():
                out.append(doc)
    return out


# Premium ingress: the environment's ingress on a dedicated profile (recorded) ---------------------

PREMIUM_DEFAULTS = {"terminationGracePeriodSeconds": 500, "requestIdleTimeout": 4, "headerCountLimit": 100}
_PREMIUM_RANGES = {"terminationGracePeriodSeconds": ("--termination-grace-period", 0, 3600),
                   "requestIdleTimeout": ("--request-idle-timeout", 4, 30),
                   "headerCountLimit": ("--header-count-limit", 1, None)}
PREMIUM_RECORDED = ("The premium ingress settings are recorded on the environment; azlocal's one gateway serves every "
                    "environment's ingress on this machine, so no ingress replicas run on workload profile '{name}' "
                    "and these settings do not change how requests are handled offline.")


def premium_ingress_show(env_doc):
    config = env_doc["properties"].get("ingressConfiguration")
    return config or {"message": "No premium ingress configuration found for this environment, using default values."}


def premium_ingress_set(env_doc, changes, replace):
    """`premium-ingress add` (replace) and `update`: checked as the service checks them, then recorded."""
    config = {} if replace else dict(env_doc["properties"].get("ingressConfiguration") or {})
    config.update(changes)
    name = config.get("workloadProfileName")
    if not name:
        raise ValidationError("(ManagedEnvironmentInvalidIngressConfiguration) Premium ingress needs a workload "
                              "profile: --workload-profile-name.")
    profile = find(env_doc, name)
    if profile is None or (profile.get("workloadProfileType") or CONSUMPTION) == CONSUMPTION:
        raise ValidationError(f"(ManagedEnvironmentInvalidIngressConfiguration) Premium ingress runs on a dedicated "
                              f"workload profile of the environment; '{name}' is not one.")
    if users_of(env_doc, profile["name"]):
        raise ValidationError(f"(ManagedEnvironmentInvalidIngressConfiguration) The workload profile "
                              f"'{profile['name']}' runs container apps or jobs; premium ingress needs a profile of "
                              "its own.")
    for key, (flag, low, high) in _PREMIUM_RANGES.items():
        value = config.get(key)
        if value is None:
            config[key] = PREMIUM_DEFAULTS[key]
        elif value < low or (high is not None and value > high):
            raise ValidationError(f"{flag} must be at least {low}" + (f" and at most {high}." if high else "."))
    config["workloadProfileName"] = profile["name"]
    env_doc["properties"]["ingressConfiguration"] = config
    logger.warning(PREMIUM_RECORDED.format(name=profile["name"]))
    return config
