"""Azure's built-in role definitions that azlocal knows and enforces, as data: the real role definition GUIDs,
names, descriptions and permissions, as Azure publishes them (the "Azure built-in roles" reference). Each row is
(GUID, roleName, description, actions, notActions, dataActions, notDataActions); `definitions` makes the
documents `az role definition list` prints from them."""

_KV = " Only works for key vaults that use the 'Azure role-based access control' permission model."
# The control-plane actions every Key Vault data role but the two "User" ones carries.
_KV_ACTIONS = [
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
]
_ACR = "Microsoft.ContainerRegistry/registries/"
_REPO = _ACR + "repositories/"

ROLES = [
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner",
     "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
     ["*"], [], [], []),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor",
     "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage "
     "assignments in Azure Blueprints, or share image galleries.",
     ["*"],
     ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action", "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action", "Microsoft.Subscription/cancel/action",
      "Microsoft.Subscription/enable/action"],
     [], []),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader",
     "View all resources, but does not allow you to make any changes.", ["*/read"], [], [], []),
    ("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator",
     "Lets you manage user access to Azure resources.",
     ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], [], [], []),
    ("f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Role Based Access Control Administrator",
     "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage "
     "access using other ways, such as Azure Policy.",
     ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read",
      "Microsoft.Support/*"], [], [], []),
    ("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator",
     "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and "
     "secrets. Cannot manage key vault resources or manage role assignments." + _KV,
     _KV_ACTIONS, [], ["Microsoft.KeyVault/vaults/*"], []),
    ("21090545-7ca7-4776-b22c-e363652d74d2", "Key Vault Reader",
     "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as "
     "secret contents or key material." + _KV,
     _KV_ACTIONS, [], ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
     []),
    ("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer",
     "Perform any action on the secrets of a key vault, except manage permissions." + _KV,
     _KV_ACTIONS, [], ["Microsoft.KeyVault/vaults/secrets/*"], []),
    ("4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User",
     "Read secret contents." + _KV,
     [], [], ["Microsoft.KeyVault/vaults/secrets/getSecret/action",
              "Microsoft.KeyVault/vaults/secrets/readMetadata/action"], []),
    ("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "Key Vault Crypto Officer",
     "Perform any action on the keys of a key vault, except manage permissions." + _KV,
     _KV_ACTIONS, [], ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"], []),
    ("12338af0-0e69-4776-bea7-57ae8d297424", "Key Vault Crypto User",
     "Perform cryptographic operations using keys." + _KV,
     [], [], ["Microsoft.KeyVault/vaults/keys/" + op for op in (
         "read", "update/action", "backup/action", "encrypt/action", "decrypt/action", "wrap/action",
         "unwrap/action", "sign/action", "verify/action")], []),
    ("e147488a-f6f5-4113-8e2d-b22465e65bf6", "Key Vault Crypto Service Encryption User",
     "Read metadata of keys and perform wrap/unwrap operations." + _KV,
     ["Microsoft.EventGrid/eventSubscriptions/write", "Microsoft.EventGrid/eventSubscriptions/read",
      "Microsoft.EventGrid/eventSubscriptions/delete"], [],
     ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action"], []),
    ("7f951dda-4ed3-4680-a7ca-43fe172d538d", "AcrPull", "acr pull", [_ACR + "pull/read"], [], [], []),
    ("8311e382-0749-4cb8-b61a-304f252e45ec", "AcrPush", "acr push",
     [_ACR + "pull/read", _ACR + "push/write"], [], [], []),
    ("c2f4ef07-c644-48eb-af81-4b1b4947fb11", "AcrDelete", "acr delete", [_ACR + "artifacts/delete"], [], [], []),
    ("6cef56e8-d556-48e5-a04f-b8e64114680f", "AcrImageSigner", "acr image signer",
     [_ACR + "sign/write"], [], [_ACR + "trustedCollections/write"], []),
    ("b93aa761-3e63-49ed-ac28-beffa264f7ac", "Container Registry Repository Reader",
     "Allows for read access to Azure Container Registry repositories, but excluding catalog listing.",
     [], [], [_REPO + "metadata/read", _REPO + "content/read"], []),
    ("2a1e307c-b015-4ebd-883e-5b7698a07328", "Container Registry Repository Writer",
     "Allows for read and write access to Azure Container Registry repositories, but excluding catalog listing.",
     [], [], [_REPO + "metadata/read", _REPO + "content/read", _REPO + "metadata/write", _REPO + "content/write"],
     []),
    ("2efddaa5-3f1f-4df3-97df-af3f13818f4c", "Container Registry Repository Contributor",
     "Allows for read, write, and delete access to Azure Container Registry repositories, but excluding catalog "
     "listing.",
     [], [], [_REPO + "metadata/read", _REPO + "content/read", _REPO + "metadata/write", _REPO + "content/write",
              _REPO + "metadata/delete", _REPO + "content/delete"], []),
    ("f1a07417-d97a-45cb-824c-7a7467783830", "Managed Identity Operator",
     "Read and Assign User Assigned Identity",
     ["Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action", "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*", "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/deployments/*", "Microsoft.Support/*"], [], [], []),
]

# When Azure made each of them (roleDefinition createdOn/updatedOn are facts of the service, shown as such).
CREATED_ON = "2015-02-02T21:55:09.880642+00:00"
UPDATED_ON = "2021-11-11T20:13:47.862868+00:00"
