"""Help entries (YAML data) of az containerapp."""

from knack.help_files import helps

helps["containerapp"] = """
type: group
short-summary: Manage Azure Container Apps, run locally on Docker behind azlocal's ingress gateway.
"""
helps["containerapp create"] = """
type: command
short-summary: Create a container app and its first revision.
examples:
  - name: Create an app with external ingress.
    text: >
      az containerapp create -n my-app -g MyResourceGroup --environment MyEnv
      --image mcr.microsoft.com/azuredocs/containerapps-helloworld:latest --target-port 80 --ingress external
  - name: Create an app that reads a secret through an environment variable.
    text: >
      az containerapp create -n reader -g MyResourceGroup --environment MyEnv
      --secrets conn=s3cr3t --env-vars ConnectionString=secretref:conn
"""
helps["containerapp update"] = """
type: command
short-summary: Update a container app; template changes create a new revision.
examples:
  - name: Deploy a new image.
    text: az containerapp update -n my-app -g MyResourceGroup --image mcr.microsoft.com/k8se/quickstart:latest
  - name: Add or change environment variables.
    text: az containerapp update -n my-app -g MyResourceGroup --set-env-vars MODE=debug
"""
helps["containerapp show"] = """
type: command
short-summary: Show a container app.
examples:
  - name: Print the app's address.
    text: az containerapp show -n my-app -g MyResourceGroup --query properties.configuration.ingress.fqdn -o tsv
"""
helps["containerapp list"] = """
type: command
short-summary: List container apps.
examples:
  - name: List the apps of a group as a table.
    text: az containerapp list -g MyResourceGroup -o table
"""
helps["containerapp delete"] = """
type: command
short-summary: Delete a container app and its revisions' containers.
examples:
  - name: Delete without a prompt.
    text: az containerapp delete -n my-app -g MyResourceGroup --yes
"""
helps["containerapp browse"] = """
type: command
short-summary: Open the app's address in a browser (or print it).
"""
helps["containerapp exec"] = """
type: command
short-summary: Run a command in a replica of the app (interactive on a terminal).
examples:
  - name: Open a shell.
    text: az containerapp exec -n my-app -g MyResourceGroup --command sh
"""
helps["containerapp logs"] = """
type: group
short-summary: Show the logs of a container app.
"""
helps["containerapp logs show"] = """
type: command
short-summary: Show the console logs of a replica.
examples:
  - name: Follow the logs as text.
    text: az containerapp logs show -n my-app -g MyResourceGroup --follow --format text
"""
helps["containerapp up"] = """
type: command
short-summary: Create or update a container app, with its resource group, environment and registry as needed.
examples:
  - name: Deploy an image.
    text: az containerapp up -n my-app --image mcr.microsoft.com/k8se/quickstart:latest
  - name: Build a local folder with a Dockerfile and deploy it.
    text: az containerapp up -n my-app --source .
"""
helps["containerapp env"] = """
type: group
short-summary: Manage Container Apps environments.
"""
helps["containerapp env create"] = """
type: command
short-summary: Create a Container Apps environment (a Docker network and a default domain).
examples:
  - name: Create an environment.
    text: az containerapp env create -n MyEnv -g MyResourceGroup -l eastus
"""
helps["containerapp env show"] = """
type: command
short-summary: Show an environment.
"""
helps["containerapp env list"] = """
type: command
short-summary: List environments.
"""
helps["containerapp env update"] = """
type: command
short-summary: Update an environment's tags.
"""
helps["containerapp env delete"] = """
type: command
short-summary: Delete an environment that has no apps left.
examples:
  - name: Delete an environment.
    text: az containerapp env delete -n MyEnv -g MyResourceGroup --yes
"""
helps["containerapp revision"] = """
type: group
short-summary: Manage the revisions of a container app.
"""
for _verb, _summary in (("list", "List the active revisions (all with --all)."), ("show", "Show a revision."),
                        ("activate", "Activate a revision."), ("deactivate", "Deactivate a revision."),
                        ("restart", "Restart a revision's replicas (they pick up current secret values)."),
                        ("copy", "Create a revision from an existing one, with changes."),
                        ("set-mode", "Set single or multiple revision mode.")):
    helps[f"containerapp revision {_verb}"] = f"""
type: command
short-summary: {_summary}
examples:
  - name: An example.
    text: az containerapp revision {_verb} -n my-app -g MyResourceGroup{' --revision my-app--v2' if _verb in (
        'show', 'activate', 'deactivate', 'restart') else ' --mode multiple' if _verb == 'set-mode' else ''}
"""
helps["containerapp revision label"] = """
type: group
short-summary: Manage revision labels (a stable address for one revision).
"""
helps["containerapp revision label add"] = """
type: command
short-summary: Add a label to a revision.
examples:
  - name: Label a revision blue.
    text: az containerapp revision label add -n my-app -g MyResourceGroup --revision my-app--v2 --label blue
"""
helps["containerapp revision label remove"] = """
type: command
short-summary: Remove a label.
"""
helps["containerapp revision label swap"] = """
type: command
short-summary: Swap the revisions of two labels.
"""
helps["containerapp ingress"] = """
type: group
short-summary: Manage a container app's ingress.
"""
helps["containerapp ingress enable"] = """
type: command
short-summary: Enable ingress.
examples:
  - name: Expose port 80 externally.
    text: az containerapp ingress enable -n my-app -g MyResourceGroup --type external --target-port 80
"""
helps["containerapp ingress disable"] = """
type: command
short-summary: Disable ingress.
"""
helps["containerapp ingress update"] = """
type: command
short-summary: Update ingress settings.
"""
helps["containerapp ingress show"] = """
type: command
short-summary: Show ingress settings.
"""
helps["containerapp ingress traffic"] = """
type: group
short-summary: Manage traffic weights across revisions.
"""
helps["containerapp ingress traffic set"] = """
type: command
short-summary: Set traffic weights (multiple revision mode).
examples:
  - name: Split traffic evenly.
    text: az containerapp ingress traffic set -n my-app -g MyResourceGroup --revision-weight my-app--v1=50 latest=50
"""
helps["containerapp ingress traffic show"] = """
type: command
short-summary: Show traffic weights.
"""
helps["containerapp secret"] = """
type: group
short-summary: Manage a container app's secrets (values live in the secret store).
"""
helps["containerapp secret list"] = """
type: command
short-summary: List secret names (values with --show-values).
"""
helps["containerapp secret show"] = """
type: command
short-summary: Show a secret with its value.
examples:
  - name: Print a secret's value.
    text: az containerapp secret show -n my-app -g MyResourceGroup --secret-name conn --query value -o tsv
"""
helps["containerapp secret set"] = """
type: command
short-summary: Add or change secrets (running revisions see new values after a restart).
examples:
  - name: Set a secret.
    text: az containerapp secret set -n my-app -g MyResourceGroup --secrets conn=new-value
"""
helps["containerapp secret remove"] = """
type: command
short-summary: Remove secrets no active revision uses.
"""
helps["containerapp replica"] = """
type: group
short-summary: Show the replicas of a revision.
"""
helps["containerapp replica list"] = """
type: command
short-summary: List replicas.
"""
helps["containerapp replica show"] = """
type: command
short-summary: Show a replica.
"""
helps["containerapp registry"] = """
type: group
short-summary: Manage the registries a container app pulls from.
"""
for _verb in ("set", "list", "show", "remove"):
    helps[f"containerapp registry {_verb}"] = f"""
type: command
short-summary: {_verb.capitalize()} registry credentials of a container app.
"""
helps["containerapp dapr"] = """
type: group
short-summary: Record Dapr settings (no Dapr sidecar runs offline).
"""
helps["containerapp dapr enable"] = """
type: command
short-summary: Enable Dapr (recorded only).
"""
helps["containerapp dapr disable"] = """
type: command
short-summary: Disable Dapr.
"""
