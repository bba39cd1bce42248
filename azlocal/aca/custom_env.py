"""Handlers of az containerapp env: each turns the arguments into a call of `environments`."""

from azlocal.core.conventions import as_bool


def env_create(name, resource_group_name, location=None, logs_destination="log-analytics", logs_workspace_id=None,
               logs_workspace_key=None, tags=None, no_wait=False, dapr_connection_string=None,
               instrumentation_key=None, certificate_file=None, certificate_password=None, hostname=None,
               docker_bridge_cidr=None, platform_reserved_cidr=None, platform_reserved_dns_ip=None,
               infrastructure_subnet_resource_id=None, infrastructure_resource_group=None, internal_only=None,
               zone_redundant=False, enable_workload_profiles=None, mtls_enabled=None, p2p_encryption_enabled=None,
               storage_account=None):
    from azlocal.aca import environments
    from azlocal.core.common import parse_tags
    from azlocal.core.console import Progress

    with Progress():
        return environments.create(resource_group_name, name, location, parse_tags(tags), logs_destination,
                                   logs_workspace_id, options=dict(
                                       logs_key=logs_workspace_key, dapr_connection_string=dapr_connection_string,
                                       instrumentation_key=instrumentation_key, certificate_file=certificate_file,
                                       certificate_password=certificate_password, dns_suffix=hostname,
                                       docker_bridge_cidr=docker_bridge_cidr,
                                       platform_reserved_cidr=platform_reserved_cidr,
                                       platform_reserved_dns_ip=platform_reserved_dns_ip,
                                       subnet=infrastructure_subnet_resource_id,
                                       infrastructure_resource_group=infrastructure_resource_group,
                                       internal_only=as_bool(internal_only), zone_redundant=zone_redundant,
                                       workload_profiles=as_bool(enable_workload_profiles),
                                       mtls=as_bool(mtls_enabled), p2p=as_bool(p2p_encryption_enabled),
                                       storage_account=storage_account))


def env_show(name, resource_group_name):
    from azlocal.aca import environments

    return environments.get(resource_group_name, name)


def env_list(resource_group_name=None):
    from azlocal.aca import environments

    return environments.list_environments(resource_group_name)


def env_update(name, resource_group_name, tags=None, no_wait=False, logs_destination=None, logs_workspace_id=None,
               logs_workspace_key=None, dapr_connection_string=None, certificate_file=None,
               certificate_password=None, hostname=None, mtls_enabled=None, p2p_encryption_enabled=None,
               storage_account=None, workload_profile_name=None, workload_profile_type=None, min_nodes=None,
               max_nodes=None):
    from azlocal.aca import environments
    from azlocal.core.common import parse_tags

    return environments.update(resource_group_name, name, parse_tags(tags), options=dict(
        logs_destination=logs_destination, logs_workspace_id=logs_workspace_id, logs_key=logs_workspace_key,
        dapr_connection_string=dapr_connection_string, certificate_file=certificate_file,
        certificate_password=certificate_password, dns_suffix=hostname, mtls=as_bool(mtls_enabled),
        p2p=as_bool(p2p_encryption_enabled), storage_account=storage_account,
        workload_profile_name=workload_profile_name, workload_profile_type=workload_profile_type,
        min_nodes=min_nodes, max_nodes=max_nodes))


def env_delete(name, resource_group_name, no_wait=False):
    from azlocal.aca import environments

    environments.delete(resource_group_name, name)
