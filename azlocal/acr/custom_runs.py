"""Handlers of az acr build, az acr run and az acr task: the arguments knack parsed, turned into service
calls; a run's progress is rendered on the console (acr._console)."""

from azlocal.acr import run_options, runs, task_credentials, tasks
from azlocal.acr._console import render, write_stdout
from azlocal.core.console import require_confirmation
from azlocal.core.conventions import as_bool
from azlocal.core.parsing import pairs_dict


def _values(*lists):
    """`--set`/`--set-secret` values of a run as a dict; an item without `=` is left out."""
    return pairs_dict([v for items in lists for v in items or [] if "=" in v])


def acr_build(registry_name, source_location, image_names=None, file=None, build_arg=None, secret_build_arg=None,
              no_push=False, no_logs=False, no_wait=False, no_format=False, timeout=None, target=None, platform=None,
              agent_pool_name=None, auth_mode=None, log_template=None, source_acr_auth_id=None,
              resource_group_name=None):
    run_options.check_quick_run(agent_pool_name, auth_mode, log_template, source_acr_auth_id)
    return runs.build(registry_name, source_location, image_names or [], file or "Dockerfile",
                      build_args=build_arg or [], secret_build_args=secret_build_arg or [], no_push=no_push,
                      no_logs=no_logs or no_wait, timeout=timeout, target=target, platform=platform,
                      resource_group=resource_group_name, progress=render)


def acr_run(registry_name, source_location, cmd_value=None, file=None, set_value=None, set_secret=None,
            values=None, no_logs=False, no_wait=False, no_format=False, timeout=None, platform=None,
            agent_pool_name=None, auth_mode=None, log_template=None, source_acr_auth_id=None,
            resource_group_name=None):
    options = dict(agent_pool=agent_pool_name, auth_mode=auth_mode, log_template=log_template,
                   source_acr_auth_id=source_acr_auth_id)
    return runs.quick_run(registry_name, source_location, cmd=cmd_value, file=file,
                          values=_values(set_value, set_secret), timeout=timeout, no_logs=no_logs or no_wait,
                          resource_group=resource_group_name, options=options, progress=render)


# Tasks ----------------------------------------------------------------------------------------

def _task_options(**options):
    """The task options run_options applies, the three-state flags as booleans."""
    for flag in ("no_cache", "commit_trigger", "pull_request_trigger"):
        options[flag] = as_bool(options[flag])
    return options


def task_create(registry_name, name, context=None, file=None, cmd_value=None, image_names=None, values=None,
                set_value=None, set_secret=None, no_push=False, no_cache=None, status="Enabled", timeout=3600,
                schedule=None, base_image_trigger_enabled=True, base_image_trigger_name=None,
                base_image_trigger_type=None, update_trigger_endpoint=None, update_trigger_payload_type=None,
                commit_trigger_enabled=None, pull_request_trigger_enabled=None, source_trigger_name=None,
                git_access_token=None, arg=None, secret_arg=None, target=None, platform=None, cpu=None,
                agent_pool_name=None, assign_identity=None, auth_mode=None, log_template=None, is_system_task=False,
                source_acr_auth_id=None, resource_group_name=None):
    options = _task_options(
        agent_pool=agent_pool_name, assign_identity=assign_identity, auth_mode=auth_mode, log_template=log_template,
        source_acr_auth_id=source_acr_auth_id, is_system_task=is_system_task or None, no_cache=no_cache,
        commit_trigger=commit_trigger_enabled, pull_request_trigger=pull_request_trigger_enabled,
        source_trigger_name=source_trigger_name, base_image_trigger_name=base_image_trigger_name,
        base_image_trigger_type=base_image_trigger_type, update_trigger_endpoint=update_trigger_endpoint,
        update_trigger_payload_type=update_trigger_payload_type, cpu=cpu, platform=platform,
        git_access_token=git_access_token)
    task = tasks.create(
        registry_name, name, resource_group_name, context=context, file=file, cmd=cmd_value, images=image_names,
        values=values, set_values=set_value, no_push=as_bool(no_push), status=status, timeout=timeout,
        schedule=schedule, base_image_trigger=as_bool(base_image_trigger_enabled), build_args=arg, target=target,
        secret_args=secret_arg, set_secrets=set_secret, options=options)
    if schedule:
        from azlocal.platform import lifecycle

        lifecycle.ensure_running()  # the daemon fires timers
    return task


def task_update(registry_name, name, status=None, timeout=None, image_names=None, context=None, file=None,
                cmd_value=None, values=None, set_value=None, set_secret=None, arg=None, secret_arg=None, target=None,
                no_push=None, no_cache=None, base_image_trigger_enabled=None, base_image_trigger_type=None,
                update_trigger_endpoint=None, update_trigger_payload_type=None, commit_trigger_enabled=None,
                pull_request_trigger_enabled=None, git_access_token=None, platform=None, cpu=None,
                agent_pool_name=None, auth_mode=None, log_template=None, source_acr_auth_id=None,
                resource_group_name=None):
    options = _task_options(
        agent_pool=agent_pool_name, auth_mode=auth_mode, log_template=log_template,
        source_acr_auth_id=source_acr_auth_id, no_cache=no_cache, commit_trigger=commit_trigger_enabled,
        pull_request_trigger=pull_request_trigger_enabled, base_image_trigger_type=base_image_trigger_type,
        update_trigger_endpoint=update_trigger_endpoint, update_trigger_payload_type=update_trigger_payload_type,
        cpu=cpu, platform=platform, git_access_token=git_access_token)
    return tasks.update(
        registry_name, name, resource_group_name, status=status, timeout=timeout,
        base_image_trigger=as_bool(base_image_trigger_enabled), options=options, images=image_names,
        context=context, file=file, cmd=cmd_value, values=values, set_values=set_value, set_secrets=set_secret,
        build_args=arg, secret_args=secret_arg, target=target, no_push=as_bool(no_push))


def task_show(registry_name, name, with_secure_properties=False, resource_group_name=None):
    task = tasks.get(registry_name, name, resource_group_name)
    if not with_secure_properties:
        return task
    return task_credentials.with_secrets(run_options.with_secure_properties(task))


def task_list(registry_name, resource_group_name=None):
    return tasks.list_tasks(registry_name, resource_group_name)


def task_delete(registry_name, name, yes=False, resource_group_name=None):
    task = tasks.get(registry_name, name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the task '{name}' ", yes)
    tasks.delete(registry_name, name, resource_group_name)
    task_credentials.forget(task)


def task_run(registry_name, name, set_value=None, set_secret=None, arg=None, secret_arg=None, context=None,
             file=None, target=None, no_logs=False, no_wait=False, no_format=False, agent_pool_name=None,
             log_template=None, update_trigger_token=None, resource_group_name=None):
    run_options.check_quick_run(agent_pool_name, None, log_template, None)
    if update_trigger_token:
        run_options.offline("--update-trigger-token", "base image update notifications are not sent")
    overrides = {"arg": arg, "secret_arg": secret_arg, "set_secret": set_secret, "context": context, "file": file,
                 "target": target}
    with task_credentials.activated(tasks.get(registry_name, name, resource_group_name)):  # its runs' logins
        return tasks.run(registry_name, name, resource_group_name, no_logs or no_wait, _values(set_value),
                         overrides=overrides, progress=render)


def task_list_runs(registry_name, name=None, run_status=None, top=15, image=None, resource_group_name=None):
    return tasks.list_runs(registry_name, name, run_status, top, image, resource_group_name)


def task_show_run(registry_name, run_id, resource_group_name=None):
    return tasks.show_run(registry_name, run_id, resource_group_name)


def task_logs(registry_name, run_id=None, name=None, image=None, no_format=False, resource_group_name=None):
    write_stdout(tasks.logs(registry_name, run_id, name, resource_group_name, image))


def task_cancel_run(registry_name, run_id, resource_group_name=None):
    tasks.cancel_run(registry_name, run_id, resource_group_name)
