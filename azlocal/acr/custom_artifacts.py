"""Handlers of `az acr manifest …` (list, referrers, metadata, soft-deleted artifacts), `az acr repository
list-deleted` and `az acr config …`: argument conversion and confirmations; the work is in artifacts and
registry_config."""

from azlocal.acr import artifacts, registry_config
from azlocal.core.console import require_confirmation
from azlocal.core.conventions import as_bool


def _confirm(yes):
    return lambda question: require_confirmation(question, yes)


# az acr manifest --------------------------------------------------------------------------------

def manifest_list(registry_name=None, name=None, repo_id=None, top=None, orderby=None, username=None, password=None,
                  suffix=None):
    return artifacts.list_manifests(registry_name, name, repo_id, top=top, orderby=orderby, username=username,
                                    password=password)


def manifest_list_metadata(registry_name=None, name=None, repo_id=None, top=None, orderby=None, username=None,
                           password=None, suffix=None):
    return artifacts.list_metadata(registry_name, name, repo_id, top=top, orderby=orderby, username=username,
                                   password=password)


def manifest_show_metadata(registry_name=None, name=None, manifest_id=None, username=None, password=None,
                           suffix=None):
    return artifacts.show_metadata(registry_name, name, manifest_id, username, password)


def manifest_update_metadata(registry_name=None, name=None, manifest_id=None, delete_enabled=None, list_enabled=None,
                             read_enabled=None, write_enabled=None, username=None, password=None, suffix=None):
    return artifacts.update_metadata(registry_name, name, manifest_id, delete_enabled=as_bool(delete_enabled),
                                     list_enabled=as_bool(list_enabled), read_enabled=as_bool(read_enabled),
                                     write_enabled=as_bool(write_enabled), username=username, password=password)


def manifest_list_referrers(registry_name=None, name=None, manifest_id=None, artifact_type=None, recursive=False,
                            username=None, password=None, suffix=None):
    return artifacts.list_referrers(registry_name, name, manifest_id, artifact_type=artifact_type,
                                    recursive=recursive, username=username, password=password)


def manifest_list_deleted(registry_name=None, name=None, repo_id=None, username=None, password=None, suffix=None):
    return artifacts.list_deleted(registry_name, name, repo_id, username, password)


def manifest_list_deleted_tags(registry_name=None, name=None, perm_repo_id=None, username=None, password=None,
                               suffix=None):
    return artifacts.list_deleted_tags(registry_name, name, perm_repo_id, username, password)


def manifest_restore(registry_name=None, name=None, manifest_id=None, digest=None, force=False, yes=False,
                     username=None, password=None, suffix=None):
    return artifacts.restore(registry_name, name, manifest_id, digest=digest, force=force, confirm=_confirm(yes),
                             username=username, password=password)


def repository_list_deleted(registry_name, username=None, password=None, suffix=None):
    return artifacts.repository_list_deleted(registry_name, username, password)


# az acr config ----------------------------------------------------------------------------------

def content_trust_show(registry_name, resource_group_name=None):
    return registry_config.content_trust_show(registry_name, resource_group_name)


def content_trust_update(registry_name, status=None, resource_group_name=None, yes=False):
    registry_config.content_trust_check(registry_name, resource_group_name)
    require_confirmation(registry_config.TRUST_WARNING, yes)
    return registry_config.content_trust_update(registry_name, status, resource_group_name)


def retention_show(registry_name, resource_group_name=None):
    return registry_config.retention_show(registry_name, resource_group_name)


def retention_update(registry_name, policy_type, status=None, days=7, resource_group_name=None):
    # --days defaults to 7, as in az: an update without it sets 7 again (int(): the parser marks defaults)
    return registry_config.retention_update(registry_name, status, None if days is None else int(days),
                                            resource_group_name)


def soft_delete_show(registry_name):
    return registry_config.soft_delete_show(registry_name)


def soft_delete_update(registry_name, status=None, days=None, yes=False):
    return registry_config.soft_delete_update(registry_name, status, days, confirm=_confirm(yes))


def authentication_as_arm_show(registry_name, resource_group_name=None):
    return registry_config.authentication_as_arm_show(registry_name, resource_group_name)


def authentication_as_arm_update(registry_name, status=None, resource_group_name=None):
    return registry_config.authentication_as_arm_update(registry_name, status, resource_group_name)
