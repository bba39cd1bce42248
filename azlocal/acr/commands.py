"""az acr: registries, credentials, login and repositories (command table and handlers).

Arguments are in _params, help in _help, table formats in _format."""

from knack.commands import CommandGroup

from azlocal.acr import _help  # noqa: F401 - registers the help entries
from azlocal.acr._console import render, write_stdout
from azlocal.acr._format import (
    credential_table,
    registry_table,
    replication_table,
    run_table,
    task_table,
    usage_table,
    webhook_table,
)
from azlocal.core.conventions import as_bool


def _bool(value):
    return as_bool(value)


def load_commands(loader):
    with CommandGroup(loader, "acr", "azlocal.acr.commands#{}") as g:
        g.command("create", "acr_create", table_transformer=registry_table)
        g.command("show", "acr_show", table_transformer=registry_table)
        g.command("list", "acr_list", table_transformer=registry_table)
        g.command("update", "acr_update", table_transformer=registry_table)
        g.command("delete", "acr_delete")
        g.command("check-name", "acr_check_name")
        g.command("show-usage", "acr_show_usage", table_transformer=usage_table)
        g.command("login", "acr_login")
        g.command("build", "acr_build", table_transformer=run_table)
        g.command("run", "acr_run", table_transformer=run_table)
    with CommandGroup(loader, "acr", "azlocal.acr.commands#{}") as g:
        g.command("import", "acr_import")
    with CommandGroup(loader, "acr manifest", "azlocal.acr.commands#{}", is_preview=True) as g:
        g.command("list-metadata", "manifest_list_metadata")
        g.command("show", "manifest_show")
        g.command("delete", "manifest_delete")
    with CommandGroup(loader, "acr task", "azlocal.acr.commands#{}") as g:
        g.command("create", "task_create", table_transformer=task_table)
        g.command("update", "task_update", table_transformer=task_table)
        g.command("show", "task_show", table_transformer=task_table)
        g.command("list", "task_list", table_transformer=task_table)
        g.command("delete", "task_delete")
        g.command("run", "task_run", table_transformer=run_table)
        g.command("list-runs", "task_list_runs", table_transformer=run_table)
        g.command("show-run", "task_show_run", table_transformer=run_table)
        g.command("logs", "task_logs")
        g.command("cancel-run", "task_cancel_run")
    with CommandGroup(loader, "acr webhook", "azlocal.acr.commands#{}") as g:
        g.command("create", "webhook_create", table_transformer=webhook_table)
        g.command("list", "webhook_list", table_transformer=webhook_table)
        g.command("show", "webhook_show", table_transformer=webhook_table)
        g.command("update", "webhook_update", table_transformer=webhook_table)
        g.command("delete", "webhook_delete")
        g.command("get-config", "webhook_get_config")
        g.command("list-events", "webhook_list_events")
        g.command("ping", "webhook_ping")
    with CommandGroup(loader, "acr replication", "azlocal.acr.commands#{}") as g:
        g.command("create", "replication_create", table_transformer=replication_table)
        g.command("list", "replication_list", table_transformer=replication_table)
        g.command("show", "replication_show", table_transformer=replication_table)
        g.command("delete", "replication_delete")
    with CommandGroup(loader, "acr credential", "azlocal.acr.commands#{}") as g:
        g.command("show", "credential_show", table_transformer=credential_table)
        g.command("renew", "credential_renew", table_transformer=credential_table)
    with CommandGroup(loader, "acr repository", "azlocal.acr.commands#{}") as g:
        g.command("list", "repository_list")
        g.command("show-tags", "repository_show_tags")
        g.command("show-manifests", "repository_show_manifests")
        g.command("show", "repository_show")
        g.command("update", "repository_update")
        g.command("delete", "repository_delete")
        g.command("untag", "repository_untag")


# Registries --------------------------------------------------------------------------------

def acr_create(registry_name, resource_group_name, sku, location=None, admin_enabled=False, tags=None,
               public_network_enabled=None, zone_redundancy=None, default_action=None, allow_trusted_services=None,
               allow_exports=None, allow_metadata_search=None, dnl_scope=None, role_assignment_mode=None,
               regional_endpoints=None, data_endpoint_enabled=None, endpoint_protocol=None, writable_cache_repos=None,
               workspace=None, identity=None, key_encryption_key=None):
    from azlocal.acr import registries
    from azlocal.core.common import Progress, parse_tags

    with Progress():
        return registries.create(
            resource_group_name, registry_name, sku, location, _bool(admin_enabled), parse_tags(tags), dnl_scope,
            identity, key_encryption_key, workspace, zone_redundancy,
            public_network_enabled=_bool(public_network_enabled), default_action=default_action,
            allow_trusted_services=_bool(allow_trusted_services), allow_exports=_bool(allow_exports),
            allow_metadata_search=_bool(allow_metadata_search), role_assignment_mode=role_assignment_mode,
            regional_endpoints=regional_endpoints, data_endpoint_enabled=_bool(data_endpoint_enabled),
            endpoint_protocol=endpoint_protocol, writable_cache_repos=writable_cache_repos)


def acr_show(registry_name, resource_group_name=None):
    from azlocal.acr import registries

    return registries.get(registry_name, resource_group_name)


def acr_list(resource_group_name=None):
    from azlocal.acr import registries

    return registries.list_registries(resource_group_name)


def acr_update(registry_name, resource_group_name=None, sku=None, admin_enabled=None, anonymous_pull_enabled=None,
               tags=None, public_network_enabled=None, default_action=None, allow_trusted_services=None,
               allow_exports=None, allow_metadata_search=None, role_assignment_mode=None, regional_endpoints=None,
               data_endpoint_enabled=None, endpoint_protocol=None, writable_cache_repos=None, set_=None, add=None,
               remove=None, force_string=False):
    from azlocal.acr import registries
    from azlocal.core.common import parse_tags

    return registries.update(
        registry_name, resource_group_name, sku, set_, add, remove, force_string, admin_enabled=_bool(admin_enabled),
        anonymous_pull_enabled=_bool(anonymous_pull_enabled), tags=parse_tags(tags),
        public_network_enabled=_bool(public_network_enabled), default_action=default_action,
        allow_trusted_services=_bool(allow_trusted_services), allow_exports=_bool(allow_exports),
        allow_metadata_search=_bool(allow_metadata_search), role_assignment_mode=role_assignment_mode,
        regional_endpoints=regional_endpoints, data_endpoint_enabled=_bool(data_endpoint_enabled),
        endpoint_protocol=endpoint_protocol, writable_cache_repos=writable_cache_repos)


def acr_delete(registry_name, resource_group_name=None, yes=False):
    from azlocal.acr import registries
    from azlocal.core.common import require_confirmation

    registries.get(registry_name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the registry '{registry_name}'?", yes)
    registries.delete(registry_name, resource_group_name)


def acr_check_name(registry_name, resource_group_name=None, dnl_scope="Unsecure"):
    from azlocal.acr import registries

    return registries.check_name(registry_name, resource_group_name, dnl_scope)


def acr_show_usage(registry_name, resource_group_name=None):
    from azlocal.acr import registries

    return registries.show_usage(registry_name, resource_group_name)


def acr_login(registry_name, resource_group_name=None, expose_token=False, username=None, password=None,
              suffix=None, endpoint=None):
    from azlocal.acr import repositories

    return repositories.login(registry_name, expose_token, username, password, endpoint)


def acr_build(registry_name, source_location, image_names=None, file=None, build_arg=None, secret_build_arg=None,
              no_push=False, no_logs=False, no_wait=False, no_format=False, timeout=None, target=None, platform=None,
              agent_pool_name=None, auth_mode=None, log_template=None, source_acr_auth_id=None,
              resource_group_name=None):
    from azlocal.acr import run_options, runs

    run_options.check_quick_run(agent_pool_name, auth_mode, log_template, source_acr_auth_id)
    return runs.build(registry_name, source_location, image_names or [], file or "Dockerfile",
                      build_args=build_arg or [], secret_build_args=secret_build_arg or [], no_push=no_push,
                      no_logs=no_logs or no_wait, timeout=timeout, target=target, platform=platform,
                      resource_group=resource_group_name, progress=render)


def acr_run(registry_name, source_location, cmd_value=None, file=None, set_value=None, set_secret=None,
            values=None, no_logs=False, no_wait=False, no_format=False, timeout=None, platform=None,
            agent_pool_name=None, auth_mode=None, log_template=None, source_acr_auth_id=None,
            resource_group_name=None):
    from azlocal.acr import run_options, runs
    from azlocal.core.errors import AzLocalError

    if cmd_value and file:
        raise AzLocalError("Azure Container Registry can run with either --cmd myCommand /dev/null or "
                           "-f myFile mySourceLocation, but not both.")
    run_options.check_quick_run(agent_pool_name, auth_mode, log_template, source_acr_auth_id)
    pairs = dict(v.split("=", 1) for v in (set_value or []) + (set_secret or []) if "=" in v)
    if cmd_value:
        return runs.run_cmd(registry_name, cmd_value, source_location, pairs, timeout=timeout,
                            no_logs=no_logs or no_wait, resource_group=resource_group_name, progress=render)
    if not file and source_location in (None, "/dev/null"):
        raise AzLocalError("Please provide --cmd myCommand /dev/null, or -f myFile mySourceLocation.")
    return runs.run_file(registry_name, file or "acb.yaml", source_location, pairs, timeout=timeout,
                         no_logs=no_logs or no_wait, resource_group=resource_group_name, progress=render)


def _first(values):
    """As az: of the positional specifiers, the first is used."""
    return values[0] if values else None


def manifest_list_metadata(registry_name=None, name=None, repo_id=None, orderby=None, top=None, username=None,
                           password=None, suffix=None):
    from azlocal.acr import repositories

    return repositories.manifest_list_metadata(registry_name, name, _first(repo_id), orderby, top, username, password)


def manifest_show(registry_name=None, name=None, manifest_id=None, raw=False, username=None, password=None,
                  suffix=None):
    from azlocal.acr import repositories

    return repositories.manifest_show(registry_name, name, _first(manifest_id), raw, username, password)


def manifest_delete(registry_name=None, name=None, manifest_id=None, yes=False, username=None, password=None,
                    suffix=None):
    from azlocal.acr import repositories

    repositories.manifest_delete(registry_name, name, _first(manifest_id), yes, username, password)


def _pairs(items):
    return dict(i.split("=", 1) for i in items or [] if "=" in i)


def task_create(registry_name, name, context=None, file=None, cmd_value=None, image_names=None, values=None,
                set_value=None, set_secret=None, no_push=False, no_cache=None, status="Enabled", timeout=3600,
                schedule=None, base_image_trigger_enabled=True, base_image_trigger_name=None,
                base_image_trigger_type=None, update_trigger_endpoint=None, update_trigger_payload_type=None,
                commit_trigger_enabled=None, pull_request_trigger_enabled=None, source_trigger_name=None,
                git_access_token=None, arg=None, secret_arg=None, target=None, platform=None, cpu=None,
                agent_pool_name=None, assign_identity=None, auth_mode=None, log_template=None, is_system_task=False,
                source_acr_auth_id=None, resource_group_name=None):
    from azlocal.acr import tasks

    options = dict(agent_pool=agent_pool_name, assign_identity=assign_identity, auth_mode=auth_mode,
                   log_template=log_template, source_acr_auth_id=source_acr_auth_id,
                   is_system_task=is_system_task or None, no_cache=_bool(no_cache),
                   commit_trigger=_bool(commit_trigger_enabled),
                   pull_request_trigger=_bool(pull_request_trigger_enabled),
                   source_trigger_name=source_trigger_name, base_image_trigger_name=base_image_trigger_name,
                   base_image_trigger_type=base_image_trigger_type, update_trigger_endpoint=update_trigger_endpoint,
                   update_trigger_payload_type=update_trigger_payload_type, cpu=cpu, platform=platform)
    if git_access_token:
        _offline_git("--git-access-token")
    task = tasks.create(registry_name, name, context, file, cmd_value, image_names, resource_group_name, values,
                        set_value, _bool(no_push), status, timeout, schedule, _bool(base_image_trigger_enabled), arg,
                        target, secret_arg, set_secret, options)
    if schedule:
        from azlocal.platform import lifecycle

        lifecycle.ensure_running()  # the daemon fires timers
    return task


def _offline_git(option):
    from azlocal.acr import run_options

    run_options.offline(option, "git contexts are not available offline")


def task_update(registry_name, name, status=None, timeout=None, image_names=None, context=None, file=None,
                cmd_value=None, values=None, set_value=None, set_secret=None, arg=None, secret_arg=None, target=None,
                no_push=None, no_cache=None, base_image_trigger_enabled=None, base_image_trigger_type=None,
                update_trigger_endpoint=None, update_trigger_payload_type=None, commit_trigger_enabled=None,
                pull_request_trigger_enabled=None, git_access_token=None, platform=None, cpu=None,
                agent_pool_name=None, auth_mode=None, log_template=None, source_acr_auth_id=None,
                resource_group_name=None):
    from azlocal.acr import tasks

    options = dict(agent_pool=agent_pool_name, auth_mode=auth_mode, log_template=log_template,
                   source_acr_auth_id=source_acr_auth_id, no_cache=_bool(no_cache),
                   commit_trigger=_bool(commit_trigger_enabled),
                   pull_request_trigger=_bool(pull_request_trigger_enabled),
                   base_image_trigger_type=base_image_trigger_type, update_trigger_endpoint=update_trigger_endpoint,
                   update_trigger_payload_type=update_trigger_payload_type, cpu=cpu, platform=platform)
    if git_access_token:
        _offline_git("--git-access-token")
    return tasks.update(registry_name, name, resource_group_name, status, timeout, image_names, context,
                        _bool(base_image_trigger_enabled), file, cmd_value, values, set_value, set_secret, arg,
                        secret_arg, target, _bool(no_push), options)


def task_show(registry_name, name, with_secure_properties=False, resource_group_name=None):
    from azlocal.acr import run_options, tasks

    task = tasks.get(registry_name, name, resource_group_name)
    return run_options.with_secure_properties(task) if with_secure_properties else task


def task_list(registry_name, resource_group_name=None):
    from azlocal.acr import tasks

    return tasks.list_tasks(registry_name, resource_group_name)


def task_delete(registry_name, name, yes=False, resource_group_name=None):
    from azlocal.acr import tasks
    from azlocal.core.common import require_confirmation

    tasks.get(registry_name, name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the task '{name}' ", yes)
    tasks.delete(registry_name, name, resource_group_name)


def task_run(registry_name, name, set_value=None, set_secret=None, arg=None, secret_arg=None, context=None,
             file=None, target=None, no_logs=False, no_wait=False, no_format=False, agent_pool_name=None,
             log_template=None, update_trigger_token=None, resource_group_name=None):
    from azlocal.acr import run_options, tasks

    run_options.check_quick_run(agent_pool_name, None, log_template, None)
    if update_trigger_token:
        run_options.offline("--update-trigger-token", "base image update notifications are not sent")
    overrides = {"arg": arg, "secret_arg": secret_arg, "set_secret": set_secret, "context": context, "file": file,
                 "target": target}
    return tasks.run(registry_name, name, resource_group_name, no_logs or no_wait, _pairs(set_value),
                     overrides=overrides, progress=render)


def task_list_runs(registry_name, name=None, run_status=None, top=15, image=None, resource_group_name=None):
    from azlocal.acr import tasks

    return tasks.list_runs(registry_name, name, run_status, top, image, resource_group_name)


def task_show_run(registry_name, run_id, resource_group_name=None):
    from azlocal.acr import tasks

    return tasks.show_run(registry_name, run_id, resource_group_name)


def task_logs(registry_name, run_id=None, name=None, image=None, no_format=False, resource_group_name=None):
    from azlocal.acr import tasks

    write_stdout(tasks.logs(registry_name, run_id, name, resource_group_name, image))


def task_cancel_run(registry_name, run_id, resource_group_name=None):
    from azlocal.acr import tasks

    tasks.cancel_run(registry_name, run_id, resource_group_name)


def acr_import(registry_name, source, image_names=None, repository=None, source_registry=None, force=False,
               username=None, password=None, no_wait=False, resource_group_name=None):
    from azlocal.acr import registry_import
    from azlocal.core.common import Progress

    with Progress():
        registry_import.import_image(registry_name, source, image_names, source_registry, force, username,
                                     password, resource_group_name, repository)


def webhook_create(registry_name, name, uri, actions, resource_group_name=None, headers=None, scope=None,
                   status="enabled", location=None, tags=None):
    from azlocal.acr import webhooks
    from azlocal.core.common import parse_tags

    return webhooks.create(registry_name, name, uri, actions, resource_group_name, parse_tags(headers), scope,
                           status, location, parse_tags(tags))


def webhook_list(registry_name, resource_group_name=None):
    from azlocal.acr import webhooks

    return webhooks.list_webhooks(registry_name, resource_group_name)


def webhook_show(registry_name, name, resource_group_name=None):
    from azlocal.acr import webhooks

    return webhooks.get(registry_name, name, resource_group_name)


def webhook_update(registry_name, name, resource_group_name=None, uri=None, actions=None, headers=None, scope=None,
                   status=None, tags=None, set_=None, add=None, remove=None, force_string=False):
    from azlocal.acr import webhooks
    from azlocal.core.common import parse_tags

    return webhooks.update(registry_name, name, resource_group_name, uri, actions, parse_tags(headers), scope,
                           status, parse_tags(tags), set_, add, remove, force_string)


def webhook_delete(registry_name, name, resource_group_name=None):
    from azlocal.acr import webhooks

    webhooks.delete(registry_name, name, resource_group_name)


def webhook_get_config(registry_name, name, resource_group_name=None):
    from azlocal.acr import webhooks

    return webhooks.get_config(registry_name, name, resource_group_name)


def webhook_list_events(registry_name, name, resource_group_name=None):
    from azlocal.acr import webhooks

    return webhooks.list_events(registry_name, name, resource_group_name)


def webhook_ping(registry_name, name, resource_group_name=None):
    from azlocal.acr import webhooks

    return webhooks.ping(registry_name, name, resource_group_name)


def replication_create(registry_name, location, name=None, resource_group_name=None, tags=None,
                       global_endpoint_routing="true", zone_redundancy=None):
    from azlocal.acr import replications
    from azlocal.core.common import parse_tags

    return replications.create(registry_name, location, resource_group_name, name, parse_tags(tags),
                               _bool(global_endpoint_routing), zone_redundancy)


def replication_list(registry_name, resource_group_name=None):
    from azlocal.acr import replications

    return replications.list_replications(registry_name, resource_group_name)


def replication_show(registry_name, name, resource_group_name=None):
    from azlocal.acr import replications

    return replications.get(registry_name, name, resource_group_name)


def replication_delete(registry_name, name, resource_group_name=None):
    from azlocal.acr import replications

    replications.delete(registry_name, name, resource_group_name)


def credential_show(registry_name, resource_group_name=None):
    from azlocal.acr import registries

    return registries.credential_show(registry_name, resource_group_name)


def credential_renew(registry_name, password_name, resource_group_name=None):
    from azlocal.acr import registries

    return registries.credential_renew(registry_name, password_name, resource_group_name)


# Repositories ----------------------------------------------------------------------------

def repository_list(registry_name, top=None, username=None, password=None, suffix=None, resource_group_name=None):
    from azlocal.acr import repositories

    return repositories.list_repositories(registry_name, top, username, password)


def repository_show_tags(registry_name, repository, detail=False, orderby=None, top=None, username=None,
                         password=None, suffix=None, resource_group_name=None):
    from azlocal.acr import repositories

    return repositories.show_tags(registry_name, repository, detail, orderby, top, username, password)


def repository_show_manifests(registry_name, repository, detail=False, orderby=None, top=None, username=None,
                              password=None, suffix=None, resource_group_name=None):
    from knack.log import get_logger

    from azlocal.acr import repositories

    get_logger(__name__).warning("This command has been deprecated and will be removed in a future release. "
                                 "Use 'acr manifest list-metadata' instead.")
    return repositories.show_manifests(registry_name, repository, detail, orderby, top, username, password)


def repository_show(registry_name, image=None, repository=None, username=None, password=None, suffix=None,
                    resource_group_name=None):
    from azlocal.acr import repositories

    return repositories.show(registry_name, image, repository, username, password)


def repository_update(registry_name, image=None, repository=None, delete_enabled=None, list_enabled=None,
                      read_enabled=None, write_enabled=None, username=None, password=None, suffix=None,
                      resource_group_name=None):
    from azlocal.acr import repositories

    return repositories.update(registry_name, image, repository, _bool(delete_enabled), _bool(list_enabled),
                               _bool(read_enabled), _bool(write_enabled), username, password)


def repository_delete(registry_name, image=None, repository=None, yes=False, username=None, password=None,
                      suffix=None, resource_group_name=None):
    from azlocal.acr import repositories

    return repositories.delete(registry_name, image, repository, yes, username, password)


def repository_untag(registry_name, image, username=None, password=None, suffix=None, resource_group_name=None):
    from azlocal.acr import repositories

    repositories.untag(registry_name, image, username, password)


def load_arguments(loader, command):
    from azlocal.acr import _params

    _params.load_arguments(loader, command)
