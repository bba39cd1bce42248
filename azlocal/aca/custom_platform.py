"""Handlers of the platform and identity areas (azlocal.aca.commands_platform, commands_identity):
workload profiles, environment storages, usages, premium ingress, Dapr components, GitHub Actions
and managed identities. Each turns its arguments into one call of a behaviour module."""

from knack.log import get_logger

from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

GITHUB_OFFLINE = ("GitHub Actions deployments need GitHub: azlocal works offline and cannot reach github.com to add "
                  "a workflow, its secrets or a service principal. Build and deploy from a local folder instead: "
                  "az containerapp up --source <folder>, or az acr build and az containerapp update --image.")


# Workload profiles ---------------------------------------------------------------------------------

def _env(resource_group_name, env_name):
    from azlocal.aca import environments
    from azlocal.core.errors import ArgumentUsageError

    if not resource_group_name or not env_name:
        raise ArgumentUsageError("usage error: --ids | --resource-group --name")
    return environments.get(resource_group_name, env_name)


def _save_env(doc):
    from azlocal.platform.store import store

    s = store()
    with s.transaction():
        s.put(doc)
    return doc


def workload_profile_list_supported(location):
    from azlocal.aca import workload_profiles

    return workload_profiles.list_supported(location)


def workload_profile_list(resource_group_name, env_name):
    from azlocal.aca import workload_profiles

    doc = _env(resource_group_name, env_name)
    return [workload_profiles.state(doc, p) for p in workload_profiles.profiles_of(doc) or []]


def workload_profile_show(resource_group_name, env_name, workload_profile_name):
    from azlocal.aca import workload_profiles
    from azlocal.core.errors import ValidationError

    doc = _env(resource_group_name, env_name)
    found = workload_profiles.find(doc, workload_profile_name)
    if found is None:
        names = ",".join(p["name"] for p in workload_profiles.profiles_of(doc) or [])
        raise ValidationError("No such workload profile found on the environment. The workload profile(s) on the "
                              f"environment are: {names}")
    return workload_profiles.state(doc, found)


_NO_PROFILES = ("Cannot {verb} workload profile because the environment doesn't enable workload profile.\nIf you "
                "want to use Consumption and Dedicated environment, please create a new one with 'az containerapp "
                "env create'.")


def workload_profile_add(resource_group_name, env_name, workload_profile_name=None, workload_profile_type=None,
                         min_nodes=None, max_nodes=None):
    from azlocal.aca import workload_profiles
    from azlocal.core.errors import ValidationError

    doc = _env(resource_group_name, env_name)
    if workload_profiles.profiles_of(doc) is None:
        raise ValidationError(_NO_PROFILES.format(verb="add"))
    if workload_profile_name and workload_profiles.find(doc, workload_profile_name):
        raise ValidationError(f"Cannot add workload profile with name {workload_profile_name} because it already "
                              "exists in this environment")
    if not workload_profile_type:
        raise ValidationError("--workload-profile-type is required to add a workload profile (one of the types "
                              "'az containerapp env workload-profile list-supported' lists).")
    workload_profiles.set_profile(doc, workload_profile_name, workload_profile_type, min_nodes, max_nodes)
    return _save_env(doc)


def workload_profile_update(resource_group_name, env_name, workload_profile_name, min_nodes=None, max_nodes=None):
    from azlocal.aca import workload_profiles
    from azlocal.core.errors import ValidationError

    doc = _env(resource_group_name, env_name)
    if workload_profiles.profiles_of(doc) is None:
        raise ValidationError(_NO_PROFILES.format(verb="update"))
    if workload_profiles.find(doc, workload_profile_name) is None:
        names = ",".join(p["name"] for p in workload_profiles.profiles_of(doc))
        raise ValidationError(f"Workload profile with name {workload_profile_name} does not exist in this "
                              f"environment. The workload profiles available in this environment are {names}")
    workload_profiles.set_profile(doc, workload_profile_name, None, min_nodes, max_nodes)
    return _save_env(doc)


def workload_profile_delete(resource_group_name, env_name, workload_profile_name):
    from azlocal.aca import workload_profiles
    from azlocal.core.errors import ValidationError

    doc = _env(resource_group_name, env_name)
    if not workload_profiles.profiles_of(doc):
        raise ValidationError("This environment does not allow for workload profiles. Can create a compatible "
                              "environment with 'az containerapp env create --enable-workload-profiles'")
    if workload_profile_name.lower() == "consumption":
        raise ValidationError("Cannot delete the 'Consumption' workload profile")
    users = workload_profiles.users_of(doc, workload_profile_name)
    if users:
        raise AzLocalError(f"(ManagedEnvironmentWorkloadProfileInUse) The workload profile '{workload_profile_name}' "
                           f"cannot be deleted: apps or jobs run on it ({', '.join(u['name'] for u in users)}).")
    doc["properties"]["workloadProfiles"] = [p for p in workload_profiles.profiles_of(doc)
                                             if p["name"].lower() != workload_profile_name.lower()]
    return _save_env(doc)


# Environment storages --------------------------------------------------------------------------------

def storage_set(resource_group_name, name, storage_name, azure_file_account_name, azure_file_share_name,
                azure_file_account_key, access_mode, no_wait=False):
    from azlocal.aca import env_storage

    return env_storage.set_storage(resource_group_name, name, storage_name, account=azure_file_account_name,
                                   share=azure_file_share_name, key=azure_file_account_key, access_mode=access_mode)


def storage_show(resource_group_name, name, storage_name):
    from azlocal.aca import env_storage

    return env_storage.get(resource_group_name, name, storage_name)


def storage_list(resource_group_name, name):
    from azlocal.aca import env_storage

    return env_storage.list_storages(resource_group_name, name)


def storage_remove(resource_group_name, name, storage_name, yes=False):
    from azlocal.aca import env_storage

    env_storage.remove(resource_group_name, name, storage_name)


# Usages ------------------------------------------------------------------------------------------------

def list_usages(location):
    from azlocal.aca import usages

    return usages.subscription_usages(location)


def env_list_usages(resource_group_name=None, name=None):
    from azlocal.aca import usages
    from azlocal.core.errors import ArgumentUsageError

    if not resource_group_name or not name:
        raise ArgumentUsageError("usage error: --ids | --resource-group --name")
    return usages.environment_usages(_env(resource_group_name, name))


# Premium ingress ---------------------------------------------------------------------------------------

def premium_ingress_show(resource_group_name, name=None):
    from azlocal.aca import workload_profiles

    return workload_profiles.premium_ingress_show(_env(resource_group_name, name))


def premium_ingress_add(resource_group_name, workload_profile_name, name=None, termination_grace_period=None,
                        request_idle_timeout=None, header_count_limit=None):
    from azlocal.aca import workload_profiles

    doc = _env(resource_group_name, name)
    config = workload_profiles.premium_ingress_set(doc, dict(
        workloadProfileName=workload_profile_name, terminationGracePeriodSeconds=termination_grace_period,
        requestIdleTimeout=request_idle_timeout, headerCountLimit=header_count_limit), replace=True)
    _save_env(doc)
    return config


def premium_ingress_update(resource_group_name, name=None, workload_profile_name=None, termination_grace_period=None,
                           request_idle_timeout=None, header_count_limit=None):
    from azlocal.aca import workload_profiles

    doc = _env(resource_group_name, name)
    changes = {k: v for k, v in dict(workloadProfileName=workload_profile_name,
                                     terminationGracePeriodSeconds=termination_grace_period,
                                     requestIdleTimeout=request_idle_timeout,
                                     headerCountLimit=header_count_limit).items() if v is not None}
    if not changes:
        return {"message": "No changes specified for premium ingress configuration"}
    config = workload_profiles.premium_ingress_set(doc, changes, replace=False)
    _save_env(doc)
    return config


def premium_ingress_remove(resource_group_name, name=None, yes=False):
    doc = _env(resource_group_name, name)
    doc["properties"]["ingressConfiguration"] = None
    _save_env(doc)


# Dapr components ---------------------------------------------------------------------------------------

def dapr_component_list(resource_group_name, environment_name):
    from azlocal.aca import dapr_components

    return dapr_components.list_components(resource_group_name, environment_name)


def dapr_component_show(resource_group_name, environment_name, dapr_component_name):
    from azlocal.aca import dapr_components

    return dapr_components.get(resource_group_name, environment_name, dapr_component_name)


def dapr_component_set(resource_group_name, environment_name, dapr_component_name, yaml):
    from azlocal.aca import dapr_components

    return dapr_components.set_component(resource_group_name, environment_name, dapr_component_name, yaml)


def dapr_component_remove(resource_group_name, environment_name, dapr_component_name):
    from azlocal.aca import dapr_components

    dapr_components.remove(resource_group_name, environment_name, dapr_component_name)


# GitHub Actions: refused (no GitHub offline) -----------------------------------------------------------

def _app(resource_group_name, name):
    from azlocal.aca import appstore
    from azlocal.core.errors import ArgumentUsageError

    if not resource_group_name or not name:
        raise ArgumentUsageError("usage error: --ids | --resource-group --name")
    return appstore.get(resource_group_name, name)


def github_action_add(repo_url, name=None, resource_group_name=None, token=None, branch=None,
                      login_with_github=False, registry_url=None, registry_username=None, registry_password=None,
                      context_path=None, image=None, service_principal_client_id=None,
                      service_principal_client_secret=None, service_principal_tenant_id=None):
    _app(resource_group_name, name)
    raise AzLocalError(GITHUB_OFFLINE)


def github_action_delete(name=None, resource_group_name=None, token=None, login_with_github=False):
    _app(resource_group_name, name)
    raise AzLocalError(GITHUB_OFFLINE)


def github_action_show(name=None, resource_group_name=None):
    from azlocal.core.errors import ResourceNotFound

    app = _app(resource_group_name, name)
    raise ResourceNotFound(f"The container app '{app['name']}' has no GitHub Actions workflow: azlocal cannot add one "
                           "offline (no GitHub), so there is no source control to show.", code="SourceControlNotFound")


# Managed identities -------------------------------------------------------------------------------------

def identity_assign(name=None, resource_group_name=None, system_assigned=False, user_assigned=None, no_wait=False):
    from azlocal.aca import identities

    return identities.assign("app", resource_group_name, name, system_assigned, user_assigned)


def identity_remove(name=None, resource_group_name=None, system_assigned=False, user_assigned=None, no_wait=False):
    from azlocal.aca import identities

    return identities.remove("app", resource_group_name, name, system_assigned, user_assigned)


def identity_show(name=None, resource_group_name=None):
    from azlocal.aca import identities

    return identities.show("app", resource_group_name, name)


def job_identity_assign(name=None, resource_group_name=None, system_assigned=False, user_assigned=None,
                        no_wait=False):
    from azlocal.aca import identities

    return identities.assign("job", resource_group_name, name, system_assigned, user_assigned)


def job_identity_remove(name=None, resource_group_name=None, system_assigned=False, user_assigned=None,
                        no_wait=False, yes=False):
    from azlocal.aca import identities

    return identities.remove("job", resource_group_name, name, system_assigned, user_assigned)


def job_identity_show(name=None, resource_group_name=None):
    from azlocal.aca import identities

    return identities.show("job", resource_group_name, name)
