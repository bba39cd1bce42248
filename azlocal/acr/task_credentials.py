"""Custom registry credentials of ACR tasks: `az acr task credential add/update/remove/list`, and the
logins a task's runs make with them.

A credential is `task.credentials.customRegistries[<login server>]`; its username and password live in
the secret store and the task document shows them masked (`{"type": "Opaque", "value": null}`), as ACR
masks them (`az acr task show --with-secure-properties` shows them). A run of the task logs in to each
named registry before its steps (`client.login` on the engine, so a wrong password fails the run), then
pulls base images from and pushes images to those registries with those credentials; the run record
lists them in `customRegistries`. Key Vault secret URIs cannot be read offline (refused). A credential
that is a managed identity (`--use-identity [system]` or a user-assigned identity's client id, one of the
task's own identities) logs in to an Azure Container Registry of this home as that identity: its AAD token
exchanged at the registry (azlocal.identity.registry_pull), so what the run may pull there is what the
identity's role assignments allow (AcrPull); no password is stored.

The source registry's identity (`task create/update --source-acr-auth-id [system]|<user identity id>`) is
`credentials.sourceRegistry.identity`; as ACR, it takes effect only on an ABAC-enabled registry
(`--role-assignment-mode rbac-abac`), where the task's runs then pull from and push to their own registry as
that identity (Container Registry Repository Reader/Writer roles); elsewhere runs use the registry's own token.
"""

import hashlib
import re
from contextlib import contextmanager

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform import secrets
from azlocal.platform.store import store

logger = get_logger(__name__)
_SERVER = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MASKED = {"type": "Opaque", "value": None}

# The credentials of the run this process is executing (a run is one `az acr task run` process).
_ACTIVE = {}
_LOGGED_IN = []
_SOURCE = {}  # the running task's source registry identity and the task's identities


def _tasks():
    from azlocal.acr import tasks

    return tasks


def _task_prefix(task_id):
    """Where a task's secrets live (`acr/<registry>/tasks/<task>/`, with its secret arguments and values):
    deleting the registry, its group or the task removes them."""
    registry = task_id.split("/registries/", 1)[1].split("/")[0].lower()
    return f"acr/{registry}/tasks/{task_id.rsplit('/', 1)[1].lower()}/"


def _key(task_id, server, item):
    digest = hashlib.sha256(server.lower().encode()).hexdigest()[:16]
    return f"{_task_prefix(task_id)}credentials/{digest}/{item}"


def _check(login_server, username, password, use_identity, *, adding):
    if not _SERVER.match(login_server or ""):
        raise ValidationError(f"The login server '{login_server}' is not a valid registry host name, such as "
                              "'myregistry.azurecr.io'.")
    for option, value in (("--username", username), ("--password", password)):
        if value and ".vault.azure.net" in value.lower():
            raise AzLocalError(f"{option}: Key Vault secret URIs are not available offline (there is no Key Vault "
                               "here); give the value itself.")
    if use_identity is not None and use_identity != "[system]" and not _GUID.match(use_identity):
        raise ValidationError(f"--use-identity '{use_identity}': use '[system]' for the task's system-assigned "
                              "identity or the client id (a GUID) of a user-assigned identity.")
    if adding and use_identity is None and not (username and password):
        raise AzLocalError("Give both --username and --password for the custom registry, or --use-identity.")


def _registries(task):
    return dict(((task.get("credentials") or {}).get("customRegistries")) or {})


def _save(task, custom):
    credentials = dict(task.get("credentials") or {"sourceRegistry": None})
    credentials["customRegistries"] = custom
    task["credentials"] = credentials
    s = store()
    with s.transaction():
        s.put(task)
    return custom


def _entry(task_id, server, username, password, use_identity, old=None):
    old = old or {"identity": None, "password": None, "userName": None}
    if username:
        secrets.set_secret(_key(task_id, server, "username"), username)
    if password:
        secrets.set_secret(_key(task_id, server, "password"), password)
    return {"identity": use_identity if use_identity is not None else old.get("identity"),
            "password": dict(_MASKED) if password else old.get("password"),
            "userName": dict(_MASKED) if username else old.get("userName")}


def add(registry, task_name, login_server, username=None, password=None, use_identity=None, resource_group=None):
    task = _tasks().get(registry, task_name, resource_group)
    custom = _registries(task)
    if login_server in custom:
        raise AzLocalError(f"Login server '{login_server}' already exists. You cannot add it again.")
    _check(login_server, username, password, use_identity, adding=True)
    custom[login_server] = _entry(task["id"], login_server, username, password, use_identity)
    return _save(task, custom)


def update(registry, task_name, login_server, username=None, password=None, use_identity=None,
           resource_group=None):
    task = _tasks().get(registry, task_name, resource_group)
    custom = _registries(task)
    if login_server not in custom:
        raise AzLocalError(f"Login server '{login_server}' not found.")
    _check(login_server, username, password, use_identity, adding=False)
    custom[login_server] = _entry(task["id"], login_server, username, password, use_identity, custom[login_server])
    return _save(task, custom)


def remove(registry, task_name, login_server, resource_group=None):
    task = _tasks().get(registry, task_name, resource_group)
    custom = _registries(task)
    if custom.pop(login_server, None) is not None:
        for item in ("username", "password"):
            secrets.delete_secret(_key(task["id"], login_server, item))
    return _save(task, custom)


def list_credentials(registry, task_name, resource_group=None):
    task = _tasks().get(registry, task_name, resource_group)
    return (task.get("credentials") or {}).get("customRegistries") or {}


def forget(task):
    """Removes a deleted task's secrets: its credentials' and its secret arguments and values."""
    secrets.delete_prefix(_task_prefix(task["id"]))


def with_secrets(task):
    """The task with its credentials' usernames and passwords shown (`--with-secure-properties`)."""
    custom = _registries(task)
    if not custom:
        return task
    shown = {}
    for server, entry in custom.items():
        entry = dict(entry)
        for field, item in (("userName", "username"), ("password", "password")):
            if entry.get(field):
                entry[field] = {"type": "Opaque", "value": secrets.get_secret(_key(task["id"], server, item))}
        shown[server] = entry
    return dict(task, credentials=dict(task["credentials"], customRegistries=shown))


# Runs --------------------------------------------------------------------------------------------

@contextmanager
def activated(task):
    """The task's credentials are those of the run this process executes, for the duration."""
    _ACTIVE.clear()
    _LOGGED_IN.clear()
    _SOURCE.update(identity=((task.get("credentials") or {}).get("sourceRegistry") or {}).get("identity"),
                   task_identity=task.get("identity"))
    for server, entry in _registries(task).items():
        username = secrets.get_secret(_key(task["id"], server, "username")) if entry.get("userName") else None
        password = secrets.get_secret(_key(task["id"], server, "password")) if entry.get("password") else None
        _ACTIVE[server.lower()] = {"server": server, "username": username, "password": password,
                                   "identity": entry.get("identity"), "task_identity": task.get("identity")}
    try:
        yield
    finally:
        _ACTIVE.clear()
        _LOGGED_IN.clear()
        _SOURCE.clear()


def active_auth(host):
    """{username, password} for a registry the running task has a credential for, else None."""
    entry = _ACTIVE.get((host or "").lower())
    if entry and entry["username"] and entry["password"]:
        return {"username": entry["username"], "password": entry["password"]}
    return None


def logged_in():
    return list(_LOGGED_IN)


def login(client, log):
    """Logs the run in to its custom registries (the engine checks the credentials), as ACR does."""
    for entry in _ACTIVE.values():
        server = entry["server"]
        if not (entry["username"] and entry["password"]) and entry.get("identity"):
            from azlocal.identity import registry_pull

            if not registry_pull.is_acr(server):
                log.line(f"Not logging in to registry {server}: a managed identity logs in only to an Azure "
                         "Container Registry")
                continue
            entry["username"], entry["password"] = registry_pull.NULL_USER, _identity_token(entry)
        if not (entry["username"] and entry["password"]):
            continue
        log.line(f"Logging in to registry: {server}")
        try:
            client.login(username=entry["username"], password=entry["password"], registry=server, reauth=True)
        except Exception as ex:
            raise AzLocalError(f"failed to login to registry {server}: {getattr(ex, 'explanation', None) or ex}") \
                from ex
        log.line(f"Successfully logged into {server}")
        if server not in _LOGGED_IN:
            _LOGGED_IN.append(server)


def _identity_principal(entry):
    """(principal id, client id, identity id) of a credential's identity: the task's system-assigned one for
    `[system]`, else its user-assigned one with that client id."""
    block = entry.get("task_identity") or {}
    wanted = str(entry["identity"]).lower()
    if wanted == "[system]":
        if block.get("principalId") and "systemassigned" in str(block.get("type", "")).replace(" ", "").lower():
            from azlocal.identity import principals

            return block["principalId"], principals.system_client_id(block["principalId"]), None
    else:
        for rid, user in (block.get("userAssignedIdentities") or {}).items():
            if str((user or {}).get("clientId", "")).lower() == wanted:
                return user.get("principalId"), user.get("clientId"), rid
    raise AzLocalError(f"failed to login to registry {entry['server']}: the task has no managed identity "
                       f"'{entry['identity']}' (assign it with 'az acr task identity assign')")


def _identity_token(entry):
    """The registry's refresh token for the credential's identity (the run logs in with it)."""
    from azlocal.identity import registry_pull

    principal, client, identity_id = _identity_principal(entry)
    try:
        return registry_pull.refresh_token(entry["server"], principal, client, identity_id)
    except registry_pull.PullDenied as ex:
        raise AzLocalError(f"failed to login to registry {entry['server']}: {ex.reason}") from None


# The source registry's identity ------------------------------------------------------------------

SOURCE_CONFLICT = ("Error: Conflicting Authentication Parameters for Task Access to Source Registry. Task "
                   "authentication mode for source registry access is set to \"None\", but an identity was provided "
                   "for authentication. Remove the identity or update the authentication mode to resolve this "
                   "conflict.")


def _abac(registry_doc):
    return bool(registry_doc) and registry_doc.get("roleAssignmentMode") == "AbacRepositoryPermissions"


def set_source_identity(task, value, auth_mode=None):
    """`--source-acr-auth-id`: '[system]', '[caller]', a user-assigned identity's resource id (kept as its client
    id, as az resolves it) or 'none' (cleared), in `credentials.sourceRegistry.identity`."""
    from azlocal.acr import registries

    registry = registries.find(task["id"].split("/registries/", 1)[1].split("/")[0])
    if not _abac(registry) and auth_mode and auth_mode.lower() == "none":
        raise AzLocalError(SOURCE_CONFLICT)
    if value.lower() == "none":
        identity = None
    elif value.startswith("/subscriptions/"):
        from azlocal.identity import principals

        identity = principals.user_identity(value)["clientId"]
    elif value in ("[system]", "[caller]"):
        identity = value
    else:
        raise AzLocalError("Error: Invalid value for --source-acr-auth-id.")
    credentials = dict(task.get("credentials") or {"customRegistries": {}})
    source = dict(credentials.get("sourceRegistry") or {"loginMode": auth_mode})
    source["identity"] = identity
    credentials["sourceRegistry"] = source
    task["credentials"] = credentials


def source_auth(registry_doc):
    """{username, password} the running task reaches its own registry with when its source identity takes effect
    (an ABAC-enabled registry, an identity of the task's): its refresh token; else None (the registry's token)."""
    identity = _SOURCE.get("identity")
    if not identity or identity == "[caller]" or not _abac(registry_doc):
        return None
    from azlocal.identity import registry_pull

    entry = {"server": registry_doc["loginServer"], "identity": identity, "task_identity": _SOURCE.get("task_identity")}
    return {"username": registry_pull.NULL_USER, "password": _identity_token(entry)}
