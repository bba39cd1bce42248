"""Container apps' and jobs' registry identities (`--registry-identity`, `registry set --identity`): the images of
a registry configured with a managed identity are pulled as that identity (azlocal.identity.registry_pull: its
AAD token exchanged at the registry, no password), so what it may pull is what its role assignments on the
registry allow. A missing role fails the revision (or the job's update) with the text Azure gives.

As az does on `create --registry-identity` (and `job create`): the identity is given AcrPull on the registry first
(a user-assigned identity before the app is made; the system-assigned one once it exists), and a failure to
assign it is only logged. `registry set --identity` assigns nothing, as az's does.
"""

from knack.log import get_logger

from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

PULL_FAILED = ("(InvalidParameterValueInContainerTemplate) The following field(s) are either invalid or missing. "
               "Field 'template.{field}.image' is invalid with details: 'Invalid value: \"{image}\": "
               "unable to pull image using Managed identity {identity} for registry {server}';.")
NOT_ASSIGNED = ("(InvalidParameterValueInContainerTemplate) The following field(s) are either invalid or missing. "
                "Field 'configuration.registries.identity' is invalid with details: 'Invalid value: \"{identity}\": "
                "the managed identity is not assigned to the {kind} (add it with --system-assigned or "
                "--user-assigned first)';.")
ROLE_FAILED = ("Role assignment failed with error message: \"{error}\". \nTo add the role assignment manually, please "
               "run 'az role assignment create --assignee {principal} --scope {scope} --role acrpull'. \nYou may have "
               "to restart the containerapp with 'az containerapp revision restart'.")


def is_system(identity):
    return bool(identity) and identity.lower() == "system"


def principal_of(resource, identity, kind="container app"):
    """(principal_id, client_id, identity_resource_id or None) of a registry identity ('system' or a user-assigned
    identity's id) among the resource's own identities; refused when the resource does not have it."""
    from azlocal.identity import principals

    block = resource.get("identity") or {}
    try:
        if is_system(identity):
            if "systemassigned" not in str(block.get("type", "")).replace(" ", "").lower():
                raise LookupError(identity)
            principal = block.get("principalId")
            return principal, principals.system_client_id(principal) if principal else None, None
        return principals.select(block, mi_res_id=identity)
    except LookupError:
        raise AzLocalError(NOT_ASSIGNED.format(identity=identity, kind=kind)) from None


def pull_auth(resource, registry, image, field, kind="container app"):
    """The engine's credentials for pulling `image` (of the template's `field`: `containers.<name>` or
    `initContainers.<name>`) as the registry's identity; Azure's pull failure when the identity may not pull it."""
    from azlocal.identity import registry_pull

    identity = registry["identity"]
    principal, client, identity_id = principal_of(resource, identity, kind)
    try:
        return registry_pull.credentials(image, principal, client, identity_id)
    except registry_pull.PullDenied as ex:
        logger.info("pull of %s as %s refused: %s", image, identity, ex.reason)
        raise AzLocalError(PULL_FAILED.format(field=field, image=image, identity=identity,
                                              server=registry["server"])) from None


def _registry_id(server):
    from azlocal.acr import registries

    doc = registries.find((server or "").lower().split(".")[0])
    return doc["id"] if doc else None


def grant_acr_pull(server, principal_id):
    """AcrPull for the principal on the registry of `server`, as az's create_acrpull_role_assignment makes it
    (an existing one is kept); a failure is logged with az's words and the create goes on."""
    if not principal_id:
        return None
    scope = _registry_id(server)
    if scope is None:
        logger.warning(ROLE_FAILED.format(error=f"The resource with name '{server.split('.')[0]}' and type "
                                                "'Microsoft.ContainerRegistry/registries' could not be found.",
                                          principal=principal_id, scope="<container-registry-resource-id>"))
        return None
    try:
        from azlocal.role import assignments

        return assignments.create("AcrPull", principal_id, scope, principal_type="ServicePrincipal")
    except (ImportError, AzLocalError) as ex:
        logger.error(ROLE_FAILED.format(error=ex, principal=principal_id, scope=scope))
        return None


def grant_for(resource, registry):
    """Before the first pull of a create: AcrPull for the registry identity named by create's flags."""
    identity = (registry or {}).get("identity")
    if not identity:
        return None
    try:
        principal = principal_of(resource, identity)[0]
    except AzLocalError:
        return None
    return grant_acr_pull(registry["server"], principal)
