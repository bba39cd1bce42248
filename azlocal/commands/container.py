"""az container: container groups (Azure Container Instances) on the Docker Engine."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup
from knack.help_files import helps

from azlocal.commands.conventions import enum_type

helps["container"] = """
type: group
short-summary: Manage container groups (Azure Container Instances), run locally on Docker.
"""
helps["container create"] = """
type: command
short-summary: Create a container group and start its containers.
examples:
  - name: Run a public web container with a DNS name label.
    text: >
      az container create -g MyResourceGroup -n mycontainer
      --image mcr.microsoft.com/azuredocs/aci-helloworld --ports 80 --dns-name-label aci-demo
  - name: Run a job that restarts only on failure, with environment variables.
    text: >
      az container create -g MyResourceGroup -n wordcount --image mcr.microsoft.com/azuredocs/aci-wordcount
      --restart-policy OnFailure -e NumWords=5 MinLength=8
  - name: Create a group from a YAML file.
    text: az container create -g MyResourceGroup --file group.yaml
"""
helps["container show"] = """
type: command
short-summary: Show a container group with the live state of its containers.
examples:
  - name: Print the FQDN and provisioning state as a table.
    text: >
      az container show -g MyResourceGroup -n mycontainer
      --query "{FQDN:ipAddress.fqdn,ProvisioningState:provisioningState}" -o table
"""
helps["container list"] = """
type: command
short-summary: List container groups.
examples:
  - name: List the groups of a resource group as a table.
    text: az container list -g MyResourceGroup -o table
"""
helps["container delete"] = """
type: command
short-summary: Delete a container group and its containers.
examples:
  - name: Delete without a prompt.
    text: az container delete -g MyResourceGroup -n mycontainer --yes
"""
helps["container logs"] = """
type: command
short-summary: Print the logs of a container in a container group.
examples:
  - name: Follow the logs of the first container.
    text: az container logs -g MyResourceGroup -n mycontainer --follow
"""
helps["container exec"] = """
type: command
short-summary: Run a command in a running container (interactive on a terminal).
examples:
  - name: Open a shell.
    text: az container exec -g MyResourceGroup -n mycontainer --exec-command "/bin/sh"
"""
helps["container attach"] = """
type: command
short-summary: Attach to a container's output and follow the group's state.
examples:
  - name: Attach to the first container.
    text: az container attach -g MyResourceGroup -n mycontainer
"""
helps["container start"] = """
type: command
short-summary: Start the containers of a stopped container group.
examples:
  - name: Start a group.
    text: az container start -g MyResourceGroup -n mycontainer
"""
helps["container stop"] = """
type: command
short-summary: Stop all containers of a container group, keeping the group.
examples:
  - name: Stop a group.
    text: az container stop -g MyResourceGroup -n mycontainer
"""
helps["container restart"] = """
type: command
short-summary: Restart the containers of a container group in place.
examples:
  - name: Restart a group.
    text: az container restart -g MyResourceGroup -n mycontainer
"""
helps["container export"] = """
type: command
short-summary: Write a container group's definition as YAML that `create --file` accepts.
examples:
  - name: Export a group.
    text: az container export -g MyResourceGroup -n mycontainer -f group.yaml
"""

name_type = CLIArgumentType(options_list=["--name", "-n"], help="The name of the container group.")


def load_commands(loader):
    with CommandGroup(loader, "container", "azlocal.commands.container#{}") as g:
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
        c.argument("sku", help="The SKU of the container group.")
        c.argument("zone", help="The zone to place the container group.")
    with ArgumentsContext(loader, "container logs") as c:
        c.argument("follow", action="store_true", help="Indicate to stream the tailing logs.")
    with ArgumentsContext(loader, "container exec") as c:
        c.argument("exec_command", help="The command to run from within the container.")
    with ArgumentsContext(loader, "container export") as c:
        c.argument("file", options_list=["--file", "-f"], help="The file path to export the container group.")


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
                     azure_file_volume_account_key=None, azure_file_volume_mount_path=None, location=None, tags=None,
                     no_wait=False, sku=None, zone=None):
    from azlocal.commands.common import Progress, parse_tags
    from azlocal.errors import ValidationError
    from azlocal.services import containergroups

    if file:
        try:
            with open(file) as f:
                definition = containergroups.definition_from_yaml(f.read())
        except OSError as ex:
            raise ValidationError(f"Cannot read '{file}': {ex.strerror}") from ex
        if name:
            definition["name"] = name
    else:
        if not name:
            raise ValidationError("usage error: --name NAME is required unless --file is given")
        azure_file = {"shareName": azure_file_volume_share_name, "accountName": azure_file_volume_account_name,
                      "accountKey": azure_file_volume_account_key, "mountPath": azure_file_volume_mount_path}
        definition = containergroups.definition_from_args(
            name, image, cpu, memory, ports or [80], protocol, ip_address, dns_name_label, restart_policy,
            environment_variables, secure_environment_variables, command_line, os_type, registry_login_server,
            registry_username, registry_password, secrets, secrets_mount_path, azure_file, location)
    with Progress():
        return containergroups.create(resource_group_name, definition, location, parse_tags(tags), wait=not no_wait)


def container_show(resource_group_name, name):
    from azlocal.services import containergroups

    return containergroups.show(resource_group_name, name)


def container_list(resource_group_name=None):
    from azlocal.services import containergroups

    return containergroups.list_groups(resource_group_name)


def container_delete(resource_group_name, name):
    from azlocal.services import containergroups

    return containergroups.delete(resource_group_name, name)


def container_logs(resource_group_name, name, container_name=None, follow=False):
    from azlocal.services import containergroups

    containergroups.logs(resource_group_name, name, container_name, follow)


def container_exec(resource_group_name, name, exec_command, container_name=None):
    from azlocal.services import containergroups

    containergroups.exec_command(resource_group_name, name, exec_command, container_name)


def container_attach(resource_group_name, name, container_name=None):
    from azlocal.services import containergroups

    containergroups.attach(resource_group_name, name, container_name)


def container_start(resource_group_name, name, no_wait=False):
    from azlocal.services import containergroups

    containergroups.start(resource_group_name, name)


def container_stop(resource_group_name, name):
    from azlocal.services import containergroups

    containergroups.stop(resource_group_name, name)


def container_restart(resource_group_name, name, no_wait=False):
    from azlocal.services import containergroups

    containergroups.restart(resource_group_name, name)


def container_export(resource_group_name, name, file):
    from azlocal.services import containergroups

    containergroups.export(resource_group_name, name, file)
