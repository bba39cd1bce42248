"""Handlers of az acr task timer/credential/identity/update-run, az acr taskrun and az acr agentpool: the
arguments knack parsed, turned into one service call each."""

from azlocal.acr import agentpools, task_credentials, task_identity, task_timers, taskruns
from azlocal.core.console import require_confirmation
from azlocal.core.conventions import as_bool


def _daemon():
    from azlocal.platform import lifecycle

    lifecycle.ensure_running()  # the daemon fires timers


def timer_add(registry_name, name, timer_name, timer_schedule, enabled=True, resource_group_name=None):
    task = task_timers.add(registry_name, name, timer_name, timer_schedule, as_bool(enabled), resource_group_name)
    _daemon()
    return task


def timer_update(registry_name, name, timer_name, timer_schedule=None, enabled=None, resource_group_name=None):
    task = task_timers.update(registry_name, name, timer_name, timer_schedule, as_bool(enabled), resource_group_name)
    _daemon()
    return task


def timer_remove(registry_name, name, timer_name, resource_group_name=None):
    return task_timers.remove(registry_name, name, timer_name, resource_group_name)


def timer_list(registry_name, name, resource_group_name=None):
    return task_timers.list_timers(registry_name, name, resource_group_name)


def credential_add(registry_name, name, login_server, username=None, password=None, use_identity=None,
                   resource_group_name=None):
    return task_credentials.add(registry_name, name, login_server, username, password, use_identity,
                                resource_group_name)


def credential_update(registry_name, name, login_server, username=None, password=None, use_identity=None,
                      resource_group_name=None):
    return task_credentials.update(registry_name, name, login_server, username, password, use_identity,
                                   resource_group_name)


def credential_remove(registry_name, name, login_server, resource_group_name=None):
    return task_credentials.remove(registry_name, name, login_server, resource_group_name)


def credential_list(registry_name, name, resource_group_name=None):
    return task_credentials.list_credentials(registry_name, name, resource_group_name)


def identity_assign(registry_name, name, identities=None, resource_group_name=None):
    return task_identity.assign(registry_name, name, identities, resource_group_name)


def identity_remove(registry_name, name, identities=None, resource_group_name=None):
    return task_identity.remove(registry_name, name, identities, resource_group_name)


def identity_show(registry_name, name, resource_group_name=None):
    return task_identity.show(registry_name, name, resource_group_name)


def update_run(registry_name, run_id, no_archive=None, resource_group_name=None):
    return taskruns.update_run(registry_name, run_id, as_bool(no_archive), resource_group_name)


# Taskruns -------------------------------------------------------------------------------------

def taskrun_list(registry_name, resource_group_name=None):
    return taskruns.list_taskruns(registry_name, resource_group_name)


def taskrun_show(registry_name, name, resource_group_name=None):
    return taskruns.get(registry_name, name, resource_group_name)


def taskrun_logs(registry_name, name, no_format=False, resource_group_name=None):
    from azlocal.acr import tasks
    from azlocal.acr._console import write_stdout

    run_id = (taskruns.get(registry_name, name, resource_group_name).get("runResult") or {}).get("runId")
    write_stdout(tasks.logs(registry_name, run_id, None, resource_group_name))


def taskrun_delete(registry_name, name, yes=False, resource_group_name=None):
    require_confirmation(f"Are you sure you want to delete the taskrun '{name}' ", yes)
    taskruns.delete(registry_name, name, resource_group_name)


# Agent pools ----------------------------------------------------------------------------------

def agentpool_create(registry_name, name, count=1, tier="S1", os_type="Linux", subnet_id=None, no_wait=False,
                     resource_group_name=None):
    return agentpools.create(registry_name, name, resource_group_name)


def agentpool_update(registry_name, name, count=None, no_wait=False, resource_group_name=None):
    return agentpools.update(registry_name, name, resource_group_name)


def agentpool_delete(registry_name, name, no_wait=False, yes=False, resource_group_name=None):
    agentpools.get(registry_name, name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the agent pool '{name}'?", yes)


def agentpool_list(registry_name, resource_group_name=None):
    return agentpools.list_pools(registry_name, resource_group_name)


def agentpool_show(registry_name, name, queue_count=False, resource_group_name=None):
    return agentpools.get(registry_name, name, resource_group_name)
