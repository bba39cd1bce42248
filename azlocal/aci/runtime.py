"""A container group's Docker objects: images, volumes, the infra container (a pod) and the containers."""

import hashlib
import json
import time
from dataclasses import dataclass

from knack.log import get_logger

from azlocal.aci.definition import RESTART
from azlocal.aci.options import docker_security
from azlocal.core import safepath
from azlocal.core.errors import AzLocalError
from azlocal.platform import secrets
from azlocal.platform.engine import images, labels, objects, pods
from azlocal.platform.store import store

logger = get_logger(__name__)
INFRA_COMMAND = pods.INFRA_COMMAND


def _secret_prefix(rid):
    """Keys `aci/<group key>/<resource key>/…`: a group delete finds them even without the row."""
    return secrets.resource_prefix("aci", rid)


def _short(rid):
    return hashlib.sha256(rid.lower().encode()).hexdigest()[:10]


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
            return {"username": cred["username"], "password": secrets.get_secret(f"{prefix}registry/{cred['server']}")}
    return None


def preflight_images(doc, definition):
    """Every image of a definition is there (pulled with the definition's own credentials if needed)."""
    creds = {c["server"].lower(): {"username": c["username"], "password": c.get("password")}
             for c in definition["properties"]["imageRegistryCredentials"] if c.get("server")}
    props = definition["properties"]
    for c in props["initContainers"] + props["containers"]:
        image = c["properties"]["image"]
        server = images.server_of(image)
        auth = creds.get(server)
        if auth or not any(server == (c.get("server") or "").lower()
                           for c in doc.get("imageRegistryCredentials") or []):
            _ensure_image(doc, image, auth)


def _ensure_image(doc, image, auth=None):
    try:
        images.ensure_image(image, auth or _registry_auth(doc, image))
    except images.ImageUnavailable as ex:
        raise AzLocalError(f"(InaccessibleImage) The image '{image}' in container group '{doc['name']}' is not "
                           f"accessible. Please check the image and registry credential. ({ex})") from ex


def _volume_binds(doc, props, created):
    """Docker volumes / folders for the group's volumes: name -> host source."""
    from azlocal.platform.store import group_of

    sources = {}
    prefix = _secret_prefix(doc["id"])
    for v in props["volumes"]:
        if "emptyDir" in v:
            vol = objects.create_volume(f"{_names(doc)[2]}-{v['name']}",
                                        labels.labels_for(group=group_of(doc["id"]), resource_id=doc["id"]))
            created.append(vol)
            sources[v["name"]] = vol.name
        elif "secret" in v:
            import base64

            folder = safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", v["name"]))
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
            files = json.loads(secrets.get_secret(f"{prefix}volume/{v['name']}") or "{}")
            for fname, b64 in files.items():
                path = safepath.home_path(("secret file", fname), base=folder)
                path.write_bytes(base64.b64decode(b64))
                path.chmod(0o444)
            sources[v["name"]] = str(folder)
        elif "azureFile" in v:
            # An Azure Files share, kept as a folder of this home: what one container writes, another
            # group mounting the same share reads, and it outlives the group as a share does.
            share = v["azureFile"]
            folder = safepath.home_path("fileshares", ("storage account", share.get("storageAccountName")),
                                        ("file share", share.get("shareName")))
            folder.mkdir(parents=True, exist_ok=True)
            sources[v["name"]] = str(folder)
        elif "gitRepo" in v:
            folder = safepath.home_path("aci-secrets", _short(doc["id"]), ("volume", "gitrepo-" + v["name"]))
            _clone(v["gitRepo"], folder)
            sources[v["name"]] = str(folder)
    return sources


def _clone(repo, folder):
    """A gitRepo volume, as ACI fills it: the repository cloned (into `directory` when not '.'), at
    `revision` when given. Only git's own transports; the URL is never read as an option."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        raise AzLocalError("(GitRepoVolumeFailed) A git repo volume needs the 'git' program on this machine.")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    folder.chmod(0o700)
    directory = (repo.get("directory") or ".").strip("/") or "."
    target = folder if directory == "." else folder / directory
    git = ["git", "-c", "protocol.ext.allow=never", "-c", "core.hooksPath=/dev/null"]
    try:
        subprocess.run([*git, "clone", "--quiet", "--", repo["repository"], str(target)], check=True,
                       capture_output=True, timeout=300, stdin=subprocess.DEVNULL,
                       env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"})
        if repo.get("revision"):
            subprocess.run([*git, "-C", str(target), "checkout", "--quiet", "--detach", repo["revision"], "--"],
                           check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.CalledProcessError as ex:
        lines = (ex.stderr or b"").decode(errors="replace").strip().splitlines()
        detail = next((x for x in lines if x.startswith("fatal:")), lines[-1] if lines else
                      f"git exited with status {ex.returncode}")
        raise AzLocalError(f"(GitRepoVolumeFailed) Cloning '{repo['repository']}' failed: {detail}") from None
    except subprocess.TimeoutExpired:
        raise AzLocalError(f"(GitRepoVolumeFailed) Cloning '{repo['repository']}' timed out.") from None


@dataclass
class _Group:
    """What every container of a group being started shares."""
    doc: dict
    sources: dict
    base: str
    created: list
    infra: object = None


def _start_group(doc, props, created):
    """A single container publishes the group's ports itself; several share an infra container's
    network namespace (a pod), so each can restart without the others losing localhost."""
    for c in props["initContainers"] + props["containers"]:
        _ensure_image(doc, c["properties"]["image"])
    infra_name, net_name, base = _names(doc)
    ip = doc["ipAddress"]["ip"]
    published = {f"{p['port']}/{p['protocol'].lower()}": (ip, p["port"]) for p in doc["ipAddress"]["ports"]}
    group = _Group(doc, _volume_binds(doc, props, created), base, created)
    if len(props["containers"]) == 1 and not props["initContainers"]:
        _run(group, props["containers"][0], "app", ports=published)
        return
    network = objects.create_network(net_name, _group_labels(doc, "network"))
    created.append(network)
    group.infra = pods.start_infra(infra_name, network, object_labels=_group_labels(doc, "infra"),
                                   ports=published, hostname=doc["name"][:63])
    created.append(group.infra)
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
        binds[group.sources[m["name"]]] = {"bind": m["mountPath"], "mode": "ro" if m.get("readOnly") else "rw"}
    healthcheck = _healthcheck(p.get("livenessProbe")) if restart else None
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


def _healthcheck(probe):
    """A liveness probe as a Docker healthcheck; the daemon restarts containers it finds unhealthy."""
    if not probe:
        return None
    probe = {k.lower(): v for k, v in probe.items()}
    if probe.get("exec"):
        command = {k.lower(): v for k, v in probe["exec"].items()}.get("command") or []
        test = ["CMD"] + [str(x) for x in command]
    elif probe.get("httpget"):
        get = {k.lower(): v for k, v in probe["httpget"].items()}
        test = ["CMD", "wget", "-q", "-O", "/dev/null", f"http://localhost:{get.get('port', 80)}{get.get('path', '/')}"]
    else:
        return None
    second = 1_000_000_000
    return {"test": test, "interval": int(probe.get("periodseconds", 10)) * second,
            "timeout": int(probe.get("timeoutseconds", 1)) * second, "retries": int(probe.get("failurethreshold", 3)),
            "start_period": int(probe.get("initialdelayseconds", 0)) * second}


def restart_unhealthy():
    """Liveness: restart every container of this home whose probe has failed (called by the daemon), or
    stop it under the Never policy, as ACI does. Docker does not count these restarts: the store does."""
    restarted = []
    s = store()
    for container in objects.containers(health="unhealthy", **{labels.ACI_ROLE: "app"}):
        if container.attrs["HostConfig"]["RestartPolicy"]["Name"] in ("", "no"):
            container.stop(timeout=5)
        else:
            container.restart(timeout=5)
        with s.transaction():
            key = f"aci-probe-restarts/{container.id}"
            s.set_value(key, s.get_value(key, 0) + 1)
        restarted.append(container.name)
    return restarted


def _containers(doc, role="app"):
    found = objects.containers(all=True, resource_id=doc["id"], **{labels.ACI_ROLE: role})
    return {c.labels.get(labels.ACI_CONTAINER): c for c in found}


def group_objects(doc):
    """Every container, network and volume of the group (containers first, the infra last)."""
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
