"""Arguments every data-plane command of az storage shares: the account and how it is authorised."""

from azlocal.core.conventions import enum_type

_ACCOUNT_GROUP = "Storage Account"


def data_plane_arguments(c, endpoint_option="--blob-endpoint", auth_mode=True):
    """Registers --account-name, --account-key, --connection-string, --sas-token, the service endpoint
    (dest account_url) and, where az has it, --auth-mode, in az's 'Storage Account' argument group."""
    c.argument("account_name", options_list=["--account-name"], arg_group=_ACCOUNT_GROUP,
               help="Storage account name. Related environment variable: AZURE_STORAGE_ACCOUNT.")
    c.argument("account_key", options_list=["--account-key"], arg_group=_ACCOUNT_GROUP,
               help="Storage account key. Related environment variable: AZURE_STORAGE_KEY.")
    c.argument("connection_string", options_list=["--connection-string"], arg_group=_ACCOUNT_GROUP,
               help="Storage account connection string. Related environment variable: "
               "AZURE_STORAGE_CONNECTION_STRING.")
    c.argument("sas_token", options_list=["--sas-token"], arg_group=_ACCOUNT_GROUP,
               help="A Shared Access Signature (SAS). Related environment variable: AZURE_STORAGE_SAS_TOKEN.")
    c.argument("account_url", options_list=[endpoint_option], arg_group=_ACCOUNT_GROUP,
               help="Storage data service endpoint, e.g. https://<account>.blob.core.windows.net.")
    if auth_mode:
        c.argument("auth_mode", enum_type(["key", "login"]), arg_group=_ACCOUNT_GROUP,
                   help="The mode in which to run the command. \"login\" mode will directly use your login "
                   "credentials for the authentication. The legacy \"key\" mode will attempt to query for an "
                   "account key if no authentication parameters for the account are provided. Environment "
                   "variable: AZURE_STORAGE_AUTH_MODE")
    c.argument("timeout", type=int, help="Request timeout in seconds. Applies to each call to the service.")


def access(kwargs, needs=None, auth_mode=True, service="b"):
    """Pops the account arguments out of a handler's kwargs and resolves them (see credentials.resolve);
    `service` is the SAS service letter of the command ('b' blob, 'f' file)."""
    from azlocal.storage import credentials

    values = {k: kwargs.pop(k, None) for k in ("account_name", "account_key", "connection_string", "sas_token",
                                                 "auth_mode", "account_url")}
    kwargs.pop("timeout", None)
    return credentials.resolve(**values, needs=needs, has_auth_mode=auth_mode, service=service)


def data_plane_extras(c, auth_mode=True, timeout=True):
    """For handlers that take the account arguments as **kwargs: adds them to this one command (the scope of `c`
    must be the command); their types come from `data_plane_arguments` registered on an enclosing scope."""
    dests = ["account_name", "account_key", "connection_string", "sas_token", "account_url"]
    dests += ["auth_mode"] if auth_mode else []
    dests += ["timeout"] if timeout else []
    for dest in dests:
        c.extra(dest)
