"""Container apps: create (from one `AppDefinition`), show, list, update and delete.

Revision-scope changes (anything in `template`) make a new revision (see `deploy`); application-scope
changes (`configuration`: secrets, ingress, traffic, registries, Dapr, mode) do not. The other
concerns live in their modules: `app_revisions`, `ingress`, `traffic`, `app_secrets`,
`app_registries`, `replicas`; `definition` builds what `create` takes.
"""

import json

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import deploy, env_storage, environments, keyvault_refs, revisions, workload_profiles
from azlocal.aca.app_registries import acr_credentials, registry_secret_name
from azlocal.aca.appstore import APP_TYPE, app_id, environment_of, get, group_of_app, list_apps, remove, save
from azlocal.aca.definition import DEFAULT_IMAGE, mount_secret_volume, parse_env_vars
from azlocal.aca.definition import yaml_document as definition_from_yaml
from azlocal.aca.ingress import ingress_doc, patch_from_yaml
from azlocal.aca.traffic import update_weights
from azlocal.aca.validation import check_app_name, check_secret_refs, check_suffix
from azlocal.aca.validation import memory as _memory
from azlocal.core import arm, settings
from azlocal.core.errors import ValidationError
from azlocal.platform import secrets
from azlocal.platform.store import store
from azlocal.resources import groups

__all__ = ["APP_TYPE", "DEFAULT_IMAGE", "create", "update", "get", "list_apps", "delete", "cleanup_app",
           "cleanup_environment", "hide_env_values", "with_secrets", "environment_of", "group_of_app",
           "definition_from_yaml", "registry_secret_name", "update_weights", "_memory", "_id"]

_id = app_id
logger = get_logger(__name__)


def hide_env_values(app):
    """create/update print the app without env values (show keeps them), as az does."""
    app = json.loads(json.dumps(app))
    for c in app["properties"]["template"]["containers"]:
        for e in c.get("env") or []:
            e.pop("value", None)
    return app


def with_secrets(app):
    app = json.loads(json.dumps(app))
    for s in app["properties"]["configuration"].get("secrets") or []:
        s["value"] = None if s.get("keyVaultUrl") else revisions.secret_value(app, s["name"])
    return app


# Create --------------------------------------------------------------------------------------------

def _registries(registry, new_secrets):
    """The configuration's registries; a registry password becomes one of `new_secrets`."""
    if not registry:
        return []
    server, identity = registry.get("server"), registry.get("identity")
    if identity:
        return [{"identity": identity, "passwordSecretRef": "", "server": server, "username": ""}]
    username, password = registry.get("username"), registry.get("password")
    if not (username and password):
        found = acr_credentials(server)
        if not found:
            raise ValidationError("Usage error: --registry-server, --registry-password and --registry-username "
                                  "are required together if not using Azure Container Registry")
        username, password = found
    secret_name = registry_secret_name(server, username)
    logger.warning('Adding registry password as a secret with name "%s"', secret_name)
    new_secrets[secret_name] = password
    return [{"identity": "", "passwordSecretRef": secret_name, "server": server, "username": username}]


def _identity(definition):
    registry_identity = (definition.registry or {}).get("identity")
    system = definition.system_assigned or options.is_system(registry_identity)
    users = list(definition.user_assigned or [])
    if registry_identity and not options.is_system(registry_identity):
        users.append(registry_identity)
    return options.identity_doc(None, system, users)


def _ingress(name, env_doc, ingress):
    if not ingress:
        return None
    doc = ingress_doc(name, env_doc["properties"]["defaultDomain"], ingress["kind"], ingress.get("target_port"),
                      ingress.get("transport") or "auto", ingress.get("allow_insecure"))
    if ingress.get("exposed_port") is not None:
        doc["exposedPort"] = ingress["exposed_port"]
    doc.update(ingress.get("policies") or {})  # from --yaml: CORS, IP rules, sticky sessions as given
    return doc


def _document(group, name, env_doc, definition, *, profile, new_secrets, registries):
    now = arm.utc_now()
    return {
        "id": app_id(group, name), "identity": _identity(definition), "location": env_doc["location"], "name": name,
        "properties": {
            "configuration": {
                "activeRevisionsMode": definition.revisions_mode.capitalize(),
                "dapr": options.dapr_doc(None, **(definition.dapr or {})), "identitySettings": [],
                "ingress": _ingress(name, env_doc, definition.ingress), "maxInactiveRevisions": 100,
                "registries": registries or None, "runtime": None,
                "secrets": keyvault_refs.entries(new_secrets, new_secrets) or None, "service": None,
            },
            "customDomainVerificationId": env_doc["properties"]["customDomainConfiguration"][
                "customDomainVerificationId"],
            "delegatedIdentities": [], "environmentId": env_doc["id"],
            "eventStreamEndpoint": f"https://{environments.region_of(env_doc['location'])}.azurecontainerapps.dev/"
                                   f"subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/{group}/"
                                   f"containerApps/{name}/eventstream",
            "latestReadyRevisionName": None, "latestRevisionFqdn": None, "latestRevisionName": None,
            "managedEnvironmentId": env_doc["id"], "outboundIpAddresses": ["127.0.0.1"],
            "provisioningState": "Succeeded", "runningStatus": "Running", "template": definition.template,
            "workloadProfileName": profile,
        },
        "systemData": {"createdAt": now, "createdBy": settings.USER_NAME, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": settings.USER_NAME, "lastModifiedByType": "User"},
        "tags": definition.tags, "type": APP_TYPE,
    }


def _existing(group, name, env_doc):
    """The app if it exists already (then in the same environment: an app cannot move)."""
    existing = store().get(app_id(group, name))
    if existing is not None and existing["properties"]["managedEnvironmentId"].lower() != env_doc["id"].lower():
        raise ValidationError(f"(ContainerAppEnvironmentCannotBeChanged) The container app '{name}' already runs in "
                              f"environment '{existing['properties']['managedEnvironmentId'].rsplit('/', 1)[-1]}'; "
                              "an app cannot move to another environment.")
    return existing


def create(resource_group, name, definition):
    """A PUT, as az sends it: on an existing app it replaces the app's definition (a new revision when
    the template changes), keeping its revisions."""
    group = groups.get(resource_group)["name"]
    check_app_name(name)
    if not definition.environment:
        raise ValidationError("Usage error: --environment is required if not using --yaml")
    env_doc = environments.resolve_id(definition.environment, group)
    profile = options.workload_profile(env_doc, definition.workload_profile_name) or \
        ("Consumption" if env_doc["properties"].get("workloadProfiles") else None)
    existing = _existing(group, name, env_doc)
    new_secrets = dict(definition.secrets)
    registries = _registries(definition.registry, new_secrets)
    workload_profiles.check_resources(env_doc, profile, definition.template)
    env_storage.check_template(env_doc, definition.template)
    check_secret_refs(definition.template, new_secrets)
    app = _document(group, name, env_doc, definition, profile=profile, new_secrets=new_secrets,
                    registries=registries)
    keyvault_refs.check(app, new_secrets)
    _grant_registry_pull(app, definition.registry)
    if existing is not None:
        return _replace(existing, app, env_doc, new_secrets)
    return _create_new(app, env_doc, new_secrets)


def _grant_registry_pull(app, registry):
    from azlocal.aca import registry_identity

    registry_identity.grant_for(app, registry)  # as az: AcrPull for create's --registry-identity


def _create_new(app, env_doc, new_secrets):
    for key, value in new_secrets.items():
        secrets.set_secret(revisions.secret_key(app, key), value)
    template = app["properties"]["template"]
    try:
        revisions.ensure_images(app, template)  # a registry's password is one of the secrets
        deploy.deploy_revision(app, env_doc, template, first=True)
    except BaseException:
        cleanup_app(app)
        remove(app)
        raise
    app = store().get(app["id"])
    ingress = app["properties"]["configuration"].get("ingress")
    if ingress:
        logger.warning("\nContainer app created. Access your app at https://%s/\n", ingress["fqdn"])
    else:
        logger.warning("\nContainer app created. To access it over HTTPS, enable ingress: az containerapp ingress "
                       "enable -n %s -g %s --type external --target-port <port> --transport auto\n", app["name"],
                       group_of_app(app))
    return app


def _replace(existing, app, env_doc, new_secrets):
    """`create` on an existing app: its new definition replaces the old one; the revisions stay and a
    changed template makes a new one."""
    from azlocal.platform import hosts

    old_names = deploy.host_names(existing, env_doc)
    for key in ("latestReadyRevisionName", "latestRevisionFqdn", "latestRevisionName"):
        app["properties"][key] = existing["properties"].get(key)
    for key in ("createdAt", "createdBy", "createdByType"):
        app["systemData"][key] = existing["systemData"][key]
    template = app["properties"]["template"]
    app["properties"]["template"] = existing["properties"]["template"]
    for old in existing["properties"]["configuration"].get("secrets") or []:
        if old["name"].lower() not in (k.lower() for k in new_secrets):
            secrets.delete_secret(revisions.secret_key(app, old["name"]))
    for key, value in new_secrets.items():
        secrets.set_secret(revisions.secret_key(app, key), value)
    revisions.ensure_images(app, template)
    if app["properties"]["configuration"]["activeRevisionsMode"] == "Single" and \
            app["properties"]["configuration"].get("ingress"):
        app["properties"]["configuration"]["ingress"]["traffic"] = [{"latestRevision": True, "weight": 100}]
    hosts.set_entries(remove=[n for n in old_names if n not in deploy.host_names(app, env_doc)])
    if template.get("revisionSuffix") or template != dict(existing["properties"]["template"],
                                                          revisionSuffix=template.get("revisionSuffix", "")):
        deploy.deploy_revision(app, env_doc, template)
    else:
        save(app)
        deploy.publish_names(app, env_doc)
    app = store().get(app["id"])
    fqdn = (app["properties"]["configuration"].get("ingress") or {}).get("fqdn")
    if fqdn:
        logger.warning("\nContainer app created. Access your app at https://%s/\n", fqdn)
    return app


# Update ---------------------------------------------------------------------------------------------

_CONTAINER_CHANGES = ("image", "cpu", "memory", "set_env_vars", "remove_env_vars", "replace_env_vars", "command",
                      "args")


def _target_container(containers, changes):
    container_name = changes.get("container_name")
    if container_name:
        target = next((c for c in containers if c["name"] == container_name), None)
        if target is None:
            if not changes.get("image"):
                raise ValidationError(f"Usage error: --image is required when adding a new container "
                                      f"'{container_name}'")
            target = {"image": changes["image"], "name": container_name,
                      "resources": {"cpu": 0.5, "ephemeralStorage": "2Gi", "memory": "1Gi"}}
            containers.append(target)
        return target
    if len(containers) > 1 and any(changes.get(k) is not None for k in _CONTAINER_CHANGES):
        raise ValidationError("Usage error: --container-name is required when the app has several containers")
    return containers[0]


def _apply_env(target, changes):
    env = target.get("env") or []
    if changes.get("replace_env_vars") is not None:
        env = []
    for var in parse_env_vars(changes.get("replace_env_vars")) + parse_env_vars(changes.get("set_env_vars")):
        env = [e for e in env if e["name"].lower() != var["name"].lower()] + [var]
    for var_name in changes.get("remove_env_vars") or []:
        if not any(e["name"].lower() == var_name.lower() for e in env):
            logger.warning("Environment variable %s does not exist.", var_name)  # a warning in az, not an error
        env = [e for e in env if e["name"].lower() != var_name.lower()]
    if changes.get("remove_all_env_vars"):
        env = []
    if env:
        target["env"] = env
    else:
        target.pop("env", None)


def _apply_container(target, changes):
    if changes.get("image"):
        target["image"] = changes["image"]
    if changes.get("cpu") is not None:
        target["resources"]["cpu"] = float(changes["cpu"])
    if changes.get("memory") is not None:
        target["resources"]["memory"] = _memory(changes["memory"])
    _apply_env(target, changes)
    for key in ("command", "args"):
        if changes.get(key) is not None:
            target[key] = changes[key] or None


def _changed_template(app, changes):
    template = json.loads(json.dumps(app["properties"]["template"]))
    target = _target_container(template["containers"], changes)
    _apply_container(target, changes)
    for key, field in (("min_replicas", "minReplicas"), ("max_replicas", "maxReplicas"), ("scale_rule", "rules")):
        if changes.get(key) is not None:
            template["scale"][field] = changes[key]
    if changes.get("termination_grace_period") is not None:
        template["terminationGracePeriodSeconds"] = changes["termination_grace_period"]
    if changes.get("secret_volume_mount"):
        mount_secret_volume(template, target, changes["secret_volume_mount"])
    template["revisionSuffix"] = changes.get("revision_suffix") or ""
    return template


def update(resource_group, name, *, tags=None, template_yaml=None, **changes):
    """A PATCH. `changes`: image, container_name, cpu, memory, set_env_vars, remove_env_vars,
    replace_env_vars, remove_all_env_vars, command, args, revision_suffix, min_replicas, max_replicas,
    scale_rule, termination_grace_period, workload_profile_name, secret_volume_mount; `template_yaml`
    (the text of `--yaml`) replaces the template and secrets instead."""
    unknown = set(changes) - set(_CONTAINER_CHANGES) - {
        "container_name", "remove_all_env_vars", "revision_suffix", "min_replicas", "max_replicas", "scale_rule",
        "termination_grace_period", "workload_profile_name", "secret_volume_mount"}
    if unknown:
        raise TypeError(f"update() got unexpected keyword arguments {sorted(unknown)}")
    app = get(resource_group, name)
    check_suffix(changes.get("revision_suffix"))
    options.check_grace_period(changes.get("termination_grace_period"))
    if template_yaml is not None:
        return _update_from_yaml(app, template_yaml, tags)
    if changes.get("max_replicas") is not None and not 1 <= changes["max_replicas"] <= 1000:
        raise ValidationError("--max-replicas must be in the range [1,1000]")
    template = _changed_template(app, changes)
    workload_profiles.check_resources(environment_of(app), changes.get("workload_profile_name") or
                                      app["properties"].get("workloadProfileName"), template)
    check_secret_refs(template, [s["name"] for s in app["properties"]["configuration"].get("secrets") or []])
    if changes.get("workload_profile_name") is not None:
        app["properties"]["workloadProfileName"] = options.workload_profile(environment_of(app),
                                                                            changes["workload_profile_name"])
    if tags is not None:
        app["tags"] = tags
    template_changed = template != dict(app["properties"]["template"], revisionSuffix=template["revisionSuffix"])
    if not template_changed and not changes.get("revision_suffix"):
        save(app)
        return app
    keyvault_refs.check_configured(app)
    revisions.ensure_images(app, template)
    deploy.deploy_revision(app, environment_of(app), template)
    return store().get(app["id"])


def _update_from_yaml(app, text, tags=None):
    """`update --yaml`: the YAML's template (checked as Azure checks a template) and secrets replace the
    app's; a new revision is made when the template changed."""
    from azlocal.aca.definition import template_from_yaml, yaml_document

    if patch_from_yaml(app, text, tags):
        return app
    template, new_secrets = template_from_yaml(text)
    env_doc = environment_of(app)
    named = yaml_document(text)["workload_profile_name"]
    profile = options.workload_profile(env_doc, named) if named else app["properties"].get("workloadProfileName")
    workload_profiles.check_resources(env_doc, profile, template)
    env_storage.check_template(env_doc, template)  # its AzureFile volumes name storages that mount
    moved = profile != app["properties"].get("workloadProfileName")
    app["properties"]["workloadProfileName"] = profile
    names = list(new_secrets) if new_secrets is not None else \
        [s["name"] for s in app["properties"]["configuration"].get("secrets") or []]
    check_secret_refs(template, names)
    if new_secrets is not None:
        keyvault_refs.check(app, new_secrets)
        current = app["properties"]["configuration"].get("secrets") or []
        app["properties"]["configuration"]["secrets"] = sorted(keyvault_refs.entries(
            [s["name"] for s in current if s["name"].lower() not in (k.lower() for k in new_secrets)] +
            list(new_secrets), new_secrets, current), key=lambda x: x["name"])
        for key, value in new_secrets.items():
            secrets.set_secret(revisions.secret_key(app, key), value)
    if tags is not None:
        app["tags"] = tags
    if not moved and not template.get("revisionSuffix") and \
            template == dict(app["properties"]["template"], revisionSuffix=""):
        save(app)
        return app
    revisions.ensure_images(app, template)
    deploy.deploy_revision(app, env_doc, template)
    return store().get(app["id"])


# Delete -------------------------------------------------------------------------------------------

def delete(resource_group, name):
    app = get(resource_group, name)
    cleanup_app(app)
    remove(app)
    logger.warning("Containerapp successfully deleted")


def cleanup_app(app):
    """What an app has outside the store: replicas, host names, secrets, secret files."""
    import hashlib
    import shutil

    from azlocal.platform import hosts

    for rev in revisions.all_revisions(app):
        revisions.stop_replicas(app["id"], rev["name"])
    hosts.set_entries(remove=deploy.host_names(app, environment_of(app)))
    secrets.delete_prefix(revisions.secret_key(app, "")[:-len("secrets/")])
    shutil.rmtree(settings.home() / "aca-secrets" / hashlib.sha256(app["id"].lower().encode()).hexdigest()[:12],
                  ignore_errors=True)


def cleanup_environment(doc):
    environments.cleanup_environment(doc)
