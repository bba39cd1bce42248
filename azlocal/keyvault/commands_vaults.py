"""az keyvault (the vaults): table and arguments; help in _help_vaults.yaml. Handlers are custom_vaults; behaviour
in vaults."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag

helpdata.register(__file__, "_help_vaults.yaml")

VAULTS = "azlocal.keyvault.custom_vaults#{}"
_NET = "Network Rule"
_HSM = "HSM-only (azlocal emulates no managed HSMs)"
KEY_PERMISSIONS = ["all", "backup", "create", "decrypt", "delete", "encrypt", "get", "getrotationpolicy", "import",
                   "list", "purge", "recover", "release", "restore", "rotate", "setrotationpolicy", "sign",
                   "unwrapKey", "update", "verify", "wrapKey"]
SECRET_PERMISSIONS = ["all", "backup", "delete", "get", "list", "purge", "recover", "restore", "set"]
CERTIFICATE_PERMISSIONS = ["all", "backup", "create", "delete", "deleteissuers", "get", "getissuers", "import",
                           "list", "listissuers", "managecontacts", "manageissuers", "purge", "recover", "restore",
                           "setissuers", "update"]
STORAGE_PERMISSIONS = ["all", "backup", "delete", "deletesas", "get", "getsas", "list", "listsas", "purge",
                       "recover", "regeneratekey", "restore", "set", "setsas", "update"]


def load_commands(loader):
    with CommandGroup(loader, "keyvault", VAULTS) as g:
        for name in ("create", "show", "list", "delete", "purge", "recover", "update", "set-policy",
                     "delete-policy", "list-deleted", "show-deleted", "check-name"):
            g.command(name, name.replace("-", "_"))


def _vault(c, required=False):
    c.argument("vault_name", options_list=["--name", "-n"], required=required, help="Name of the Vault.")


def _hsm(c):
    c.argument("hsm_name", options_list=["--hsm-name"], arg_group=_HSM, help="Name of the HSM.")


def _flags(c):
    flag = three_state_flag
    c.argument("enabled_for_deployment", flag(), help="Allow Virtual Machines to retrieve certificates stored as "
               "secrets from the vault (recorded).")
    c.argument("enabled_for_disk_encryption", flag(), help="Allow Disk Encryption to retrieve secrets from the vault "
               "and unwrap keys (recorded).")
    c.argument("enabled_for_template_deployment", flag(), help="Allow Resource Manager to retrieve secrets from the "
               "vault (recorded).")
    c.argument("enable_rbac_authorization", flag(), help="Authorize data actions by role assignments (az role "
               "assignment create) instead of access policies. Default true, as az 2.91's.")
    c.argument("enable_purge_protection", flag(), help="Refuse purging the vault and its deleted objects until "
               "their retention ends. Irreversible: it cannot be set back to false.")
    c.argument("retention_days", help="Soft delete data retention days, 7 to 90 (default 90).")
    c.argument("public_network_access", enum_type(["Disabled", "Enabled"]), help="Whether the vault accepts "
               "traffic from public networks: Disabled refuses every data-plane request (no private link offline).")
    c.argument("bypass", enum_type(["AzureServices", "None"]), arg_group=_NET, help="Bypass traffic for "
               "space-separated uses (recorded: no caller here is a trusted Azure service).")
    c.argument("default_action", enum_type(["Allow", "Deny"]), arg_group=_NET, help="Default action when no rule "
               "matches: Deny refuses data-plane requests from outside the IP rules (this machine's own calls come "
               "from 127.0.0.1, containers' from Docker's bridge).")


def _policy(c):
    c.argument("object_id", options_list=["--object-id"], help="A GUID that identifies the principal that will "
               "receive permissions (an identity's principalId, or the signed-in user's object id).")
    c.argument("application_id", options_list=["--application-id"], help="Application ID of the client making "
               "request on behalf of a principal. Exposed for compound identity using on-behalf-of authentication "
               "flow.")
    c.argument("spn", options_list=["--spn"], help="Name of a service principal that will receive permissions.")
    c.argument("upn", options_list=["--upn"], help="Name of a user principal that will receive permissions.")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "keyvault create") as c:
        _vault(c)
        _hsm(c)
        _flags(c)
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], required=True,
                   help="Name of resource group.")
        c.argument("sku", help="Required. SKU details. Allowed values for Vault: premium, standard. Default: "
                   "standard.")
        c.argument("administrators", nargs="+", arg_group=_HSM, help="Administrator role for data plane operations "
                   "for Managed HSM.")
        c.argument("user_identities", options_list=["--mi-user-assigned"], nargs="*", arg_group=_HSM,
                   help="Enable user-assigned managed identities for managed HSM.")
        c.argument("no_self_perms", three_state_flag(), help="Don't add permissions for the current user/service "
                   "principal in the new vault.")
        c.argument("network_acls", options_list=["--network-acls"], arg_group=_NET, help="Network ACLs: a JSON "
                   "string or file with 'ip' and 'vnet' lists.")
        c.argument("network_acls_ips", nargs="*", arg_group=_NET, help="Network ACLs IP rules (addresses or CIDR "
                   "ranges let in when the default action is Deny).")
        c.argument("network_acls_vnets", nargs="*", arg_group=_NET, help="Network ACLS VNet rules (recorded: there "
                   "are no virtual networks offline).")
    with ArgumentsContext(loader, "keyvault update") as c:
        _vault(c, required=True)
        _flags(c)
    for name in ("show", "delete"):
        with ArgumentsContext(loader, f"keyvault {name}") as c:
            _vault(c)
            _hsm(c)
    with ArgumentsContext(loader, "keyvault list") as c:
        c.argument("resource_type", help="When --resource-type is not present the command will list all Vaults "
                   "and HSMs. Possible values: vault, hsm.")
    with ArgumentsContext(loader, "keyvault list-deleted") as c:
        c.argument("resource_type", help="When --resource-type is not present the command will list all deleted "
                   "Vaults and HSMs. Possible values: vault, hsm.")
    for name in ("purge", "recover", "show-deleted"):
        with ArgumentsContext(loader, f"keyvault {name}") as c:
            c.argument("vault_name", options_list=["--name", "-n"], help="Name of the deleted Vault.")
            _hsm(c)
            c.argument("location", options_list=["--location", "-l"], help="Location of the deleted Vault.")
    with ArgumentsContext(loader, "keyvault set-policy") as c:
        _vault(c, required=True)
        _policy(c)
        c.argument("key_permissions", enum_type(KEY_PERMISSIONS), nargs="*", arg_group="Permission",
                   help="Space-separated list of key permissions to assign.")
        c.argument("secret_permissions", enum_type(SECRET_PERMISSIONS), nargs="*", arg_group="Permission",
                   help="Space-separated list of secret permissions to assign.")
        c.argument("certificate_permissions", enum_type(CERTIFICATE_PERMISSIONS), nargs="*",
                   arg_group="Permission", help="Space-separated list of certificate permissions to assign.")
        c.argument("storage_permissions", enum_type(STORAGE_PERMISSIONS), nargs="*", arg_group="Permission",
                   help="Space-separated list of storage permissions to assign.")
    with ArgumentsContext(loader, "keyvault delete-policy") as c:
        _vault(c, required=True)
        _policy(c)
    with ArgumentsContext(loader, "keyvault check-name") as c:
        c.argument("name", options_list=["--name", "-n"], help="The name of the HSM within the specified resource "
                   "group.")
        c.argument("resource_type", enum_type(["hsm"]), help="Type of resource. Default: hsm.")
