"""Handlers of az containerapp create/update/show/list/delete/browse/exec/up and logs show: each turns
the arguments into a service call (the signatures are the commands' arguments)."""

import sys

from azlocal.aca import containerapps as apps
from azlocal.aca import definition as definitions
from azlocal.aca import replicas
from azlocal.core.console import Progress
from azlocal.core.conventions import as_bool


def _read(path):
    from azlocal.core.errors import AzLocalError

    try:
        with open(path) as f:
            return f.read()
    except OSError as ex:
        raise AzLocalError(f"Cannot read '{path}': {ex.strerror}") from ex


def scale_rule(args):
    from azlocal.aca import containerapps_options

    return containerapps_options.scale_rule(args["scale_rule_name"], args["scale_rule_type"],
                                            args["scale_rule_http_concurrency"], args["scale_rule_metadata"],
                                            args["scale_rule_auth"])


def _hide_rule_metadata(doc):
    from azlocal.aca import containerapps_options

    return containerapps_options.hide_rule_metadata(doc)


def _dapr(a):
    settings = dict(app_id=a["dapr_app_id"], app_port=a["dapr_app_port"], app_protocol=a["dapr_app_protocol"],
                    log_level=a["dapr_log_level"], api_logging=a["dapr_enable_api_logging"],
                    max_request_size=a["dapr_http_max_request_size"],
                    read_buffer_size=a["dapr_http_read_buffer_size"])
    if not as_bool(a["dapr_enabled"]):
        if any(settings.values()):
            from knack.log import get_logger

            get_logger(__name__).warning("The --dapr-* settings take effect only with --enable-dapr; they were not "
                                         "applied.")
        return None
    return dict(settings, enabled=True, api_logging=bool(settings["api_logging"]))


def _user_ids(a):
    """--user-assigned: resource ids, or names of identities in the app's resource group (as az resolves them)."""
    from azlocal.aca.identities import user_identity_id

    return [user_identity_id(a["resource_group_name"], u) for u in a["user_assigned"] or []] or a["user_assigned"]


def _definition(a):
    """create's arguments -> the app's definition (from --yaml, or from the flags)."""
    from azlocal.core.common import parse_tags

    if a["yaml"]:
        return definitions.from_yaml(_read(a["yaml"]), environment=a["environment"], tags=parse_tags(a["tags"]))
    dapr, rules = _dapr(a), scale_rule(a)
    return definitions.from_args(
        a["name"], environment=a["environment"], secrets=a["secrets"], revisions_mode=a["revisions_mode"],
        container={k: a[k] for k in ("image", "container_name", "cpu", "memory", "env_vars", "args")} |
        {"command": a["startup_command"]},
        scale={"min_replicas": a["min_replicas"], "max_replicas": a["max_replicas"], "rules": rules},
        ingress={"kind": a["ingress"], "target_port": a["target_port"], "transport": a["transport"],
                 "allow_insecure": as_bool(a["allow_insecure"]), "exposed_port": a["exposed_port"]},
        registry={"server": a["registry_server"], "username": a["registry_username"],
                  "password": a["registry_password"], "identity": a["registry_identity"]},
        revision_suffix=a["revision_suffix"], termination_grace_period=a["termination_grace_period"],
        secret_volume_mount=a["secret_volume_mount"], system_assigned=a["system_assigned"],
        user_assigned=_user_ids(a), dapr=dapr, tags=parse_tags(a["tags"]),
        workload_profile_name=a["workload_profile_name"])


def update_changes(a):
    """update's (and revision copy's) arguments -> the keyword arguments of `containerapps.update`."""
    from azlocal.core.common import parse_tags

    keys = ("image", "container_name", "cpu", "memory", "set_env_vars", "remove_env_vars", "replace_env_vars",
            "remove_all_env_vars", "args", "revision_suffix", "min_replicas", "max_replicas",
            "workload_profile_name")
    changes = {k: a[k] for k in keys}
    changes.update(command=a["startup_command"], scale_rule=scale_rule(a), tags=parse_tags(a["tags"]),
                   template_yaml=_read(a["yaml"]) if a["yaml"] else None)
    for key in ("termination_grace_period", "secret_volume_mount"):
        if key in a:
            changes[key] = a[key]
    return changes


def app_create(name, resource_group_name, environment=None, image=None, container_name=None, cpu=None, memory=None,
               env_vars=None, secrets=None, startup_command=None, args=None, revision_suffix=None,
               revisions_mode="single",
               ingress=None, target_port=None, exposed_port=None, transport="auto", allow_insecure=None,
               min_replicas=None, max_replicas=None, registry_server=None, registry_username=None,
               registry_password=None, registry_identity=None, secret_volume_mount=None, scale_rule_name=None,
               scale_rule_type=None, scale_rule_http_concurrency=None, scale_rule_metadata=None,
               scale_rule_auth=None, termination_grace_period=None, workload_profile_name=None,
               system_assigned=False, user_assigned=None, dapr_enabled=None, dapr_app_id=None, dapr_app_port=None,
               dapr_app_protocol=None, dapr_log_level=None, dapr_enable_api_logging=False,
               dapr_http_max_request_size=None, dapr_http_read_buffer_size=None, yaml=None, tags=None,
               no_wait=False):
    definition = _definition(locals())
    with Progress():
        return _hide_rule_metadata(apps.hide_env_values(apps.create(resource_group_name, name, definition)))


def app_update(name, resource_group_name, image=None, container_name=None, cpu=None, memory=None,
               set_env_vars=None, remove_env_vars=None, replace_env_vars=None, remove_all_env_vars=False,
               startup_command=None, args=None, revision_suffix=None, min_replicas=None, max_replicas=None,
               scale_rule_name=None, scale_rule_type=None, scale_rule_http_concurrency=None,
               scale_rule_metadata=None, scale_rule_auth=None, secret_volume_mount=None,
               termination_grace_period=None, workload_profile_name=None, tags=None, yaml=None, no_wait=False):
    changes = update_changes(locals())
    with Progress():
        return _hide_rule_metadata(apps.hide_env_values(apps.update(resource_group_name, name, **changes)))


def app_show(name, resource_group_name, show_secrets=False):
    app = apps.get(resource_group_name, name)
    return apps.with_secrets(app) if show_secrets else app


def app_list(resource_group_name=None, environment=None):
    return apps.list_apps(resource_group_name, environment)


def app_delete(name, resource_group_name, no_wait=False):
    from azlocal.platform.store import store
    from azlocal.resources import groups

    groups.get(resource_group_name)
    if store().get(apps._id(resource_group_name, name)) is None:
        return  # ARM answers the DELETE of a missing app with 204, and az says nothing
    apps.delete(resource_group_name, name)


def app_browse(name, resource_group_name):
    url = replicas.browse(resource_group_name, name)
    if url:
        print(url)


def app_exec(name, resource_group_name, exec_command=None, container=None, replica=None, revision=None):
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    replicas.exec_command(resource_group_name, name, exec_command or ["sh"], container=container, replica=replica,
                          revision=revision, tty=tty,
                          on_start=lambda: print("Use ctrl + D to exit.", file=sys.stderr) if tty else None)


def _up_options(a):
    github = ("branch", "token", "context_path", "service_principal_client_id", "service_principal_client_secret",
              "service_principal_tenant_id")
    keys = ("location", "environment", "image", "source", "ingress", "target_port", "env_vars", "registry_server",
            "registry_username", "registry_password", "repo", "logs_workspace_id", "logs_workspace_key",
            "workload_profile_name", "browse")
    return dict({k: a[k] for k in keys}, github=tuple(a[k] for k in github))


def app_up(name, resource_group_name=None, location=None, environment=None, image=None, source=None, ingress=None,
           target_port=None, env_vars=None, registry_server=None, registry_username=None, registry_password=None,
           repo=None, branch=None, token=None, context_path=None, service_principal_client_id=None,
           service_principal_client_secret=None, service_principal_tenant_id=None, logs_workspace_id=None,
           logs_workspace_key=None, workload_profile_name=None, browse=False):
    from azlocal.aca import containerapp_up

    url = containerapp_up.up(name, resource_group_name, **_up_options(locals()))
    if url:
        print(url)


def check_tail(tail):
    from azlocal.core.errors import ValidationError

    if tail and not 0 <= tail <= 300:
        raise ValidationError("--tail must be between 0 and 300.")


def logs_show(name, resource_group_name, container=None, replica=None, revision=None, follow=None, tail=20,
              format="json", log_type="console"):
    check_tail(tail)
    if log_type == "system":
        from azlocal.aca import system_logs
        from azlocal.core.errors import ValidationError

        if container or replica or revision:
            raise ValidationError("--type: --container, --replica, and --revision not supported for system logs")
        if format and format != "json":
            raise ValidationError("--type: only json logs supported for system logs")
        app = apps.get(resource_group_name, name)
        entries = system_logs.stream(app["properties"]["managedEnvironmentId"], name=app["name"],
                                     tail=20 if tail is None else tail, follow=as_bool(follow))
    else:
        entries = replicas.log_entries(resource_group_name, name, container=container, replica=replica,
                                       revision=revision, follow=as_bool(follow), tail=tail, kind=log_type)
    try:
        for entry in entries:
            _print_log(entry, format)
    except KeyboardInterrupt:
        pass


def _print_log(entry, fmt):
    import json

    print(json.dumps(entry) if fmt == "json" else f"{entry['TimeStamp']}  {entry['Log']}")
    sys.stdout.flush()
