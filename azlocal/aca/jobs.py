"""Container-app jobs (Microsoft.App/jobs): create (from flags or YAML), show, list, update, delete.

A job is one row (the document `show` prints; secret names only, their values in the secret store under
the job's prefix). Its executions are rows under it (see job_executions); their containers carry the
home's labels and the job's id, so deleting the job or its group removes them (cleanup_job)."""

import json

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import environments, job_spec, keyvault_refs, revisions
from azlocal.core import arm, settings
from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform import secrets
from azlocal.platform.store import group_of, store
from azlocal.resources import groups

JOB_TYPE = "Microsoft.App/jobs"
logger = get_logger(__name__)


def job_id(group, name):
    return arm.resource_id(group, JOB_TYPE, name)


def get(resource_group, name):
    groups.get(resource_group)
    return store().require(job_id(resource_group, name), not_found(JOB_TYPE, name, resource_group))


def require(resource_group, name):
    """The job, or az's 'does not exist' (the wording of the secret, registry and update commands)."""
    groups.get(resource_group)
    doc = store().get(job_id(resource_group, name))
    if doc is None:
        raise ResourceNotFound(f"The containerapp job '{name}' does not exist")
    return doc


def list_jobs(resource_group=None):
    if resource_group:
        groups.get(resource_group)
    return store().list(type=JOB_TYPE, resource_group=resource_group)


def save(*docs):
    s = store()
    with s.transaction():
        for doc in docs:
            s.put(doc)


def secret_key(job, name):
    return revisions.secret_key(job, name)


def secret_value(job, name):
    return revisions.secret_value(job, name)


def secret_names(job):
    return [s["name"] for s in job["properties"]["configuration"].get("secrets") or []]


def environment_of(job):
    return store().get(job["properties"]["environmentId"])


# Create ------------------------------------------------------------------------------------------

def _event_stream(env_doc, group, name):
    region = environments.region_of(env_doc["location"])
    return (f"https://{region}.azurecontainerapps.dev/subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/"
            f"{group}/containerApps/{name}/eventstream")


def document(group, name, env_doc, configuration, template, *, identity=None, tags=None, profile=None):
    now = arm.utc_now()
    configuration = dict(configuration)
    configuration.setdefault("identitySettings", [])
    configuration["registries"] = configuration.get("registries") or None
    configuration["secrets"] = configuration.get("secrets") or None
    return {
        "id": job_id(group, name), "identity": identity or {"type": "None"}, "location": env_doc["location"],
        "name": name,
        "properties": {
            "configuration": configuration, "environmentId": env_doc["id"],
            "eventStreamEndpoint": _event_stream(env_doc, group, name), "provisioningState": "Succeeded",
            "runningState": "Ready", "template": template, "workloadProfileName": profile,
        },
        "systemData": {"createdAt": now, "createdBy": settings.USER_NAME, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": settings.USER_NAME, "lastModifiedByType": "User"},
        "tags": tags, "type": JOB_TYPE,
    }


def _profile(env_doc, name):
    return options.workload_profile(env_doc, name) or \
        ("Consumption" if env_doc["properties"].get("workloadProfiles") else None)


def create(resource_group, name, *, environment, configuration, template, new_secrets, identity=None, tags=None,
           workload_profile_name=None, grant_pull=False):
    """A PUT: `configuration` without secrets' values (`new_secrets` holds them), `template` the containers.
    Nothing is stored when a check fails; an existing job is replaced (its secrets too). `grant_pull`: give the
    registries' identities AcrPull first, as az's `job create --registry-identity` does."""
    group = groups.get(resource_group)["name"]
    job_spec.check_name(name)
    if not environment:
        raise ValidationError("Usage error: --environment is required if not using --yaml")
    env_doc = environments.resolve_id(environment, group)
    configuration = json.loads(json.dumps(configuration))
    configuration["secrets"] = keyvault_refs.entries(new_secrets, new_secrets) or None
    job_spec.check_configuration(configuration, list(new_secrets))
    job_spec.check_secret_refs(template, list(new_secrets))
    existing = store().get(job_id(group, name))
    if existing is not None and existing["properties"]["environmentId"].lower() != env_doc["id"].lower():
        raise ValidationError(f"(JobEnvironmentCannotBeChanged) The job '{name}' already runs in environment "
                              f"'{existing['properties']['environmentId'].rsplit('/', 1)[-1]}'; a job cannot move "
                              "to another environment.")
    job = document(group, name, env_doc, configuration, template, identity=identity, tags=tags,
                   profile=_profile(env_doc, workload_profile_name))
    keyvault_refs.check(job, new_secrets)
    if existing is not None:
        job["systemData"].update({k: existing["systemData"][k] for k in ("createdAt", "createdBy", "createdByType")})
        for old in secret_names(existing):
            if old.lower() not in (k.lower() for k in new_secrets):
                secrets.delete_secret(secret_key(job, old))
    for key, value in new_secrets.items():
        secrets.set_secret(secret_key(job, key), value)
    if grant_pull:
        from azlocal.aca import registry_identity

        for registry in configuration.get("registries") or []:
            registry_identity.grant_for(job, registry)
    try:
        revisions.ensure_images(job, template)
    except BaseException:
        if existing is None:
            cleanup_job(job)
        raise
    save(job)
    if job["properties"]["configuration"]["triggerType"] != "Manual":
        _ensure_daemon()
    return job


def without_sensitive_values(job):
    """What create and update print (az transforms their answer): no env values, scale rules' metadata keys
    with empty values; `show` has them all."""
    job = json.loads(json.dumps(job))
    for c in job["properties"]["template"].get("containers") or []:
        for e in c.get("env") or []:
            if e.get("value"):
                del e["value"]
    block = job["properties"]["configuration"].get("eventTriggerConfig") or {}
    for rule in (block.get("scale") or {}).get("rules") or []:
        if rule.get("metadata"):
            rule["metadata"] = {k: "" for k in rule["metadata"]}
    return job


def _ensure_daemon():
    """Schedule and Event jobs fire from the daemon's timers."""
    from azlocal.platform import lifecycle

    lifecycle.ensure_running()


def start_execution(job, template):
    """`job start` (and the daemon's triggers): the images ready, then an execution whose replicas the
    daemon supervises after this process is gone."""
    from azlocal.aca import job_executions

    job_spec.check_secret_refs(template, secret_names(job))
    revisions.ensure_images(job, template)
    execution = job_executions.start(job, template)
    _ensure_daemon()
    return execution


# Update ------------------------------------------------------------------------------------------

def _target(containers, container_name, image):
    if not container_name:
        if len(containers) == 1:
            return containers[0]
        raise ValidationError("Usage error: --container-name is required when adding or updating a container")
    for c in containers:
        if c["name"].lower() == container_name.lower():
            return c
    if image is None:
        raise ValidationError("Usage error: --image is required when adding a new container")
    c = {"image": image, "name": container_name, "resources": job_spec.resources()}
    containers.append(c)
    return c


def _apply_env(c, changes):
    env = list(c.get("env") or [])
    if changes.get("replace_env_vars") is not None:
        env = []
    from azlocal.aca.definition import parse_env_vars

    for var in parse_env_vars(changes.get("replace_env_vars")) + parse_env_vars(changes.get("set_env_vars")):
        env = [e for e in env if e["name"] != var["name"]] + [var]
    for var_name in changes.get("remove_env_vars") or []:
        env = [e for e in env if e["name"] != var_name]
    if changes.get("remove_all_env_vars"):
        env = []
    if env:
        c["env"] = env
    else:
        c.pop("env", None)


CONTAINER_CHANGES = ("image", "container_name", "cpu", "memory", "set_env_vars", "remove_env_vars",
                     "replace_env_vars", "remove_all_env_vars", "command", "args")


def _apply_container(template, changes):
    if not any(changes.get(k) not in (None, False) for k in CONTAINER_CHANGES):
        return
    c = _target(template["containers"], changes.get("container_name"), changes.get("image"))
    if changes.get("image"):
        c["image"] = changes["image"]
    res = c.get("resources") or {}
    c["resources"] = job_spec.resources(changes["cpu"] if changes.get("cpu") is not None else res.get("cpu"),
                                        changes.get("memory") or res.get("memory"))
    _apply_env(c, changes)
    for key in ("command", "args"):
        if changes.get(key) is not None:
            if changes[key]:
                c[key] = list(changes[key])
            else:
                c.pop(key, None)


def _apply_trigger(configuration, changes):
    kind = configuration["triggerType"]
    block = dict(configuration.get(job_spec.CONFIG_KEY[kind]) or {})
    if changes.get("cron_expression") and kind == "Schedule":  # other triggers: az drops it, silently
        block["cronExpression"] = changes["cron_expression"]
    for key, field in (("parallelism", "parallelism"), ("replica_completion_count", "replicaCompletionCount")):
        if changes.get(key) is not None:
            block[field] = changes[key]
    scale_keys = ("min_executions", "max_executions", "polling_interval", "scale_rule_name")
    if any(changes.get(k) is not None for k in scale_keys):
        if kind != "Event":
            raise ValidationError("Usage error: the scale settings (--min-executions, --max-executions, "
                                  "--polling-interval, --scale-rule-*) apply to trigger type \"Event\" only; this "
                                  f"job's trigger type is '{kind}'.")
        scale = dict(block.get("scale") or {})
        for key, field in (("min_executions", "minExecutions"), ("max_executions", "maxExecutions"),
                           ("polling_interval", "pollingInterval")):
            if changes.get(key) is not None:
                scale[field] = changes[key]
        if changes.get("scale_rule_name"):
            rule = job_spec.scale_rule(changes["scale_rule_name"], changes.get("scale_rule_type"),
                                       changes.get("scale_rule_metadata"), changes.get("scale_rule_auth"))
            rules = [r for r in scale.get("rules") or [] if r.get("name") != rule["name"]]
            scale["rules"] = rules + [rule]
        block["scale"] = scale
    configuration[job_spec.CONFIG_KEY[kind]] = block


def update(resource_group, name, *, tags=None, workload_profile_name=None, **changes):
    """A PATCH from `job update`'s flags: replica settings, trigger settings, one container, tags."""
    job = require(resource_group, name)
    env_doc = environment_of(job)
    new = json.loads(json.dumps(job))
    configuration = new["properties"]["configuration"]
    for key, field in (("replica_timeout", "replicaTimeout"), ("replica_retry_limit", "replicaRetryLimit")):
        if changes.get(key) is not None:
            configuration[field] = changes[key]
    _apply_trigger(configuration, changes)
    job_spec.check_configuration(configuration, secret_names(new))
    template = new["properties"]["template"]
    _apply_container(template, changes)
    job_spec.check_secret_refs(template, secret_names(new))
    if workload_profile_name:
        new["properties"]["workloadProfileName"] = options.workload_profile(env_doc, workload_profile_name)
    if tags is not None:
        new["tags"] = tags or None
    if template != job["properties"]["template"]:
        revisions.ensure_images(new, template)
    new["systemData"]["lastModifiedAt"] = arm.utc_now()
    save(new)
    return new


def replace(resource_group, name, doc):
    """`update --yaml`: the YAML's configuration and template over the job's (its environment stays)."""
    job = require(resource_group, name)
    new = json.loads(json.dumps(job))
    props = doc.get("properties") or {}
    configuration = dict(new["properties"]["configuration"])
    for key, value in (props.get("configuration") or {}).items():
        if key not in ("secrets", "registries") or value is not None:
            configuration[key] = value
    from azlocal.aca import job_yaml

    new_secrets = job_yaml.secrets_of(props)
    if new_secrets:
        keyvault_refs.check(new, new_secrets)
        configuration["secrets"] = keyvault_refs.entries(list(dict.fromkeys(secret_names(job) + list(new_secrets))),
                                                         new_secrets, job["properties"]["configuration"].get("secrets"))
    else:
        configuration["secrets"] = job["properties"]["configuration"].get("secrets")
    job_spec.check_configuration(configuration, [s["name"] for s in configuration["secrets"] or []])
    if props.get("template"):
        new["properties"]["template"] = job_spec.normalise_template(props["template"])
    job_spec.check_secret_refs(new["properties"]["template"], [s["name"] for s in configuration["secrets"] or []])
    new["properties"]["configuration"] = configuration
    if doc.get("tags") is not None:
        new["tags"] = doc["tags"]
    revisions.ensure_images(new, new["properties"]["template"])
    for key, value in new_secrets.items():
        secrets.set_secret(secret_key(new, key), value)
    new["systemData"]["lastModifiedAt"] = arm.utc_now()
    save(new)
    return new


# Delete ------------------------------------------------------------------------------------------

def delete(resource_group, name):
    job = get(resource_group, name)
    cleanup_job(job)
    s = store()
    with s.transaction():
        s.delete_children(job["id"])
        s.delete(job["id"])


def cleanup_job(doc):
    """What deleting `doc`'s group removes outside the store: the executions' containers and volumes, the
    job's secrets, the executions' rows and supervision state."""
    from azlocal.aca import job_runtime

    job_runtime.remove_all(doc["id"])
    secrets.delete_prefix(secrets.resource_prefix("aca", doc["id"]))
    from azlocal.aca import job_executions

    job_executions.forget_all(doc)


def group_of_job(job):
    return group_of(job["id"])
