"""az container: container groups (Azure Container Instances) on the Docker Engine."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup

from azlocal.aci import _help  # noqa: F401  (registers the help texts)
from azlocal.core.conventions import enum_type

name_type = CLIArgumentType(options_list=["--name", "-n"], help="The name of the container group.")


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


def load_arguments(loader, command):
    with ArgumentsContext(loader, "container") as c:
        c.argument("name", name_type)
        c.argument("container_name", options_list=["--container-name"],
                   help="The container name. If omitted, the first container in the group is chosen.")
    with ArgumentsContext(loader, "container create") as c:
        c.argument("image", help="The container image name.")
        c.argument("cpu", type=float, help="The required number of CPU cores of the containers, accurate to one "
                   "decimal place.")
        c.argument("memory", type=float, help="The required memory of the containers in GB, accurate to one "
                   "decimal place.")
        c.argument("ports", nargs="+", type=_port, help="A list of ports to open. Space-separated list of ports.")
        c.argument("protocol", enum_type(["TCP", "UDP"]), help="The network protocol to use.")
        c.argument("ip_address", enum_type(["Public", "Private"]), help="The IP address type of the container group.")
        c.argument("dns_name_label", help="The dns name label for container group with public IP.")
        c.argument("restart_policy", enum_type(["Always", "OnFailure", "Never"]),
                   help="Restart policy for all containers within the container group.")
        c.argument("environment_variables", options_list=["--environment-variables", "-e"], nargs="+",
                   help="A list of environment variable for the container. Space-separated values in 'key=value' "
                   "format.")
        c.argument("secure_environment_variables", nargs="+",
                   help="A list of secure environment variable for the container. Space-separated values in "
                   "'key=value' format.")
        c.argument("command_line", help="The command line to run when the container is started, e.g. "
                   "'/bin/bash -c myscript.sh'.")
        c.argument("os_type", enum_type(["Linux", "Windows"]), help="The OS type of the containers.")
        c.argument("file", options_list=["--file", "-f"], help="The path to the input file.")
        c.argument("registry_login_server", arg_group="Image Registry",
                   help="The container image registry login server.")
        c.argument("registry_username", arg_group="Image Registry",
                   help="The username to log in container image registry server.")
        c.argument("registry_password", arg_group="Image Registry",
                   help="The password to log in container image registry server.")
        c.argument("secrets", nargs="+", help="Space-separated secrets in 'key=value' format.")
        c.argument("secrets_mount_path", help="The path within the container where the secrets volume should be "
                   "mounted. Must not contain colon ':'.")
        c.argument("azure_file_volume_share_name", arg_group="Azure File Volume",
                   help="The name of the Azure File share to be mounted as a volume.")
        c.argument("azure_file_volume_account_name", arg_group="Azure File Volume",
                   help="The name of the storage account that contains the Azure File share.")
        c.argument("azure_file_volume_account_key", arg_group="Azure File Volume",
                   help="The storage account access key used to access the Azure File share.")
        c.argument("azure_file_volume_mount_path", arg_group="Azure File Volume",
                   help="The path within the container where the azure file volume should be mounted.")
        c.argument("sku", type=_word, help="The SKU of the container group: Standard (default), Dedicated or "
                   "Confidential (any case).")
        c.argument("zone", help="The zone to place the container group (recorded in `zones`).")
        c.argument("priority", type=_word, help="The priority of the container group: Regular or Spot (any case).")
        c.argument("config_map", nargs="+", help="A list of config map key-value pairs for the container. "
                   "Space-separated values in 'key=value' format.")
        c.argument("no_wait", action="store_true", help="Do not wait for the long-running operation to finish.")
        c.argument("acr_identity", arg_group="Image Registry",
                   help="The identity with access to the container registry (recorded; not emulated yet).")
    with ArgumentsContext(loader, "container create", arg_group="Confidential Container Group") as c:
        c.argument("cce_policy", help="The CCE policy for the confidential container group (recorded, not "
                   "enforced offline).")
        c.argument("allow_privilege_escalation", options_list=["--allow-escalation"], action="store_true",
                   help="Allow a process to gain more privileges than its parent process (--sku Confidential).")
        c.argument("privileged", action="store_true",
                   help="Run the container privileged (--sku Confidential; a privileged Docker container).")
        c.argument("run_as_user", help="The user id the container runs as (--sku Confidential).")
        c.argument("run_as_group", help="The group id the container runs as (--sku Confidential).")
        c.argument("seccomp_profile", help="A base64 encoded JSON seccomp profile (--sku Confidential).")
        c.argument("add_capabilities", nargs="+", help="Capabilities to add (--sku Confidential).")
        c.argument("drop_capabilities", nargs="+", help="Capabilities to drop (--sku Confidential).")
    with ArgumentsContext(loader, "container create", arg_group="Managed Service Identity") as c:
        c.argument("assign_identity", nargs="*", help="Space-separated identities to assign: '[system]' and/or "
                   "user-assigned identity ids (recorded; not emulated yet).")
        c.argument("identity_scope", options_list=["--scope"], help="Scope that the system assigned identity can "
                   "access.")
        c.argument("identity_role", options_list=["--role"], help="Role name or id the system assigned identity "
                   "will have. Default: Contributor.")
    with ArgumentsContext(loader, "container create", arg_group="Network") as c:
        c.argument("vnet", help="The VNet name or id (needs Azure Virtual Network: refused by azlocal).")
        c.argument("vnet_name", help="Deprecated: use --vnet.")
        c.argument("vnet_address_prefix", help="The IP address prefix of a new VNet in CIDR format.")
        c.argument("subnet", help="The subnet name or id (needs Azure Virtual Network: refused by azlocal).")
        c.argument("subnet_address_prefix", help="The IP address prefix of a new subnet in CIDR format.")
    with ArgumentsContext(loader, "container create", arg_group="Log Analytics") as c:
        c.argument("log_analytics_workspace", help="The Log Analytics workspace name or id (recorded; not "
                   "emulated yet).")
        c.argument("log_analytics_workspace_key", help="The Log Analytics workspace key.")
    with ArgumentsContext(loader, "container create", arg_group="Container Group Profile Reference") as c:
        c.argument("container_group_profile_id", help="The container group profile id (not emulated: refused).")
        c.argument("container_group_profile_revision", help="The container group profile revision.")
    with ArgumentsContext(loader, "container create", arg_group="Standby Pool Profile") as c:
        c.argument("standby_pool_profile_id", help="The standby pool profile id (not emulated: refused).")
        c.argument("fail_container_group_create_on_reuse_failure", action="store_true",
                   help="Fail the create if reusing a container group from the standby pool failed.")
    with ArgumentsContext(loader, "container create", arg_group="Git Repo Volume") as c:
        c.argument("gitrepo_url", help="The URL of a git repository to clone into a volume.")
        c.argument("gitrepo_dir", help="The directory of the volume to clone into. Must not contain '..'. "
                   "Default: '.'.")
        c.argument("gitrepo_revision", help="The commit hash to check out.")
        c.argument("gitrepo_mount_path", help="The path within the container where the git repo volume is "
                   "mounted.")
    with ArgumentsContext(loader, "container logs") as c:
        c.argument("follow", action="store_true", help="Indicate to stream the tailing logs.")
    with ArgumentsContext(loader, "container exec") as c:
        c.argument("exec_command", help="The command to run from within the container.")
    with ArgumentsContext(loader, "container export") as c:
        c.argument("file", options_list=["--file", "-f"], help="The file path to export the container group.")


# The create options handled by services/containergroups_options.py.
_CREATE_OPTIONS = (
    "zone", "priority", "sku", "config_map", "acr_identity", "cce_policy", "allow_privilege_escalation",
    "privileged", "run_as_user", "run_as_group", "seccomp_profile", "add_capabilities", "drop_capabilities",
    "assign_identity", "identity_scope", "identity_role", "vnet", "vnet_name", "vnet_address_prefix",
    "subnet", "subnet_address_prefix", "log_analytics_workspace", "log_analytics_workspace_key",
    "container_group_profile_id", "container_group_profile_revision", "standby_pool_profile_id",
    "fail_container_group_create_on_reuse_failure", "gitrepo_url", "gitrepo_dir", "gitrepo_revision",
    "gitrepo_mount_path",
)


def _word(value):
    return value


def _port(value):
    import argparse

    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port '{value}'")


def group_table(result):
    rows = result if isinstance(result, list) else [result]
    out = []
    for g in rows:
        containers = g.get("containers") or []
        ip = g.get("ipAddress") or {}
        ports = ",".join(str(p["port"]) for p in ip.get("ports") or [])
        cpu = sum(c["resources"]["requests"]["cpu"] for c in containers)
        memory = sum(c["resources"]["requests"]["memoryInGb"] for c in containers)
        out.append(OrderedDict([
            ("Name", g["name"]), ("ResourceGroup", g.get("resourceGroup", "")),
            ("Status", (g.get("instanceView") or {}).get("state") or g.get("provisioningState")),
            ("Image", ",".join(c["image"] for c in containers)),
            ("IP:ports", f"{ip.get('ip')}:{ports}" if ip.get("ip") and ports else ""),
            ("Network", ip.get("type") or ""), ("CPU/Memory", f"{cpu:g} core/{memory:g} gb"),
            ("OsType", g.get("osType")), ("Location", g.get("location")),
        ]))
    return out


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
    from azlocal.aci import containergroups, containergroups_options
    from azlocal.core.common import Progress
    from azlocal.core.errors import ValidationError

    options = {n: v for n, v in locals().items() if n in _CREATE_OPTIONS}
    if file:
        try:
            with open(file) as f:
                definition = containergroups.definition_from_yaml(f.read())
        except OSError as ex:
            raise ValidationError(f"No such file or directory: {file}") from ex
        if name and definition.get("name") and name != definition["name"]:
            raise ValidationError("The name parameter and name from yaml definition must match.")
        definition["name"] = name or definition.get("name")
    else:
        if not name:
            raise ValidationError("error: the --name/-n argument is required unless specified with a passed in file.")
        azure_file = {"shareName": azure_file_volume_share_name, "accountName": azure_file_volume_account_name,
                      "accountKey": azure_file_volume_account_key, "mountPath": azure_file_volume_mount_path}
        definition = containergroups.definition_from_args(
            name, image, cpu, memory, ports or [80], protocol, ip_address, dns_name_label, restart_policy,
            environment_variables, secure_environment_variables, command_line, os_type, registry_login_server,
            registry_username, registry_password, secrets, secrets_mount_path, azure_file, location)
        options.update(ip_address=ip_address, dns_name_label=dns_name_label, registry_username=registry_username,
                       registry_password=registry_password)
        containergroups_options.apply(definition, options)
    with Progress():
        return containergroups.create(resource_group_name, definition, location, wait=not no_wait)


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

    containergroups.logs(resource_group_name, name, container_name, follow)


def container_exec(resource_group_name, name, exec_command, container_name=None):
    from azlocal.aci import containergroups

    containergroups.exec_command(resource_group_name, name, exec_command, container_name)


def container_attach(resource_group_name, name, container_name=None):
    from azlocal.aci import containergroups

    containergroups.attach(resource_group_name, name, container_name)


def container_start(resource_group_name, name, no_wait=False):
    from azlocal.aci import containergroups

    containergroups.start(resource_group_name, name)


def container_stop(resource_group_name, name):
    from azlocal.aci import containergroups

    containergroups.stop(resource_group_name, name)


def container_restart(resource_group_name, name, no_wait=False):
    from azlocal.aci import containergroups

    containergroups.restart(resource_group_name, name)


def container_export(resource_group_name, name, file):
    from azlocal.aci import containergroups

    containergroups.export(resource_group_name, name, file)
