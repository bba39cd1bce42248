"""Container app revisions and their replicas on the Docker Engine.

A revision is an immutable template (a row under its app). Its replicas are containers on the
environment's network, labelled with the app and the revision; the gateway reaches them by
their addresses there. Live facts (replicas, running state, health) are read from Docker.
"""

import hashlib
import json
import random
import socket
import string
import time
from dataclasses import dataclass, field

from azlocal.aca import env_storage, workload_profiles
from azlocal.aca import revision_events as events
from azlocal.aca.dapr import supervisor as dapr_supervisor
from azlocal.core import arm, safepath
from azlocal.core.errors import AzLocalError
from azlocal.identity import endpoints as identity_endpoints
from azlocal.platform import secrets
from azlocal.platform.engine import images, labels, objects, pods
from azlocal.platform.store import group_of, store

REVISION_TYPE = "Microsoft.App/containerapps/revisions"
REVISION_LABEL = labels.ACA_REVISION
READY_TIMEOUT = 90.0


def revision_id(app, name):
    return f"{app['id']}/revisions/{name}"


def get(app, name):
    return store().get(revision_id(app, name))


def all_revisions(app):
    return sorted(store().list(type=REVISION_TYPE, parent_id=app["id"]), key=lambda r: r["properties"]["createdTime"])


SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 7
GRACE_LABEL = labels.ACA_GRACE
SCALER_LABEL = "azlocal.aca.scaler"  # on replicas a scale rule started (the rule's type), e.g. cron


def new_suffix(app):
    """Azure's form: seven random lowercase letters and digits (`myapp--x7k2p9q`), unused in the app."""
    taken = {r["name"] for r in all_revisions(app)}
    while True:
        suffix = "".join(random.choices(SUFFIX_ALPHABET, k=SUFFIX_LENGTH))
        if f"{app['name']}--{suffix}" not in taken:
            return suffix


def document(app, name, template, active, domain):
    now = arm.utc_now()
    return {
        "id": revision_id(app, name),
        "name": name,
        "properties": {
            "active": active,
            "createdTime": now,
            "fqdn": f"{name}.{domain}",
            "healthState": "None",
            "lastActiveTime": now,
            "provisioningError": None,
            "provisioningState": "Provisioning",
            "replicas": 0,
            "runningState": "Activating",
            "template": json.loads(json.dumps(template)),
            "trafficWeight": 0,
        },
        "type": REVISION_TYPE,
    }


def replica_count(template):
    scale = template.get("scale") or {}
    return max(scale.get("minReplicas") or 0, 1)


# Replicas ----------------------------------------------------------------------------------------

def replicas(app_id, revision_name, include_stopped=False):
    return objects.containers(all=include_stopped, resource_id=app_id, **{REVISION_LABEL: revision_name})


def secret_value(app, name):
    """A secret's value as a replica uses it: a Key Vault reference is read from its vault now."""
    from azlocal.aca import keyvault_refs

    return keyvault_refs.value_of(app, name, secrets.get_secret(secret_key(app, name)))


def secret_key(app, name):
    """`aca/<group key>/<app key>/secrets/<name>`: a group delete finds them even without the app's row."""
    return f"{secrets.resource_prefix('aca', app['id'])}secrets/{name.lower()}"


def _environment(app, revision_name, replica_name, container, env_doc):
    target_port = ((app["properties"]["configuration"].get("ingress") or {}).get("targetPort"))
    values = {
        "CONTAINER_APP_NAME": app["name"], "CONTAINER_APP_REVISION": revision_name,
        "CONTAINER_APP_HOSTNAME": f"{revision_name}.{env_doc['properties']['defaultDomain']}",
        "CONTAINER_APP_ENV_DNS_SUFFIX": env_doc["properties"]["defaultDomain"],
        "CONTAINER_APP_REPLICA_NAME": replica_name,
    }
    if target_port:
        values["CONTAINER_APP_PORT"] = str(target_port)
    values.update(identity_endpoints.app_environment(app))  # IDENTITY_ENDPOINT/HEADER when it has an identity
    values.update(dapr_supervisor.environment_values(app))  # DAPR_HTTP_PORT/DAPR_GRPC_PORT with Dapr enabled
    for e in container.get("env") or []:
        if e.get("secretRef"):
            values[e["name"]] = secret_value(app, e["secretRef"]) or ""
        else:
            values[e["name"]] = e.get("value") or ""
    return values


def _secret_volume(app, revision_name, replica_name):
    """Every secret of the app as a file named after it (for --secret-volume-mount)."""
    folder = safepath.home_path("aca-secrets", hashlib.sha256(app["id"].lower().encode()).hexdigest()[:12],
                                replica_name)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for secret in app["properties"]["configuration"].get("secrets") or []:
        path = safepath.home_path(("container app secret", secret["name"]), base=folder)
        path.write_text(secret_value(app, secret["name"]) or "")
        path.chmod(0o444)
    return str(folder)


def _registry_auth(app, image, field):
    server = images.server_of(image)
    for reg in app["properties"]["configuration"].get("registries") or []:
        if reg["server"].lower() == server:
            if reg.get("identity") and not reg.get("passwordSecretRef"):
                from azlocal.aca import registry_identity

                kind = "container app job" if "/jobs/" in app["id"].lower() else "container app"
                return registry_identity.pull_auth(app, reg, image, field, kind)
            return {"username": reg["username"], "password": secret_value(app, reg["passwordSecretRef"])}
    return None


def ensure_images(app, template):
    inits = template.get("initContainers") or []
    for c in inits + template["containers"]:
        image = c["image"]
        field = f"{'initContainers' if any(c is i for i in inits) else 'containers'}.{c['name']}"
        try:
            images.ensure_image(image, _registry_auth(app, image, field))
        except images.ImageUnavailable as ex:
            if ex.with_credentials:
                raise AzLocalError(f"(ContainerAppImagePullFailed) Failed to pull image '{image}': {ex}") from ex
            raise AzLocalError(f"(InvalidParameterValueInContainerTemplate) The image '{image}' cannot be "
                               f"pulled: {ex}") from ex


@dataclass
class _Replica:
    """One replica being started: its app, revision, environment, name, labels and volumes."""
    app: dict
    revision: dict
    env_doc: dict
    name: str
    base_labels: dict
    network: object
    started: list
    volumes: dict = field(default_factory=dict)

    def labels(self, **extra):
        return dict(self.base_labels, **{labels.ACA_REPLICA: self.name}, **extra)

    def environment(self, container):
        return _environment(self.app, self.revision["name"], self.name, container, self.env_doc)


def start_replicas(app, revision, env_doc, count, scaler=None):
    """Starts `count` new replicas of a revision: each replica is its containers, sharing one
    network namespace (the first container's), as a pod. `scaler`: the type of the scale rule that
    asked for them (a label, so that rule can take them back)."""
    from azlocal.aca.environments import network_of

    template = revision["properties"]["template"]
    grace = template.get("terminationGracePeriodSeconds")
    extra = {GRACE_LABEL: str(grace)} if grace is not None else {}
    if scaler:
        extra[SCALER_LABEL] = scaler
    base_labels = labels.labels_for(group=group_of(app["id"]), resource_id=app["id"],
                                    **{REVISION_LABEL: revision["name"]}, **extra)
    # Replica names (and their volumes') carry a hash of the home: two homes never share a name.
    pod = labels.name_hash(app["id"], revision["name"])
    net = network_of(env_doc)
    started = []
    try:
        for _ in range(count):
            name = f"{revision['name']}-{pod}-{''.join(random.choices(string.ascii_lowercase + string.digits, k=5))}"
            replica = _Replica(app, revision, env_doc, name, base_labels=base_labels, network=net, started=started)
            events.replica_assigned(app, revision["name"], name)
            replica.volumes = _replica_volumes(replica, template)
            for init in template.get("initContainers") or []:
                _run_init(replica, init)
            _start_pod(replica, template["containers"])
    except BaseException as ex:
        objects.remove_all(started)
        if objects.is_api_error(ex):
            raise AzLocalError(f"(ContainerAppProvisioningFailed) A replica of revision '{revision['name']}' could "
                               f"not start: {objects.api_error_text(ex)}") from ex
        raise
    return started


def _start_pod(replica, containers):
    """The replica's containers: the first owns the namespace and is reached on the environment's
    network; the others join it."""
    head = None
    for index, c in enumerate(containers):
        nano_cpus, mem_limit = workload_profiles.docker_limits(
            replica.env_doc, replica.app["properties"].get("workloadProfileName"), c)
        container = objects.create_container(
            c["image"], name=replica.name if index == 0 else f"{replica.name}-{c['name']}"[:120],
            environment=replica.environment(c), labels=replica.labels(**{labels.ACA_CONTAINER: c["name"]}),
            entrypoint=c.get("command") or None, command=c.get("args") or None,
            nano_cpus=nano_cpus, mem_limit=mem_limit,
            volumes=mounts(c, replica.volumes) or None, restart_policy={"Name": "always"}, detach=True,
            **pods.options(head, replica.network, replica.name[:63]))
        replica.started.append(container)
        if head is None:
            # Other apps of the environment reach this one by its name, or by its internal
            # ingress name, on the environment's network (and only there).
            app = replica.app
            internal = f"{app['name']}.internal.{replica.env_doc['properties']['defaultDomain']}"
            pods.publish_aliases(replica.network, container, [app["name"], internal, replica.name])
            head = container
        container.start()
        events.container_started(replica.app, replica.revision["name"], replica.name, c["name"], c["image"])


def _replica_volumes(replica, template):
    """volume name -> host source for this replica: EmptyDir volumes are Docker volumes shared by the
    replica's containers; the Secret volume is a folder of one file per secret."""
    sources = {}
    for v in template.get("volumes") or []:
        kind = (v.get("storageType") or "EmptyDir").lower()
        if kind == "secret":
            sources[v["name"]] = _secret_volume(replica.app, replica.revision["name"], replica.name)
        elif kind == "emptydir":
            volume = objects.create_volume(f"{replica.name}-{v['name']}"[:120], replica.labels())
            replica.started.append(volume)
            sources[v["name"]] = volume.name
        elif kind == "azurefile":
            sources[v["name"]] = env_storage.volume_source(replica.env_doc, v)
        else:
            raise AzLocalError(f"Volumes of storage type '{v.get('storageType')}' are not available here; use "
                               "EmptyDir, Secret or AzureFile.")
    return sources


def mounts(container, volumes):
    """Docker's volume binds of one container of a replica (apps' and jobs'): {source: {bind, mode}}."""
    mounts = {}
    for m in container.get("volumeMounts") or []:
        if m["volumeName"] not in volumes:
            raise AzLocalError(f"The volume mount '{m['volumeName']}' of container '{container['name']}' names no "
                               "volume.")
        source = env_storage.sub_path(volumes[m["volumeName"]], m.get("subPath"))
        mounts[source] = {"bind": m["mountPath"], "mode": getattr(source, "mode", "rw")}  # ro: a ReadOnly storage
    return mounts


def _run_init(replica, init):
    """Init containers run in order before the replica's containers; each must exit 0."""
    container = objects.create_container(
        init["image"], name=f"{replica.name}-init-{init['name']}"[:120], network=replica.network.id,
        environment=replica.environment(init), volumes=mounts(init, replica.volumes) or None,
        entrypoint=init.get("command") or None, command=init.get("args") or None,
        labels=replica.labels(**{labels.ACA_INIT: init["name"]}))
    replica.started.append(container)
    container.start()
    events.container_started(replica.app, replica.revision["name"], replica.name, init["name"], init["image"], True)
    code = container.wait(timeout=READY_TIMEOUT).get("StatusCode", 1)
    events.container_terminated(replica.app, replica.revision["name"], replica.name, init["name"], code,
                                "Completed" if code == 0 else "Error")
    if code != 0:
        raise AzLocalError(f"(ContainerAppInitContainerFailed) The init container '{init['name']}' exited with code "
                           f"{code}.")


def stop_replicas(app_id, revision_name):
    """Removes a revision's replicas. With a termination grace period, each gets SIGTERM and that many
    seconds to exit (all at once, as Kubernetes does) before it is killed."""
    containers = replicas(app_id, revision_name, include_stopped=True)
    events.replicas_stopping(app_id, revision_name, containers)
    objects.stop_and_remove(containers, lambda container: container.labels.get(GRACE_LABEL))
    for volume in objects.volumes(resource_id=app_id, **{REVISION_LABEL: revision_name}):
        objects.remove(volume)


def stop_replica(app_id, revision_name, replica_name):
    """Removes one replica (its containers and volumes), with the revision's grace period as stop_replicas."""
    containers = [c for c in replicas(app_id, revision_name, include_stopped=True)
                  if c.labels.get(labels.ACA_REPLICA) == replica_name]
    events.replicas_stopping(app_id, revision_name, containers)
    objects.stop_and_remove(containers, lambda container: container.labels.get(GRACE_LABEL))
    for volume in objects.volumes(resource_id=app_id,
                                  **{REVISION_LABEL: revision_name, labels.ACA_REPLICA: replica_name}):
        objects.remove(volume)


def address(container, env_doc):
    from azlocal.aca.environments import network_name

    return objects.address(container, network_name(env_doc))


def pod_heads(app_id, revision_name):
    """The first container of each running replica (the one whose address serves the replica)."""
    heads = {}
    for c in replicas(app_id, revision_name):
        replica = c.labels.get(labels.ACA_REPLICA)
        if c.name == replica:
            heads[replica] = c
    return list(heads.values())


def ready(app, revision_name, env_doc):
    """A revision is ready when all its replicas run and, with ingress, accept connections."""
    ingress = app["properties"]["configuration"].get("ingress")
    rev = get(app, revision_name)
    wanted = replica_count(rev["properties"]["template"]) if rev else 1
    heads = pod_heads(app["id"], revision_name)
    if len(heads) < wanted:
        return False
    for head in heads:
        head.reload()
        if head.attrs["State"]["Status"] != "running":
            return False
        if ingress and ingress.get("targetPort"):
            ip = address(head, env_doc)
            try:
                with socket.create_connection((ip, ingress["targetPort"]), timeout=0.5):
                    pass
            except OSError:
                return False
    return dapr_supervisor.replica_ready(app, heads)  # with Dapr: each replica's sidecar is up


def wait_ready(app, revision_name, env_doc, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready(app, revision_name, env_doc):
            return True
        # a replica that keeps crashing will never be ready
        for c in replicas(app["id"], revision_name, include_stopped=True):
            if c.attrs.get("RestartCount", 0) >= 3:
                events.crash_looping(app, revision_name, c)
                return False
        time.sleep(0.1)
    return False


# Live view ---------------------------------------------------------------------------------------

def weights(app):
    """revision name -> traffic weight, resolving `latestRevision` to the latest ready revision."""
    ingress = app["properties"]["configuration"].get("ingress") or {}
    out = {}
    for entry in ingress.get("traffic") or []:
        name = app["properties"].get("latestReadyRevisionName") if entry.get("latestRevision") else \
            entry.get("revisionName")
        if name:
            out[name] = out.get(name, 0) + int(entry.get("weight") or 0)
    return out


def live(app, revision):
    """A revision's document with its replicas, states and traffic as they are now."""
    rev = json.loads(json.dumps(revision))
    props = rev["properties"]
    heads = pod_heads(app["id"], rev["name"]) if props["active"] else []
    running = [h for h in heads if objects.is_running(h)]
    props["replicas"] = len(running)
    props["trafficWeight"] = weights(app).get(rev["name"], 0) if props["active"] else 0
    if props["provisioningState"] == "Failed":
        props["runningState"], props["healthState"] = "Failed", "Unhealthy"
    elif not props["active"]:
        props["runningState"], props["healthState"] = "Stopped", "None"
    elif running:
        max_replicas = (props["template"].get("scale") or {}).get("maxReplicas") or 10
        props["runningState"] = "RunningAtMaxScale" if len(running) >= max_replicas else "Running"
        props["healthState"] = "Healthy"
    else:
        props["runningState"], props["healthState"] = "Degraded", "Unhealthy"
    return rev
