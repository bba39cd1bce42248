"""A container group's Docker objects: images, volumes, the infra container (a pod) and the containers."""

import time
from dataclasses import dataclass

from knack.log import get_logger

from azlocal.aci import probes, registry_identity, volumes
from azlocal.aci.definition import RESTART
from azlocal.aci.lookup import _secret_prefix, _short  # noqa: F401
from azlocal.aci.options import docker_security
from azlocal.core.errors import AzLocalError
from azlocal.identity import endpoints, imds
from azlocal.platform import secrets
from azlocal.platform.engine import images, labels, objects, pods

logger = get_logger(__name__)
INFRA_COMMAND = pods.INFRA_COMMAND


def _names(doc):
    # The hash mixes in the home: another home's group of the same name gets other Docker names.
    base = f"azlocal-aci-{doc['name'][:30]}-{labels.name_hash(doc['id'])}"
    return base + "-infra", base + "-net", base


def _group_labels(doc, role):
    from azlocal.platform.store import group_of

    return labels.labels_for(group=group_of(doc["id"]), resource_id=doc["id"], **{labels.ACI_ROLE: role})


def _remove_objects(created):
    objects.remove_all(created)


def _registry_auth(doc, image):
    server = images.server_of(image)
    prefix = _secret_prefix(doc["id"])
    for cred in doc.get("imageRegistryCredentials") or []:
        if cred["server"].lower() == server:
            if cred.get("identity"):  # --acr-identity: pulled as the group's identity (registry_identity)
                return registry_identity.credentials(doc, cred, image)
            return {"username": cred["username"], "password": secrets.get_secret(f"{prefix}registry/{cred['server']}")}
    return None


def preflight_images(doc, definition):
    """Every image of a definition is there (pulled with the definition's own credentials if needed), and
    its Azure Files volumes can be mounted."""
    creds = {c["server"].lower(): {"username": c["username"], "password": c.get("password")}
             for c in definition["properties"]["imageRegistryCredentials"] if c.get("server") and not c.get("identity")}
    by_identity = {c["server"].lower() for c in definition["properties"]["imageRegistryCredentials"]
                   if c.get("server") and c.get("identity")}
    props = definition["properties"]
    volumes.check(props, doc["name"])  # an update with a bad Azure Files volume leaves the old group running
    registry_identity.check(doc)
    for c in props["initContainers"] + props["containers"]:
        image = c["properties"]["image"]
        server = images.server_of(image)
        auth = creds.get(server)
        if server in by_identity:
            _ensure_image(doc, image)  # as the group's identity (the new document's credentials)
        elif auth or not any(server == (c.get("server") or "").lower()
                           for c in doc.get("imageRegistryCredentials") or []):
            _ensure_image(doc, image, auth)


def _ensure_image(doc, image, auth=None):
    try:
        images.ensure_image(image, auth or _registry_auth(doc, image))
    except images.ImageUnavailable as ex:
        raise AzLocalError(f"(InaccessibleImage) The image '{image}' in container group '{doc['name']}' is not "
                           f"accessible. Please check the image and registry credential. ({ex})") from ex


@dataclass
class _Group:
    """What every container of a group being started shares."""
    doc: dict
    sources: dict
    base: str
    created: list
    read_only: set = frozenset()
    infra: object = None


def _start_group(doc, props, created):
    """A single container publishes the group's ports itself; several share an infra container's
    network namespace (a pod), so each can restart without the others losing localhost."""
    volumes.check(props, doc["name"])
    registry_identity.check(doc)
    for c in props["initContainers"] + props["containers"]:
        _ensure_image(doc, c["properties"]["image"])
    infra_name, net_name, base = _names(doc)
    ip = doc["ipAddress"]["ip"]
    published = {f"{p['port']}/{p['protocol'].lower()}": (ip, p["port"]) for p in doc["ipAddress"]["ports"]}
    group = _Group(doc, volumes.volume_binds(doc, props, created), base, created,
                   read_only={v["name"] for v in props["volumes"] if volumes.read_only(props, v["name"])})
    identity = endpoints.has_identity(doc)  # IMDS needs a namespace that outlives the containers' restarts
    if len(props["containers"]) == 1 and not props["initContainers"] and not identity:
        imds.route(_run(group, props["containers"][0], "app", ports=published), doc["name"], warn=False)
        return
    network = objects.create_network(net_name, _group_labels(doc, "network"))
    created.append(network)
    group.infra = pods.start_infra(infra_name, network, object_labels=_group_labels(doc, "infra"),
                                   ports=published, hostname=doc["name"][:63])
    created.append(group.infra)
    imds.route(group.infra, doc["name"], warn=identity)
    for c in props["initContainers"]:
        container = _run(group, c, "init")
        code = container.wait().get("StatusCode", 1)
        if code != 0:
            raise AzLocalError(f"(ContainerGroupDeploymentFailed) The init container '{c['name']}' exited with "
                               f"code {code}.")
    for c in props["containers"]:
        _run(group, c, "app")


def _run(group, c, role, ports=None):
    """Creates and starts one container. A Docker Engine that may not grant privileges (one running
    inside a restricted container) gets the container unprivileged, and says so."""
    created = group.created
    container = _create_container(group, c, role, ports=ports)
    created.append(container)
    try:
        container.start()
    except Exception as ex:
        if not objects.is_api_error(ex):
            raise
        context = c["properties"].get("securityContext") or {}
        if not context.get("privileged") or "operation not permitted" not in str(ex):
            raise AzLocalError(f"(ContainerGroupDeploymentFailed) The container '{c['name']}' could not be started: "
                               f"{objects.api_error_text(ex)}") from None
        logger.warning("This Docker Engine may not run privileged containers (%s): the container '%s' runs "
                       "unprivileged; securityContext.privileged stays recorded.",
                       objects.api_error_text(ex), c["name"])
        container.remove(force=True)
        created.remove(container)
        container = _create_container(group, c, role, ports=ports, unprivileged=True)
        created.append(container)
        container.start()
    return container


def _environment(doc, c):
    prefix = _secret_prefix(doc["id"])
    env = {}
    for e in c["properties"]["environmentVariables"]:
        if "secureValue" in e:
            env[e["name"]] = secrets.get_secret(f"{prefix}env/{c['name']}/{e['name']}") or ""
        else:
            env[e["name"]] = e.get("value") or ""
    return env


def _create_container(group, c, role, *, ports=None, unprivileged=False):
    doc, p = group.doc, c["properties"]
    restart = role == "app"
    binds = {}
    for m in p["volumeMounts"]:
        ro = m.get("readOnly") or m["name"] in group.read_only
        binds[group.sources[m["name"]]] = {"bind": m["mountPath"], "mode": "ro" if ro else "rw"}
    healthcheck = probes.healthcheck(p.get("livenessProbe")) if restart else None
    policy = {"Name": RESTART[doc["restartPolicy"]]} if restart else None
    if policy and policy["Name"] == "no":
        policy = None
    requests = p["resources"]["requests"]
    network = pods.member_options(group.infra) if group.infra else {"hostname": doc["name"][:63]}
    return objects.create_container(
        p["image"], command=p["command"] or None, name=f"{group.base}-{c['name']}"[:120],
        environment=_environment(doc, c), ports=ports or None, volumes=binds or None, restart_policy=policy,
        nano_cpus=int(requests["cpu"] * 1e9), mem_limit=int(requests["memoryInGB"] * 1024 ** 3),
        labels=dict(_group_labels(doc, role), **{labels.ACI_CONTAINER: c["name"]}), healthcheck=healthcheck,
        **network, **docker_security(p.get("securityContext"), unprivileged),
    )


def _containers(doc, role="app"):
    found = objects.containers(all=True, resource_id=doc["id"], **{labels.ACI_ROLE: role})
    return {c.labels.get(labels.ACI_CONTAINER): c for c in found}


def group_objects(doc):
    """Every container, network and volume of the group (containers first, the infra last), for the
    group's cleanup (delete, redeploy, reset), which is its only caller: the group's secret files in
    memory go here too, as its Docker objects do."""
    volumes.remove_memory_files(doc)
    containers = objects.containers(all=True, resource_id=doc["id"])
    containers.sort(key=lambda c: c.labels.get(labels.ACI_ROLE) == "infra")
    return containers, objects.networks(resource_id=doc["id"]), objects.volumes(resource_id=doc["id"])


def _wait_started(doc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [c.attrs["State"] for c in _containers(doc).values()]
        if states and all(s["Status"] in ("running", "exited") for s in states):
            return
        time.sleep(0.1)


def redeploy(doc):
    """A new deployment of a stopped or terminated group with the same configuration, as Azure's start:
    every container (init and app) is created again from its own engine configuration, so nothing of the
    last run's file systems, emptyDir volumes or restart counts is kept (the pod, its network and
    address stay). Returns the new containers' ids: init first, then the apps. Nothing is started."""
    old = [c for role in ("init", "app") for c in _containers(doc, role).values()]
    if not old:
        return []
    api = old[0].client.api
    configs = [_config_of(c) for c in old]
    for container in old:
        objects.remove(container)
    for vol in objects.volumes(resource_id=doc["id"]):
        name, vol_labels = vol.name, vol.attrs.get("Labels") or {}
        objects.remove(vol)
        objects.create_volume(name, vol_labels)
    return [api.create_container_from_config(config, name=name)["Id"] for name, config in configs]


def _config_of(container):
    """(name, create body) of a container, from its own inspect document (the engine's create schema)."""
    attrs = container.attrs
    config = dict(attrs["Config"])
    host = dict(attrs["HostConfig"])
    config["HostConfig"] = host
    if str(host.get("NetworkMode", "")).startswith("container:"):
        # a pod member has the pod's host name: the engine refuses one of its own with that network mode
        config.pop("Hostname", None)
        config.pop("Domainname", None)
    return attrs["Name"].lstrip("/"), config
