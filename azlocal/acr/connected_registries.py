"""ACR connected registries: on-premises replicas of a Premium registry, run by an appliance on IoT Edge or
Azure Arc that syncs with the cloud registry through a sync token.

Decision (issue 12, item 9): refused. A connected registry is only the cloud half of an appliance that
azlocal cannot run, and its sync token, client tokens and activation all belong to that appliance, so
`create` checks its arguments as az does and then fails with the reason; nothing is created. Since none
can exist, `list` is empty (or az's error for an unknown --parent) and every command on one by name
(show, update, delete, deactivate, get-settings, install info/renew-credentials, list-client-tokens,
permissions show/update, repo, resync) is ARM's not-found for that name.
"""

from azlocal.acr import registries
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found

CONNECTED_REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries/connectedRegistries"
UNAVAILABLE = ("(ConnectedRegistryNotAvailable) Connected registries cannot be created offline: a connected "
               "registry is an on-premises ACR appliance (deployed to IoT Edge or Azure Arc-enabled Kubernetes) "
               "that syncs with this registry, and azlocal has no appliance to run one. Nothing was created. "
               "On this machine, use a second registry and `az acr import` (or a cache rule) to copy images "
               "between registries.")


def _check_create_arguments(name, *, auth_type, identity, sync_token, repositories, parent):
    """az's own checks, in its order (all exit 1)."""
    if auth_type == "ManagedIdentity":
        if not identity or identity.isspace():
            raise ValidationError("argument error: --identity <user-assigned-managed-identity-resource-id> is "
                                  "required when --auth-type ManagedIdentity.")
        if sync_token is not None or repositories is not None:
            raise ValidationError("argument error: --sync-token and --repository are not applicable when "
                                  "--auth-type ManagedIdentity.")
        if parent is not None:
            raise ValidationError("argument error: --parent is not applicable when --auth-type ManagedIdentity.")
    else:
        if identity is not None:
            raise ValidationError("argument error: --identity is only applicable with --auth-type ManagedIdentity.")
        if bool(sync_token) == bool(repositories):
            raise ValidationError("argument error: either --sync-token or --repository must be provided, but not "
                                  "both.")
    if len(name) < 5:
        raise ValidationError("argument error: Connected registry name must be at least 5 characters long.")


def create(registry, name, resource_group=None, *, auth_type=None, identity=None, sync_token=None,
           repositories=None, parent=None, mode="ReadOnly"):
    _check_create_arguments(name, auth_type=auth_type, identity=identity, sync_token=sync_token,
                            repositories=repositories, parent=parent)
    doc = registries.get(registry, resource_group)
    if parent:
        raise AzLocalError(f"The parent connected registry '{parent}' could not be found.")
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError("(FeatureNotSupportedForSku) Connected registries are only supported for managed "
                           "registries in Premium SKU.")
    raise AzLocalError(UNAVAILABLE)


def list_connected(registry, resource_group=None, *, parent=None, no_children=False):
    registries.get(registry, resource_group)
    if parent and not no_children:
        raise AzLocalError(f"Parent connected registry '{parent}' doesn't exist.")
    return []


def get(registry, name, resource_group=None):
    """Every command on a connected registry by name: none can exist here."""
    doc = registries.get(registry, resource_group)
    raise not_found(f"{CONNECTED_REGISTRY_TYPE}/{doc['name']}", name, registries.group_of_doc(doc), pointer=False)


def permissions_update(registry, name, resource_group=None, *, add=None, remove=None):
    if not add and not remove:
        raise AzLocalError("No repository permissions to update.")
    registries.get(registry, resource_group)
    duplicates = sorted(r[r.rfind("/") + 1:] for r in set(add or ()) & set(remove or ()))
    if duplicates:
        raise AzLocalError("Update ambiguity. Duplicate repository names were provided with --add and --remove "
                           f"arguments.\n{duplicates}")
    raise AzLocalError(f"Connected registry '{name}' doesn't exist.")
