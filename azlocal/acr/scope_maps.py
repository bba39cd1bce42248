"""ACR scope maps: the repository (and connected-registry gateway) permissions a token carries.

User-defined scope maps are ARM resources under their registry (`…/registries/<r>/scopeMaps/<n>`).
The system-defined ones (`_repositories_*`) exist in every registry, cannot be changed or deleted,
and are not stored: they are made from the registry's document when asked for.

Actions are `repositories/<repository>/<action>` and `gateway/<connected registry>/<action>`; a
repository may end in a `/*` wildcard (or be `*`: every repository), as ACR allows.
"""


from knack.log import get_logger

from azlocal.acr import registries, registry_rules
from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

logger = get_logger(__name__)

SCOPE_MAP_TYPE = "Microsoft.ContainerRegistry/registries/scopeMaps"
REPOSITORY_ACTIONS = ("content/delete", "content/read", "content/write", "metadata/read", "metadata/write")
GATEWAY_ACTIONS = ("config/read", "config/write", "message/read", "message/write")
# Published ACR limits (the same for every tier): 500 actions and 500 repositories per scope map.
MAX_ACTIONS = MAX_REPOSITORIES = 500
MAX_DESCRIPTION = 256
# Tokens and scope maps per registry (Learn: "Azure Container Registry service tiers", 02/2026).
SKU_COUNT_LIMITS = {"Basic": 100, "Standard": 500, "Premium": 50000}
_ALL = "repositories/*/"
SYSTEM_SCOPE_MAPS = {
    "_repositories_admin": ("Can perform all read, write and delete operations on the registry",
                            ["metadata/read", "metadata/write", "content/read", "content/write", "content/delete"]),
    "_repositories_pull": ("Can pull any repository of the registry", ["content/read"]),
    "_repositories_pull_metadata_read": ("Can perform all read operations on the registry",
                                         ["content/read", "metadata/read"]),
    "_repositories_push": ("Can push to any repository of the registry", ["content/read", "content/write"]),
    "_repositories_push_metadata_write": ("Can perform all read and write operations on the registry",
                                          ["metadata/read", "metadata/write", "content/read", "content/write"]),
}


def check_name(name, kind="scope map"):
    registry_rules.check_child_name(name, kind)


def limit_of(registry_doc):
    return SKU_COUNT_LIMITS.get(registry_doc["sku"]["name"], SKU_COUNT_LIMITS["Basic"])


# Actions ---------------------------------------------------------------------------------------

def _valid_set(valid):
    return "{" + ", ".join(f"'{a}'" for a in valid) + "}"


def _parse(rules, valid, prefix):
    actions = []
    for rule in rules or []:
        resource = rule[0].lower()
        if len(rule) < 2:
            raise AzLocalError(f'At least one action must be specified with "{resource}".')
        for action in rule[1:]:
            action = action.lower()
            if action not in valid:
                raise AzLocalError(f'Invalid action "{action}" provided. \nValid actions are {_valid_set(valid)}.')
            actions.append(f"{prefix}/{resource}/{action}")
    return actions


def parse_actions(repositories=None, gateways=None):
    """`--repository REPO ACTION…` and `--gateway GATEWAY ACTION…` (each a list of lists) as ARM actions."""
    actions = _parse(repositories, REPOSITORY_ACTIONS, "repositories") + _parse(gateways, GATEWAY_ACTIONS, "gateway")
    if gateways:
        logger.warning("Gateway permissions are recorded in the scope map; no connected registry runs or syncs "
                       "locally, so nothing uses them.")
    return actions


def _check_wildcard(repository):
    """As ACR: one wildcard, only as a trailing `/*` (or the repository `*` alone)."""
    if "*" not in repository or repository == "*":
        return
    if repository.count("*") > 1 or not repository.endswith("/*") or repository == "/*":
        raise AzLocalError(f"(InvalidScopeMapActions) The repository '{repository}' has an invalid wildcard: a "
                           "wildcard must be a single '*' at the end of the name, after a '/' (e.g. 'samples/*'), "
                           "or '*' alone for every repository.")


def check_actions(actions):
    """ARM's checks of a scope map's action list (count, repositories, wildcards)."""
    if not actions:
        raise AzLocalError("(InvalidScopeMapActions) A scope map must have at least one action.")
    if len(actions) > MAX_ACTIONS:
        raise AzLocalError(f"(InvalidScopeMapActions) A scope map may have at most {MAX_ACTIONS} actions; "
                           f"{len(actions)} were given.")
    repositories = set()
    for action in actions:
        kind, _, rest = action.partition("/")
        name = rest.rsplit("/", 2)[0]
        if kind == "repositories":
            _check_wildcard(name)
            repositories.add(name)
    if len(repositories) > MAX_REPOSITORIES:
        raise AzLocalError(f"(InvalidScopeMapActions) A scope map may name at most {MAX_REPOSITORIES} "
                           f"repositories; {len(repositories)} were given.")


# Documents --------------------------------------------------------------------------------------

def scope_map_id(registry_doc, name):
    return f"{registry_doc['id']}/scopeMaps/{name}"


def _system(registry_doc, name):
    description, actions = SYSTEM_SCOPE_MAPS[name]
    created = registry_doc.get("creationDate") or arm.utc_now()
    return {
        "actions": [_ALL + a for a in actions],
        "creationDate": created,
        "description": description,
        "id": scope_map_id(registry_doc, name),
        "name": name,
        "provisioningState": "Succeeded",
        "systemData": None,
        "type": SCOPE_MAP_TYPE,
    }


def is_system(name):
    return (name or "").lower() in SYSTEM_SCOPE_MAPS


def find(registry_doc, name):
    """The scope map's document (system or user-defined, name case-insensitive), or None."""
    if is_system(name):
        return _system(registry_doc, name.lower())
    return store().get(scope_map_id(registry_doc, name))


def require(registry_doc, name):
    found = find(registry_doc, name)
    if found is None:
        raise not_found(f"{registries.REGISTRY_TYPE}/{registry_doc['name']}/scopeMaps", name,
                        registries.group_of_doc(registry_doc))
    return found


def user_defined(registry_doc):
    return store().list(type=SCOPE_MAP_TYPE, parent_id=registry_doc["id"])


def list_scope_maps(registry, resource_group=None):
    doc = registries.get(registry, resource_group)
    return [_system(doc, n) for n in sorted(SYSTEM_SCOPE_MAPS)] + sorted(user_defined(doc), key=lambda m: m["name"])


def show(registry, name, resource_group=None):
    return require(registries.get(registry, resource_group), name)


def _system_data(now, created=None):
    user = settings.USER_NAME
    return {"createdAt": created or now, "createdBy": user, "createdByType": "User",
            "lastModifiedAt": now, "lastModifiedBy": user, "lastModifiedByType": "User"}


def _document(registry_doc, name, actions, description, existing=None):
    now = arm.utc_now()
    return {
        "actions": list(actions),
        "creationDate": existing["creationDate"] if existing else now,
        "description": description,
        "id": scope_map_id(registry_doc, name),
        "name": existing["name"] if existing else name,
        "provisioningState": "Succeeded",
        "systemData": _system_data(now, existing and (existing.get("systemData") or {}).get("createdAt")),
        "type": SCOPE_MAP_TYPE,
    }


def _check_description(description):
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise AzLocalError(f"(InvalidScopeMapDescription) The description may have at most {MAX_DESCRIPTION} "
                           "characters.")


def _refuse_system(name, verb):
    if is_system(name):
        raise AzLocalError(f"(SystemScopeMapOperationNotAllowed) The scope map '{name}' is system-defined and "
                           f"cannot be {verb}.")


def put(registry_doc, name, actions, description=None):
    """ARM's PUT of a user-defined scope map, inside the caller's transaction. Returns the document."""
    _refuse_system(name, "changed")
    check_name(name)
    check_actions(actions)
    _check_description(description)
    existing = store().get(scope_map_id(registry_doc, name))
    if existing is None and len(user_defined(registry_doc)) >= limit_of(registry_doc):
        raise AzLocalError(f"(QuotaExceeded) The registry '{registry_doc['name']}' has reached its limit of "
                           f"{limit_of(registry_doc)} scope maps for the {registry_doc['sku']['name']} SKU.")
    doc = _document(registry_doc, name, actions, description, existing)
    store().put(doc)
    return doc


def create(registry, name, repositories=None, gateways=None, resource_group=None, description=None):
    actions = parse_actions(repositories, gateways)
    doc = registries.get(registry, resource_group)
    with store().transaction():
        created = put(doc, name, actions, description)
    registries._bump_credentials_revision(doc["name"])
    return created


def update(registry, name, resource_group=None, *, add_repository=None, remove_repository=None, add_gateway=None,
           remove_gateway=None, description=None):
    if not (add_repository or remove_repository or add_gateway or remove_gateway or description):
        raise AzLocalError("No scope map properties to update.")
    added = set(parse_actions(add_repository, add_gateway))
    removed = set(parse_actions(remove_repository, remove_gateway))
    duplicates = added & removed
    if duplicates:
        shown = sorted(a[a.find("/") + 1:] for a in duplicates)
        raise AzLocalError(f"Update ambiguity. Duplicate actions were provided with --add and --remove arguments.\n"
                           f"{shown}")
    doc = registries.get(registry, resource_group)
    with store().transaction():
        current = require(doc, name)
        _refuse_system(current["name"], "changed")
        actions = current["actions"]
        if added or removed:
            actions = sorted(set(actions).union(added).difference(removed))
        updated = put(doc, current["name"], actions,
                      description if description is not None else current.get("description"))
    registries._bump_credentials_revision(doc["name"])
    return updated


def delete(registry, name, resource_group=None):
    doc = registries.get(registry, resource_group)
    _refuse_system(name, "deleted")
    with store().transaction():
        current = require(doc, name)
        store().delete(current["id"])
    registries._bump_credentials_revision(doc["name"])
