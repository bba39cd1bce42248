"""`az containerapp registry` and `dapr`: the registries an app pulls from (a password secret or a
managed identity) and its Dapr settings."""

import re

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import revisions
from azlocal.aca.appstore import get, save
from azlocal.core.errors import AzLocalError
from azlocal.platform import secrets

logger = get_logger(__name__)


def registry_secret_name(server, username):
    """az's name for a registry password secret: `myregistryazurecrio-myregistry`."""
    return f"{server.replace(':', '-').replace('.', '')}-{re.sub(r'[^a-z0-9-]', '-', username.lower())}"


def acr_credentials(server):
    """For `<name>.azurecr.io` of this machine, the admin credentials (as az looks them up)."""
    from azlocal.acr import registries

    if not server.lower().endswith(".azurecr.io"):
        return None
    doc = registries.find(server.split(".")[0])
    if doc is None:
        return None
    if not doc["adminUserEnabled"]:
        registries.update(doc["name"], admin_enabled=True)
    creds = registries.credential_show(doc["name"])
    return creds["username"], creds["passwords"][0]["value"]


def _find(regs, server):
    return next((r for r in regs if r["server"].lower() == server.lower()), None)


def registry_set(resource_group, name, server, username=None, password=None, identity=None):
    app = get(resource_group, name)
    if identity:
        return _registry_set_identity(app, server, username, password, identity)
    if not (username and password):
        found = acr_credentials(server)
        if not found:
            raise AzLocalError("Registry username and password are required if you are not using Azure Container "
                               "Registry.")
        username, password = found
    secret_name = registry_secret_name(server, username)
    regs = app["properties"]["configuration"].get("registries") or []
    existing = _find(regs, server)
    if existing:
        logger.warning("Updating existing registry.")
        existing.update(username=username, passwordSecretRef=secret_name)
    else:
        regs.append({"identity": "", "passwordSecretRef": secret_name, "server": server, "username": username})
    app["properties"]["configuration"]["registries"] = regs
    current = app["properties"]["configuration"].get("secrets") or []
    if secret_name not in (s["name"] for s in current):
        current.append({"name": secret_name})
    app["properties"]["configuration"]["secrets"] = current
    secrets.set_secret(revisions.secret_key(app, secret_name), password)
    save(app)
    return regs


def _registry_set_identity(app, server, username, password, identity):
    """A registry pulled from with a managed identity: no password secret; the app's images of it are pulled as
    that identity (aca/registry_identity), so it needs AcrPull on the registry. As az's, this assigns no role."""
    options.check_registry_identity(identity, server, username, password)
    if options.is_system(identity):
        app["identity"] = options.identity_doc(app.get("identity"), system_assigned=True)
    else:
        app["identity"] = options.identity_doc(app.get("identity"), user_assigned=[identity])
    configuration = app["properties"]["configuration"]
    regs = configuration.get("registries") or []
    existing = _find(regs, server)
    if existing:
        logger.warning("Updating existing registry.")
        if existing.get("passwordSecretRef"):
            configuration["secrets"] = [s for s in configuration.get("secrets") or []
                                        if s["name"] != existing["passwordSecretRef"]] or None
            secrets.delete_secret(revisions.secret_key(app, existing["passwordSecretRef"]))
        existing.update(identity=identity, passwordSecretRef="", username="")
    else:
        regs.append({"identity": identity, "passwordSecretRef": "", "server": server, "username": ""})
    configuration["registries"] = regs
    save(app)
    return regs


def registry_list(resource_group, name):
    return get(resource_group, name)["properties"]["configuration"].get("registries")


def registry_show(resource_group, name, server):
    regs = registry_list(resource_group, name)
    if not regs:
        raise AzLocalError(f"The containerapp {name} has no assigned registries.")
    found = _find(regs, server)
    if found is None:
        raise AzLocalError(f"The containerapp {name} does not have specified registry assigned.")
    return found


def registry_remove(resource_group, name, server):
    app = get(resource_group, name)
    configuration = app["properties"]["configuration"]
    regs = configuration.get("registries") or []
    found = _find(regs, server)
    if found is None:
        raise AzLocalError(f"Containerapp does not have registry server {server} assigned.")
    configuration["registries"] = [r for r in regs if r is not found] or None
    configuration["secrets"] = [s for s in configuration.get("secrets") or []
                                if s["name"] != found["passwordSecretRef"]] or None
    secrets.delete_secret(revisions.secret_key(app, found["passwordSecretRef"]))
    save(app)
    logger.warning("Registry successfully removed.")
    return configuration["registries"]


class _AppNotFound(AzLocalError):
    exit_code = 3


def dapr_set(resource_group, name, enabled, **settings):
    """`settings`: app_id, app_port, app_protocol, log_level, api_logging, max_request_size,
    read_buffer_size (None keeps the current value)."""
    try:
        app = get(resource_group, name)
    except AzLocalError as ex:  # az's dapr enable/disable word any failed lookup (group or app) so
        if getattr(ex, "exit_code", 1) != 3:
            raise
        raise _AppNotFound(f"The containerapp '{name}' does not exist") from None
    dapr = options.dapr_doc(app["properties"]["configuration"].get("dapr"), enabled, **settings)
    app["properties"]["configuration"]["dapr"] = dapr
    save(app)
    if dapr and dapr.get("enabled"):  # the daemon keeps the running replicas' sidecars (within about a second)
        from azlocal.aca.dapr import supervisor

        supervisor.ensure_daemon(app)
    return dapr
