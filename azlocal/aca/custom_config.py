"""Handlers of az containerapp revision/label/ingress/traffic/secret/replica/registry/dapr: each turns
the arguments into a service call (the signatures are the commands' arguments)."""

from azlocal.aca import app_registries, app_revisions, app_secrets, ingress, replicas, traffic
from azlocal.core.conventions import as_bool


def revision_list(name, resource_group_name, all_=False):
    return app_revisions.revision_list(resource_group_name, name, all_)


def revision_show(revision, resource_group_name, name=None):
    return app_revisions.revision_show(resource_group_name, name, revision)


def revision_activate(revision, resource_group_name, name=None):
    return app_revisions.revision_activate(resource_group_name, name, revision)


def revision_deactivate(revision, resource_group_name, name=None):
    return app_revisions.revision_deactivate(resource_group_name, name, revision)


def revision_restart(revision, resource_group_name, name=None):
    return app_revisions.revision_restart(resource_group_name, name, revision)


def revision_copy(resource_group_name, name=None, from_revision=None, image=None, container_name=None, cpu=None,
                  memory=None, set_env_vars=None, remove_env_vars=None, replace_env_vars=None,
                  remove_all_env_vars=False, startup_command=None, args=None, revision_suffix=None, min_replicas=None,
                  max_replicas=None, scale_rule_name=None, scale_rule_type=None, scale_rule_http_concurrency=None,
                  scale_rule_metadata=None, scale_rule_auth=None, workload_profile_name=None, tags=None,
                  yaml=None):
    from azlocal.aca.containerapps import hide_env_values
    from azlocal.aca.custom_apps import update_changes

    changes = update_changes(locals())
    return hide_env_values(app_revisions.revision_copy(resource_group_name, name, from_revision, **changes))


def revision_set_mode(name, resource_group_name, mode):
    return app_revisions.revision_set_mode(resource_group_name, name, mode)


def label_add(revision, label, resource_group_name, name=None, yes=False):
    return traffic.label_add(resource_group_name, name, revision, label, yes)


def label_remove(name, resource_group_name, label):
    return traffic.label_remove(resource_group_name, name, label)


def label_swap(name, resource_group_name, source, target):
    return traffic.label_swap(resource_group_name, name, source, target)


def ingress_enable(name, resource_group_name, kind, target_port=None, transport="auto", allow_insecure=None,
                   exposed_port=None):
    return ingress.ingress_enable(resource_group_name, name, kind, target_port, transport, as_bool(allow_insecure),
                                  exposed_port=exposed_port)


def ingress_disable(name, resource_group_name):
    ingress.ingress_disable(resource_group_name, name)


def ingress_update(name, resource_group_name, kind=None, target_port=None, transport=None, allow_insecure=None,
                   exposed_port=None):
    return ingress.ingress_update(resource_group_name, name, kind=kind, target_port=target_port, transport=transport,
                                  allow_insecure=as_bool(allow_insecure), exposed_port=exposed_port)


def ingress_show(name, resource_group_name):
    return ingress.ingress_show(resource_group_name, name)


def traffic_set(name, resource_group_name, revision_weight=None, label_weight=None):
    return traffic.traffic_set(resource_group_name, name, revision_weight, label_weight)


def traffic_show(name, resource_group_name):
    return traffic.traffic_show(resource_group_name, name)


def secret_list(name, resource_group_name, show_values=False):
    return app_secrets.secret_list(resource_group_name, name, show_values)


def secret_show(name, resource_group_name, secret_name):
    return app_secrets.secret_show(resource_group_name, name, secret_name)


def secret_set(name, resource_group_name, secrets):
    return app_secrets.secret_set(resource_group_name, name, secrets)


def secret_remove(name, resource_group_name, secret_names):
    return app_secrets.secret_remove(resource_group_name, name, secret_names)


def replica_list(name, resource_group_name, revision=None):
    return replicas.replica_list(resource_group_name, name, revision)


def replica_show(name, resource_group_name, replica, revision=None):
    return replicas.replica_show(resource_group_name, name, replica, revision)


def registry_set(name, resource_group_name, server, username=None, password=None, identity=None):
    return app_registries.registry_set(resource_group_name, name, server, username, password, identity)


def registry_list(name, resource_group_name):
    return app_registries.registry_list(resource_group_name, name)


def registry_show(name, resource_group_name, server):
    return app_registries.registry_show(resource_group_name, name, server)


def registry_remove(name, resource_group_name, server):
    return app_registries.registry_remove(resource_group_name, name, server)


def dapr_enable(name, resource_group_name, dapr_app_id=None, dapr_app_port=None, dapr_app_protocol=None,
                dapr_log_level=None, dapr_enable_api_logging=False, dapr_http_max_request_size=None,
                dapr_http_read_buffer_size=None):
    return app_registries.dapr_set(
        resource_group_name, name, True, app_id=dapr_app_id, app_port=dapr_app_port, app_protocol=dapr_app_protocol,
        log_level=dapr_log_level, api_logging=dapr_enable_api_logging or None,
        max_request_size=dapr_http_max_request_size, read_buffer_size=dapr_http_read_buffer_size)


def dapr_disable(name, resource_group_name):
    return app_registries.dapr_set(resource_group_name, name, False)
