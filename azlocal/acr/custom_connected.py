"""Handlers of az acr connected-registry: the arguments knack parsed, turned into service calls
(connected_registries, connected_settings), with az's prompts."""

from azlocal.acr import connected_registries, connected_settings, registries
from azlocal.core.console import require_confirmation


def connected_create(registry_name, connected_registry_name, resource_group_name=None, repositories=None,
                     sync_token_name=None, client_token_list=None, mode="ReadOnly", parent_name=None,
                     sync_schedule=None, sync_message_ttl=None, sync_window=None, log_level=None,
                     sync_audit_logs_enabled=None, notifications=None, garbage_collection_enabled=None,
                     garbage_collection_schedule=None, identity=None, auth_type=None, yes=False):
    options = dict(mode=mode, repositories=repositories, sync_token=sync_token_name, client_tokens=client_token_list,
                   parent=parent_name, schedule=sync_schedule, ttl=sync_message_ttl, window=sync_window,
                   log_level=log_level, audit_logs=sync_audit_logs_enabled, notifications=notifications,
                   gc_enabled=garbage_collection_enabled, gc_schedule=garbage_collection_schedule,
                   auth_type=auth_type, identity=identity)
    doc, _ = connected_registries.check_create(registry_name, connected_registry_name, resource_group_name,
                                               **options)
    if not doc.get("dataEndpointEnabled"):
        require_confirmation("Dedicated data endpoints must be enabled to use connected-registry. Enabling might "
                             "impact your firewall rules. Are you sure you want to enable it for "
                             f"'{registry_name}' registry?", yes)
        registries.update(registry_name, resource_group_name, data_endpoint_enabled=True)
    return connected_registries.create(registry_name, connected_registry_name, resource_group_name, **options)


def connected_update(registry_name, connected_registry_name, resource_group_name=None, add_client_token_list=None,
                     remove_client_token_list=None, sync_schedule=None, sync_window=None, log_level=None,
                     sync_message_ttl=None, sync_audit_logs_enabled=None, add_notifications=None,
                     remove_notifications=None, garbage_collection_enabled=None, garbage_collection_schedule=None,
                     identity=None, auth_type=None):
    return connected_settings.update(
        registry_name, connected_registry_name, resource_group_name, add_client_tokens=add_client_token_list,
        remove_client_tokens=remove_client_token_list, schedule=sync_schedule, window=sync_window,
        log_level=log_level, ttl=sync_message_ttl, audit_logs=sync_audit_logs_enabled,
        add_notifications=add_notifications, remove_notifications=remove_notifications,
        gc_enabled=garbage_collection_enabled, gc_schedule=garbage_collection_schedule, identity=identity,
        auth_type=auth_type)


def connected_list(registry_name, resource_group_name=None, parent_name=None, no_children=False):
    return connected_registries.list_connected(registry_name, resource_group_name, parent=parent_name,
                                               no_children=no_children)


def connected_show(registry_name, connected_registry_name, resource_group_name=None):
    return connected_registries.get(registry_name, connected_registry_name, resource_group_name)


def connected_delete(registry_name, connected_registry_name, resource_group_name=None, cleanup=False, yes=False):
    connected_registries.get(registry_name, connected_registry_name, resource_group_name)
    extra = "" if cleanup else " without cleanup flag enabled"
    require_confirmation(f"Are you sure you want to delete the connected registry '{connected_registry_name}' in "
                         f"'{registry_name}'{extra}?", yes)
    return connected_registries.delete(registry_name, connected_registry_name, resource_group_name, cleanup=cleanup)


def connected_deactivate(registry_name, connected_registry_name, resource_group_name=None, yes=False):
    registries.get(registry_name, resource_group_name)
    require_confirmation(f"Are you sure you want to deactivate the connected registry '{connected_registry_name}' "
                         f"in '{registry_name}'?", yes)
    return connected_registries.deactivate(registry_name, connected_registry_name, resource_group_name)


def connected_get_settings(registry_name, connected_registry_name, parent_protocol, resource_group_name=None,
                           generate_password=None, yes=False):
    target = connected_registries.get(registry_name, connected_registry_name, resource_group_name)
    if generate_password:
        require_confirmation("Are you sure you want to generate a new sync token "
                             f"'{connected_settings.sync_token_name(target)}' password{generate_password}?", yes)
    return connected_settings.get_settings(registry_name, connected_registry_name, parent_protocol,
                                           resource_group_name, generate_password=generate_password)


def connected_install_info(registry_name, connected_registry_name, parent_protocol, resource_group_name=None):
    return connected_get_settings(registry_name, connected_registry_name, parent_protocol, resource_group_name)


def connected_install_renew_credentials(registry_name, connected_registry_name, parent_protocol,
                                        resource_group_name=None, yes=False):
    return connected_get_settings(registry_name, connected_registry_name, parent_protocol, resource_group_name,
                                  "1", yes)


def connected_list_client_tokens(registry_name, connected_registry_name, resource_group_name=None):
    return connected_settings.list_client_tokens(registry_name, connected_registry_name, resource_group_name)


def connected_permissions_show(registry_name, connected_registry_name, resource_group_name=None):
    return connected_settings.permissions_show(registry_name, connected_registry_name, resource_group_name)


def connected_permissions_update(registry_name, connected_registry_name, resource_group_name=None, add_repos=None,
                                 remove_repos=None):
    return connected_settings.permissions_update(registry_name, connected_registry_name, resource_group_name,
                                                 add=add_repos, remove=remove_repos)


def connected_repo(registry_name, connected_registry_name, resource_group_name=None, add_repos=None,
                   remove_repos=None):
    return connected_permissions_update(registry_name, connected_registry_name, resource_group_name, add_repos,
                                        remove_repos)


def connected_resync(registry_name, connected_registry_name, resource_group_name=None):
    return connected_registries.resync(registry_name, connected_registry_name, resource_group_name)


# Tables (az's columns; a missing value is a blank) --------------------------------------------------

def _value(item, *keys):
    for key in keys:
        item = item.get(key) if isinstance(item, dict) else None
    return str(item) if item or item == 0 else " "


def _parent_name(item):
    parent_id = (item.get("parent") or {}).get("id")
    return parent_id.split("/connectedRegistries/")[1] if parent_id else ""


_COLUMNS = {"NAME": ("name",), "MODE": ("mode",), "CONNECTION STATE": ("connectionState",),
            "LOGIN SERVER": ("loginServer", "host"), "LAST SYNC (UTC)": ("parent", "syncProperties", "lastSyncTime"),
            "SYNC SCHEDULE": ("parent", "syncProperties", "schedule"),
            "SYNC WINDOW": ("parent", "syncProperties", "syncWindow"),
            "SYNC STATE": ("registrySyncResult", "syncState")}


def _row(item, columns):
    return {c: _parent_name(item) if c == "PARENT" else _value(item, *_COLUMNS[c]) for c in columns}


def connected_table(result):
    columns = ["NAME", "MODE", "CONNECTION STATE", "PARENT", "LOGIN SERVER", "LAST SYNC (UTC)", "SYNC SCHEDULE",
               "SYNC WINDOW", "SYNC STATE"]
    items = result if isinstance(result, list) else [result]
    return [_row(i, columns) for i in items if isinstance(i, dict)]


def connected_list_table(result):
    """az lists the hierarchy depth first, each connected registry followed by its descendants."""
    by_id = {r["id"]: r for r in result}
    children = {}
    for r in result:
        children.setdefault((r.get("parent") or {}).get("id") if (r.get("parent") or {}).get("id") in by_id
                            else None, []).append(r)

    def walk(item):
        return [item] + [d for c in children.get(item["id"], []) for d in walk(c)]

    ordered = [d for root in children.get(None, []) for d in walk(root)]
    columns = ["NAME", "MODE", "CONNECTION STATE", "PARENT", "LOGIN SERVER", "LAST SYNC (UTC)", "SYNC STATE"]
    return [_row(i, columns) for i in ordered]
