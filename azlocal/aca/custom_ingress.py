"""Handlers of az containerapp ingress cors / access-restriction / sticky-sessions (the signatures are the
commands' arguments); the behaviour is in ingress and ingress_policies."""

from azlocal.aca import ingress
from azlocal.core.conventions import as_bool


def cors_enable(name, resource_group_name, allowed_origins, allowed_methods=None, allowed_headers=None,
                expose_headers=None, allow_credentials=None, max_age=None):
    return ingress.cors_set(resource_group_name, name, allowed_origins=allowed_origins or [],
                            allowed_methods=allowed_methods, allowed_headers=allowed_headers,
                            expose_headers=expose_headers, allow_credentials=as_bool(allow_credentials),
                            max_age=max_age)


def cors_update(name, resource_group_name, allowed_origins=None, allowed_methods=None, allowed_headers=None,
                expose_headers=None, allow_credentials=None, max_age=None):
    if allowed_origins is not None and len(allowed_origins) == 0:
        from azlocal.core.errors import ValidationError

        raise ValidationError("allowed-origins must be specified if provided.")
    return ingress.cors_set(resource_group_name, name, allowed_origins=allowed_origins,
                            allowed_methods=allowed_methods, allowed_headers=allowed_headers,
                            expose_headers=expose_headers, allow_credentials=as_bool(allow_credentials),
                            max_age=max_age)


def cors_disable(name, resource_group_name):
    return ingress.cors_disable(resource_group_name, name)


def cors_show(name, resource_group_name):
    return ingress.cors_show(resource_group_name, name)


def restriction_set(name, resource_group_name, rule_name, ip_address, action, description=None):
    return ingress.restriction_set(resource_group_name, name, rule_name, ip_address, action, description)


def restriction_remove(name, resource_group_name, rule_name):
    return ingress.restriction_remove(resource_group_name, name, rule_name)


def restriction_list(name, resource_group_name):
    return ingress.restriction_list(resource_group_name, name)


def sticky_set(name, resource_group_name, affinity):
    return ingress.sticky_set(resource_group_name, name, affinity)


def sticky_show(name, resource_group_name):
    return ingress.sticky_show(resource_group_name, name)
