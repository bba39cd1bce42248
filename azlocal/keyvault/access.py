"""Who may do what on a vault. An RBAC vault (`enableRbacAuthorization`) asks the role assignments
(azlocal.role.assignments.allowed) for the data action; an access-policy vault looks for the caller's entry
(objectId) among `accessPolicies` and the permission the action needs. Refusals carry Azure's texts.

A principal is an object id, or a token's claims (`oid`, `appid`) to name the caller as Azure names it."""

from knack.log import get_logger

from azlocal.core import settings
from azlocal.keyvault import errors

logger = get_logger(__name__)

AZ_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
_S = "Microsoft.KeyVault/vaults/secrets/"
_K = "Microsoft.KeyVault/vaults/keys/"
_C = "Microsoft.KeyVault/vaults/certificates/"

# data action -> (access-policy permission category, permission)
ACTIONS = {
    _S + "getSecret/action": ("secrets", "get"),
    _S + "setSecret/action": ("secrets", "set"),
    _S + "readMetadata/action": ("secrets", "list"),
    _S + "update/action": ("secrets", "set"),
    _S + "delete": ("secrets", "delete"),
    _S + "backup/action": ("secrets", "backup"),
    _S + "restore/action": ("secrets", "restore"),
    _S + "recover/action": ("secrets", "recover"),
    _S + "purge/action": ("secrets", "purge"),
    _K + "read": ("keys", "get"),
    _K + "create/action": ("keys", "create"),
    _K + "import/action": ("keys", "import"),
    _K + "update/action": ("keys", "update"),
    _K + "delete": ("keys", "delete"),
    _K + "backup/action": ("keys", "backup"),
    _K + "restore/action": ("keys", "restore"),
    _K + "encrypt/action": ("keys", "encrypt"),
    _K + "decrypt/action": ("keys", "decrypt"),
    _K + "wrap/action": ("keys", "wrapKey"),
    _K + "unwrap/action": ("keys", "unwrapKey"),
    _K + "sign/action": ("keys", "sign"),
    _K + "verify/action": ("keys", "verify"),
    _K + "rotate/action": ("keys", "rotate"),
    _K + "recover/action": ("keys", "recover"),
    _K + "purge/action": ("keys", "purge"),
    _C + "create/action": ("certificates", "create"),
    _C + "import/action": ("certificates", "import"),
    _C + "read": ("certificates", "get"),
    _C + "update/action": ("certificates", "update"),
    _C + "delete": ("certificates", "delete"),
    _C + "recover/action": ("certificates", "recover"),
    _C + "purge/action": ("certificates", "purge"),
    _C + "backup/action": ("certificates", "backup"),
    _C + "restore/action": ("certificates", "restore"),
}


def principal_id(principal):
    if isinstance(principal, dict):
        return principal.get("oid") or principal.get("sub") or ""
    return str(principal or "")


def caller(principal):
    oid = principal_id(principal)
    appid = principal.get("appid") if isinstance(principal, dict) else None
    if appid is None and oid.lower() == settings.USER_OBJECT_ID.lower():
        appid = AZ_CLI_APP_ID
    return f"appid={appid or ''};oid={oid};iss=https://sts.windows.net/{settings.TENANT_ID}/"


def _vault_label(vault_doc):
    return f"{vault_doc['name']};location={vault_doc.get('location', '')}"


def authorize(vault_doc, principal, data_action, permission=None, resource=None):
    """Returns when `principal` may perform `data_action` on the vault; Forbidden otherwise. `permission`
    overrides the access-policy permission the action maps to (listing keys needs `list`, reading one `get`);
    `resource` is the object's path under the vault (`secrets/<name>`), named in the RBAC refusal."""
    oid = principal_id(principal)
    props = vault_doc["properties"]
    if props.get("enableRbacAuthorization"):
        scope = vault_doc["id"] + (f"/{resource}" if resource else "")
        if _rbac_allows(oid, scope, data_action):  # an assignment on the vault (or above) or on this object
            return
        raise errors.Forbidden(
            "Caller is not authorized to perform action on resource.\nIf role assignments, deny assignments or role "
            "definitions were changed recently, please observe propagation time.\n"
            f"Caller: {caller(principal)}\nAction: '{data_action}'\nResource: '{scope.lower()}'\n"
            "Assignment: (not found)\nDenyAssignmentId: null\nDecisionReason: null \n"
            f"Vault: {_vault_label(vault_doc)}\n",
            inner="ForbiddenByRbac")
    category, needed = permission or ACTIONS[data_action]
    for entry in props.get("accessPolicies") or []:
        if str(entry.get("objectId", "")).lower() != oid.lower():
            continue
        granted = {p.lower() for p in (entry.get("permissions") or {}).get(category) or []}
        if "all" in granted or needed.lower() in granted:
            return
    raise errors.Forbidden(
        f"The user, group or application '{caller(principal)}' does not have {category} {needed} permission on key "
        f"vault '{_vault_label(vault_doc)}'. For help resolving this issue, please see "
        "https://go.microsoft.com/fwlink/?linkid=2125287", inner="ForbiddenByPolicy")


def network(vault_doc, principal, address):
    """The vault's network rules for a caller at `address`, as the service applies them (and the data plane does):
    public network access disabled refuses every request, `defaultAction: Deny` one from outside `ipRules`."""
    import ipaddress

    props = vault_doc.get("properties") or {}
    if str(props.get("publicNetworkAccess") or "Enabled").lower() == "disabled":
        raise errors.Forbidden("Public network access is disabled and request is not from a trusted service nor via "
                               f"an approved private link.\nCaller: {caller(principal)}\nVault: "
                               f"{_vault_label(vault_doc)}", inner="ForbiddenByConnection")
    acls = props.get("networkAcls") or {}
    if str(acls.get("defaultAction") or "Allow").lower() != "deny":
        return
    for rule in acls.get("ipRules") or []:
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(str(rule.get("value")), strict=False):
                return
        except ValueError:
            continue
    raise errors.Forbidden("Client address is not authorized and caller is not a trusted service.\n"
                           f"Client address: {address}\nCaller: {caller(principal)}\nVault: "
                           f"{_vault_label(vault_doc)}", inner="ForbiddenByFirewall")


def _rbac_allows(oid, scope, data_action):
    try:
        from azlocal.role import assignments
    except ImportError:  # role assignments not installed: nothing is granted, as a vault with no assignment
        logger.debug("azlocal.role.assignments is not available; RBAC vaults grant nothing")
        return False
    return bool(assignments.allowed(oid, scope, data_action, data=True))
