"""Handlers of `azlocal git …`, `az acr pack build` and `az acr helm …`."""

from azlocal.core.errors import AzLocalError

_HELM_RETIRED = ("Helm 2 chart repositories (az acr helm) were retired by Azure Container Registry on March 30th, "
                 "2025, and azlocal has none. Store charts as OCI artifacts with the Helm 3 CLI instead: "
                 "`helm registry login {server}`, `helm push <chart>-<version>.tgz oci://{server}/helm`; they are "
                 "then listed by `az acr repository list -n {name}`.")


def git_add(url, path):
    from azlocal.acr import git_sources

    return git_sources.add(url, path)


def git_list():
    from azlocal.acr import git_sources

    return git_sources.list_registrations()


def git_remove(url):
    from azlocal.acr import git_sources

    git_sources.remove(url)


def pack_build(registry_name, image_name, source_location, builder, pack_image_tag="stable", agent_pool_name=None,
               pull=False, no_format=False, no_logs=False, no_wait=False, timeout=None, resource_group_name=None,
               platform=None, auth_mode=None):
    from azlocal.acr import registries

    registries.get(registry_name, resource_group_name)
    raise AzLocalError(
        f"Cloud Native Buildpacks builds are not available offline: `az acr pack build` runs the 'pack' CLI image "
        f"(mcr.microsoft.com/oryx/pack:{pack_image_tag}) with the builder image '{builder}', and neither can be "
        f"pulled without the internet. Build from a Dockerfile instead: `az acr build -r {registry_name} "
        f"-t {image_name} {source_location}`.")


def _helm_refused(registry_name):
    name = registry_name or "<registry>"
    raise AzLocalError(_HELM_RETIRED.format(server=f"{name}.azurecr.io", name=name))


def helm_list(registry_name, repository="repo", resource_group_name=None, tenant_suffix=None, username=None,
              password=None):
    _helm_refused(registry_name)


def helm_show(registry_name, chart, version=None, repository="repo", resource_group_name=None, tenant_suffix=None,
              username=None, password=None):
    _helm_refused(registry_name)


def helm_delete(registry_name, chart, version=None, repository="repo", resource_group_name=None,
                tenant_suffix=None, username=None, password=None, prov=False, yes=False):
    _helm_refused(registry_name)


def helm_push(registry_name, chart_package, repository="repo", force=False, resource_group_name=None,
              tenant_suffix=None, username=None, password=None):
    _helm_refused(registry_name)


def helm_repo_add(registry_name, repository="repo", resource_group_name=None, tenant_suffix=None, username=None,
                  password=None):
    _helm_refused(registry_name)


def helm_install_cli(client_version="2.16.3", install_location=None, yes=False):
    raise AzLocalError(
        f"`az acr helm install-cli` downloads the Helm CLI ({client_version}) from https://get.helm.sh, which cannot "
        "be reached offline. Install Helm 3 from your system's packages; `az acr helm` itself was retired with Helm "
        "2 repositories (use `helm push … oci://<registry>.azurecr.io/helm`).")
