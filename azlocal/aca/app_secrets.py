"""`az containerapp secret`: an app's secrets (names in its document, values in the secret store)."""

from knack.log import get_logger

from azlocal.aca import keyvault_refs, revision_events, revisions
from azlocal.aca.appstore import get, save
from azlocal.aca.definition import parse_secrets
from azlocal.core.errors import AzLocalError
from azlocal.platform import secrets

logger = get_logger(__name__)


def _missing(name, secret_name):
    return AzLocalError(f"The containerapp {name} does not have a secret assigned with name {secret_name}.")


def secret_list(resource_group, name, show_values=False):
    app = get(resource_group, name)
    current = app["properties"]["configuration"].get("secrets") or []
    if show_values:
        return [keyvault_refs.listed(s, lambda n: revisions.secret_value(app, n)) for s in current]
    return [dict(s) for s in current] or None


def secret_show(resource_group, name, secret_name):
    app = get(resource_group, name)
    for s in app["properties"]["configuration"].get("secrets") or []:
        if s["name"].lower() == secret_name.lower():
            return keyvault_refs.listed(s, lambda n: revisions.secret_value(app, n))
    raise _missing(name, secret_name)


def secret_set(resource_group, name, secrets_):
    app = get(resource_group, name)
    new = parse_secrets(secrets_)
    keyvault_refs.check(app, new)  # references are read as the service validates the PUT: the new ones,
    keyvault_refs.check_configured(app, skip=new)  # and those the app has
    current = app["properties"]["configuration"].get("secrets") or []
    names = [s["name"] for s in current]
    for key in new:
        if key.lower() not in (n.lower() for n in names):
            names.append(key)
    app["properties"]["configuration"]["secrets"] = keyvault_refs.entries(names, new, current)
    save(app)
    for key, value in new.items():
        secrets.set_secret(revisions.secret_key(app, key), value)
    revision_events.secrets_changed(app, "Updated", list(new))
    logger.warning("Containerapp '%s' must be restarted in order for secret changes to take effect.", name)
    return app["properties"]["configuration"]["secrets"]


def _check_unused(app, wanted):
    """Refuses to remove a secret a registry, an active revision's scale rule or env var uses."""
    for reg in app["properties"]["configuration"].get("registries") or []:
        if (reg.get("passwordSecretRef") or "").lower() in wanted:
            raise AzLocalError(f"(ContainerAppSecretInUse) The secret '{reg['passwordSecretRef']}' is the password of "
                               f"registry '{reg['server']}'. Remove the registry first (az containerapp registry "
                               "remove) or set it with another password.")
    for rev in revisions.all_revisions(app):
        if not rev["properties"]["active"]:
            continue
        for rule in (rev["properties"]["template"].get("scale") or {}).get("rules") or []:
            for part in ("custom", "http", "tcp"):
                for auth in (rule.get(part) or {}).get("auth") or []:
                    if auth["secretRef"].lower() in wanted:
                        raise AzLocalError(f"(ContainerAppSecretInUse) The secret '{auth['secretRef']}' is used by "
                                           f"scale rule '{rule['name']}' of the active revision '{rev['name']}'.")
        for c in rev["properties"]["template"]["containers"]:
            for e in c.get("env") or []:
                if (e.get("secretRef") or "").lower() in wanted:
                    raise AzLocalError(f"(ContainerAppSecretInUse) The secret '{e['secretRef']}' is referenced by "
                                       f"the active revision '{rev['name']}'. Deploy a revision that no longer uses "
                                       "it and deactivate the ones that do before removing it.")


def secret_remove(resource_group, name, secret_names):
    app = get(resource_group, name)
    current = app["properties"]["configuration"].get("secrets") or []
    lowered = {s["name"].lower() for s in current}
    for n in secret_names:
        if n.lower() not in lowered:
            raise _missing(name, n)
    wanted = {n.lower() for n in secret_names}
    _check_unused(app, wanted)
    remaining = [s for s in current if s["name"].lower() not in wanted]
    app["properties"]["configuration"]["secrets"] = remaining or None
    save(app)
    for n in secret_names:
        secrets.delete_secret(revisions.secret_key(app, n))
    revision_events.secrets_changed(app, "Removed", list(secret_names))
    logger.warning("Secret(s) successfully removed.")
    return remaining
