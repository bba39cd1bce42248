"""Help for az acr (data only): short summaries and examples in azlocal's own words."""

from knack.help_files import helps

helps["acr"] = """
type: group
short-summary: Manage private registries with Azure Container Registry, served locally.
"""
helps["acr create"] = """
type: command
short-summary: Create a container registry served at <name>.azurecr.io on this machine.
examples:
  - name: Create a Basic registry.
    text: az acr create -n myregistry -g MyResourceGroup --sku Basic
  - name: Create a registry with the admin user enabled.
    text: az acr create -n myregistry -g MyResourceGroup --sku Standard --admin-enabled true
"""
helps["acr show"] = """
type: command
short-summary: Show a container registry.
examples:
  - name: Print a registry's login server.
    text: az acr show -n myregistry --query loginServer -o tsv
"""
helps["acr list"] = """
type: command
short-summary: List container registries.
examples:
  - name: List the registries of a group as a table.
    text: az acr list -g MyResourceGroup -o table
"""
helps["acr update"] = """
type: command
short-summary: Update a container registry.
examples:
  - name: Enable the admin user.
    text: az acr update -n myregistry --admin-enabled true
  - name: Move to the Premium tier.
    text: az acr update -n myregistry --sku Premium
"""
helps["acr delete"] = """
type: command
short-summary: Delete a container registry and everything stored in it.
examples:
  - name: Delete a registry without a prompt.
    text: az acr delete -n myregistry --yes
"""
helps["acr check-name"] = """
type: command
short-summary: Check whether a registry name is valid and free.
examples:
  - name: Check a name.
    text: az acr check-name -n myregistry
"""
helps["acr show-usage"] = """
type: command
short-summary: Show a registry's storage and webhook usage against its SKU's limits.
examples:
  - name: Show usage as a table.
    text: az acr show-usage -n myregistry -o table
"""
helps["acr login"] = """
type: command
short-summary: Log the Docker CLI in to a registry, or print a token for it.
examples:
  - name: Log docker in.
    text: az acr login -n myregistry
  - name: Print a refresh token instead of running docker.
    text: az acr login -n myregistry --expose-token
"""
helps["acr build"] = """
type: command
short-summary: Build an image from a local context on the Docker Engine and push it to the registry, as a quick task.
examples:
  - name: Build and push the Dockerfile in the current folder.
    text: az acr build -r myregistry -t sample/hello-world:v1 .
  - name: Build with a build argument, without pushing.
    text: az acr build -r myregistry -t app:{{.Run.ID}} --build-arg VERSION=2 --no-push .
"""
helps["acr run"] = """
type: command
short-summary: Run a command in a container as a quick run, with the registry's images at hand.
examples:
  - name: Run an image from the registry.
    text: az acr run -r myregistry --cmd '$Registry/sample/hello-world:v1' /dev/null
"""
helps["acr import"] = """
type: command
short-summary: Import an image into a registry from another local registry or the Docker Engine.
examples:
  - name: Import an image from the Docker Engine.
    text: az acr import -n myregistry --source docker.io/library/hello-world:latest -t hello-world:v1
  - name: Import from another registry of this machine.
    text: az acr import -n myregistry --source sample/app:v1 -r otherregistry
"""
helps["acr manifest"] = """
type: group
short-summary: Manage artifact manifests in a registry.
"""
helps["acr manifest list-metadata"] = """
type: command
short-summary: List the manifests of a repository with their metadata.
examples:
  - name: List manifests, newest first.
    text: az acr manifest list-metadata -r myregistry -n hello-world --orderby time_desc
"""
helps["acr manifest show"] = """
type: command
short-summary: Show an artifact's manifest.
examples:
  - name: Show a manifest by its fully qualified name.
    text: az acr manifest show myregistry.azurecr.io/hello-world:v1
"""
helps["acr manifest delete"] = """
type: command
short-summary: Delete a manifest and the tags that point at it.
examples:
  - name: Delete by tag without a prompt.
    text: az acr manifest delete -r myregistry -n hello-world:v1 --yes
"""
helps["acr task"] = """
type: group
short-summary: Manage saved builds and runs (tasks) of a registry, with timer and base-image triggers.
"""
helps["acr task create"] = """
type: command
short-summary: Create a task from a local context (a build, a task file, or a command).
examples:
  - name: A build task that reruns when its base image is pushed.
    text: az acr task create -r myregistry -n buildapp -c ./src -f Dockerfile -t app:{{.Run.ID}}
  - name: A command that runs every hour.
    text: az acr task create -r myregistry -n hourly --cmd '$Registry/app:v1' -c /dev/null --schedule "0 * * * *"
"""
helps["acr task update"] = """
type: command
short-summary: Update a task.
examples:
  - name: Disable a task.
    text: az acr task update -r myregistry -n buildapp --status Disabled
"""
helps["acr task show"] = """
type: command
short-summary: Show a task.
"""
helps["acr task list"] = """
type: command
short-summary: List a registry's tasks.
"""
helps["acr task delete"] = """
type: command
short-summary: Delete a task.
"""
helps["acr task run"] = """
type: command
short-summary: Run a task now, streaming its log.
examples:
  - name: Run a task.
    text: az acr task run -r myregistry -n buildapp
"""
helps["acr task list-runs"] = """
type: command
short-summary: List runs, newest first.
examples:
  - name: The last five runs of a task, as a table.
    text: az acr task list-runs -r myregistry -n buildapp --top 5 -o table
"""
helps["acr task show-run"] = """
type: command
short-summary: Show a run.
"""
helps["acr task logs"] = """
type: command
short-summary: Show a run's log (the last run's without --run-id).
examples:
  - name: Replay the log of a run.
    text: az acr task logs -r myregistry --run-id ca1
"""
helps["acr task cancel-run"] = """
type: command
short-summary: Cancel a run that is still going, stopping its containers.
"""
helps["acr webhook"] = """
type: group
short-summary: Manage webhooks that are notified of pushes and deletes.
"""
helps["acr webhook create"] = """
type: command
short-summary: Create a webhook.
examples:
  - name: Notify a local service of pushes.
    text: az acr webhook create -r myregistry -n hook1 --uri http://127.0.0.1:9000/hook --actions push
"""
helps["acr webhook list"] = """
type: command
short-summary: List a registry's webhooks.
"""
helps["acr webhook show"] = """
type: command
short-summary: Show a webhook.
"""
helps["acr webhook update"] = """
type: command
short-summary: Update a webhook.
examples:
  - name: Disable a webhook.
    text: az acr webhook update -r myregistry -n hook1 --status disabled
"""
helps["acr webhook delete"] = """
type: command
short-summary: Delete a webhook.
"""
helps["acr webhook get-config"] = """
type: command
short-summary: Show a webhook's service URI and custom headers.
"""
helps["acr webhook list-events"] = """
type: command
short-summary: List the events a webhook sent, newest first.
"""
helps["acr webhook ping"] = """
type: command
short-summary: Send a ping event to a webhook.
"""
helps["acr replication"] = """
type: group
short-summary: Manage geo-replicated regions of Premium registries (emulated data endpoints).
"""
helps["acr replication create"] = """
type: command
short-summary: Replicate a Premium registry to another region.
examples:
  - name: Replicate to West Europe.
    text: az acr replication create -r myregistry -l westeurope
"""
helps["acr replication list"] = """
type: command
short-summary: List a registry's replications.
"""
helps["acr replication show"] = """
type: command
short-summary: Show a replication.
"""
helps["acr replication delete"] = """
type: command
short-summary: Delete a replication.
"""
helps["acr credential"] = """
type: group
short-summary: Manage a registry's admin credentials.
"""
helps["acr credential show"] = """
type: command
short-summary: Show the admin user name and passwords.
examples:
  - name: Print the first password.
    text: az acr credential show -n myregistry --query "passwords[0].value" -o tsv
"""
helps["acr credential renew"] = """
type: command
short-summary: Generate a new admin password.
examples:
  - name: Renew the second password.
    text: az acr credential renew -n myregistry --password-name password2
"""
helps["acr repository"] = """
type: group
short-summary: Manage the repositories (image names) of a registry.
"""
helps["acr repository list"] = """
type: command
short-summary: List the repositories of a registry.
examples:
  - name: List repositories as a table.
    text: az acr repository list -n myregistry -o table
"""
helps["acr repository show-tags"] = """
type: command
short-summary: Show the tags of a repository.
examples:
  - name: Show tags, newest first.
    text: az acr repository show-tags -n myregistry --repository hello-world --orderby time_desc
"""
helps["acr repository show-manifests"] = """
type: command
short-summary: Show the manifests of a repository.
examples:
  - name: Show manifests with details.
    text: az acr repository show-manifests -n myregistry --repository hello-world --detail
"""
helps["acr repository show"] = """
type: command
short-summary: Show the attributes of a repository or an image.
examples:
  - name: Show a tag.
    text: az acr repository show -n myregistry --image hello-world:v1
"""
helps["acr repository update"] = """
type: command
short-summary: Lock or unlock a repository or an image.
examples:
  - name: Make an image read-only.
    text: az acr repository update -n myregistry --image hello-world:v1 --write-enabled false
"""
helps["acr repository delete"] = """
type: command
short-summary: Delete a repository, or an image and every tag that points at it.
examples:
  - name: Delete a repository.
    text: az acr repository delete -n myregistry --repository hello-world --yes
  - name: Delete an image.
    text: az acr repository delete -n myregistry --image hello-world:v1 --yes
"""
helps["acr repository untag"] = """
type: command
short-summary: Remove a tag, keeping the image.
examples:
  - name: Untag an image.
    text: az acr repository untag -n myregistry --image hello-world:v1
"""
