"""`az containerapp up`: creates what is missing with az's default names, builds `--source` with a
Dockerfile into the environment's registry, then deploys or redeploys the app."""

import hashlib
import os
import random
import re
from datetime import datetime

from knack.log import get_logger

from azlocal.aca import containerapps, definition, environments, replicas
from azlocal.aca import ingress as ingress_
from azlocal.acr import registries, runs
from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.store import store
from azlocal.resources import groups

logger = get_logger(__name__)


def _exposed_port(source):
    path = os.path.join(source, "Dockerfile")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            match = re.match(r"(?i)^expose\s+(\d+)", line)
            if match:
                return int(match.group(1))
    return None


def _find_app(name, resource_group):
    if resource_group:
        return store().get(containerapps._id(resource_group, name))
    found = [a for a in store().list(type=containerapps.APP_TYPE) if a["name"] == name]
    if len(found) > 1:
        raise AzLocalError(f"There are multiple containerapps with name {name} on the subscription. Please specify "
                           "which resource group your Containerapp is in.")
    return found[0] if found else None


def _check_sources(image, source, repo, github, registry_server):
    if not (image or source or repo):
        raise ValidationError("You must specify either --source, --repo, or --image")
    if source and repo:
        raise ValidationError("Cannot use --source and --repo togther. Can either deploy from a local directory or a "
                              "Github repo")
    if repo:
        raise AzLocalError("--repo deploys through GitHub Actions, which needs GitHub and Azure; it is not available "
                           "offline. Clone the repository and use --source <folder> instead.")
    if any(v is not None for v in github):
        raise ValidationError("--branch, --token, --context-path and --service-principal-* are used only with "
                              "--repo.")
    if source and registry_server and not registry_server.endswith(".azurecr.io"):
        raise ValidationError("Cannot supply non-Azure registry when using --source.")
    if source and not os.path.isdir(source):
        raise ValidationError(f"The source '{source}' is not a local directory.")
    if source and not os.path.isfile(os.path.join(source, "Dockerfile")):
        raise AzLocalError("No dockerfile detected: azlocal builds --source only from a Dockerfile (buildpacks "
                           "and Oryx need the network).")


def _ingress(image, source, ingress, target_port):
    """The ingress `up` gives: the quickstart image's port 80, a Dockerfile's EXPOSE, external."""
    if image and image.startswith("mcr.microsoft.com/k8se/quickstart"):
        ingress, target_port = ingress or "external", target_port or 80
    if source and not ingress and not target_port:
        port = _exposed_port(source)
        if port:
            logger.warning("Adding external ingress port %s based on dockerfile expose.", port)
            ingress, target_port = "external", port
    if target_port and not ingress:
        ingress = "external"
    return ingress, target_port


def up(name, resource_group=None, *, location=None, environment=None, image=None, source=None, ingress=None,
       target_port=None, env_vars=None, registry_server=None, registry_username=None, registry_password=None,
       repo=None, github=(), logs_workspace_id=None, logs_workspace_key=None, workload_profile_name=None,
       browse=False):
    """Returns the app's URL when `browse` could not open a browser (for the caller to show)."""
    _check_sources(image, source, repo, github, registry_server)
    ingress, target_port = _ingress(image, source, ingress, target_port)
    existing = _find_app(name, resource_group)
    if existing:
        resource_group = resource_group or containerapps.group_of_app(existing)
        environment = environment or existing["properties"]["managedEnvironmentId"].rsplit("/", 1)[-1]
    resource_group = resource_group or f"{settings.USER_NAME.split('@')[0]}_rg_{random.randint(0, 9999):04d}"
    location = location or "eastus"
    if groups.exists(resource_group):
        logger.warning("Using resource group '%s'", resource_group)
    else:
        logger.warning("Creating resource group '%s'", resource_group)
        groups.create(resource_group, location)
    env_doc = _environment(name, resource_group, environment, location, logs_workspace_id)
    if logs_workspace_key:
        logger.warning("--logs-workspace-key is accepted; Log Analytics does not receive logs offline.")
    if source:
        image = _build(name, resource_group, env_doc, source, registry_server, image)
        registry_server = image.split("/")[0]
    if existing:
        logger.warning("Updating Containerapp %s in resource group %s", name, resource_group)
        app = containerapps.update(resource_group, name, image=image, container_name=existing["properties"]
                                   ["template"]["containers"][0]["name"], replace_env_vars=env_vars,
                                   workload_profile_name=workload_profile_name)
        if ingress and not app["properties"]["configuration"].get("ingress"):
            ingress_.ingress_enable(resource_group, name, ingress, target_port)
    else:
        logger.warning("Creating Containerapp %s in resource group %s", name, resource_group)
        app = containerapps.create(resource_group, name, definition.from_args(
            name, environment=env_doc["id"], container={"image": image, "env_vars": env_vars},
            ingress={"kind": ingress, "target_port": target_port},
            registry={"server": registry_server, "username": registry_username, "password": registry_password},
            workload_profile_name=workload_profile_name))
    app = containerapps.get(resource_group, name)
    fqdn = (app["properties"]["configuration"].get("ingress") or {}).get("fqdn")
    logger.warning("\nYour container app %s has been created and deployed! Congrats! \n", name)
    if fqdn:
        logger.warning("Browse to your container app at: http://%s \n", fqdn)
    logger.warning("Stream logs for your container with: az containerapp logs show -n %s -g %s \n", name,
                   resource_group)
    logger.warning("See full output using: az containerapp show -n %s -g %s \n", name, resource_group)
    if browse:
        return replicas.browse(resource_group, name)
    return None


def _environment(app_name, resource_group, environment, location, logs_workspace_id=None):
    if environment:
        rid = environment if environment.startswith("/") else environments._id(resource_group, environment)
        doc = store().get(rid)
        if doc is not None:
            logger.warning("Using ContainerAppEnvironment '%s' in resource group %s", doc["name"], resource_group)
            return doc
    else:
        found = environments.list_environments(resource_group)
        if found:
            logger.warning("Using ContainerAppEnvironment '%s' in resource group %s", found[0]["name"],
                           resource_group)
            return found[0]
        environment = f"{app_name}-env".replace("_", "-")
    logger.warning("Creating ContainerAppEnvironment '%s' in resource group %s", environment, resource_group)
    return environments.create(resource_group, environment, location, logs_workspace_id=logs_workspace_id)


def _build(app_name, resource_group, env_doc, source, registry_server, image, dockerfile="Dockerfile"):
    if registry_server:
        registry = registries.get(registry_server.split(".")[0])
    else:
        digest = hashlib.sha256(f"{settings.SUBSCRIPTION_ID}/{resource_group}/{env_doc['name']}".encode())
        name = f"ca{digest.hexdigest()[:10]}acr"
        registry = registries.find(name)
        if registry is None:
            logger.warning("Creating Azure Container Registry %s in resource group %s", name, resource_group)
            registry = registries.create(resource_group, name, "Basic", admin_enabled=True)
    repo = (image.rsplit("/", 1)[-1].split(":")[0] if image else app_name)
    tag = re.sub(r"[ \-.:]", "", str(datetime.now()))
    runs.build(registry["name"], source, [f"{repo}:{tag}"], dockerfile)
    return f"{registry['loginServer']}/{repo}:{tag}"
