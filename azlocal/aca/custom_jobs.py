"""Handlers of az containerapp job …: each turns the arguments into one service call (the signatures are
the commands' arguments, named as az 2.91 names them)."""

from azlocal.aca import job_config, job_executions, job_spec, job_yaml, jobs
from azlocal.aca.definition import DEFAULT_IMAGE, parse_secrets
from azlocal.core import arm
from azlocal.core.common import parse_tags
from azlocal.core.errors import ValidationError

_YAML_IGNORES = ("image", "trigger_type", "replica_timeout", "replica_retry_limit", "cron_expression", "cpu",
                 "memory", "registry_server", "registry_user", "registry_pass", "secrets", "env_vars",
                 "startup_command", "args", "tags")


def _flag_spec(a):
    """create's flags -> jobs.create's arguments (as az builds the job it sends)."""
    if a["replica_timeout"] is None:
        raise ValidationError("Usage error: --replica-timeout is required")
    if a["replica_retry_limit"] is None:
        raise ValidationError("Usage error: --replica-retry-limit is required")
    if a["managed_env"] is None:
        raise ValidationError("Usage error: --environment is required if not using --yaml")
    kind = job_spec.trigger_type(a["trigger_type"])
    if kind != "Schedule":
        a = dict(a, cron_expression=None)  # az sends it only in a Schedule trigger's block, silently
    scale = None
    if kind == "Event":
        rule = job_spec.scale_rule(a["scale_rule_name"], a["scale_rule_type"], a["scale_rule_metadata"],
                                   a["scale_rule_auth"]) if a["scale_rule_name"] else None
        scale = job_spec.event_scale(a["min_executions"], a["max_executions"], a["polling_interval"], rule)
    new_secrets = parse_secrets(a["secrets"]) if a["secrets"] else {}
    registries = job_config.registry_for_create(a["registry_server"], a["registry_user"], a["registry_pass"],
                                                a["registry_identity"], new_secrets)
    configuration = {"triggerType": kind, "replicaTimeout": a["replica_timeout"],
                     "replicaRetryLimit": a["replica_retry_limit"], "registries": registries,
                     job_spec.CONFIG_KEY[kind]: job_spec.trigger_block(
                         kind, parallelism=a["parallelism"], completions=a["replica_completion_count"],
                         cron_expression=a["cron_expression"], scale=scale)}
    container = job_spec.container(a["container_name"] or a["name"], a["image"] or DEFAULT_IMAGE,
                                   cpu=a["cpu"], memory=a["memory"], env_vars=a["env_vars"],
                                   command=a["startup_command"], args=a["args"])
    identity = None
    if a["system_assigned"] or a["user_assigned"] or a["registry_identity"]:
        from azlocal.aca import containerapps_options as options
        from azlocal.aca.identities import user_identity_id

        # names of identities in the job's group, as az's _ensure_identity_resource_id makes them ids
        users = [user_identity_id(a["resource_group_name"], u) for u in a["user_assigned"] or []]
        reg = a["registry_identity"]
        if reg and not options.is_system(reg):
            users.append(reg)
        identity = options.identity_doc(None, a["system_assigned"] or options.is_system(reg), users)
    return {"environment": a["managed_env"], "configuration": configuration,
            "template": {"containers": [container], "initContainers": None, "volumes": None},
            "new_secrets": new_secrets, "identity": identity, "tags": parse_tags(a["tags"]),
            "workload_profile_name": a["workload_profile_name"], "grant_pull": bool(a["registry_identity"])}


def job_create(name, resource_group_name, yaml=None, image=None, container_name=None, managed_env=None,
               trigger_type=None, replica_timeout=None, replica_retry_limit=None, replica_completion_count=1,
               parallelism=1, cron_expression=None, secrets=None, env_vars=None, cpu=None, memory=None,
               registry_server=None, registry_user=None, registry_pass=None, startup_command=None, args=None,
               scale_rule_metadata=None, scale_rule_name=None, scale_rule_type=None, scale_rule_auth=None,
               polling_interval=None, min_executions=None, max_executions=None, tags=None, no_wait=False,
               system_assigned=False, user_assigned=None, registry_identity=None, workload_profile_name=None):
    if managed_env and not managed_env.startswith("/"):  # az's validator makes a name an id in -g
        managed_env = arm.resource_id(resource_group_name, "Microsoft.App/managedEnvironments", managed_env)
    a = locals()
    job_spec.check_name(name)
    if yaml:
        others = any(a[k] for k in _YAML_IGNORES) or replica_completion_count != 1 or parallelism != 1
        spec = job_yaml.create_spec(job_yaml.read(yaml), name, managed_env, other_flags=others)
    else:
        spec = _flag_spec(a)
    return jobs.without_sensitive_values(jobs.create(resource_group_name, name, **spec))


def job_update(name, resource_group_name, yaml=None, image=None, container_name=None, replica_timeout=None,
               replica_retry_limit=None, replica_completion_count=None, parallelism=None, cron_expression=None,
               set_env_vars=None, remove_env_vars=None, replace_env_vars=None, remove_all_env_vars=False, cpu=None,
               memory=None, startup_command=None, args=None, scale_rule_metadata=None, scale_rule_name=None,
               scale_rule_type=None, scale_rule_auth=None, polling_interval=None, min_executions=None,
               max_executions=None, tags=None, workload_profile_name=None, no_wait=False):
    if yaml:
        job = jobs.replace(resource_group_name, name, job_yaml.job_document(job_yaml.read(yaml), name))
        return jobs.without_sensitive_values(job)
    job = jobs.update(resource_group_name, name, tags=parse_tags(tags), workload_profile_name=workload_profile_name,
                      image=image, container_name=container_name, replica_timeout=replica_timeout,
                      replica_retry_limit=replica_retry_limit, replica_completion_count=replica_completion_count,
                      parallelism=parallelism, cron_expression=cron_expression, set_env_vars=set_env_vars,
                      remove_env_vars=remove_env_vars, replace_env_vars=replace_env_vars,
                      remove_all_env_vars=remove_all_env_vars, cpu=cpu, memory=memory, command=startup_command,
                      args=args, scale_rule_metadata=scale_rule_metadata, scale_rule_name=scale_rule_name,
                      scale_rule_type=scale_rule_type, scale_rule_auth=scale_rule_auth,
                      polling_interval=polling_interval, min_executions=min_executions,
                      max_executions=max_executions)
    return jobs.without_sensitive_values(job)


def job_show(name, resource_group_name):
    return jobs.get(resource_group_name, name)


def job_list(resource_group_name=None):
    return jobs.list_jobs(resource_group_name)


def job_delete(name, resource_group_name, no_wait=False):
    jobs.delete(resource_group_name, name)


def job_start(name, resource_group_name, image=None, container_name=None, env_vars=None, startup_command=None,
              args=None, cpu=None, memory=None, registry_identity=None, yaml=None, no_wait=False):
    job = jobs.get(resource_group_name, name)
    if yaml:
        template = job_yaml.execution_template(job_yaml.read(yaml))
    else:
        template = job_executions.override_template(job, image=image, container_name=container_name,
                                                    env_vars=env_vars, command=startup_command, args=args, cpu=cpu,
                                                    memory=memory)
    execution = jobs.start_execution(job, template)
    return {"id": execution["id"], "name": execution["name"]}


def job_stop(name, resource_group_name, job_execution_name=None, execution_name_list=None, no_wait=False):
    if execution_name_list is not None:
        return "--execution-name-list is deprecated. Please use --job-execution-name instead."
    job = jobs.get(resource_group_name, name)
    if job_execution_name:
        job_executions.stop(job, job_executions.get(job, job_execution_name))
        return "Job Execution: " + job_execution_name + ", stopped successfully."
    stopped = [job_executions.stop(job, e) for e in job_executions.list_executions(job)
               if e["properties"]["status"] == job_executions.RUNNING]
    return {"value": stopped}


def _current(job, execution):
    if execution["properties"]["status"] == job_executions.RUNNING:
        return job_executions.advance(job, execution)
    return execution


def execution_list(name, resource_group_name):
    job = jobs.get(resource_group_name, name)
    return [_current(job, e) for e in job_executions.list_executions(job)]


def execution_show(name, resource_group_name, job_execution_name):
    job = jobs.get(resource_group_name, name)
    return _current(job, job_executions.get(job, job_execution_name))


def secret_list(name, resource_group_name, show_values=False):
    return job_config.secret_list(resource_group_name, name, show_values)


def secret_show(name, resource_group_name, secret_name):
    return job_config.secret_show(resource_group_name, name, secret_name)


def secret_set(name, resource_group_name, secrets):
    return job_config.secret_set(resource_group_name, name, secrets)


def secret_remove(name, resource_group_name, secret_names):
    return job_config.secret_remove(resource_group_name, name, secret_names)


def registry_list(name, resource_group_name):
    return job_config.registry_list(resource_group_name, name)


def registry_show(name, resource_group_name, server):
    return job_config.registry_show(resource_group_name, name, server)


def registry_set(name, resource_group_name, server, username=None, password=None, identity=None):
    return job_config.registry_set(resource_group_name, name, server, username, password, identity)


def registry_remove(name, resource_group_name, server):
    return job_config.registry_remove(resource_group_name, name, server)
