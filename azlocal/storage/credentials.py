"""How a data-plane command (`az storage share|file|directory|container|blob …`) is authorised, as az decides
it: `--auth-mode login`, or a connection string, an account key or a SAS token, each also from the
environment (AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY,
AZURE_STORAGE_SAS_TOKEN, AZURE_STORAGE_AUTH_MODE, or the `[storage]` section of the az config file);
with only an account name, az looks the key up itself (with its warning).

`resolve` returns an Access and checks it the way the service would: a key that is not one of the account's
two keys, or a SAS whose signature, expiry or permissions do not hold, is refused with the service's
AuthenticationFailed / AuthorizationPermissionMismatch texts (exit 1) before anything is touched.
"""

import configparser
import os
from dataclasses import dataclass, field

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)

AUTH_FAILED = ("Server failed to authenticate the request. Make sure the value of Authorization header is formed "
               "correctly including the signature.\nErrorCode:AuthenticationFailed")
_MISSING_NAME = ("Missing account name: please provide --account-name, or --connection-string, or set "
                 "AZURE_STORAGE_ACCOUNT / AZURE_STORAGE_CONNECTION_STRING.")
KEY_AUTH_NOT_PERMITTED = "Key based authentication is not permitted on this storage account."
_QUERY_WARNING = (
    "\nThere are no credentials provided in your command and environment, we will query for account key for your "
    "storage account.\nIt is recommended to provide --connection-string, --account-key or --sas-token in your "
    "command as credentials.\n")
_LOGIN_HINT = (
    "\nYou also can add `--auth-mode login` in your command to use Azure Active Directory (Azure AD) for "
    "authorization if your login account is assigned required RBAC roles.\nFor more information about RBAC roles "
    "in storage, visit https://learn.microsoft.com/azure/storage/common/storage-auth-aad-rbac-cli.\n")
_ENV_HINT = ("%s\nIn addition, setting the corresponding environment variables can avoid inputting credentials in "
             "your command. Please use --help to get more information about environment variable usage.")


@dataclass
class Access:
    account: str
    kind: str  # "key", "sas" or "login"
    key: str | None = None
    sas: dict = field(default_factory=dict)  # the SAS token's query parameters, when kind == "sas"


def _config(name):
    """`[storage] <name>` from the environment (AZURE_STORAGE_<NAME>) or the az config file."""
    value = os.environ.get(f"AZURE_STORAGE_{name.upper()}")
    if value:
        return value
    from azlocal.core import settings

    parser = configparser.ConfigParser()
    try:
        parser.read(settings.config_path())
    except (configparser.Error, OSError):
        return None
    return parser.get("storage", name, fallback=None) or None


def parse_connection_string(text):
    """`Key=Value;…` → {Key: Value} (values may contain '='); a malformed one is az's usage error."""
    out = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValidationError(f"usage error: the connection string is not valid: '{part}' is not Key=Value.")
        out[key.strip()] = value.strip()
    return out


def account_from_endpoint(url):
    """`https://<account>.blob.core.windows.net[/…]` → '<account>' (None for another host)."""
    from urllib.parse import urlparse

    host = (urlparse(url or "").hostname or "").lower()
    first, _, rest = host.partition(".")
    return first if rest.endswith("core.windows.net") and first else None


def resolve(account_name=None, account_key=None, connection_string=None, sas_token=None, auth_mode=None,
            account_url=None, *, needs=None, has_auth_mode=True, service="b"):
    """The Access a data-plane command runs with. `needs` is the SAS permission letter the operation needs
    (r, w, d, l, c, a) and the SAS resource type ('s' service, 'c' container, 'o' object), e.g. ('w', 'o');
    `service` is the SAS service letter the command's service is ('b' blob, 'f' file)."""
    from azlocal.storage import accounts

    auth_mode = auth_mode or _config("auth_mode")
    if not account_name:
        account_name = _config("account") or account_from_endpoint(account_url)
    if auth_mode == "login":
        given = [a for a, v in (("--account-key", account_key), ("--sas-token", sas_token),
                                ("--connection-string", connection_string)) if v]
        if given:
            logger.warning('In "login" auth mode, the following arguments are ignored: %s', " ,".join(given))
        if not account_name:
            raise ValidationError(_MISSING_NAME)
        _require_account(account_name, service)
        return Access(account_name, "login")
    if not connection_string and not account_key and not sas_token:
        connection_string = _config("connection_string")
    if connection_string:
        parts = parse_connection_string(connection_string)
        account_name = parts.get("AccountName") or account_from_endpoint(parts.get("BlobEndpoint")) or \
            account_from_endpoint(parts.get("FileEndpoint"))
        account_key = parts.get("AccountKey")
        sas_token = parts.get("SharedAccessSignature")
    if not account_key and not sas_token:
        account_key = _config("key")
    if not sas_token:
        sas_token = _config("sas_token")
    if sas_token:
        sas_token = sas_token.lstrip("?")
    if not account_name:
        raise ValidationError(_MISSING_NAME)
    if not account_key and not sas_token:
        logger.warning(_ENV_HINT, _QUERY_WARNING + (_LOGIN_HINT if has_auth_mode else ""))
        doc = _require_account(account_name, service)
        account_key = (accounts.key_values(doc["name"]) or [None])[0]
    doc = _require_account(account_name, service)
    if doc.get("allowSharedKeyAccess") is False:
        raise _error("KeyBasedAuthenticationNotPermitted", KEY_AUTH_NOT_PERMITTED)
    if sas_token and not account_key:
        from azlocal.storage import sas

        if service == "b":
            params = sas.check(account_name, sas_token, needs=needs)
        else:
            params = _check_other_service(sas, account_name, sas_token, needs, service)
        return Access(account_name, "sas", sas=params)
    if not accounts.check_key(account_name, account_key):
        raise _error("AuthenticationFailed", AUTH_FAILED.split("\n")[0])
    return Access(account_name, "key", key=account_key)


def _check_other_service(sas, account_name, token, needs, service):
    """An account SAS for a service other than Blob (Azure Files: ss has 'f'): the signature and its window by
    sas.check, then the service, resource type and permission here. A file service SAS (sr=s/f) is refused."""
    from azlocal.storage.storage_errors import StorageError

    q = sas.parse(token)
    if "ss" not in q and "srt" not in q:
        raise StorageError("AuthenticationFailed", "Server failed to authenticate the request. Only account SAS "
                           "tokens are checked for Azure Files offline (az storage account generate-sas "
                           "--services f).", 403)
    params = sas.check(account_name, token, needs=None)
    if service not in q.get("ss", ""):
        raise StorageError("AuthorizationServiceMismatch")
    letter, kind = needs or (None, None)
    if kind and kind not in q.get("srt", ""):
        raise StorageError("AuthorizationResourceTypeMismatch")
    if letter and not any(ch in q.get("sp", "") for ch in letter):
        raise StorageError("AuthorizationPermissionMismatch")
    return params


def _error(code, message):
    """The service's error (403) as the SDK reports it; AzLocalError with the same text if the Storage error
    type is not there."""
    try:
        from azlocal.storage.storage_errors import StorageError
    except ImportError:  # pragma: no cover - the blob helper's module
        return AzLocalError(f"{message}\nErrorCode:{code}")
    return StorageError(code, message, 403)


def _require_account(name, service="b"):
    """The account's document; a name no account has fails as the SDK does when the host does not resolve."""
    from azlocal.storage import accounts

    doc = accounts.find(name)
    if doc is None:
        host = f"{name}.{'file' if service == 'f' else 'blob'}.core.windows.net"
        raise AzLocalError(f"The storage account '{name}' does not exist (no host '{host}' is served by azlocal). "
                           "Create it with `az storage account create`.")
    return doc
