"""Handlers of az acr cache, credential-set and artifact-streaming: the arguments knack parsed, turned into
service calls (connected-registry: custom_connected)."""

from azlocal.acr import artifact_streaming, cache_rules, credential_sets

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
