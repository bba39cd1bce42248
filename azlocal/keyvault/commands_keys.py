"""az keyvault key: table and arguments; help in _help_keys.yaml. Handlers are custom_keys; behaviour in keys (the
service layer the data plane shares) and keycrypto."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag
from azlocal.keyvault._params import EXPIRES as _EXPIRES
from azlocal.keyvault._params import NOT_BEFORE as _NOT_BEFORE
from azlocal.keyvault._params import datetime_type

helpdata.register(__file__, "_help_keys.yaml")

KEYS = "azlocal.keyvault.custom_keys#{}"
_ID = "Id"
OPS = ["decrypt", "encrypt", "export", "import", "sign", "unwrapKey", "verify", "wrapKey"]
KTYS = ["EC", "EC-HSM", "oct", "oct-HSM", "RSA", "RSA-HSM"]
CURVES = ["P-256", "P-256K", "P-384", "P-521"]
ENCRYPTION = ["A128CBC", "A128CBCPAD", "A128GCM", "A192CBC", "A192CBCPAD", "A192GCM", "A256CBC", "A256CBCPAD",
              "A256GCM", "RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]
SIGNATURE = ["ES256", "ES256K", "ES384", "ES512", "HS256", "HS384", "HS512", "PS256", "PS384", "PS512", "RS256",
             "RS384", "RS512"]
_HSM = "HSM-only (azlocal emulates no managed HSMs)"


def load_commands(loader):
    with CommandGroup(loader, "keyvault key", KEYS) as g:
        for name in ("create", "show", "list", "list-versions", "list-deleted", "show-deleted", "set-attributes",
                     "delete", "recover", "purge", "encrypt", "decrypt", "sign", "verify", "download", "backup",
                     "restore", "get-policy-template", "import", "rotate"):
            g.command(name, "key_" + name.replace("-", "_"))


def _vault(c):
    c.argument("vault_name", options_list=["--vault-name"], arg_group=_ID, help="Name of the Key Vault.")
    c.argument("hsm_name", options_list=["--hsm-name"], arg_group=_ID, help="Name of the HSM (" + _HSM + ").")


def _target(c, version=False, name_required=False):
    _vault(c)
    c.argument("name", options_list=["--name", "-n"], arg_group=_ID, help="Name of the key.")
    c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Id of the key. If specified all other 'Id' "
               "arguments should be omitted.")
    if version:
        c.argument("version", options_list=["--version", "-v"], arg_group=_ID, help="The key version. If omitted, "
                   "uses the latest version.")


def _listing(c, name=False):
    _vault(c)
    c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Full URI of the Vault or HSM. If specified "
               "all other 'Id' arguments should be omitted.")
    c.argument("maxresults", options_list=["--maxresults"], type=int, help="Maximum number of results to return.")
    if name:
        c.argument("name", options_list=["--name", "-n"], arg_group=_ID, help="Name of the key.")


def _attributes(c, enabled_option="--disabled"):
    c.argument("expires", options_list=["--expires"], type=datetime_type,
               help=_EXPIRES)
    c.argument("not_before", options_list=["--not-before"], type=datetime_type,
               help=_NOT_BEFORE)
    c.argument("key_ops", enum_type(OPS), options_list=["--ops"], nargs="*", help="Space-separated list of permitted "
               "JSON web key operations.")
    c.argument("immutable", three_state_flag(), help="Mark a release policy immutable (no release policies are "
               "served offline).")
    c.argument("release_policy", options_list=["--policy"], help="The policy rules under which the key can be "
               "exported (secure key release needs an attestation service, which azlocal does not have).")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "keyvault key create") as c:
        _target(c)
        _attributes(c)
        c.argument("kty", enum_type(KTYS), options_list=["--kty"], help="The type of key to create (RSA, RSA-HSM, EC "
                   "and EC-HSM are served).")
        c.argument("key_size", options_list=["--size"], type=int, help="The key size in bits: 2048 (default), 3072 "
                   "or 4096 for RSA.")
        c.argument("curve", enum_type(CURVES), options_list=["--curve"], help="Elliptic curve name.")
        c.argument("protection", enum_type(["hsm", "software"]), options_list=["--protection", "-p"],
                   help="Specifies the type of key protection.")
        c.argument("disabled", three_state_flag(), help="Create key in disabled state.")
        c.argument("exportable", three_state_flag(), help="Whether the private key can be exported (needs --policy).")
        c.argument("external_key_id", options_list=["--external-key-id"], arg_group="External Key",
                   help="Create an external Managed HSM key backed by an External Key Manager (EKM) key id.")
        c.argument("default_cvm_policy", options_list=["--default-cvm-policy"], action="store_true",
                   help="Use default policy under which the key can be exported for CVM disk encryption.")
        c.argument("default_data_disk_policy", options_list=["--default-data-disk-policy", "--default-dd-policy"],
                   action="store_true", help="Use default policy under which the key can be exported for data disk "
                   "encryption.")
    with ArgumentsContext(loader, "keyvault key import") as c:
        _target(c)
        _attributes(c)
        c.argument("kty", enum_type(["EC", "oct", "RSA"]), options_list=["--kty"], help="The type of key to import "
                   "(only for BYOK).")
        c.argument("curve", enum_type(CURVES), options_list=["--curve"], help="The curve name of the key to import "
                   "(only for BYOK).")
        c.argument("protection", enum_type(["hsm", "software"]), options_list=["--protection", "-p"],
                   help="Specifies the type of key protection.")
        c.argument("disabled", three_state_flag(), help="Import key in disabled state.")
        c.argument("exportable", three_state_flag(), help="Whether the private key can be exported (needs --policy).")
        c.argument("default_cvm_policy", options_list=["--default-cvm-policy"], action="store_true",
                   help="Use default policy under which the key can be exported for CVM disk encryption.")
        c.argument("default_data_disk_policy", options_list=["--default-data-disk-policy", "--default-dd-policy"],
                   action="store_true", help="Use default policy under which the key can be exported for data disk "
                   "encryption.")
        for arg, text in (("pem_file", "PEM file containing the key to be imported."),
                          ("pem_string", "PEM string containing the key to be imported."),
                          ("pem_password", "Password of PEM file."),
                          ("byok_file", "BYOK file containing the key to be imported (HSM-protected transfer; not "
                           "served offline)."),
                          ("byok_string", "BYOK string containing the key to be imported (not served offline).")):
            c.argument(arg, options_list=["--" + arg.replace("_", "-")], arg_group="Key Source", help=text)
    with ArgumentsContext(loader, "keyvault key rotate") as c:
        _target(c)
    with ArgumentsContext(loader, "keyvault key set-attributes") as c:
        _target(c, version=True)
        _attributes(c)
        c.argument("enabled", three_state_flag(), help="Enable the key.")
    for name in ("show", "encrypt", "decrypt", "sign", "verify", "download"):
        with ArgumentsContext(loader, f"keyvault key {name}") as c:
            _target(c, version=True)
    for name in ("delete", "recover", "purge", "show-deleted", "backup"):
        with ArgumentsContext(loader, f"keyvault key {name}") as c:
            _target(c)
    with ArgumentsContext(loader, "keyvault key list") as c:
        _listing(c)
        c.argument("include_managed", three_state_flag(), help="Include managed keys. Default: false.")
    with ArgumentsContext(loader, "keyvault key list-versions") as c:
        _listing(c, name=True)
    with ArgumentsContext(loader, "keyvault key list-deleted") as c:
        _listing(c)
    for name in ("encrypt", "decrypt"):
        with ArgumentsContext(loader, f"keyvault key {name}") as c:
            c.argument("algorithm", enum_type(ENCRYPTION), options_list=["--algorithm", "-a"], required=True,
                       help="Algorithm identifier (RSA-OAEP, RSA-OAEP-256 and RSA1_5 are served; the AES ones are "
                       "for managed HSMs).")
            c.argument("value", options_list=["--value"], required=True, help="The value to be encrypted (default "
                       "data type: base64), or the result of `encrypt` to decrypt.")
            c.argument("data_type", enum_type(["base64", "plaintext"]), options_list=["--data-type"],
                       help="The type of the original data. Default: base64.")
            c.argument("iv", options_list=["--iv"], help="Initialization vector (AES-CBC only).")
            c.argument("aad", options_list=["--aad"], help="Additional authenticated data (AES-GCM only).")
    with ArgumentsContext(loader, "keyvault key decrypt") as c:
        c.argument("tag", options_list=["--tag"], help="The authentication tag (AES-GCM only).")
    for name in ("sign", "verify"):
        with ArgumentsContext(loader, f"keyvault key {name}") as c:
            c.argument("algorithm", enum_type(SIGNATURE), options_list=["--algorithm", "-a"], required=True,
                       help="Algorithm identifier.")
            c.argument("digest", options_list=["--digest"], required=True, help="The value to sign or verify: a "
                       "base64-encoded digest.")
    with ArgumentsContext(loader, "keyvault key verify") as c:
        c.argument("signature", options_list=["--signature"], required=True, help="The base64-encoded signature.")
    with ArgumentsContext(loader, "keyvault key download") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="File to receive the key "
                   "contents.")
        c.argument("encoding", enum_type(["DER", "PEM"]), options_list=["--encoding", "-e"], help="Encoding of the "
                   "key, default: PEM.")
    with ArgumentsContext(loader, "keyvault key backup") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="Local file path in which to "
                   "store key backup.")
    with ArgumentsContext(loader, "keyvault key restore") as c:
        _vault(c)
        c.argument("file_path", options_list=["--file", "-f"], help="Local key backup from which to restore key.")
        c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Full URI of the Vault or HSM.")
        c.argument("name", options_list=["--name", "-n"], help="Name of the key (only for restoring from storage "
                   "account).")
        c.argument("storage_resource_uri", options_list=["--storage-resource-uri", "-u"], arg_group=_HSM,
                   help="Azure Blob storage container Uri (managed HSMs only).")
        c.argument("storage_account_name", options_list=["--storage-account-name"], arg_group=_HSM,
                   help="Name of Azure Storage Account (managed HSMs only).")
        c.argument("blob_container_name", options_list=["--blob-container-name"], arg_group=_HSM,
                   help="Name of Blob Container (managed HSMs only).")
        c.argument("token", options_list=["--storage-container-SAS-token", "-t"], arg_group=_HSM,
                   help="The SAS token pointing to an Azure Blob storage container (managed HSMs only).")
        c.argument("backup_folder", options_list=["--backup-folder"], arg_group=_HSM,
                   help="Name of the blob container which contains the backup (managed HSMs only).")
        c.argument("no_wait", options_list=["--no-wait"], action="store_true",
                   help="Do not wait for the long-running operation to finish.")
