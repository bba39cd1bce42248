"""Handlers of az acr's network, endpoint, health, private link, identity and encryption commands: the
arguments knack parsed, turned into service calls."""

from azlocal.acr import encryption, endpoints, health, network_rules, private_links, registry_identity


def network_rule_list(registry_name, resource_group_name=None):
    return network_rules.list_rules(registry_name, resource_group_name)


def network_rule_add(registry_name, subnet=None, vnet_name=None, ip_address=None, resource_group_name=None):
    return network_rules.add(registry_name, ip_address, subnet, vnet_name, resource_group_name)


def network_rule_remove(registry_name, subnet=None, vnet_name=None, ip_address=None, resource_group_name=None):
    return network_rules.remove(registry_name, ip_address, subnet, vnet_name, resource_group_name)


def show_endpoints(registry_name, resource_group_name=None):
    return endpoints.show_endpoints(registry_name, resource_group_name)


def _confirm(question):
    from knack.prompting import NoTTYException, prompt_y_n

    from azlocal.core.errors import AzLocalError

    try:
        return prompt_y_n(question)
    except NoTTYException:
        raise AzLocalError("Unable to prompt for confirmation as no tty available. Use --yes.") from None


def check_health(vnet=None, repository=None, ignore_errors=False, yes=False, registry_name=None):
    health.check_health(registry_name, repository, ignore_errors, yes, vnet, confirm=_confirm)


def pec_list(registry_name, resource_group_name=None):
    return private_links.list_connections(registry_name, resource_group_name)


def pec_show(registry_name, private_endpoint_connection_name, resource_group_name=None):
    return private_links.show(registry_name, private_endpoint_connection_name, resource_group_name)


def pec_approve(registry_name, private_endpoint_connection_name, resource_group_name=None, approval_description=None):
    return private_links.approve(registry_name, private_endpoint_connection_name, resource_group_name,
                                 approval_description)


def pec_reject(registry_name, private_endpoint_connection_name, resource_group_name=None, rejection_description=None):
    return private_links.reject(registry_name, private_endpoint_connection_name, resource_group_name,
                                rejection_description)


def pec_delete(registry_name, private_endpoint_connection_name, resource_group_name=None):
    private_links.delete(registry_name, private_endpoint_connection_name, resource_group_name)


def private_link_resource_list(registry_name, resource_group_name=None):
    return private_links.list_private_link_resources(registry_name, resource_group_name)


def identity_show(registry_name, resource_group_name=None):
    return registry_identity.show(registry_name, resource_group_name)


def identity_assign(registry_name, identities, resource_group_name=None):
    return registry_identity.assign(registry_name, identities, resource_group_name)


def identity_remove(registry_name, identities, resource_group_name=None):
    return registry_identity.remove(registry_name, identities, resource_group_name)


def encryption_show(registry_name, resource_group_name=None):
    return encryption.show(registry_name, resource_group_name)


def encryption_rotate_key(registry_name, identity=None, key_encryption_key=None, resource_group_name=None):
    return encryption.rotate_key(registry_name, identity, key_encryption_key, resource_group_name)
