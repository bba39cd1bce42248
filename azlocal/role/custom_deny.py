"""az role deny-assignment: handlers checking the arguments as az does, over azlocal.role.denies."""

from azlocal.core.console import require_confirmation
from azlocal.core.errors import ValidationError
from azlocal.role import denies, scopes, views

_WHICH = "Please provide --id, or both --name and --scope."


def _target(deny_assignment_id, deny_assignment_name, scope):
    if not deny_assignment_id and not (deny_assignment_name and scope):
        raise ValidationError(_WHICH)
    return denies.split_id(deny_assignment_id) if deny_assignment_id else (scope, deny_assignment_name)


def deny_list(scope=None, filter_str=None):
    if scope:
        scopes.require(scopes.build(None, scope))
    return [views.flat_deny(d) for d in denies.listed(scope, filter_str)]


def deny_show(deny_assignment_id=None, deny_assignment_name=None, scope=None):
    return views.flat_deny(denies.get(*_target(deny_assignment_id, deny_assignment_name, scope)))


def deny_create(scope=None, deny_assignment_name=None, actions=None, not_actions=None, description=None,
                principal_id=None, principal_type=None, exclude_principal_ids=None, exclude_principal_types=None,
                assignment_name=None):
    return denies.create(scope, deny_assignment_name, actions, not_actions, description, principal_id,
                         principal_type, exclude_principal_ids, exclude_principal_types, assignment_name)


def deny_delete(scope=None, deny_assignment_id=None, deny_assignment_name=None, yes=False):
    require_confirmation("Are you sure you want to perform this operation?", yes)
    denies.delete(*_target(deny_assignment_id, deny_assignment_name, scope))
