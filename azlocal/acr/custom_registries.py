"""Handlers of az acr's registry commands (create … login, credential, replication, webhook, import): the
arguments knack parsed, turned into service calls."""

from azlocal.acr import registries, registry_import, replications, webhooks
from azlocal.core.common import parse_tags
from azlocal.core.console import Progress, require_confirmation
from azlocal.core.conventions import as_bool


def _flags(**values):
    """The three-state flags as booleans (None stays None: not given)."""
    return {key: as_bool(value) for key, value in values.items()}


def acr_create(registry_name, resource_group_name, sku, location=None, admin_enabled=False, tags=None,
               public_network_enabled=None, zone_redundancy=None, default_action=None, allow_trusted_services=None,
               allow_exports=None, allow_metadata_search=None, dnl_scope=None, role_assignment_mode=None,
               regional_endpoints=None, data_endpoint_enabled=None, endpoint_protocol=None, writable_cache_repos=None,
               workspace=None, identity=None, key_encryption_key=None):
    with Progress():
        return registries.create(
            resource_group_name, registry_name, sku, location, tags=parse_tags(tags), dnl_scope=dnl_scope,
            identity=identity, key_encryption_key=key_encryption_key, workspace=workspace,
            zone_redundancy=zone_redundancy, default_action=default_action, role_assignment_mode=role_assignment_mode,
            regional_endpoints=regional_endpoints, endpoint_protocol=endpoint_protocol,
            writable_cache_repos=writable_cache_repos,
            **_flags(admin_enabled=admin_enabled, public_network_enabled=public_network_enabled,
                     allow_trusted_services=allow_trusted_services, allow_exports=allow_exports,
                     allow_metadata_search=allow_metadata_search, data_endpoint_enabled=data_endpoint_enabled))


def acr_show(registry_name, resource_group_name=None):
    return registries.get(registry_name, resource_group_name)


def acr_list(resource_group_name=None):
    return registries.list_registries(resource_group_name)


def acr_update(registry_name, resource_group_name=None, sku=None, admin_enabled=None, anonymous_pull_enabled=None,
               tags=None, public_network_enabled=None, default_action=None, allow_trusted_services=None,
               allow_exports=None, allow_metadata_search=None, role_assignment_mode=None, regional_endpoints=None,
               data_endpoint_enabled=None, endpoint_protocol=None, writable_cache_repos=None, set_=None, add=None,
               remove=None, force_string=False):
    return registries.update(
        registry_name, resource_group_name, sku, set_=set_, add=add, remove=remove, force_string=force_string,
        tags=parse_tags(tags), default_action=default_action, role_assignment_mode=role_assignment_mode,
        regional_endpoints=regional_endpoints, endpoint_protocol=endpoint_protocol,
        writable_cache_repos=writable_cache_repos,
        **_flags(admin_enabled=admin_enabled, anonymous_pull_enabled=anonymous_pull_enabled,
                 public_network_enabled=public_network_enabled, allow_trusted_services=allow_trusted_services,
                 allow_exports=allow_exports, allow_metadata_search=allow_metadata_search,
                 data_endpoint_enabled=data_endpoint_enabled))


def acr_delete(registry_name, resource_group_name=None, yes=False):
    registries.get(registry_name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the registry '{registry_name}'?", yes)
    registries.delete(registry_name, resource_group_name)


def acr_check_name(registry_name, resource_group_name=None, dnl_scope="Unsecure"):
    return registries.check_name(registry_name, resource_group_name, dnl_scope)


def acr_show_usage(registry_name, resource_group_name=None):
    return registries.show_usage(registry_name, resource_group_name)


def acr_import(registry_name, source, image_names=None, repository=None, source_registry=None, force=False,
               username=None, password=None, no_wait=False, resource_group_name=None):
    if no_wait:
        # As az: the import is queued; here it is done at once (it is local), and failures still show.
        from knack.log import get_logger

        get_logger(__name__).warning("Import has started. Due to no-wait option, failures will not be reflected.")
    with Progress():
        registry_import.import_image(registry_name, source, image_names, source_registry=source_registry,
                                     force=force, username=username, password=password,
                                     resource_group=resource_group_name, repositories_=repository)


def credential_show(registry_name, resource_group_name=None):
    return registries.credential_show(registry_name, resource_group_name)


def credential_renew(registry_name, password_name, resource_group_name=None):
    return registries.credential_renew(registry_name, password_name, resource_group_name)


# Webhooks ---------------------------------------------------------------------------------

def webhook_create(registry_name, name, uri, actions, resource_group_name=None, headers=None, scope=None,
                   status="enabled", location=None, tags=None):
    return webhooks.create(registry_name, name, uri, actions, resource_group_name, headers=parse_tags(headers),
                           scope=scope, status=status, location=location, tags=parse_tags(tags))


def webhook_list(registry_name, resource_group_name=None):
    return webhooks.list_webhooks(registry_name, resource_group_name)


def webhook_show(registry_name, name, resource_group_name=None):
    return webhooks.get(registry_name, name, resource_group_name)


def webhook_update(registry_name, name, resource_group_name=None, uri=None, actions=None, headers=None, scope=None,
                   status=None, tags=None, set_=None, add=None, remove=None, force_string=False):
    return webhooks.update(registry_name, name, resource_group_name, uri=uri, actions=actions,
                           headers=parse_tags(headers), scope=scope, status=status, tags=parse_tags(tags), set_=set_,
                           add=add, remove=remove, force_string=force_string)


def webhook_delete(registry_name, name, resource_group_name=None):
    webhooks.delete(registry_name, name, resource_group_name)


def webhook_get_config(registry_name, name, resource_group_name=None):
    return webhooks.get_config(registry_name, name, resource_group_name)


def webhook_list_events(registry_name, name, resource_group_name=None):
    return webhooks.list_events(registry_name, name, resource_group_name)


def webhook_ping(registry_name, name, resource_group_name=None):
    return webhooks.ping(registry_name, name, resource_group_name)


# Replications -----------------------------------------------------------------------------

def replication_create(registry_name, location, name=None, resource_group_name=None, tags=None,
                       global_endpoint_routing="true", zone_redundancy=None):
    return replications.create(registry_name, location, resource_group_name, name, tags=parse_tags(tags),
                               global_endpoint_routing=as_bool(global_endpoint_routing),
                               zone_redundancy=zone_redundancy)


def replication_list(registry_name, resource_group_name=None):
    return replications.list_replications(registry_name, resource_group_name)


def replication_show(registry_name, name, resource_group_name=None):
    return replications.get(registry_name, name, resource_group_name)


def replication_update(registry_name, name, resource_group_name=None, tags=None, global_endpoint_routing=None,
                       set_=None, add=None, remove=None, force_string=False):
    return replications.update(registry_name, name, resource_group_name, tags=parse_tags(tags),
                               global_endpoint_routing=as_bool(global_endpoint_routing), set_=set_, add=add,
                               remove=remove, force_string=force_string)


def replication_delete(registry_name, name, resource_group_name=None):
    replications.delete(registry_name, name, resource_group_name)
