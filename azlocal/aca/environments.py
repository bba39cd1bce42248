"""Container Apps environments: a Docker network each, and a default domain in Azure's form."""

import random
import re
import uuid

from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.core.locations import REGIONS, normalise_location
from azlocal.platform.engine import labels
from azlocal.platform.store import group_of, store
from azlocal.resources import groups

ENV_TYPE = "Microsoft.App/managedEnvironments"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,58}[a-z0-9]$")
_WORDS = ("white", "brave", "purple", "salmon", "orange", "gentle", "happy", "proud", "lively", "calm", "nice",
          "polite", "wonderful", "yellow", "blue", "green", "black", "red", "kind", "bright")
_NOUNS = ("river", "forest", "pond", "tree", "mushroom", "sand", "stone", "field", "meadow", "mountain", "ocean",
          "island", "sky", "hill", "desert", "wave", "flower", "moss", "grass", "beach")


def display_location(region):
    return next((r[1] for r in REGIONS if r[0] == region), region)


def region_of(display):
    return normalise_location(display)


def _id(group, name):
    return arm.resource_id(group, ENV_TYPE, name)


def resolve_id(environment, resource_group):
    """A name (in -g) or a full resource id -> the environment's document."""
    rid = environment if environment.startswith("/") else _id(resource_group, environment)
    doc = store().get(rid)
    if doc is None:
        raise AzLocalError(f"The environment '{rid}' does not exist. Specify a valid environment")
    return doc


def get(resource_group, name):
    groups.get(resource_group)
    doc = store().get(_id(resource_group, name))
    if doc is None:
        raise ResourceNotFound(f"The Resource '{ENV_TYPE}/{name}' under resource group '{resource_group}' was not "
                               "found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
    return doc


def list_environments(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=ENV_TYPE, resource_group=resource_group)


def network_name(doc):
    """The environment's Docker network: unique to this home (labels.name_hash mixes the home in)."""
    return f"azlocal-cae-{labels.name_hash(doc['id'], length=12)}"


def network_of(doc):
    """The environment's network, found by this home's labels (never by a bare name, which the engine
    may resolve to another home's network)."""
    network = labels.find_network(resource_id=doc["id"])
    if network is None:
        raise AzLocalError(f"The network of the environment '{doc['name']}' is missing from the Docker Engine; "
                           "delete the environment and create it again.")
    return network


def create(resource_group, name, location=None, tags=None, logs_destination="log-analytics",
           logs_workspace_id=None, options=None):
    """A PUT, as az sends it: on an existing environment the new definition replaces the old one's
    settings (its domain, network and apps stay); the location cannot change."""
    from knack.log import get_logger

    from azlocal.aca import containerapps_env
    from azlocal.platform.engine import objects

    options = dict(options or {})
    options.setdefault("workload_profiles", None)

    logger = get_logger(__name__)
    group = groups.get(resource_group)
    if not _NAME.match(name or "") or "--" in name:
        raise ValidationError(f"(ManagedEnvironmentInvalidName) Invalid environment name '{name}'. A name must "
                              "consist of lower case alphanumeric characters or '-', start with a letter, end with "
                              "an alphanumeric character and cannot have '--'.")
    rid = _id(group["name"], name)
    s = store()
    existing = s.get(rid)
    region = normalise_location(location or (region_of(existing["location"]) if existing else group["location"]))
    containerapps_env.check_create(options)
    if existing is not None and normalise_location(region_of(existing["location"])) != region:
        raise ValidationError(f"(LocationNotMatch) Environment {name} already exists in resource group "
                              f"{group['name']} on location {existing['location']}; the location of an existing "
                              "environment cannot change.")
    if logs_destination == "log-analytics" and not logs_workspace_id:
        _announce_workspace(group)
    doc = _document(group, name, rid, region=region, logs_destination=logs_destination,
                    logs_workspace_id=logs_workspace_id, tags=tags)
    if existing is not None:
        return _replace(existing, doc, options)
    containerapps_env.apply(doc, options)
    network = objects.create_network(network_name(doc), labels.labels_for(group=group["name"], resource_id=rid))
    try:
        with s.transaction():
            s.put(doc)
    except BaseException:
        network.remove()
        raise
    logger.warning("\nContainer Apps environment created. To deploy a container app, use: "
                   "az containerapp create --help\n")
    return doc


def _announce_workspace(group):
    """az generates a Log Analytics workspace when none is given (here: only its name, said)."""
    from knack.log import get_logger

    logger = get_logger(__name__)
    logger.warning("No Log Analytics workspace provided.")
    cleaned = re.sub(r"[^0-9a-z]", "", group["name"].lower())
    suffix = "".join(random.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=4))
    workspace = f"workspace-{cleaned}{suffix}"[:40]
    logger.warning('Generating a Log Analytics workspace with name "%s"', workspace)


def _document(group, name, rid, *, region, logs_destination, logs_workspace_id, tags):
    domain = f"{random.choice(_WORDS)}{random.choice(_NOUNS)}-{uuid.uuid4().hex[:8]}.{region}.azurecontainerapps.io"
    now = arm.utc_now()
    doc = {
        "id": rid,
        "location": display_location(region),
        "name": name,
        "properties": {
            "appLogsConfiguration": {
                "destination": logs_destination if logs_destination != "none" else None,
                "logAnalyticsConfiguration": ({"customerId": logs_workspace_id or str(uuid.uuid4()), "sharedKey": None}
                                              if logs_destination == "log-analytics" else None),
            },
            "customDomainConfiguration": {"certificatePassword": None, "certificateValue": None,
                                          "customDomainVerificationId": uuid.uuid4().hex.upper() * 2,
                                          "dnsSuffix": None, "expirationDate": None, "subjectName": None,
                                          "thumbprint": None},
            "daprAIConnectionString": None,
            "daprAIInstrumentationKey": None,
            "daprConfiguration": {"version": "1.13.6"},
            "defaultDomain": domain,
            "eventStreamEndpoint": f"https://{region}.azurecontainerapps.dev/subscriptions/{settings.SUBSCRIPTION_ID}"
                                   f"/resourceGroups/{group['name']}/managedEnvironments/{name}/eventstream",
            "infrastructureResourceGroup": None,
            "kedaConfiguration": {"version": "2.15.1"},
            "peerAuthentication": {"mtls": {"enabled": False}},
            "peerTrafficConfiguration": {"encryption": {"enabled": False}},
            "provisioningState": "Succeeded",
            "staticIp": "127.0.0.1",
            "vnetConfiguration": None,
            "workloadProfiles": [{"name": "Consumption", "workloadProfileType": "Consumption"}],
            "zoneRedundant": False,
        },
        "systemData": {"createdAt": now, "createdBy": settings.USER_NAME, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": settings.USER_NAME, "lastModifiedByType": "User"},
        "tags": tags,
        "type": ENV_TYPE,
    }
    return doc


def _replace(existing, doc, options):
    from knack.log import get_logger

    from azlocal.aca import containerapps_env

    for key in ("defaultDomain", "customDomainConfiguration", "eventStreamEndpoint", "staticIp"):
        doc["properties"][key] = existing["properties"][key]
    for key in ("createdAt", "createdBy", "createdByType"):
        doc["systemData"][key] = existing["systemData"][key]
    containerapps_env.apply(doc, options, existing)
    s = store()
    with s.transaction():
        s.put(doc)
    get_logger(__name__).warning("\nContainer Apps environment created. To deploy a container app, use: "
                                 "az containerapp create --help\n")
    return doc


def update(resource_group, name, tags=None, options=None):
    from azlocal.aca import containerapps_env

    doc = get(resource_group, name)
    o = {k: v for k, v in (options or {}).items() if v is not None}
    if tags is not None:
        doc["tags"] = tags
    if o.get("logs_destination") or o.get("logs_workspace_id"):
        destination = o.get("logs_destination") or doc["properties"]["appLogsConfiguration"].get("destination")
        if destination == "log-analytics" and not (o.get("logs_workspace_id") or (
                doc["properties"]["appLogsConfiguration"].get("logAnalyticsConfiguration") or {}).get("customerId")):
            raise ValidationError("Must provide --logs-workspace-id and --logs-workspace-key if updating logs "
                                  "destination to type 'log-analytics'.")
        doc["properties"]["appLogsConfiguration"] = {
            "destination": destination if destination != "none" else None,
            "logAnalyticsConfiguration": ({"customerId": o.get("logs_workspace_id") or doc["properties"][
                "appLogsConfiguration"]["logAnalyticsConfiguration"]["customerId"], "sharedKey": None}
                if destination == "log-analytics" else None)}
    containerapps_env.apply(doc, o, doc)
    containerapps_env.update_profile(doc, o.get("workload_profile_name"), o.get("workload_profile_type"),
                                     o.get("min_nodes"), o.get("max_nodes"))
    s = store()
    with s.transaction():
        s.put(doc)
    return doc


def delete(resource_group, name):
    doc = get(resource_group, name)
    apps = [a for a in store().list(type="Microsoft.App/containerApps")
            if a["properties"]["managedEnvironmentId"].lower() == doc["id"].lower()]
    if apps:
        raise AzLocalError(f"(ManagedEnvironmentHasContainerApps) Cannot delete environment '{name}': it still has "
                           f"container apps ({', '.join(a['name'] for a in apps)}).")
    from azlocal.platform.cleanup import clean_resource

    s = store()
    children = s.list(parent_id=doc["id"])  # storages, Dapr components, certificates: their secrets go too
    for child in children:
        clean_resource(child)
    cleanup_environment(doc)
    with s.transaction():
        s.delete_children(doc["id"])
        s.delete(doc["id"])


def cleanup_environment(doc):
    from azlocal.aca import system_logs
    from azlocal.platform.engine import objects

    for network in objects.networks(resource_id=doc["id"]):
        objects.remove(network)
    system_logs.delete_environment(doc["id"])  # the environment's system events go with it


def group_name(doc):
    return group_of(doc["id"])
