"""Handlers of az acr cache, credential-set, connected-registry and artifact-streaming: the arguments knack
parsed, turned into service calls."""

from azlocal.acr import artifact_streaming, cache_rules, connected_registries, credential_sets
from azlocal.core.console import require_confirmation

# Cache rules ------------------------------------------------------------------------------------

def cache_create(registry_name, name, source_repo, target_repo, resource_group_name=None, cred_set=None,
                 identity=None):
    return cache_rules.create(registry_name, name, source_repo, target_repo, resource_group_name,
                              cred_set=cred_set, identity=identity)


def cache_list(registry_name, resource_group_name=None):
    return cache_rules.list_rules(registry_name, resource_group_name)


def cache_show(registry_name, name, resource_group_name=None):
    return cache_rules.get(registry_name, name, resource_group_name)


def cache_update(registry_name, name, resource_group_name=None, cred_set=None, remove_cred_set=False,
                 identity=None, set_=None, add=None, remove=None, force_string=False):
    return cache_rules.update(registry_name, name, resource_group_name, cred_set=cred_set,
                              remove_cred_set=remove_cred_set, identity=identity, set_=set_, add=add, remove=remove,
                              force_string=force_string)


def cache_delete(registry_name, name, resource_group_name=None):
    cache_rules.delete(registry_name, name, resource_group_name)


# Credential sets ----------------------------------------------------------------------------------

def credential_set_create(registry_name, name, login_server, username_id, password_id, resource_group_name=None):
    return credential_sets.create(registry_name, name, login_server, username_id, password_id, resource_group_name)


def credential_set_list(registry_name, resource_group_name=None):
    return credential_sets.list_sets(registry_name, resource_group_name)


def credential_set_show(registry_name, name, resource_group_name=None):
    return credential_sets.get(registry_name, name, resource_group_name)


def credential_set_update(registry_name, name, resource_group_name=None, username_id=None, password_id=None,
                          set_=None, add=None, remove=None, force_string=False):
    return credential_sets.update(registry_name, name, resource_group_name, username_id=username_id,
                                  password_id=password_id)


def credential_set_delete(registry_name, name, resource_group_name=None):
    credential_sets.delete(registry_name, name, resource_group_name)


# Connected registries (refused: see connected_registries) ----------------------------------------

def connected_create(registry_name, connected_registry_name, resource_group_name=None, repositories=None,
                     sync_token_name=None, client_token_list=None, mode="ReadOnly", parent_name=None,
                     sync_schedule=None, sync_message_ttl=None, sync_window=None, log_level=None,
                     sync_audit_logs_enabled=None, notifications=None, garbage_collection_enabled=None,
                     garbage_collection_schedule=None, identity=None, auth_type=None, yes=False):
    return connected_registries.create(registry_name, connected_registry_name, resource_group_name,
                                       auth_type=auth_type, identity=identity, sync_token=sync_token_name,
                                       repositories=repositories, parent=parent_name, mode=mode)


def connected_update(registry_name, connected_registry_name, resource_group_name=None, add_client_token_list=None,
                     remove_client_token_list=None, sync_schedule=None, sync_window=None, log_level=None,
                     sync_message_ttl=None, sync_audit_logs_enabled=None, add_notifications=None,
                     remove_notifications=None, garbage_collection_enabled=None, garbage_collection_schedule=None,
                     identity=None, auth_type=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_list(registry_name, resource_group_name=None, parent_name=None, no_children=False):
    return connected_registries.list_connected(registry_name, resource_group_name, parent=parent_name,
                                               no_children=no_children)


def connected_show(registry_name, connected_registry_name, resource_group_name=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_delete(registry_name, connected_registry_name, resource_group_name=None, cleanup=False, yes=False):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_deactivate(registry_name, connected_registry_name, resource_group_name=None, yes=False):
    from azlocal.acr import registries

    registries.get(registry_name, resource_group_name)
    require_confirmation(f"Are you sure you want to deactivate the connected registry '{connected_registry_name}' "
                         f"in '{registry_name}'?", yes)
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_get_settings(registry_name, connected_registry_name, parent_protocol, resource_group_name=None,
                           generate_password=None, yes=False):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_install_info(registry_name, connected_registry_name, parent_protocol, resource_group_name=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_install_renew_credentials(registry_name, connected_registry_name, parent_protocol,
                                        resource_group_name=None, yes=False):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_list_client_tokens(registry_name, connected_registry_name, resource_group_name=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_permissions_show(registry_name, connected_registry_name, resource_group_name=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_permissions_update(registry_name, connected_registry_name, resource_group_name=None, add_repos=None,
                                 remove_repos=None):
    return connected_registries.permissions_update(registry_name, connected_registry_name, resource_group_name,
                                                   add=add_repos, remove=remove_repos)


def connected_repo(registry_name, connected_registry_name, resource_group_name=None, add_repos=None,
                   remove_repos=None):
    return connected_permissions_update(registry_name, connected_registry_name, resource_group_name, add_repos,
                                        remove_repos)


def connected_resync(registry_name, connected_registry_name, resource_group_name=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


# Artifact streaming (refused: see artifact_streaming) --------------------------------------------

def streaming_create(registry_name, image, tenant_suffix=None, username=None, password=None, no_wait=False):
    return artifact_streaming.create(registry_name, image)


def streaming_show(registry_name, repository, tenant_suffix=None, username=None, password=None):
    return artifact_streaming.refuse(registry_name)


def streaming_update(registry_name, repository, enable_streaming, tenant_suffix=None, username=None,
                     password=None):
    return artifact_streaming.refuse(registry_name)


def streaming_operation_show(registry_name, image=None, repository=None, operation_id=None, tenant_suffix=None,
                             username=None, password=None):
    return artifact_streaming.refuse(registry_name)


def streaming_operation_cancel(registry_name, image=None, repository=None, operation_id=None, tenant_suffix=None,
                               username=None, password=None):
    return artifact_streaming.refuse(registry_name)
