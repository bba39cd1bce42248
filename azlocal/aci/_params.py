"""`az container` arguments: names, help texts, types and groups."""

from knack.arguments import ArgumentsContext, CLIArgumentType

from azlocal.core.conventions import enum_type

name_type = CLIArgumentType(options_list=["--name", "-n"], help="The name of the container group.")


PROFILE = "container container-group-profile"


def load_arguments(loader, command):
    _common_arguments(loader)
    for scope in ("container create", f"{PROFILE} create"):
        _create_arguments(loader, scope)
        _confidential_arguments(loader, scope)
        _shared_group_arguments(loader, scope)
    _create_group_arguments(loader)
    _more_create_group_arguments(loader)
    _other_arguments(loader)
    _profile_arguments(loader)


def _common_arguments(loader):
    with ArgumentsContext(loader, "container") as c:
        c.argument("name", name_type)
        c.argument("container_name", options_list=["--container-name"],
                   help="The container name. If omitted, the first container in the group is chosen.")


def _create_arguments(loader, scope):
    with ArgumentsContext(loader, scope) as c:
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


def _confidential_arguments(loader, scope):
    with ArgumentsContext(loader, scope, arg_group="Confidential Container Group") as c:
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


def _create_group_arguments(loader):
    with ArgumentsContext(loader, "container create", arg_group="Managed Service Identity") as c:
        c.argument("assign_identity", nargs="*", help="Space-separated identities to assign: '[system]' and/or "
                   "user-assigned identity ids; the containers get their tokens from IMDS (169.254.169.254).")
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


def _shared_group_arguments(loader, scope):
    with ArgumentsContext(loader, scope, arg_group="Log Analytics") as c:
        c.argument("log_analytics_workspace", help="The Log Analytics workspace name or id (recorded; not "
                   "emulated yet).")
        c.argument("log_analytics_workspace_key", help="The Log Analytics workspace key.")
    with ArgumentsContext(loader, scope, arg_group="Git Repo Volume") as c:
        c.argument("gitrepo_url", help="The URL of a git repository to clone into a volume.")
        c.argument("gitrepo_dir", help="The directory of the volume to clone into. Must not contain '..'. "
                   "Default: '.'.")
        c.argument("gitrepo_revision", help="The commit hash to check out.")
        c.argument("gitrepo_mount_path", help="The path within the container where the git repo volume is "
                   "mounted.")


def _more_create_group_arguments(loader):
    with ArgumentsContext(loader, "container create", arg_group="Container Group Profile Reference") as c:
        c.argument("container_group_profile_id", help="The resource id of the container group profile to create "
                   "the group from (with --container-group-profile-revision).")
        c.argument("container_group_profile_revision", help="The revision of the container group profile to "
                   "create the group from.")
    with ArgumentsContext(loader, "container create", arg_group="Standby Pool Profile") as c:
        c.argument("standby_pool_profile_id", help="The standby pool profile id (not emulated: refused).")
        c.argument("fail_container_group_create_on_reuse_failure", action="store_true",
                   help="Fail the create if reusing a container group from the standby pool failed.")


def _other_arguments(loader):
    with ArgumentsContext(loader, "container logs") as c:
        c.argument("follow", action="store_true", help="Indicate to stream the tailing logs.")
    with ArgumentsContext(loader, "container exec") as c:
        c.argument("exec_command", help="The command to run from within the container.")
    with ArgumentsContext(loader, "container export") as c:
        c.argument("file", options_list=["--file", "-f"], help="The file path to export the container group.")


def _profile_arguments(loader):
    with ArgumentsContext(loader, PROFILE) as c:
        c.argument("name", options_list=["--name", "-n"], help="The name of the container group profile.")
    with ArgumentsContext(loader, f"{PROFILE} create") as c:
        c.argument("ip_address", enum_type(["Public", "Private"]), help="The IP address type of the groups made "
                   "from the profile.")
    with ArgumentsContext(loader, f"{PROFILE} show-revision") as c:
        c.argument("revision", options_list=["-r"], required=True, help="The revision number of the container "
                   "group profile.")


# The create options handled by aci/options.py.
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
