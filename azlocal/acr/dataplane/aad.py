"""Azure AD principals at the registry, as ACR takes them: an AAD access token (from this home's issuer,
`azlocal.identity.tokens`) is exchanged at `/oauth2/exchange` for a registry refresh token of its principal
(`oid`); what that principal may do is decided by its role assignments at the registry's scope or above
(`azlocal.role.assignments.allowed`), read again whenever it asks for an access token or presents the refresh
token over Basic, so a removed role stops new tokens at once.

Built-in roles, as Azure's registry in its default "RBAC registry permissions" mode: AcrPull pulls
(`registries/pull/read`), AcrPush pulls and pushes (`pull/read`, `push/write`), AcrDelete deletes
(`artifacts/delete`); Owner and Contributor do all (`*`); Reader pulls (`*/read`). Listing repositories and
tags is a read (pull); changing an artifact's attributes is a write (push). In ABAC mode (`rbac-abac`) only
the repository data actions count (ABAC_ACTIONS), and an assignment's condition on repository names (equals,
starts with, like) limits it to those repositories; a condition azlocal cannot read grants nothing.

Tokens for the ARM audience are taken while the registry's authentication-as-arm policy is enabled (the default);
with it disabled only tokens for the registry's own audience are, as ACR does (managed identity pulls then fail).

The signed-in user of this home (settings.USER_OBJECT_ID) created the registry and owns the subscription: the
user's own tokens (and the CLI's home token) have every right, as the subscription's Owner has.
"""

import re

from azlocal.core import settings

AUDIENCES = ("https://management.azure.com", "https://containerregistry.azure.net")
PREFIX = "aad:"
PROVIDER = "Microsoft.ContainerRegistry/registries/"
# The registry action -> the Azure RBAC action a role must grant at the registry's scope ("RBAC registry
# permissions", the default mode: control-plane actions, so AcrPull/AcrPush/AcrDelete, Owner, Contributor, Reader).
ROLE_ACTIONS = {
    "pull": PROVIDER + "pull/read",
    "metadata_read": PROVIDER + "pull/read",
    "catalog": PROVIDER + "pull/read",
    "push": PROVIDER + "push/write",
    "metadata_write": PROVIDER + "push/write",
    "delete": PROVIDER + "artifacts/delete",
}
# ... and in "RBAC registry + ABAC repository permissions" mode (`--role-assignment-mode rbac-abac`): data actions
# only (the Container Registry Repository Reader/Writer/Contributor and Catalog Lister roles); the legacy AcrPull,
# AcrPush, AcrDelete and the control-plane Owner/Contributor/Reader grant nothing on the data plane.
ABAC_ACTIONS = {
    "pull": PROVIDER + "repositories/content/read",
    "metadata_read": PROVIDER + "repositories/metadata/read",
    "catalog": PROVIDER + "catalog/read",
    "push": PROVIDER + "repositories/content/write",
    "metadata_write": PROVIDER + "repositories/metadata/write",
    "delete": PROVIDER + "repositories/content/delete",
}


class InvalidToken(Exception):
    """An AAD token the registry does not accept (the reason says why)."""


def principal_of_aad_token(view, token):
    """The registry principal an AAD access token stands for: "user" (the signed-in user, or the CLI's home
    token) or `aad:<oid>`; InvalidToken when the token is not one this home's issuer signed for the ARM or
    registry audience."""
    if not isinstance(token, str) or not token:
        raise InvalidToken("the access token is missing")
    if view.check_aad_token and view.check_aad_token(token):
        return "user", {}
    from azlocal.identity import tokens

    try:
        claims = tokens.verify(token, AUDIENCES if getattr(view, "arm_tokens", True) else AUDIENCES[1:])
    except tokens.TokenError as ex:
        if getattr(view, "arm_tokens", True):
            raise InvalidToken(str(ex)) from None
        raise InvalidToken(f"{ex} The registry's authentication-as-arm policy is disabled: only tokens for "
                           f"{AUDIENCES[1]} are taken.") from None
    oid = claims.get("oid")
    if not isinstance(oid, str) or not oid:
        raise InvalidToken("the access token names no principal (oid)")
    if oid.lower() == settings.USER_OBJECT_ID.lower():
        return "user", {}
    extra = {"tenant": str(claims.get("tid") or settings.TENANT_ID)}
    if isinstance(claims.get("appid"), str):
        extra["appid"] = claims["appid"]
    return PREFIX + oid, extra


def is_aad(principal):
    return isinstance(principal, str) and principal.startswith(PREFIX)


def subject(principal):
    """What a refresh or access token's `sub` holds for a principal (an AAD principal: its object id)."""
    return principal[len(PREFIX):] if is_aad(principal) else principal


def principal_of(claims):
    """The principal a verified registry token stands for: an AAD principal's tokens carry its tenant."""
    return PREFIX + claims["sub"] if "tenant" in claims else claims["sub"]


def _role_allows(principal_id, scope, action, data=None):
    from azlocal.role import assignments

    return assignments.allowed(principal_id, scope, action, data)


# A repository condition of an ABAC role assignment, as the ACR docs write them:
# `@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase 'backend/'`.
_NAME_TEST = re.compile(r"repositories:name\]\s+(StringEquals|StringStartsWith|StringLike)(IgnoreCase)?\s+'([^']*)'",
                        re.IGNORECASE)


def _condition_admits(condition, repository):
    """Whether an assignment's ABAC condition lets in the repository: any of its name tests (equals, starts with,
    like with `*` and `?`) matches. A condition with no name test azlocal reads, or no repository (the catalog),
    admits nothing: the safe side."""
    import fnmatch

    if repository is None:
        return False
    for operator, ignore_case, value in _NAME_TEST.findall(condition or ""):
        name, wanted = (repository.lower(), value.lower()) if ignore_case else (repository, value)
        operator = operator.lower()
        if (operator == "stringequals" and name == wanted) or \
                (operator == "stringstartswith" and name.startswith(wanted)) or \
                (operator == "stringlike" and fnmatch.fnmatchcase(name, wanted)):
            return True
    return False


def _abac_allows(principal_id, scope, action, repository):
    """ABAC mode: a role assignment at the registry or above whose role has the data action, with no condition or
    one that admits the repository."""
    from azlocal.role import assignments, definitions, matching

    for doc in assignments.list_for(principal_id=principal_id, scope=scope, include_inherited=True):
        definition = definitions.by_id(doc["roleDefinitionId"])
        if definition is None or not matching.permits(definition, action, True):
            continue
        if not doc.get("condition") or _condition_admits(doc["condition"], repository):
            return True
    return False


def allows(view, principal, action, repository=None):
    """Whether an AAD principal's role assignments at the registry (or above) allow a registry action (on
    `repository`, which ABAC conditions may name)."""
    if action == "pull" and view.anonymous_pull:  # anyone may pull, signed in or not
        return True
    abac = getattr(view, "abac", False)
    wanted = (ABAC_ACTIONS if abac else ROLE_ACTIONS).get(action)
    resource_id = getattr(view, "resource_id", "")
    if not (is_aad(principal) and wanted and resource_id):
        return False
    try:
        if abac:
            return _abac_allows(subject(principal), resource_id, wanted, repository)
        return bool(_role_allows(subject(principal), resource_id, wanted))
    except ImportError:  # no role assignments in this build: nothing is granted
        return False


def granted(view, principal, scope):
    """The part of one requested scope an AAD principal's roles grant (None when nothing is)."""
    if scope["type"] == "registry":
        return dict(scope, actions=["*"]) if allows(view, principal, "catalog") else None
    if scope["type"] != "repository":
        return None
    from azlocal.acr.dataplane.auth import REPOSITORY_ACTIONS

    wanted = REPOSITORY_ACTIONS if "*" in scope["actions"] else scope["actions"]
    actions = [a for a in wanted if allows(view, principal, a, scope["name"])]
    return dict(scope, actions=actions) if actions else None
