"""`az containerapp job secret …` and `job registry …`: a job's secrets (names in its document, values in
the secret store) and the registries its executions pull from (a password secret or a managed identity)."""

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import job_spec, jobs, keyvault_refs
from azlocal.aca.app_registries import acr_credentials, registry_secret_name
from azlocal.aca.definition import parse_secrets
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform import secrets

logger = get_logger(__name__)


def _configuration(job):
    return job["properties"]["configuration"]


def _entries(job):
    return [dict(s) for s in _configuration(job).get("secrets") or []]


# Secrets -----------------------------------------------------------------------------------------

def secret_list(resource_group, name, show_values=False):
    job = jobs.require(resource_group, name)
    if show_values:
        return [keyvault_refs.listed(s, lambda n: jobs.secret_value(job, n)) for s in _entries(job)]
    return [dict(s) for s in _entries(job)]


def secret_show(resource_group, name, secret_name):
    job = jobs.require(resource_group, name)
    for s in _entries(job):
        if s["name"].lower() == secret_name.lower():
            return keyvault_refs.listed(s, lambda n: jobs.secret_value(job, n))
    raise ValidationError(f"The containerapp job {name} does not have a secret assigned with name {secret_name}.")


def secret_set(resource_group, name, items):
    job = jobs.require(resource_group, name)
    new = parse_secrets(items)
    keyvault_refs.check(job, new)  # references are read as the service validates the PUT: the new ones,
    keyvault_refs.check_configured(job, skip=new)  # and those the job has
    names = jobs.secret_names(job)
    for key in new:
        if key.lower() not in (n.lower() for n in names):
            names.append(key)
    _configuration(job)["secrets"] = keyvault_refs.entries(names, new, _entries(job))
    for key, value in new.items():
        secrets.set_secret(jobs.secret_key(job, key), value)
    jobs.save(job)
    logger.warning("Containerapp job '%s' executions triggered now will have the added/updated secret.", name)
    return _configuration(job)["secrets"]


def _check_unused(job, wanted):
    configuration = _configuration(job)
    for reg in configuration.get("registries") or []:
        if (reg.get("passwordSecretRef") or "").lower() in wanted:
            raise AzLocalError(f"(JobSecretInUse) The secret '{reg['passwordSecretRef']}' is the password of registry "
                               f"'{reg['server']}'. Remove the registry first (az containerapp job registry remove).")
    remaining = [n for n in jobs.secret_names(job) if n.lower() not in wanted]
    job_spec.check_secret_refs(job["properties"]["template"], remaining)
    block = configuration.get("eventTriggerConfig") or {}
    for rule in (block.get("scale") or {}).get("rules") or []:
        for auth in rule.get("auth") or []:
            if (auth.get("secretRef") or "").lower() in wanted:
                raise AzLocalError(f"(JobSecretInUse) The secret '{auth['secretRef']}' is used by scale rule "
                                   f"'{rule['name']}'.")


def secret_remove(resource_group, name, secret_names):
    job = jobs.require(resource_group, name)
    current = jobs.secret_names(job)
    for n in secret_names:
        if n.lower() not in (c.lower() for c in current):
            raise ValidationError(f"The containerapp job {name} does not have a secret assigned with name {n}.")
    wanted = {n.lower() for n in secret_names}
    _check_unused(job, wanted)
    _configuration(job)["secrets"] = [s for s in _entries(job) if s["name"].lower() not in wanted] or None
    jobs.save(job)
    for n in secret_names:
        secrets.delete_secret(jobs.secret_key(job, n))
    logger.warning("Secret(s) successfully removed.")
    return _configuration(job)["secrets"]


# Registries --------------------------------------------------------------------------------------

def _find(regs, server):
    return next((r for r in regs if r["server"].lower() == server.lower()), None)


def registry_for_create(server, username, password, identity, new_secrets):
    """create's --registry-*: the configuration's registries; a password becomes one of `new_secrets`."""
    if not server:
        return None
    options.check_registry_identity(identity, server, username, password)
    if identity:
        return [{"identity": identity, "passwordSecretRef": "", "server": server, "username": ""}]
    if not (username and password):
        found = acr_credentials(server)
        if not found:
            raise ValidationError("Usage error: --registry-server, --registry-password and --registry-username are "
                                  "required together if not using Azure Container Registry")
        username, password = found
    secret_name = registry_secret_name(server, username)
    new_secrets[secret_name] = password
    return [{"identity": "", "passwordSecretRef": secret_name, "server": server, "username": username}]


def registry_list(resource_group, name):
    return _configuration(jobs.require(resource_group, name)).get("registries") or []


def registry_show(resource_group, name, server):
    regs = registry_list(resource_group, name)
    if not regs:
        raise ValidationError(f"The containerapp job {name} has no assigned registries.")
    found = _find(regs, server)
    if found is None:
        raise ValidationError(f"The containerapp job {name} does not have specified registry {server} assigned.")
    return found


def registry_set(resource_group, name, server, username=None, password=None, identity=None):
    if (username or password) and identity:
        raise ValidationError("Use either identity or --username/--password.")
    job = jobs.require(resource_group, name)
    configuration = _configuration(job)
    if identity:
        options.check_registry_identity(identity, server)
    elif not (username and password):
        if not server.lower().split(":")[0].endswith(".azurecr.io"):
            raise ValidationError("Registry username and password are required if you are not using Azure Container "
                                  "Registry.")
        logger.warning("No credential was provided to access Azure Container Registry. Trying to look up...")
        found = acr_credentials(server)
        if not found:
            raise ValidationError("Failed to retrieve credentials for container registry. Please provide the "
                                  "registry username and password")
        username, password = found
    regs = configuration.get("registries") or []
    entry = _find(regs, server)
    if entry is not None:
        logger.warning("Updating existing registry.")
        _drop_password(job, entry)
    else:
        entry = {"server": server}
        regs.append(entry)
    if identity:
        entry.update(identity=identity, passwordSecretRef="", username="")
        job["identity"] = options.identity_doc(job.get("identity"), system_assigned=options.is_system(identity),
                                               user_assigned=None if options.is_system(identity) else [identity])
    else:
        secret_name = registry_secret_name(server, username)
        entry.update(identity="", passwordSecretRef=secret_name, username=username)
        names = jobs.secret_names(job)
        if secret_name not in names:
            configuration["secrets"] = _entries(job) + [{"name": secret_name}]
        secrets.set_secret(jobs.secret_key(job, secret_name), password)
    configuration["registries"] = regs
    jobs.save(job)
    return regs


def _drop_password(job, entry):
    ref = entry.get("passwordSecretRef")
    if ref:
        configuration = _configuration(job)
        configuration["secrets"] = [s for s in configuration.get("secrets") or [] if s["name"] != ref] or None
        secrets.delete_secret(jobs.secret_key(job, ref))


def registry_remove(resource_group, name, server):
    job = jobs.require(resource_group, name)
    configuration = _configuration(job)
    regs = configuration.get("registries") or []
    if not regs:
        raise ValidationError(f"The containerapp job {name} has no assigned registries.")
    found = _find(regs, server)
    if found is None:
        raise ValidationError(f"The containerapp job {name} does not have specified registry {server} assigned.")
    _drop_password(job, found)
    configuration["registries"] = [r for r in regs if r is not found] or None
    jobs.save(job)
    logger.warning("Registry successfully removed.")
    return configuration["registries"] or []
