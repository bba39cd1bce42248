"""Role assignment scopes: ARM ids of the subscription, a resource group, a resource or a resource's child,
checked as az checks their form and as ARM checks that they exist, and compared as ARM compares them
(segment by segment, ignoring case)."""

import re

from azlocal.core import settings
from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

_RESOURCE = re.compile(r"^/subscriptions/(?P<sub>[^/]+)(/resourceGroups/(?P<group>[^/]+)"
                       r"(/providers/(?P<namespace>[^/]+)/(?P<rest>.+))?)?$", re.IGNORECASE)


def subscription_scope():
    return f"/subscriptions/{settings.SUBSCRIPTION_ID}"


def build(resource_group_name=None, scope=None):
    """The scope az's `_build_role_scope` makes of --resource-group and --scope (the subscription without either)."""
    if scope:
        if resource_group_name:
            raise ValidationError(f'Resource group "{resource_group_name}" is redundant because scope is supplied')
        if scope.lower().startswith("/subscriptions/") and not is_valid_form(scope):
            raise ValidationError("Invalid scope. Please use --help to view the valid format.")
        return scope
    if resource_group_name:
        return f"{subscription_scope()}/resourceGroups/{resource_group_name}"
    return subscription_scope()


def is_valid_form(scope):
    """A well-formed ARM id at or under a subscription: type/name pairs after the provider namespace, no empty
    segment, no trailing slash (as azure.mgmt.core's is_valid_resource_id)."""
    match = _RESOURCE.match(scope or "")
    if not match or any(not part for part in scope.split("/")[1:]):
        return False
    rest = match["rest"]
    return rest is None or len(rest.split("/")) % 2 == 0


def require(scope):
    """Refuses a scope that ARM would not find: not under this subscription, a missing resource group, or a
    missing resource (its top-level resource, for a child scope such as a vault's secret)."""
    if not scope.lower().startswith("/subscriptions/"):
        raise ValidationError("(MissingSubscription) The request did not have a subscription or a valid tenant "
                              "level resource provider.")
    match = _RESOURCE.match(scope)
    if match["sub"].lower() != settings.SUBSCRIPTION_ID.lower():
        raise ResourceNotFound(f"The subscription '{match['sub']}' could not be found.", code="SubscriptionNotFound")
    group = match["group"]
    if group is None:
        return
    if store().get(f"{subscription_scope()}/resourceGroups/{group}") is None:
        raise ResourceNotFound(f"Resource group '{group}' could not be found.", code="ResourceGroupNotFound")
    if match["rest"] is None or store().get(scope) is not None:
        return
    parts = match["rest"].split("/")
    top = f"{subscription_scope()}/resourceGroups/{group}/providers/{match['namespace']}/{parts[0]}/{parts[1]}"
    if len(parts) > 2 and store().get(top) is not None:
        return  # a child the service keeps inside its resource (a secret, a repository): its parent stands for it
    raise not_found(f"{match['namespace']}/{parts[0]}", parts[1], group)


def normalized(scope):
    return "/" + "/".join(p for p in (scope or "").lower().split("/") if p)


def covers(assignment_scope, target_scope):
    """Whether an assignment at `assignment_scope` applies at `target_scope`: the same scope or one above it."""
    outer, inner = normalized(assignment_scope), normalized(target_scope)
    return outer == "/" or inner == outer or inner.startswith(outer + "/")
