"""Container groups' registry identities (`az container create --acr-identity`, `imageRegistryCredentials[].identity`
in YAML): images of that registry are pulled as the identity (azlocal.identity.registry_pull: its AAD token
exchanged at the registry, no password), so what it may pull is what its role assignments on the registry allow;
az assigns no role for it. As ACI: the identity must be one of the group's user-assigned identities (a
system-assigned one is not taken for registry credentials), and a refused pull is ACI's InaccessibleImage.
"""

from knack.log import get_logger

from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

NOT_IN_GROUP = ("(InvalidImageRegistryIdentity) The identity in the 'imageRegistryCredentials' of container group "
                "'{group}' not found in container group identity list.")
INACCESSIBLE = ("(InaccessibleImage) The image '{image}' in container group '{group}' is not accessible. Please check "
                "the image and registry credential.")


def identity_of(doc, cred):
    """(principal_id, client_id, identity_id) of a registry credential's identity among the group's own
    user-assigned identities; ACI's InvalidImageRegistryIdentity when the group does not have it."""
    wanted = str(cred.get("identity") or "").rstrip("/").lower()
    users = ((doc.get("identity") or {}).get("userAssignedIdentities")) or {}
    for rid, entry in users.items():
        if rid.lower() == wanted and (entry or {}).get("principalId"):
            return entry["principalId"], entry.get("clientId"), rid
    raise AzLocalError(NOT_IN_GROUP.format(group=doc["name"]))


def check(doc):
    """Every identity credential of the group names one of its identities (before anything is made). An identity
    given by name is the user-assigned identity of that name in the group's resource group, as az resolves it
    (ARM's not-found, exit 3, when there is none); the credential then shows its id."""
    for cred in doc.get("imageRegistryCredentials") or []:
        if cred.get("identity"):
            cred["identity"] = _resolved(doc, cred["identity"])
            identity_of(doc, cred)


def _resolved(doc, identity):
    from azlocal.identity import principals

    if identity.startswith("/") or identity == "[system]":
        return identity
    group = doc["id"].split("/")[4]
    return principals.user_identity(principals.identity_id(group, identity))["id"]


def credentials(doc, cred, image):
    """The engine's credentials for pulling `image` as the credential's identity."""
    from azlocal.identity import registry_pull

    principal, client, identity_id = identity_of(doc, cred)
    try:
        return registry_pull.credentials(image, principal, client, identity_id)
    except registry_pull.PullDenied as ex:
        logger.info("pull of %s as %s refused: %s", image, identity_id, ex.reason)
        raise AzLocalError(INACCESSIBLE.format(image=image, group=doc["name"])) from None
