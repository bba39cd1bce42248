"""az container: container groups (Azure Container Instances) on the Docker Engine."""

import sys

from knack.commands import CommandGroup
from knack.log import get_logger

from azlocal.aci import _help  # noqa: F401  (registers the help texts)
from azlocal.aci._format import group_table, profile_table
from azlocal.aci._params import _CREATE_OPTIONS, load_arguments  # noqa: F401  (knack calls load_arguments)

logger = get_logger(__name__)


def load_commands(loader):
    with CommandGroup(loader, "container", "azlocal.aci.commands#{}") as g:
        g.command("create", "container_create", table_transformer=group_table)
        g.command("show", "container_show", table_transformer=group_table)
        g.command("list", "container_list", table_transformer=group_table)
        g.command("delete", "container_delete", confirmation=True)
        g.command("logs", "container_logs")
        g.command("exec", "container_exec")
        g.command("attach", "container_attach")
        g.command("start", "container_start")
        g.command("stop", "container_stop")
        g.command("restart", "container_restart")
        g.command("export", "container_export")
    with CommandGroup(loader, "container container-group-profile", "azlocal.aci.custom_profiles#{}") as g:
        g.command("create", "profile_create", table_transformer=profile_table)
        g.command("show", "profile_show", table_transformer=profile_table)
        g.command("list", "profile_list", table_transformer=profile_table)
        g.command("delete", "profile_delete", confirmation=True)
        g.command("list-revisions", "profile_list_revisions", table_transformer=profile_table)
        g.command("show-revision", "profile_show_revision", table_transformer=profile_table)


def container_create(resource_group_name, name=None, image=None, cpu=1.0, memory=1.5, ports=None, protocol=None,
                     ip_address=None, dns_name_label=None, restart_policy=None, environment_variables=None,
                     secure_environment_variables=None, command_line=None, os_type=None, file=None,
                     registry_login_server=None, registry_username=None, registry_password=None, secrets=None,
                     secrets_mount_path=None, azure_file_volume_share_name=None, azure_file_volume_account_name=None,
                     azure_file_volume_account_key=None, azure_file_volume_mount_path=None, location=None,
                     no_wait=False,
                     zone=None, priority=None, sku=None, config_map=None, acr_identity=None, cce_policy=None,
                     allow_privilege_escalation=False, privileged=False, run_as_user=None, run_as_group=None,
                     seccomp_profile=None, add_capabilities=None, drop_capabilities=None, assign_identity=None,
                     identity_scope=None, identity_role=None, vnet=None, vnet_name=None, vnet_address_prefix=None,
                     subnet=None, subnet_address_prefix=None, log_analytics_workspace=None,
                     log_analytics_workspace_key=None, container_group_profile_id=None,
                     container_group_profile_revision=None, standby_pool_profile_id=None,
                     fail_container_group_create_on_reuse_failure=False, gitrepo_url=None, gitrepo_dir=None,
                     gitrepo_revision=None, gitrepo_mount_path=None):
    from azlocal.aci import containergroups
    from azlocal.core.common import Progress

    options = {n: v for n, v in locals().items() if n in _CREATE_OPTIONS}
    flags = {n: v for n, v in locals().items() if n in _FLAG_NAMES}
    profile = None
    if standby_pool_profile_id:
        from azlocal.aci.options import refuse_unavailable

        refuse_unavailable(options)
    if file:
        definition = definition_from_file(file, name)
    elif container_group_profile_id and container_group_profile_revision:
        definition, profile = _from_profile(name, container_group_profile_id, container_group_profile_revision,
                                            config_map)
    else:
        if container_group_profile_id:
            logger.warning("--container-group-profile-id is not sent without --container-group-profile-revision "
                           "(as az does): the group is made from the other arguments.")
        definition = definition_from_flags(name, flags, options)
    with Progress():
        group = containergroups.create(resource_group_name, definition, location, wait=not no_wait, profile=profile)
    if assign_identity is not None and identity_scope:
        from azlocal.aci.options import assign_role

        assign_role(group, identity_scope, identity_role)  # as az: after the group, for its system identity
    return group


_FLAG_NAMES = ("image", "cpu", "memory", "ports", "protocol", "ip_address", "dns_name_label", "restart_policy",
               "environment_variables", "secure_environment_variables", "command_line", "os_type",
               "registry_login_server", "registry_username", "registry_password", "secrets", "secrets_mount_path",
               "azure_file_volume_share_name", "azure_file_volume_account_name", "azure_file_volume_account_key",
               "azure_file_volume_mount_path", "location")


def definition_from_file(file, name):
    from azlocal.aci.definition import definition_from_yaml
    from azlocal.core.errors import ValidationError

    try:
        with open(file) as f:
            definition = definition_from_yaml(f.read())
    except OSError as ex:
        raise ValidationError(f"No such file or directory: {file}") from ex
    if name and definition.get("name") and name != definition["name"]:
        raise ValidationError("The name parameter and name from yaml definition must match.")
    definition["name"] = name or definition.get("name")
    return definition


def definition_from_flags(name, flags, options):
    """A definition from `create` flags (a group's or a profile's): one container named after it."""
    from azlocal.aci import options as create_options
    from azlocal.aci.definition import from_args
    from azlocal.core.errors import ValidationError

    if not name:
        raise ValidationError("error: the --name/-n argument is required unless specified with a passed in file.")
    f = dict(flags)
    azure_file = {"shareName": f.pop("azure_file_volume_share_name", None),
                  "accountName": f.pop("azure_file_volume_account_name", None),
                  "accountKey": f.pop("azure_file_volume_account_key", None),
                  "mountPath": f.pop("azure_file_volume_mount_path", None)}
    f["secrets_"] = f.pop("secrets", None)
    f["ports"] = f.get("ports") or [80]
    f["cpu"] = 1.0 if f.get("cpu") is None else f["cpu"]
    f["memory"] = 1.5 if f.get("memory") is None else f["memory"]
    definition = from_args(name, f.pop("image", None), azure_file=azure_file, **f)
    options = dict(options, ip_address=f.get("ip_address"), dns_name_label=f.get("dns_name_label"),
                   registry_username=f.get("registry_username"), registry_password=f.get("registry_password"))
    return create_options.apply(definition, options)


def _from_profile(name, profile_id, revision, config_map=None):
    """The group's definition from a revision of a container group profile (its name is the group's); a
    config map given with it is the one thing the request sets (as ACI's docs use profiles)."""
    from azlocal.aci import profiles
    from azlocal.aci.options import pairs
    from azlocal.core.errors import ValidationError

    if not name:
        raise ValidationError("error: the --name/-n argument is required unless specified with a passed in file.")
    definition, reference = profiles.definition_for(profile_id, revision)
    definition["name"] = name
    if config_map:
        definition["properties"]["containers"][0]["properties"]["configMap"] = {
            "keyValuePairs": pairs(config_map, "config map")}
    return definition, reference


def container_show(resource_group_name, name):
    from azlocal.aci import containergroups

    return containergroups.show(resource_group_name, name)


def container_list(resource_group_name=None):
    from azlocal.aci import containergroups

    return containergroups.list_groups(resource_group_name)


def container_delete(resource_group_name, name):
    from azlocal.aci import containergroups

    return containergroups.delete(resource_group_name, name)


def container_logs(resource_group_name, name, container_name=None, follow=False):
    from azlocal.aci import containergroups

    containergroups.logs(resource_group_name, name, container_name, follow, out=sys.stdout)


def container_exec(resource_group_name, name, exec_command, container_name=None):
    from azlocal.aci import containergroups

    containergroups.exec_command(resource_group_name, name, exec_command, container_name)


def container_attach(resource_group_name, name, container_name=None):
    from azlocal.aci import containergroups

    containergroups.attach(resource_group_name, name, container_name, out=sys.stdout,
                           report=lambda text: print(text, file=sys.stderr))


def container_start(resource_group_name, name, no_wait=False):
    from azlocal.aci import containergroups

    containergroups.start(resource_group_name, name, wait=not no_wait)


def container_stop(resource_group_name, name):
    from azlocal.aci import containergroups

    containergroups.stop(resource_group_name, name)


def container_restart(resource_group_name, name, no_wait=False):
    from azlocal.aci import containergroups

    containergroups.restart(resource_group_name, name, wait=not no_wait)


def container_export(resource_group_name, name, file):
    from azlocal.aci import containergroups

    containergroups.export(resource_group_name, name, file)
