"""A job execution's replicas on the Docker Engine.

A replica is its init containers, run one after the other, then its containers, started together as a pod
(the first owns the network namespace on the environment's network; the others join it). Containers never
restart by themselves: the supervisor (job_executions.advance) reads how they ended and decides (retry,
next phase, done). Every container carries the home's labels, the job's id, the execution's and the
replica's names, so a job's or a group's deletion finds them all."""

import hashlib
import random
import string

from azlocal.aca import env_storage, revisions, workload_profiles
from azlocal.core import safepath
from azlocal.core.errors import AzLocalError
from azlocal.identity import endpoints as identity_endpoints
from azlocal.platform.engine import labels, objects, pods
from azlocal.platform.store import group_of

EXECUTION_LABEL = "azlocal.aca.job-execution"
PHASE_LABEL = "azlocal.aca.job-phase"


def new_replica_name(execution_name):
    return f"{execution_name}-{''.join(random.choices(string.ascii_lowercase + string.digits, k=5))}"


def _docker_name(job_id, replica, suffix=""):
    return f"{replica}-{labels.name_hash(job_id, replica, length=8)}{suffix}"[:120]


def containers_of(job_id, execution_name=None, replica=None):
    wanted = {EXECUTION_LABEL: execution_name} if execution_name else {}
    if replica:
        wanted[labels.ACA_REPLICA] = replica
    return objects.containers(all=True, resource_id=job_id, **wanted)


def _environment(job, execution_name, replica, container):
    values = {"CONTAINER_APP_JOB_NAME": job["name"], "CONTAINER_APP_JOB_EXECUTION_NAME": execution_name,
              "CONTAINER_APP_REPLICA_NAME": replica}
    values.update(identity_endpoints.app_environment(job))  # IDENTITY_ENDPOINT/HEADER when it has an identity
    for e in container.get("env") or []:
        if e.get("secretRef"):
            values[e["name"]] = revisions.secret_value(job, e["secretRef"]) or ""
        else:
            values[e["name"]] = e.get("value") or ""
    return values


def _secret_folder(job, replica):
    folder = safepath.home_path("aca-secrets", hashlib.sha256(job["id"].lower().encode()).hexdigest()[:12], replica)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for secret in job["properties"]["configuration"].get("secrets") or []:
        path = safepath.home_path(("container app job secret", secret["name"]), base=folder)
        path.write_text(revisions.secret_value(job, secret["name"]) or "")
        path.chmod(0o444)
    return str(folder)


def _volumes(job, template, replica, object_labels, env_doc):
    sources = {}
    for v in (job["properties"]["template"].get("volumes") or []) if template.get("volumes") is None else \
            template["volumes"]:
        kind = (v.get("storageType") or "EmptyDir").lower()
        if kind == "secret":
            sources[v["name"]] = _secret_folder(job, replica)
        elif kind == "emptydir":
            volume = objects.create_volume(_docker_name(job["id"], replica, f"-{v['name']}"), object_labels)
            sources[v["name"]] = volume.name
        elif kind == "azurefile":
            sources[v["name"]] = env_storage.volume_source(env_doc, v)  # an environment storage, as for apps
        else:
            raise AzLocalError(f"Volumes of storage type '{v.get('storageType')}' are not mounted into job "
                               "executions here; use EmptyDir, Secret or AzureFile.")
    return sources


_mounts = revisions.mounts  # the same binds as an app's replica (subPath, read-only storages)


def _limits(c, env_doc, job):
    """A container's Docker limits, on the job's workload profile as an app's are on its."""
    nano_cpus, mem_limit = workload_profiles.docker_limits(env_doc, job["properties"].get("workloadProfileName"), c)
    return {"nano_cpus": nano_cpus, "mem_limit": mem_limit}


class Replica:
    """One replica of an execution being started (a phase at a time)."""

    def __init__(self, job, env_doc, execution_name, template, name):
        self.job, self.env_doc, self.execution, self.template, self.name = job, env_doc, execution_name, template, \
            name

    def labels(self, **extra):
        return labels.labels_for(group=group_of(self.job["id"]), resource_id=self.job["id"],
                                 **{EXECUTION_LABEL: self.execution, labels.ACA_REPLICA: self.name}, **extra)

    def _sources(self):
        return _volumes(self.job, self.template, self.name, self.labels(), self.env_doc)

    def start_init(self, index):
        """Starts the index-th init container (the volumes are made with the first)."""
        from azlocal.aca.environments import network_of

        init = self.template["initContainers"][index]
        sources = self._sources() if index == 0 else self._existing_sources()
        c = objects.create_container(
            init["image"], name=_docker_name(self.job["id"], self.name, f"-init-{index}"),
            network=network_of(self.env_doc).id, environment=_environment(self.job, self.execution, self.name, init),
            entrypoint=init.get("command") or None, command=init.get("args") or None,
            volumes=_mounts(init, sources) or None,
            labels=self.labels(**{labels.ACA_INIT: init["name"], PHASE_LABEL: f"init-{index}"}),
            **_limits(init, self.env_doc, self.job))
        c.start()
        return c

    def _existing_sources(self):
        found = {}
        names = {v.name for v in objects.volumes(resource_id=self.job["id"], **{labels.ACA_REPLICA: self.name})}
        for v in self.template.get("volumes") or self.job["properties"]["template"].get("volumes") or []:
            kind = (v.get("storageType") or "EmptyDir").lower()
            if kind == "secret":
                found[v["name"]] = _secret_folder(self.job, self.name)
            elif kind == "azurefile":
                found[v["name"]] = env_storage.volume_source(self.env_doc, v)
            else:
                name = _docker_name(self.job["id"], self.name, f"-{v['name']}")
                if name in names:
                    found[v["name"]] = name
        return found

    def start_main(self, first=True):
        """Starts the replica's containers together (volumes made here when there were no init containers)."""
        from azlocal.aca.environments import network_of

        sources = self._sources() if first else self._existing_sources()
        network, head, started = network_of(self.env_doc), None, []
        try:
            for index, c in enumerate(self.template["containers"]):
                container = objects.create_container(
                    c["image"], name=_docker_name(self.job["id"], self.name, "" if index == 0 else f"-{index}"),
                    environment=_environment(self.job, self.execution, self.name, c),
                    labels=self.labels(**{labels.ACA_CONTAINER: c["name"], PHASE_LABEL: "main"}),
                    entrypoint=c.get("command") or None, command=c.get("args") or None,
                    volumes=_mounts(c, sources) or None, **_limits(c, self.env_doc, self.job),
                    **pods.options(head, network, self.name[:63]))
                started.append(container)
                container.start()
                head = head or container
        except BaseException as ex:
            objects.remove_all(started)
            if objects.is_api_error(ex):
                raise AzLocalError(f"(JobExecutionFailed) A replica of execution '{self.execution}' could not "
                                   f"start: {objects.api_error_text(ex)}") from ex
            raise
        return started


def observe(job_id, execution_name, replica):
    """How a replica's current phase stands: ('running'|'exited'|'missing', phase, exit codes)."""
    found = containers_of(job_id, execution_name, replica)
    if not found:
        return "missing", None, []
    phases = [c.labels.get(PHASE_LABEL, "main") for c in found]
    phase = "main" if "main" in phases else max(phases, key=lambda p: int(p.split("-")[1]))
    current = [c for c, p in zip(found, phases) if p == phase]
    if any(c.status in ("running", "created", "restarting") for c in current):
        return "running", phase, []
    return "exited", phase, [c.attrs.get("State", {}).get("ExitCode", 1) for c in current]


def kill(job_id, execution_name, replica=None):
    """Removes a replica's (or the whole execution's) containers and volumes at once."""
    objects.stop_and_remove(containers_of(job_id, execution_name, replica), lambda c: None)
    wanted = {EXECUTION_LABEL: execution_name} if execution_name else {}
    if replica:
        wanted[labels.ACA_REPLICA] = replica
    for volume in objects.volumes(resource_id=job_id, **wanted):
        objects.remove(volume)


def remove_all(job_id):
    """Every container and volume of a job's executions."""
    objects.stop_and_remove(containers_of(job_id), lambda c: None)
    for volume in objects.volumes(resource_id=job_id):
        objects.remove(volume)
