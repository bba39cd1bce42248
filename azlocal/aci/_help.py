"""Help texts of `az container` (data, loaded with the command table)."""

from knack.help_files import helps

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
