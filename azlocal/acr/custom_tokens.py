"""Handlers of az acr token and az acr scope-map: the arguments knack parsed, turned into service calls,
with the confirmations and the warning az prints after creating passwords."""

from knack.log import get_logger

from azlocal.acr import registries, scope_maps, tokens
from azlocal.core.console import require_confirmation
from azlocal.core.conventions import as_bool

logger = get_logger(__name__)


def _login_hint(registry_name, resource_group_name, result):
    credentials = result.get("credentials") or {}
    passwords = credentials.get("passwords") or []
    if not passwords or "username" not in credentials:
        return
    server = registries.get(registry_name, resource_group_name)["loginServer"]
    logger.warning('Please store your generated credentials safely. Meanwhile you can use it through '
                   '"docker login %s -u %s -p %s".', server, credentials["username"], passwords[0]["value"])


# Tokens -------------------------------------------------------------------------------------------

def token_create(registry_name, token_name, scope_map_name=None, repository_actions_list=None,
                 gateway_actions_list=None, status=None, resource_group_name=None, no_passwords=None,
                 expiration=None, expiration_in_days=None):
    result = tokens.create(registry_name, token_name, resource_group_name, scope_map=scope_map_name,
                           repositories=repository_actions_list, gateways=gateway_actions_list, status=status,
                           no_passwords=as_bool(no_passwords), expiration=expiration,
                           expiration_in_days=expiration_in_days)
    _login_hint(registry_name, resource_group_name, result)
    return result


def token_delete(registry_name, token_name, yes=False, resource_group_name=None):
    require_confirmation(f"Deleting the token '{token_name}' will invalidate access to anyone using its "
                         "credentials. Proceed?", yes)
    tokens.delete(registry_name, token_name, resource_group_name)


def token_update(registry_name, token_name, scope_map_name=None, status=None, resource_group_name=None):
    return tokens.update(registry_name, token_name, resource_group_name, scope_map=scope_map_name, status=status)


def token_show(registry_name, token_name, resource_group_name=None):
    return tokens.show(registry_name, token_name, resource_group_name)


def token_list(registry_name, resource_group_name=None):
    return tokens.list_tokens(registry_name, resource_group_name)


def credential_generate(registry_name, token_name, password1=False, password2=False, expiration_in_days=None,
                        expiration=None, resource_group_name=None):
    return tokens.credential_generate(registry_name, token_name, resource_group_name, password1=password1,
                                      password2=password2, expiration_in_days=expiration_in_days,
                                      expiration=expiration)


def credential_delete(registry_name, token_name, password1=False, password2=False, resource_group_name=None):
    return tokens.credential_delete(registry_name, token_name, resource_group_name, password1=password1,
                                    password2=password2)


# Scope maps ---------------------------------------------------------------------------------------

def scope_map_create(registry_name, scope_map_name, repository_actions_list=None, gateway_actions_list=None,
                     resource_group_name=None, description=None):
    return scope_maps.create(registry_name, scope_map_name, repository_actions_list, gateway_actions_list,
                             resource_group_name, description)


def scope_map_delete(registry_name, scope_map_name, yes=False, resource_group_name=None):
    require_confirmation(f"Deleting the scope map '{scope_map_name}' will remove its permissions with associated "
                         "tokens. Proceed?", yes)
    scope_maps.delete(registry_name, scope_map_name, resource_group_name)


def scope_map_update(registry_name, scope_map_name, add_repository=None, remove_repository=None, add_gateway=None,
                     remove_gateway=None, resource_group_name=None, description=None):
    return scope_maps.update(registry_name, scope_map_name, resource_group_name, add_repository=add_repository,
                             remove_repository=remove_repository, add_gateway=add_gateway,
                             remove_gateway=remove_gateway, description=description)


def scope_map_show(registry_name, scope_map_name, resource_group_name=None):
    return scope_maps.show(registry_name, scope_map_name, resource_group_name)


def scope_map_list(registry_name, resource_group_name=None):
    return scope_maps.list_scope_maps(registry_name, resource_group_name)


# Tables (az's _format: scope-map, token, token credential) ----------------------------------------

def _date(value):
    return (value or " ")[:19] + "Z" if value and value.strip() else " "


def scope_map_table(result):
    rows = result if isinstance(result, list) else [result]
    out = []
    for item in rows:
        description = item.get("description") or " "
        if len(description) > 57:
            description = description[:57] + "..."
        out.append({"NAME": item.get("name"),
                    "TYPE": "SystemDefined" if scope_maps.is_system(item.get("name")) else "UserDefined",
                    "CREATION DATE": _date(item.get("creationDate")), "DESCRIPTION": description})
    return out


def _expiry(password):
    expiry = password.get("expiry")
    return "Never" if not expiry else _date(expiry)


def token_table(result):
    rows = result if isinstance(result, list) else [result]
    out = []
    for item in rows:
        row = {"NAME": item.get("name"), "SCOPE MAP": (item.get("scopeMapId") or " ").rsplit("/", 1)[-1],
               "PASSWORD1 EXPIRY": "", "PASSWORD2 EXPIRY": "", "STATUS": (item.get("status") or " ").title(),
               "PROVISIONING STATE": item.get("provisioningState"), "CREATION DATE": _date(item.get("creationDate"))}
        for password in (item.get("credentials") or {}).get("passwords") or []:
            column = f"{password.get('name', '').upper()} EXPIRY"
            if column in row:
                row[column] = _expiry(password)
        out.append(row)
    return out


def token_credential_table(result):
    rows = result if isinstance(result, list) else [result]
    out = []
    for item in rows:
        row = {"USERNAME": item.get("username")}
        for password in item.get("passwords") or []:
            name = password.get("name", "").upper()
            row[name] = password.get("value")
            row[f"{name} EXPIRY"] = _expiry(password)
        out.append(row)
    return out
