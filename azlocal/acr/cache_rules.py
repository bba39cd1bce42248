"""ACR cache rules (artifact cache, all tiers): `<registry>/<target>` is served from an upstream
`<host>/<source>`; a pull that misses fetches the upstream image into the registry (dataplane/cache.py).

A rule maps a target repository to a source repository, either statically (`ubuntu` ->
`docker.io/library/ubuntu`) or with a trailing wildcard (`dotnet/*` -> `mcr.microsoft.com/dotnet/*`,
`*` -> `mcr.microsoft.com/*`). As ACR: wildcard rules may not overlap one another, a static rule may
sit under a wildcard one (and wins), a registry holds at most 1,000 rules.
"""

import re

from knack.log import get_logger

from azlocal.acr import registries, registry_rules
from azlocal.core import arm, generic_update
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

logger = get_logger(__name__)

CACHE_RULE_TYPE = "Microsoft.ContainerRegistry/registries/cacheRules"
CREDENTIAL_SET_TYPE = "Microsoft.ContainerRegistry/registries/credentialSets"
MAX_RULES = 1000
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::[0-9]{1,5})?$")
_READ_ONLY = ("id", "name", "type", "sourceRepository", "targetRepository", "creationDate", "provisioningState",
              "systemData")


# Pure rules: names, repositories, wildcards, matching ---------------------------------------

def check_name(name):
    registry_rules.check_child_name(name, "cache rule")


def is_wildcard(repository):
    return repository == "*" or repository.endswith("/*")


def prefix_of(repository):
    """`dotnet/*` -> `dotnet/`; `*` -> ``; a static repository is its own prefix."""
    return repository[:-1] if is_wildcard(repository) else repository


def check_target(target):
    path = (target or "")[:-2] if (target or "").endswith("/*") else (target or "")
    if (target == "*" or "*" not in path and _PATH.match(path)) and len(target) <= 256:
        return
    raise ValidationError(f"(InvalidParameter) The target repository '{target}' is invalid: use a lower-case "
                          "repository path such as 'ubuntu' or 'library/ubuntu', optionally ending in '/*', or '*'.")


def check_source(source, target):
    """`<login server>/<repository path>[/*]` (or `<login server>/*`), wildcard exactly when the target has one."""
    host, slash, path = (source or "").partition("/")
    if path.endswith("/*"):
        path = path[:-2]
    elif path == "*":
        path = ""
    ok = slash and _HOST.match(host.lower()) and "*" not in path and (path == "" and source.endswith("/*")
                                                                       or _PATH.match(path))
    if not ok or len(source) > 512:
        raise ValidationError(f"(InvalidParameter) The source repository '{source}' is invalid: use a fully "
                              "qualified repository such as 'docker.io/library/ubuntu' or "
                              "'mcr.microsoft.com/dotnet/*'.")
    if is_wildcard(source) != is_wildcard(target):
        raise ValidationError("(InvalidParameter) A wildcard cache rule needs '*' at the end of both the source "
                              f"and the target repository (source '{source}', target '{target}').")


def overlap(existing, target):
    """The existing rule that forbids a new rule for `target` (None when it may be added)."""
    for rule in existing:
        other = rule["targetRepository"]
        if other == target:
            return rule
        if is_wildcard(other) and is_wildcard(target):
            a, b = prefix_of(other), prefix_of(target)
            if a.startswith(b) or b.startswith(a):
                return rule
    return None


def rule_for(rules, repository):
    """The rule that serves `repository`: a static rule naming it, else the wildcard rule covering it."""
    static = [r for r in rules if r["targetRepository"] == repository]
    if static:
        return static[0]
    covering = [r for r in rules if is_wildcard(r["targetRepository"])
                and repository.startswith(prefix_of(r["targetRepository"]))
                and len(repository) > len(prefix_of(r["targetRepository"]))]
    return max(covering, key=lambda r: len(r["targetRepository"]), default=None)


def upstream_of(rule, repository):
    """The upstream repository a rule maps `repository` to (`dotnet/sdk` under `dotnet/*` ->
    `mcr.microsoft.com/dotnet/sdk`)."""
    if not is_wildcard(rule["targetRepository"]):
        return rule["sourceRepository"]
    return prefix_of(rule["sourceRepository"]) + repository[len(prefix_of(rule["targetRepository"])):]


# Resources ------------------------------------------------------------------------------------

def _rule_id(doc, name):
    return f"{doc['id']}/cacheRules/{name}"


def list_rules(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return store().list(type=CACHE_RULE_TYPE, parent_id=doc["id"])


def rules_of(doc):
    """The cache rules of a registry document (the data plane's view)."""
    return store().list(type=CACHE_RULE_TYPE, parent_id=doc["id"])


def get(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    found = _find(doc, name)
    if found is None:
        raise not_found(f"{CACHE_RULE_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False)
    return found


def _find(doc, name):
    """Rule names are case-insensitive, as ARM's."""
    for rule in rules_of(doc):
        if rule["name"].lower() == (name or "").lower():
            return rule
    return None


def _no_credentials(doc, cred_set, identity):
    """The id of the credential set `cred_set` names (None without one); a set the registry does not have is
    refused. A rule's user-assigned identity is refused: offline a rule authenticates with its set only."""
    cred_set_id = None
    if cred_set is not None:
        from azlocal.acr import credential_sets

        found = credential_sets.find_by_id(credential_sets.set_id(doc, cred_set.rstrip("/").split("/")[-1]))
        if found is None:
            raise AzLocalError(f"(InvalidParameter) The credential set '{cred_set}' was not found in registry "
                               f"'{doc['name']}'. Create it first (az acr credential-set create).")
        cred_set_id = found["id"]
    if identity is not None:
        raise AzLocalError("(InvalidParameter) --identity: managed identities are not available offline yet, so a "
                           "cache rule cannot authenticate with one. Create the rule without --identity.")
    return cred_set_id


def create(registry, name, source_repo, target_repo, resource_group=None, *, cred_set=None, identity=None):
    doc = registries.get(registry, resource_group)
    check_name(name)
    check_target(target_repo)
    check_source(source_repo, target_repo)
    cred_set_id = _no_credentials(doc, cred_set, identity)
    s = store()
    with s.transaction():
        rules = store().list(type=CACHE_RULE_TYPE, parent_id=doc["id"])
        same = _find(doc, name)
        if same is not None:
            if (same["sourceRepository"], same["targetRepository"]) == (source_repo, target_repo):
                if (same.get("credentialSetResourceId") or None) != cred_set_id:
                    same["credentialSetResourceId"] = cred_set_id
                    s.put(same)
                return same  # ARM's PUT of the same rule changes only its credential set
            raise AzLocalError(f"(InvalidParameter) The cache rule '{same['name']}' already exists with source "
                               f"'{same['sourceRepository']}' and target '{same['targetRepository']}': the "
                               "repositories of a rule cannot be changed; delete it and create it again.")
        clash = overlap(rules, target_repo)
        if clash is not None:
            raise AzLocalError(f"(InvalidParameter) The target repository '{target_repo}' overlaps the cache rule "
                               f"'{clash['name']}' (target '{clash['targetRepository']}'): wildcard rules cannot "
                               "overlap each other, and a repository can have one cache rule only.")
        if len(rules) >= MAX_RULES:
            raise AzLocalError(f"(QuotaExceeded) The registry '{doc['name']}' already has {MAX_RULES} cache rules, "
                               "the most a registry can have.")
        rule = {
            "additionalAuthenticationProperties": None,
            "creationDate": arm.utc_now(),
            "credentialSetResourceId": cred_set_id,
            "id": _rule_id(doc, name),
            "identity": None,
            "name": name,
            "provisioningState": "Succeeded",
            "sourceRepository": source_repo,
            "systemData": doc.get("systemData"),
            "targetRepository": target_repo,
            "type": CACHE_RULE_TYPE,
        }
        s.put(rule)
    return rule


def update(registry, name, resource_group=None, *, cred_set=None, remove_cred_set=False, identity=None, set_=None,
           add=None, remove=None, force_string=False):
    rule = get(registry, name, resource_group)
    if cred_set is None and not remove_cred_set and identity is None:
        raise ValidationError("You must provide at least one parameter to update (credential set, identity, or "
                              "removal flag).")
    doc = registries.get(registry, resource_group)
    if remove_cred_set:
        _no_credentials(doc, None, identity)
        rule["credentialSetResourceId"] = None
    elif cred_set is not None or identity is not None:
        rule["credentialSetResourceId"] = _no_credentials(doc, cred_set, identity) or \
            rule.get("credentialSetResourceId")
    if set_ or add or remove:
        rule = generic_update.updated_copy(rule, set_, add, remove, force_string, read_only=_READ_ONLY)
        if rule.get("credentialSetResourceId"):
            rule["credentialSetResourceId"] = _no_credentials(doc, rule["credentialSetResourceId"], None)
    s = store()
    with s.transaction():
        s.put(rule)
    return rule


def delete(registry, name, resource_group=None):
    rule = get(registry, name, resource_group)
    s = store()
    with s.transaction():
        s.delete(rule["id"])
