"""Container apps: the ARM document, revisions on change, secrets, ingress and traffic.

Revision-scope changes (anything in `template`) make a new revision; application-scope changes
(`configuration`: secrets, ingress, traffic, registries, Dapr, mode) do not. In single mode a
new revision takes the traffic only once its replicas are ready, then the old one is
deactivated; a revision that never gets ready leaves traffic where it was.
"""

import json
import re
import time

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import environments, revisions
from azlocal.core import arm, generic_update, settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.platform import secrets
from azlocal.platform.store import group_of, store
from azlocal.resources import groups

APP_TYPE = "Microsoft.App/containerApps"
DEFAULT_IMAGE = "mcr.microsoft.com/k8se/quickstart:latest"
_APP_NAME = re.compile(r"^(?=.{1,32}$)[a-z]((?!.*--)[-a-z0-9]*[a-z0-9])?$")
_SUFFIX = re.compile(r"^[a-z0-9](?!.*-{2})([-a-z0-9]*[a-z0-9])?$")
_SECRET = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
ALLOWED_RESOURCES = [(0.25 * i, 0.5 * i) for i in range(1, 9)]
# Gateways cache routes briefly: wait this long after moving traffic before stopping old replicas.
DRAIN_SECONDS = 2.0

logger = get_logger(__name__)


def _id(group, name):
    return arm.resource_id(group, "Microsoft.App/containerapps", name)


def get(resource_group, name):
    groups.get(resource_group)
    doc = store().get(_id(resource_group, name))
    if doc is None:
        raise ResourceNotFound(f"The Resource 'Microsoft.App/containerApps/{name}' under resource group "
                               f"'{resource_group}' was not found. For more details please go to "
                               "https://aka.ms/ARMResourceNotFoundFix")
    return doc


def list_apps(resource_group=None, environment=None):
    if resource_group:
        groups.get(resource_group)
    apps = store().list(type=APP_TYPE, resource_group=resource_group)
    if environment:
        apps = [a for a in apps if a["properties"]["managedEnvironmentId"].lower().endswith(
            "/" + environment.lower()) or a["properties"]["managedEnvironmentId"].lower() == environment.lower()]
    return apps


def environment_of(app):
    return store().get(app["properties"]["managedEnvironmentId"])


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
        s["value"] = revisions.secret_value(app, s["name"])
    return app


# Parsing ---------------------------------------------------------------------------------------

def parse_env_vars(items):
    out = []
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValidationError('Environment variables must be in the format "<key>=<value> '
                                  '<key>=secretref:<value> ...".')
        out.append({"name": key, "secretRef": value[len("secretref:"):]} if value.startswith("secretref:")
                   else {"name": key, "value": value})
    return out


def parse_secrets(items):
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValidationError('Secrets must be in format "<key>=<value> <key>=<value> ..." or "<key>=keyvaultref:'
                                  '<keyvaulturl>,identityref:<identity> ...".')
        if key.lower() in (k.lower() for k in out):
            raise ValidationError(f"Duplicate secret \"{key}\" found, secret names must be unique.")
        if not _SECRET.match(key) or len(key) > 253:
            raise ValidationError(f"(ContainerAppInvalidSecretName) Secret name has an invalid value '{key}'. A value "
                                  "must consist of lower case alphanumeric characters, '-', and must start and end "
                                  "with an alphanumeric character. The length must not be more than 253 characters.")
        if value.startswith("keyvaultref:"):
            raise AzLocalError("Key Vault secret references are not available offline; give the secret's value.")
        out[key] = value
    return out


def _memory(value):
    if value is None:
        return None
    text = str(value)
    number = text[:-2] if text.endswith("Gi") else text
    try:
        value = float(number)
    except ValueError:
        raise ValidationError('Usage error: --memory must be a number ending with "Gi"')
    return f"{value:g}Gi"  # as the service returns it: 1.0Gi -> 1Gi


def _check_resources(template):
    cpu = sum(float(c["resources"]["cpu"]) for c in template["containers"])
    memory = sum(float(str(c["resources"]["memory"]).rstrip("Gi")) for c in template["containers"])
    if not any(abs(cpu - a) < 1e-6 and abs(memory - b) < 1e-6 for a, b in ALLOWED_RESOURCES):
        pairs = "; ".join(f"[cpu: {a:g}, memory: {b:.1f}Gi]" for a, b in ALLOWED_RESOURCES)
        raise AzLocalError(f"(ContainerAppInvalidResourceTotal) The total requested CPU and memory resources for "
                           f"this application (CPU: {cpu:g}, memory: {memory:g}) is invalid. Total CPU and memory "
                           f"for all containers defined in a Container App must add up to one of the following "
                           f"CPU - Memory combinations: {pairs}")


def _check_template(template):
    """The types and rules Azure checks in a template that --set/--add/--remove changed."""
    from azlocal.core import safepath

    def fail(path, what):
        raise generic_update.invalid_content(f"The value must be {what}.", f"properties.template.{path}")

    if not isinstance(template, dict):
        fail("", "an object")
    containers = template.get("containers")
    if not isinstance(containers, list) or not containers:
        fail("containers", "a non-empty list")
    for key in ("initContainers", "volumes"):
        if not isinstance(template.get(key) or [], list):
            fail(key, "a list")
    init = list(template.get("initContainers") or [])
    for i, c in enumerate(containers + init):
        where = f"containers[{i}]" if i < len(containers) else f"initContainers[{i - len(containers)}]"
        if not isinstance(c, dict):
            fail(where, "an object")
        if not isinstance(c.get("name"), str) or not _SUFFIX.match(c["name"]) or len(c["name"]) > 63:
            fail(f"{where}.name", "lower case alphanumeric characters or '-', at most 63")
        if not isinstance(c.get("image"), str) or not c["image"].strip() or any(x.isspace() for x in c["image"]):
            fail(f"{where}.image", "an image name")
        resources = c.get("resources")
        if i < len(containers):
            if not isinstance(resources, dict) or resources.get("cpu") is None or resources.get("memory") is None:
                fail(f"{where}.resources", "an object with cpu and memory")
            if isinstance(resources["cpu"], bool) or not isinstance(resources["cpu"], (int, float)) or \
                    resources["cpu"] <= 0:
                fail(f"{where}.resources.cpu", "a positive number")
            resources["memory"] = _memory(resources["memory"])
        for key in ("command", "args"):
            if c.get(key) is not None and (not isinstance(c[key], list) or
                                           not all(isinstance(x, str) for x in c[key])):
                fail(f"{where}.{key}", "a list of strings")
        for key in ("env", "volumeMounts"):
            if not isinstance(c.get(key) or [], list):
                fail(f"{where}.{key}", "a list")
        for j, e in enumerate(c.get("env") or []):
            if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"] or \
                    not isinstance(e.get("value", e.get("secretRef", "")), str):
                fail(f"{where}.env[{j}]", "an object with a name and a string value or secretRef")
        for j, m in enumerate(c.get("volumeMounts") or []):
            if not isinstance(m, dict) or not isinstance(m.get("volumeName"), str) or \
                    not isinstance(m.get("mountPath"), str) or not m["mountPath"].startswith("/"):
                fail(f"{where}.volumeMounts[{j}]", "an object with a volumeName and an absolute mountPath")
    for j, v in enumerate(template.get("volumes") or []):
        if not isinstance(v, dict):
            fail(f"volumes[{j}]", "an object")
        safepath.check_name("volume", v.get("name"))
    scale = template.get("scale")
    if not isinstance(scale, dict):
        fail("scale", "an object")
    low, high = scale.get("minReplicas"), scale.get("maxReplicas")
    for key, value, least in (("minReplicas", low, 0), ("maxReplicas", high, 1)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or
                                  not least <= value <= 1000):
            fail(f"scale.{key}", f"an integer in the range [{least},1000]")
    if low is not None and high is not None and low > high:
        raise ValidationError("(ContainerAppInvalidScaleRange) minReplicas cannot be greater than maxReplicas.")
    if not isinstance(scale.get("rules") or [], list):
        fail("scale.rules", "a list")
    _check_suffix(template.get("revisionSuffix") or None)


def _check_secret_refs(app, template, secret_names):
    names = {s.lower() for s in secret_names}
    for c in template["containers"]:
        for e in c.get("env") or []:
            if e.get("secretRef") and e["secretRef"].lower() not in names:
                raise AzLocalError(f"(ContainerAppSecretRefNotFound) SecretRef '{e['secretRef']}' defined for "
                                   f"container '{c['name']}' not found.")


def _check_suffix(suffix):
    if suffix is not None and (not _SUFFIX.match(suffix) or len(suffix) > 64):
        raise ValidationError(f"Invalid Container App revision suffix '{suffix}'. A revision suffix must consist of "
                              "lower case alphanumeric characters or '-', start with a letter or number, end with "
                              "an alphanumeric character and cannot have '--'.")


# Create --------------------------------------------------------------------------------------------

def create(resource_group, name, environment, image=None, container_name=None, cpu=None, memory=None,
           env_vars=None, secrets_=None, command=None, args=None, revision_suffix=None, revisions_mode="single",
           ingress=None, target_port=None, transport="auto", allow_insecure=False, min_replicas=None,
           max_replicas=None, registry_server=None, registry_username=None, registry_password=None,
           secret_volume_mount=None, scale_rule=None, tags=None, wait=True, template_override=None,
           exposed_port=None, termination_grace_period=None, workload_profile_name=None, registry_identity=None,
           system_assigned=False, user_assigned=None, dapr=None):
    """A PUT, as az sends it: on an existing app it replaces the app's definition (a new revision when
    the template changes), keeping its revisions."""
    group = groups.get(resource_group)
    if not _APP_NAME.match(name or ""):
        raise ValidationError(f"Invalid ContainerApp name {name}. A name must consist of lower case alphanumeric "
                              "characters or '-', start with a letter, end with an alphanumeric character, cannot "
                              "have '--', and must be less than 32 characters.")
    if not environment:
        raise ValidationError("Usage error: --environment is required if not using --yaml")
    if target_port is not None and not ingress:
        raise ValidationError("Usage error: must specify --ingress with --target-port")
    if allow_insecure and not ingress:
        raise ValidationError("Usage error: must specify --ingress with --allow-insecure")
    if exposed_port is not None and (transport or "auto").lower() != "tcp":
        raise ValidationError("Usage error: --exposed-port is only supported with --transport tcp")
    _check_suffix(revision_suffix)
    options.check_grace_period(termination_grace_period)
    options.check_registry_identity(registry_identity, registry_server, registry_username, registry_password)
    env_doc = environments.resolve_id(environment, group["name"])
    profile = options.workload_profile(env_doc, workload_profile_name) or \
        ("Consumption" if env_doc["properties"].get("workloadProfiles") else None)
    rid = _id(group["name"], name)
    s = store()
    existing = s.get(rid)
    if existing is not None and existing["properties"]["managedEnvironmentId"].lower() != env_doc["id"].lower():
        raise ValidationError(f"(ContainerAppEnvironmentCannotBeChanged) The container app '{name}' already runs in "
                              f"environment '{existing['properties']['managedEnvironmentId'].rsplit('/', 1)[-1]}'; "
                              "an app cannot move to another environment.")
    new_secrets = parse_secrets(secrets_)
    registries_ = []
    if registry_identity:
        registries_.append({"identity": registry_identity, "passwordSecretRef": "", "server": registry_server,
                            "username": ""})
    elif registry_server:
        if not (registry_username and registry_password):
            found = _acr_credentials(registry_server)
            if not found:
                raise ValidationError("Usage error: --registry-server, --registry-password and --registry-username "
                                      "are required together if not using Azure Container Registry")
            registry_username, registry_password = found
        secret_name = registry_secret_name(registry_server, registry_username)
        logger.warning('Adding registry password as a secret with name "%s"', secret_name)
        new_secrets[secret_name] = registry_password
        registries_.append({"identity": "", "passwordSecretRef": secret_name, "server": registry_server,
                            "username": registry_username})
    container = {
        "image": image or DEFAULT_IMAGE,
        "name": container_name or name,
        "resources": {"cpu": float(cpu) if cpu is not None else 0.5, "ephemeralStorage": "2Gi",
                      "memory": _memory(memory) or "1Gi"},
    }
    env = parse_env_vars(env_vars)
    if env:
        container["env"] = env
    if command:
        container["command"] = command
    if args:
        container["args"] = args
    template = {
        "containers": [container], "initContainers": None, "revisionSuffix": revision_suffix or "",
        "scale": {"cooldownPeriod": 300, "maxReplicas": max_replicas or 10, "minReplicas": min_replicas,
                  "pollingInterval": 30, "rules": scale_rule},
        "serviceBinds": None, "terminationGracePeriodSeconds": termination_grace_period, "volumes": None,
    }
    if secret_volume_mount:
        _mount_secret_volume(template, container, secret_volume_mount)
    if template_override:
        template = template_override
    _check_resources(template)
    _check_secret_refs(None, template, new_secrets)
    domain = env_doc["properties"]["defaultDomain"]
    ingress_doc = None
    if ingress:
        ingress_doc = _ingress_doc(name, domain, ingress, target_port, transport, allow_insecure)
        if exposed_port is not None:
            ingress_doc["exposedPort"] = exposed_port
    now = arm.utc_now()
    app = {
        "id": rid,
        "identity": options.identity_doc(
            None, system_assigned or options.is_system(registry_identity),
            (user_assigned or []) + ([registry_identity] if registry_identity and
                                     not options.is_system(registry_identity) else [])),
        "location": env_doc["location"],
        "name": name,
        "properties": {
            "configuration": {
                "activeRevisionsMode": revisions_mode.capitalize(), "dapr": options.dapr_doc(None, **(dapr or {})),
                "identitySettings": [],
                "ingress": ingress_doc, "maxInactiveRevisions": 100, "registries": registries_ or None,
                "runtime": None, "secrets": [{"name": k} for k in new_secrets] or None, "service": None,
            },
            "customDomainVerificationId": env_doc["properties"]["customDomainConfiguration"][
                "customDomainVerificationId"],
            "delegatedIdentities": [],
            "environmentId": env_doc["id"],
            "eventStreamEndpoint": f"https://{environments.region_of(env_doc['location'])}.azurecontainerapps.dev/"
                                   f"subscriptions/{settings.SUBSCRIPTION_ID}/resourceGroups/{group['name']}/"
                                   f"containerApps/{name}/eventstream",
            "latestReadyRevisionName": None,
            "latestRevisionFqdn": None,
            "latestRevisionName": None,
            "managedEnvironmentId": env_doc["id"],
            "outboundIpAddresses": ["127.0.0.1"],
            "provisioningState": "Succeeded",
            "runningStatus": "Running",
            "template": template,
            "workloadProfileName": profile,
        },
        "systemData": {"createdAt": now, "createdBy": settings.USER_NAME, "createdByType": "User",
                       "lastModifiedAt": now, "lastModifiedBy": settings.USER_NAME, "lastModifiedByType": "User"},
        "tags": tags,
        "type": APP_TYPE,
    }
    if existing is not None:
        return _replace(existing, app, env_doc, new_secrets)
    for key, value in new_secrets.items():
        secrets.set_secret(revisions.secret_key(app, key), value)
    try:
        revisions.ensure_images(app, template)  # a registry's password is one of the secrets
        _deploy_revision(app, env_doc, template, first=True)
    except BaseException:
        cleanup_app(app)
        s2 = store()
        with s2.transaction():
            s2.delete_children(app["id"])
            s2.delete(app["id"])
        raise
    app = store().get(rid)
    if ingress_doc:
        logger.warning("\nContainer app created. Access your app at https://%s/\n", ingress_doc["fqdn"])
    else:
        logger.warning("\nContainer app created. To access it over HTTPS, enable ingress: az containerapp ingress "
                       "enable -n %s -g %s --type external --target-port <port> --transport auto\n", name,
                       group["name"])
    return app


def _replace(existing, app, env_doc, new_secrets):
    """`create` on an existing app: its new definition replaces the old one; the revisions stay and a
    changed template makes a new one."""
    from azlocal.platform import hosts

    old_names = _host_names(existing, env_doc)
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
    hosts.set_entries(remove=[n for n in old_names if n not in _host_names(app, env_doc)])
    if template.get("revisionSuffix") or template != dict(existing["properties"]["template"],
                                                          revisionSuffix=template.get("revisionSuffix", "")):
        _deploy_revision(app, env_doc, template)
    else:
        s = store()
        with s.transaction():
            s.put(app)
        _publish_names(app, env_doc)
    app = store().get(app["id"])
    fqdn = (app["properties"]["configuration"].get("ingress") or {}).get("fqdn")
    if fqdn:
        logger.warning("\nContainer app created. Access your app at https://%s/\n", fqdn)
    return app


def definition_from_yaml(text):
    """A container app's YAML (as `az containerapp show -o yaml` prints it, or Learn's samples) -> the
    arguments of `create`: the template (sidecars, init containers, scale, volumes) and configuration."""
    from azlocal.core import safepath, yamlsafe

    doc = yamlsafe.load(text)
    if not isinstance(doc, dict):
        raise ValidationError("Invalid YAML provided: a mapping is expected.")
    props = doc.get("properties") or doc
    template = props.get("template") if isinstance(props, dict) else None
    if not isinstance(template, dict) or not isinstance(template.get("containers"), list) or \
            not template["containers"]:
        raise ValidationError("The YAML must define template.containers.")
    containers = []
    for c in template["containers"] + list(template.get("initContainers") or []):
        if not isinstance(c, dict) or not c.get("image") or not c.get("name"):
            raise ValidationError("Each container in the YAML needs a name and an image.")
    for c in template["containers"]:
        resources = c.get("resources") or {}
        if not isinstance(resources, dict):
            raise ValidationError(f"Invalid YAML provided: resources of container '{c['name']}' must be a mapping.")
        try:
            cpu = float(resources.get("cpu", 0.5))
        except (TypeError, ValueError):
            raise ValidationError(f"Invalid YAML provided: the cpu of container '{c['name']}' must be a number, got "
                                  f"'{resources.get('cpu')}'.") from None
        containers.append(dict(c, resources={"cpu": cpu, "ephemeralStorage": "2Gi",
                                             "memory": _memory(resources.get("memory", "1Gi"))}))
    for v in template.get("volumes") or []:
        if not isinstance(v, dict):
            raise ValidationError("Invalid YAML provided: each volume must be a mapping.")
        safepath.check_name("volume", v.get("name"))
    scale = template.get("scale") or {}
    if not isinstance(scale, dict):
        raise ValidationError("Invalid YAML provided: template.scale must be a mapping.")
    out_template = {
        "containers": containers, "initContainers": template.get("initContainers") or None,
        "revisionSuffix": template.get("revisionSuffix") or "",
        "scale": {"cooldownPeriod": 300,
                  "maxReplicas": 10 if scale.get("maxReplicas") is None else scale["maxReplicas"],
                  "minReplicas": scale.get("minReplicas"), "pollingInterval": 30, "rules": scale.get("rules")},
        "serviceBinds": None, "terminationGracePeriodSeconds": None, "volumes": template.get("volumes"),
    }
    configuration = props.get("configuration") or {}
    ingress = configuration.get("ingress") or {}
    return {
        "environment": props.get("environmentId") or props.get("managedEnvironmentId"),
        "template": out_template,
        "secrets": [f"{x['name']}={x.get('value', '')}" for x in configuration.get("secrets") or []],
        "ingress": ("external" if ingress.get("external", True) else "internal") if ingress else None,
        "target_port": ingress.get("targetPort"),
        "transport": str(ingress.get("transport", "auto")).lower(),
        "allow_insecure": bool(ingress.get("allowInsecure", False)),
        "revisions_mode": str(configuration.get("activeRevisionsMode", "single")).lower(),
    }


def registry_secret_name(server, username):
    """az's name for a registry password secret: `myregistryazurecrio-myregistry`."""
    return f"{server.replace(':', '-').replace('.', '')}-{re.sub(r'[^a-z0-9-]', '-', username.lower())}"


def _acr_credentials(server):
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


def _ingress_doc(name, domain, kind, target_port, transport, allow_insecure):
    fqdn = f"{name}.{domain}" if kind == "external" else f"{name}.internal.{domain}"
    return {
        "additionalPortMappings": None, "allowInsecure": bool(allow_insecure), "clientCertificateMode": None,
        "corsPolicy": None, "customDomains": None, "exposedPort": 0, "external": kind == "external", "fqdn": fqdn,
        "ipSecurityRestrictions": None, "stickySessions": None, "targetPort": target_port or 80,
        "traffic": [{"latestRevision": True, "weight": 100}], "transport": (transport or "auto").capitalize(),
    }


def _deploy_revision(app, env_doc, template, first=False):
    """Makes a revision of `template`, starts it, and moves traffic to it as the mode says."""
    suffix = template.get("revisionSuffix") or revisions.new_suffix(app)
    name = f"{app['name']}--{suffix}"
    if revisions.get(app, name) is not None:
        raise AzLocalError(f"(WebhookInvalidParameterValue) The following field(s) are either invalid or missing. "
                           f"Invalid value: \"{suffix}\": revision with suffix {suffix} already exists.: "
                           "template.revisionsuffix.")
    domain = env_doc["properties"]["defaultDomain"]
    revision = revisions.document(app, name, template, True, domain)
    previous_ready = app["properties"].get("latestReadyRevisionName")
    app["properties"]["template"] = json.loads(json.dumps(template))
    app["properties"]["latestRevisionName"] = name
    app["properties"]["latestRevisionFqdn"] = f"{name}.{domain}"
    s = store()
    with s.transaction():
        s.put(app)
        s.put(revision)
    revisions.start_replicas(app, revision, env_doc, revisions.replica_count(template))
    if not revisions.wait_ready(app, name, env_doc):
        revisions.stop_replicas(app["id"], name)
        revision["properties"].update(provisioningState="Failed", active=False,
                                      provisioningError="The revision's replicas did not become ready.")
        with s.transaction():
            s.put(revision)
        if first:
            raise AzLocalError(f"(ContainerAppProvisioningFailed) The revision '{name}' did not become ready: its "
                               "containers did not start or did not answer on the target port.")
        logger.warning("The revision '%s' did not become ready; traffic stays on '%s'.", name, previous_ready)
        return revision
    revision["properties"]["provisioningState"] = "Provisioned"
    app["properties"]["latestReadyRevisionName"] = name
    single = app["properties"]["configuration"]["activeRevisionsMode"] == "Single"
    old = [r for r in revisions.all_revisions(app) if r["name"] != name and r["properties"]["active"]] if single \
        else []
    for r in old:
        r["properties"]["active"] = False
    with s.transaction():
        s.put(revision)
        s.put(app)
        for r in old:
            s.put(r)
    _publish_names(app, env_doc)
    if old:
        time.sleep(DRAIN_SECONDS)  # requests already routed to the old replicas finish first
        for r in old:
            revisions.stop_replicas(app["id"], r["name"])
    return revision


def _publish_names(app, env_doc):
    """The app's, its revisions' and its labels' host names, on loopback (external ingress only)."""
    from azlocal.platform import hosts, lifecycle

    ingress = app["properties"]["configuration"].get("ingress")
    if not ingress or not ingress.get("external"):
        return
    lifecycle.ensure_running()
    domain = env_doc["properties"]["defaultDomain"]
    names = [ingress["fqdn"]] + [f"{r['name']}.{domain}" for r in revisions.all_revisions(app)]
    names += [f"{app['name']}---{t['label']}.{domain}" for t in ingress.get("traffic") or [] if t.get("label")]
    hosts.set_entries(add={n: settings.daemon_host() for n in names})
    from azlocal.platform.tls import ensure_ca

    ensure_ca()


def _host_names(app, env_doc):
    domain = env_doc["properties"]["defaultDomain"] if env_doc else None
    if not domain:
        return []
    ingress = app["properties"]["configuration"].get("ingress") or {}
    names = [f"{app['name']}.{domain}", f"{app['name']}.internal.{domain}"]
    names += [f"{r['name']}.{domain}" for r in revisions.all_revisions(app)]
    names += [f"{app['name']}---{t['label']}.{domain}" for t in ingress.get("traffic") or [] if t.get("label")]
    return names


# Update ---------------------------------------------------------------------------------------------

def update(resource_group, name, image=None, container_name=None, cpu=None, memory=None, set_env_vars=None,
           remove_env_vars=None, replace_env_vars=None, remove_all_env_vars=False, command=None, args=None,
           revision_suffix=None, min_replicas=None, max_replicas=None, scale_rule=None, tags=None,
           termination_grace_period=None, workload_profile_name=None, secret_volume_mount=None, template_yaml=None):
    app = get(resource_group, name)
    _check_suffix(revision_suffix)
    options.check_grace_period(termination_grace_period)
    if template_yaml is not None:
        return _update_from_yaml(app, template_yaml, tags)
    if max_replicas is not None and not 1 <= max_replicas <= 1000:
        raise ValidationError("--max-replicas must be in the range [1,1000]")
    template = json.loads(json.dumps(app["properties"]["template"]))
    containers = template["containers"]
    if container_name:
        target = next((c for c in containers if c["name"] == container_name), None)
        if target is None:
            if not image:
                raise ValidationError(f"Usage error: --image is required when adding a new container "
                                      f"'{container_name}'")
            target = {"image": image, "name": container_name,
                      "resources": {"cpu": 0.5, "ephemeralStorage": "2Gi", "memory": "1Gi"}}
            containers.append(target)
    elif len(containers) > 1 and any(v is not None for v in (image, cpu, memory, set_env_vars, remove_env_vars,
                                                             replace_env_vars, command, args)):
        raise ValidationError("Usage error: --container-name is required when the app has several containers")
    else:
        target = containers[0]
    if image:
        target["image"] = image
    if cpu is not None:
        target["resources"]["cpu"] = float(cpu)
    if memory is not None:
        target["resources"]["memory"] = _memory(memory)
    env = target.get("env") or []
    if replace_env_vars is not None:
        env = []
    for var in parse_env_vars(replace_env_vars) + parse_env_vars(set_env_vars):
        env = [e for e in env if e["name"].lower() != var["name"].lower()] + [var]
    for var_name in remove_env_vars or []:
        if not any(e["name"].lower() == var_name.lower() for e in env):
            logger.warning("Environment variable %s does not exist.", var_name)  # a warning in az, not an error
        env = [e for e in env if e["name"].lower() != var_name.lower()]
    if remove_all_env_vars:
        env = []
    if env:
        target["env"] = env
    else:
        target.pop("env", None)
    if command is not None:
        target["command"] = command or None
    if args is not None:
        target["args"] = args or None
    if min_replicas is not None:
        template["scale"]["minReplicas"] = min_replicas
    if max_replicas is not None:
        template["scale"]["maxReplicas"] = max_replicas
    if scale_rule is not None:
        template["scale"]["rules"] = scale_rule
    if termination_grace_period is not None:
        template["terminationGracePeriodSeconds"] = termination_grace_period
    if secret_volume_mount:
        _mount_secret_volume(template, target, secret_volume_mount)
    template["revisionSuffix"] = revision_suffix or ""
    _check_resources(template)
    secret_names = [s["name"] for s in app["properties"]["configuration"].get("secrets") or []]
    _check_secret_refs(app, template, secret_names)
    if workload_profile_name is not None:
        app["properties"]["workloadProfileName"] = options.workload_profile(environment_of(app),
                                                                            workload_profile_name)
    if tags is not None:
        app["tags"] = tags
    template_changed = template != dict(app["properties"]["template"], revisionSuffix=template["revisionSuffix"])
    if not template_changed and not revision_suffix:
        s = store()
        with s.transaction():
            s.put(app)
        return app
    env_doc = environment_of(app)
    revisions.ensure_images(app, template)
    _deploy_revision(app, env_doc, template)
    return store().get(app["id"])


def _mount_secret_volume(template, container, path):
    """All the app's secrets as files under `path` in the container (one Secret volume per template)."""
    import random
    import string

    volumes = template.get("volumes") or []
    volume = next((v for v in volumes if (v.get("storageType") or "").lower() == "secret"), None)
    if volume is None:
        volume = {"name": "secret-volume-" + "".join(random.choices(string.ascii_lowercase, k=4)),
                  "storageType": "Secret"}
        volumes.append(volume)
    template["volumes"] = volumes
    mounts = [m for m in container.get("volumeMounts") or [] if m["volumeName"] != volume["name"]]
    container["volumeMounts"] = mounts + [{"mountPath": path, "volumeName": volume["name"]}]


def _update_from_yaml(app, text, tags=None):
    """`update --yaml`: the YAML's template (checked as Azure checks a template) and secrets replace the
    app's; a new revision is made when the template changed."""
    definition = definition_from_yaml(text)
    template = definition["template"]
    _check_template(template)
    _check_resources(template)
    new_secrets = parse_secrets(definition["secrets"]) if definition["secrets"] else None
    names = list(new_secrets) if new_secrets is not None else \
        [s["name"] for s in app["properties"]["configuration"].get("secrets") or []]
    _check_secret_refs(app, template, names)
    if new_secrets is not None:
        current = {s["name"].lower() for s in app["properties"]["configuration"].get("secrets") or []}
        app["properties"]["configuration"]["secrets"] = sorted(
            [{"name": n} for n in current if n not in (k.lower() for k in new_secrets)] +
            [{"name": k} for k in new_secrets], key=lambda x: x["name"])
        for key, value in new_secrets.items():
            secrets.set_secret(revisions.secret_key(app, key), value)
    if tags is not None:
        app["tags"] = tags
    if not template.get("revisionSuffix") and \
            template == dict(app["properties"]["template"], revisionSuffix=""):
        s = store()
        with s.transaction():
            s.put(app)
        return app
    revisions.ensure_images(app, template)
    _deploy_revision(app, environment_of(app), template)
    return store().get(app["id"])


# Delete -------------------------------------------------------------------------------------------

def delete(resource_group, name):
    app = get(resource_group, name)
    cleanup_app(app)
    s = store()
    with s.transaction():
        s.delete_children(app["id"])
        s.delete(app["id"])
    logger.warning("Containerapp successfully deleted")


def cleanup_app(app):
    import shutil

    from azlocal.platform import hosts

    for rev in revisions.all_revisions(app):
        revisions.stop_replicas(app["id"], rev["name"])
    hosts.set_entries(remove=_host_names(app, environment_of(app)))
    secrets.delete_prefix(revisions.secret_key(app, "")[:-len("secrets/")])
    import hashlib

    shutil.rmtree(settings.home() / "aca-secrets" / hashlib.sha256(app["id"].lower().encode()).hexdigest()[:12],
                  ignore_errors=True)


def cleanup_environment(doc):
    environments.cleanup_environment(doc)


# Secrets ------------------------------------------------------------------------------------------

def secret_list(resource_group, name, show_values=False):
    app = get(resource_group, name)
    names = [s["name"] for s in app["properties"]["configuration"].get("secrets") or []]
    if show_values:
        return [{"name": n, "value": revisions.secret_value(app, n)} for n in names]
    return [{"name": n} for n in names] or None


def secret_show(resource_group, name, secret_name):
    app = get(resource_group, name)
    for s in app["properties"]["configuration"].get("secrets") or []:
        if s["name"].lower() == secret_name.lower():
            return {"name": s["name"], "value": revisions.secret_value(app, s["name"])}
    raise AzLocalError(f"The containerapp {name} does not have a secret assigned with name {secret_name}.")


def secret_set(resource_group, name, secrets_):
    app = get(resource_group, name)
    new = parse_secrets(secrets_)
    current = app["properties"]["configuration"].get("secrets") or []
    names = [s["name"] for s in current]
    for key in new:
        if key.lower() not in (n.lower() for n in names):
            names.append(key)
    s = store()
    with s.transaction():
        app["properties"]["configuration"]["secrets"] = [{"name": n} for n in names]
        s.put(app)
        for key, value in new.items():
            secrets.set_secret(revisions.secret_key(app, key), value)
    logger.warning("Containerapp '%s' must be restarted in order for secret changes to take effect.", name)
    return app["properties"]["configuration"]["secrets"]


def secret_remove(resource_group, name, secret_names):
    app = get(resource_group, name)
    current = app["properties"]["configuration"].get("secrets") or []
    lowered = {s["name"].lower(): s["name"] for s in current}
    for n in secret_names:
        if n.lower() not in lowered:
            raise AzLocalError(f"The containerapp {name} does not have a secret assigned with name {n}.")
    wanted = {n.lower() for n in secret_names}
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
                if (e.get("secretRef") or "").lower() in (n.lower() for n in secret_names):
                    raise AzLocalError(f"(ContainerAppSecretInUse) The secret '{e['secretRef']}' is referenced by "
                                       f"the active revision '{rev['name']}'. Deploy a revision that no longer uses "
                                       "it and deactivate the ones that do before removing it.")
    remaining = [s for s in current if s["name"].lower() not in (n.lower() for n in secret_names)]
    s = store()
    with s.transaction():
        app["properties"]["configuration"]["secrets"] = remaining or None
        s.put(app)
    for n in secret_names:
        secrets.delete_secret(revisions.secret_key(app, n))
    logger.warning("Secret(s) successfully removed.")
    return remaining


# Revisions ------------------------------------------------------------------------------------------

def app_of_revision(resource_group, name, revision):
    if not name:
        if revision == "latest" or "--" not in revision:
            raise ValidationError("Please provide a name for your containerapp. Cannot lookup name of containerapp "
                                  "without a full revision name.")
        name = revision.rsplit("--", 1)[0]
    app = get(resource_group, name)
    if revision == "latest":
        revision = app["properties"]["latestRevisionName"]
    rev = revisions.get(app, revision)
    if rev is None:
        raise AzLocalError(f"Revision '{revision}' is not a valid revision name.")
    return app, rev


def revision_list(resource_group, name, all_=False):
    app = get(resource_group, name)
    revs = [revisions.live(app, r) for r in revisions.all_revisions(app)]
    return revs if all_ else [r for r in revs if r["properties"]["active"]]


def revision_show(resource_group, name, revision):
    app, rev = app_of_revision(resource_group, name, revision)
    return revisions.live(app, rev)


def revision_activate(resource_group, name, revision):
    app, rev = app_of_revision(resource_group, name, revision)
    if rev["properties"]["active"]:
        return None
    env_doc = environment_of(app)
    revisions.start_replicas(app, rev, env_doc, revisions.replica_count(rev["properties"]["template"]))
    revisions.wait_ready(app, rev["name"], env_doc)
    rev["properties"]["active"] = True
    s = store()
    with s.transaction():
        s.put(rev)
    return None


def revision_deactivate(resource_group, name, revision):
    app, rev = app_of_revision(resource_group, name, revision)
    rev["properties"]["active"] = False
    s = store()
    with s.transaction():
        s.put(rev)
    time.sleep(DRAIN_SECONDS)
    revisions.stop_replicas(app["id"], rev["name"])
    return None


def revision_restart(resource_group, name, revision):
    """Recreates the revision's replicas, so they pick up the current secret values."""
    app, rev = app_of_revision(resource_group, name, revision)
    if not rev["properties"]["active"]:
        raise AzLocalError(f"Revision '{rev['name']}' is not active.")
    env_doc = environment_of(app)
    old = revisions.pod_heads(app["id"], rev["name"])
    old_replicas = {c.labels.get("azlocal.aca.replica") for c in old}
    revisions.start_replicas(app, rev, env_doc, revisions.replica_count(rev["properties"]["template"]))
    deadline = time.monotonic() + revisions.READY_TIMEOUT
    while time.monotonic() < deadline:
        fresh = [h for h in revisions.pod_heads(app["id"], rev["name"])
                 if h.labels.get("azlocal.aca.replica") not in old_replicas]
        if fresh and all(h.attrs["State"]["Status"] == "running" for h in fresh):
            break
        time.sleep(0.1)
    time.sleep(DRAIN_SECONDS / 2)
    for container in revisions.replicas(app["id"], rev["name"], include_stopped=True):
        if container.labels.get("azlocal.aca.replica") in old_replicas:
            container.remove(force=True)
    return None


def revision_set_mode(resource_group, name, mode):
    app = get(resource_group, name)
    app["properties"]["configuration"]["activeRevisionsMode"] = mode.capitalize()
    s = store()
    to_stop = []
    if mode.lower() == "single":
        latest = app["properties"].get("latestReadyRevisionName")
        for r in revisions.all_revisions(app):
            if r["name"] != latest and r["properties"]["active"]:
                r["properties"]["active"] = False
                to_stop.append(r)
        if app["properties"]["configuration"].get("ingress"):
            app["properties"]["configuration"]["ingress"]["traffic"] = [{"latestRevision": True, "weight": 100}]
    with s.transaction():
        s.put(app)
        for r in to_stop:
            s.put(r)
    for r in to_stop:
        revisions.stop_replicas(app["id"], r["name"])
    return app["properties"]["configuration"]["activeRevisionsMode"]


def revision_copy(resource_group, name, from_revision=None, **changes):
    app = get(resource_group, name or (from_revision or "").rsplit("--", 1)[0])
    if from_revision:
        _, rev = app_of_revision(resource_group, app["name"], from_revision)
        app["properties"]["template"] = json.loads(json.dumps(rev["properties"]["template"]))
        store_ = store()
        with store_.transaction():
            store_.put(app)
    changes.setdefault("revision_suffix", None)
    if not changes["revision_suffix"]:
        changes["revision_suffix"] = revisions.new_suffix(app)
    return update(resource_group, app["name"], **changes)


# Ingress and traffic --------------------------------------------------------------------------------

def _require_ingress(app, message=None):
    ingress = app["properties"]["configuration"].get("ingress")
    if not ingress:
        raise AzLocalError(message or f"The containerapp '{app['name']}' does not have ingress enabled. Try running "
                           "`az containerapp ingress -h` for more info.")
    return ingress


def _save_configuration(app):
    env_doc = environment_of(app)
    s = store()
    with s.transaction():
        s.put(app)
    _publish_names(app, env_doc)


def _check_exposed_port(exposed_port, transport):
    if exposed_port is not None and (transport or "").lower() != "tcp":
        raise ValidationError("Usage error: --exposed-port is only supported with --transport tcp")


def ingress_enable(resource_group, name, kind, target_port=None, transport="auto", allow_insecure=False,
                   exposed_port=None):
    _check_exposed_port(exposed_port, transport)
    app = get(resource_group, name)
    env_doc = environment_of(app)
    old = app["properties"]["configuration"].get("ingress")
    ingress = _ingress_doc(name, env_doc["properties"]["defaultDomain"], kind, target_port, transport,
                           allow_insecure)
    if old:
        ingress["traffic"] = old["traffic"]
    if exposed_port is not None:
        ingress["exposedPort"] = exposed_port
    app["properties"]["configuration"]["ingress"] = ingress
    _save_configuration(app)
    logger.warning("\nIngress enabled. Access your app at https://%s/\n", ingress["fqdn"])
    return ingress


def ingress_disable(resource_group, name):
    from azlocal.platform import hosts

    app = get(resource_group, name)
    hosts.set_entries(remove=_host_names(app, environment_of(app)))
    app["properties"]["configuration"]["ingress"] = None
    s = store()
    with s.transaction():
        s.put(app)
    logger.warning("Ingress has been disabled successfully.")


def ingress_update(resource_group, name, kind=None, target_port=None, transport=None, allow_insecure=None,
                   exposed_port=None):
    app = get(resource_group, name)
    ingress = _require_ingress(app)
    _check_exposed_port(exposed_port, transport or ingress.get("transport"))
    if exposed_port is not None:
        ingress["exposedPort"] = exposed_port
    env_doc = environment_of(app)
    if kind:
        domain = env_doc["properties"]["defaultDomain"]
        ingress["external"] = kind == "external"
        ingress["fqdn"] = f"{name}.{domain}" if kind == "external" else f"{name}.internal.{domain}"
    if target_port is not None:
        ingress["targetPort"] = target_port
    if transport:
        ingress["transport"] = transport.capitalize()
    if allow_insecure is not None:
        ingress["allowInsecure"] = allow_insecure
    _save_configuration(app)
    logger.warning("\nIngress Updated. Access your app at https://%s/\n", ingress["fqdn"])
    return ingress


def ingress_show(resource_group, name):
    return get(resource_group, name)["properties"]["configuration"].get("ingress")


def traffic_show(resource_group, name):
    app = get(resource_group, name)
    return _require_ingress(app, "Ingress must be enabled to show ingress traffic. Try running `az containerapp "
                                 "ingress -h` for more info.")["traffic"]


def traffic_set(resource_group, name, revision_weights=None, label_weights=None):
    app = get(resource_group, name)
    if app["properties"]["configuration"]["activeRevisionsMode"] == "Single":
        raise AzLocalError(f"Containerapp '{name}' is configured for single revision. Set revision mode to multiple "
                           "in order to set ingress traffic. Try `az containerapp revision set-mode -h` for more "
                           "details.")
    ingress = _require_ingress(app)
    traffic = ingress["traffic"]
    named = {}
    for item in (revision_weights or []):
        rev, _, weight = item.partition("=")
        named[rev] = _weight(weight)
    for item in (label_weights or []):
        label, _, weight = item.partition("=")
        entry = next((t for t in traffic if t.get("label") == label), None)
        if entry is None:
            raise AzLocalError(f"No revision with the label '{label}' was found.")
        named["latest" if entry.get("latestRevision") else entry["revisionName"]] = _weight(weight)
    if sum(named.values()) > 100:
        raise AzLocalError("Traffic sums may not exceed 100.")
    known = {r["name"] for r in revisions.all_revisions(app)}
    for rev in named:
        if rev != "latest" and rev not in known:
            raise AzLocalError(f"Revision '{rev}' is not a valid revision name.")
    ingress["traffic"] = update_weights(traffic, named)
    _save_configuration(app)
    for entry in ingress["traffic"]:
        if entry.get("revisionName") and entry["weight"] > 0:
            rev = revisions.get(app, entry["revisionName"])
            if not rev["properties"]["active"]:
                revision_activate(resource_group, name, rev["name"])
    return ingress["traffic"]


def _weight(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        raise AzLocalError("Traffic weights must be integers between 0 and 100")
    return value


def update_weights(traffic, named):
    """az's arithmetic: named entries take their weights; the others are rescaled so the total is 100."""
    traffic = [dict(t) for t in traffic]

    def key(entry):
        return "latest" if entry.get("latestRevision") else entry.get("revisionName")

    old_named_sum = sum(t["weight"] for t in traffic if key(t) in named)
    for rev, weight in named.items():
        entry = next((t for t in traffic if key(t) == rev), None)
        if entry is None:
            entry = {"latestRevision": True, "weight": weight} if rev == "latest" else \
                {"latestRevision": False, "revisionName": rev, "weight": weight}
            traffic.append(entry)
        entry["weight"] = weight
    new_named_sum = sum(named.values())
    others = [t for t in traffic if key(t) not in named]
    total_others = sum(t["weight"] for t in others)
    if others and total_others:
        factor = (old_named_sum - new_named_sum) / total_others + 1
        for t in others:
            t["weight"] = max(round(t["weight"] * factor), 0)
    i = 0
    while sum(t["weight"] for t in traffic) < 100 and others:
        others[i % len(others)]["weight"] += 1
        i += 1
    return traffic


def label_add(resource_group, name, revision, label, yes=False):
    app, rev = app_of_revision(resource_group, name, revision)
    ingress = _require_ingress(app, "Ingress and traffic weights are required to add labels.")
    traffic = ingress["traffic"]
    for t in traffic:
        if t.get("label") == label:
            t.pop("label")
    entry = next((t for t in traffic if t.get("revisionName") == rev["name"]), None)
    if entry is None and revision == "latest":
        entry = next((t for t in traffic if t.get("latestRevision")), None)
    if entry is None:
        entry = {"label": label, "latestRevision": False, "revisionName": rev["name"], "weight": 0}
        traffic.append(entry)
    entry["label"] = label
    _save_configuration(app)
    return traffic


def label_remove(resource_group, name, label):
    app = get(resource_group, name)
    traffic = _require_ingress(app)["traffic"]
    entry = next((t for t in traffic if t.get("label") == label), None)
    if entry is None:
        raise AzLocalError("Please specify a label name with an associated traffic weight.")
    entry.pop("label")
    ingress = app["properties"]["configuration"]["ingress"]
    ingress["traffic"] = [t for t in traffic if t.get("weight") or t.get("label") or t.get("latestRevision")]
    from azlocal.platform import hosts

    hosts.set_entries(remove=[f"{name}---{label}.{environment_of(app)['properties']['defaultDomain']}"])
    _save_configuration(app)
    return ingress["traffic"]


def label_swap(resource_group, name, source, target):
    app = get(resource_group, name)
    traffic = _require_ingress(app)["traffic"]
    a = next((t for t in traffic if t.get("label") == source), None)
    b = next((t for t in traffic if t.get("label") == target), None)
    if a is None or b is None:
        raise AzLocalError("Please specify a label name with an associated traffic weight.")
    a["label"], b["label"] = target, source
    _save_configuration(app)
    return traffic


# Registries and Dapr -----------------------------------------------------------------------------

def registry_set(resource_group, name, server, username=None, password=None, identity=None):
    app = get(resource_group, name)
    if identity:
        return _registry_set_identity(app, server, username, password, identity)
    if not (username and password):
        found = _acr_credentials(server)
        if not found:
            raise AzLocalError("Registry username and password are required if you are not using Azure Container "
                               "Registry.")
        username, password = found
    secret_name = registry_secret_name(server, username)
    regs = app["properties"]["configuration"].get("registries") or []
    existing = next((r for r in regs if r["server"].lower() == server.lower()), None)
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
    s = store()
    with s.transaction():
        s.put(app)
    return regs


def _registry_set_identity(app, server, username, password, identity):
    """A registry pulled from with a managed identity: no password secret; pulls from this home's ACR use
    the registry's token (the identity's AcrPull grant, offline)."""
    options.check_registry_identity(identity, server, username, password)
    if options.is_system(identity):
        app["identity"] = options.identity_doc(app.get("identity"), system_assigned=True)
    else:
        app["identity"] = options.identity_doc(app.get("identity"), user_assigned=[identity])
    regs = app["properties"]["configuration"].get("registries") or []
    existing = next((r for r in regs if r["server"].lower() == server.lower()), None)
    if existing:
        logger.warning("Updating existing registry.")
        if existing.get("passwordSecretRef"):
            app["properties"]["configuration"]["secrets"] = [
                s for s in app["properties"]["configuration"].get("secrets") or []
                if s["name"] != existing["passwordSecretRef"]] or None
            secrets.delete_secret(revisions.secret_key(app, existing["passwordSecretRef"]))
        existing.update(identity=identity, passwordSecretRef="", username="")
    else:
        regs.append({"identity": identity, "passwordSecretRef": "", "server": server, "username": ""})
    app["properties"]["configuration"]["registries"] = regs
    s = store()
    with s.transaction():
        s.put(app)
    return regs


def registry_list(resource_group, name):
    return get(resource_group, name)["properties"]["configuration"].get("registries")


def registry_show(resource_group, name, server):
    regs = registry_list(resource_group, name)
    if not regs:
        raise AzLocalError(f"The containerapp {name} has no assigned registries.")
    found = next((r for r in regs if r["server"].lower() == server.lower()), None)
    if found is None:
        raise AzLocalError(f"The containerapp {name} does not have specified registry assigned.")
    return found


def registry_remove(resource_group, name, server):
    app = get(resource_group, name)
    regs = app["properties"]["configuration"].get("registries") or []
    found = next((r for r in regs if r["server"].lower() == server.lower()), None)
    if found is None:
        raise AzLocalError(f"Containerapp does not have registry server {server} assigned.")
    app["properties"]["configuration"]["registries"] = [r for r in regs if r is not found] or None
    app["properties"]["configuration"]["secrets"] = [s for s in app["properties"]["configuration"].get("secrets")
                                                     or [] if s["name"] != found["passwordSecretRef"]] or None
    secrets.delete_secret(revisions.secret_key(app, found["passwordSecretRef"]))
    s = store()
    with s.transaction():
        s.put(app)
    logger.warning("Registry successfully removed.")
    return app["properties"]["configuration"]["registries"]


def dapr_set(resource_group, name, enabled, app_id=None, app_port=None, app_protocol=None, log_level=None,
             api_logging=None, max_request_size=None, read_buffer_size=None):
    app = get(resource_group, name)
    dapr = options.dapr_doc(app["properties"]["configuration"].get("dapr"), enabled, app_id, app_port,
                            app_protocol, log_level, api_logging, max_request_size, read_buffer_size)
    app["properties"]["configuration"]["dapr"] = dapr
    s = store()
    with s.transaction():
        s.put(app)
    return dapr


# Replicas, logs, exec ----------------------------------------------------------------------------

def replica_list(resource_group, name, revision=None):
    app = get(resource_group, name)
    return revisions.replica_documents(app, revision or app["properties"]["latestRevisionName"])


def replica_show(resource_group, name, replica, revision=None):
    for doc in replica_list(resource_group, name, revision):
        if doc["name"] == replica:
            return doc
    raise ResourceNotFound(f"The replica '{replica}' was not found.", code="ContainerAppReplicaNotFound")


def _container_of(app, revision=None, replica=None, container=None):
    revision = revision or app["properties"]["latestRevisionName"]
    found = revisions.replicas(app["id"], revision)
    if replica:
        found = [c for c in found if c.labels.get("azlocal.aca.replica") == replica]
    wanted = container or app["properties"]["template"]["containers"][0]["name"]
    found = [c for c in found if c.labels.get("azlocal.aca.container") == wanted]
    if not found:
        raise AzLocalError("Could not find a replica for this app")
    return found[0], revision


def logs_show(resource_group, name, container=None, replica=None, revision=None, follow=False, tail=20,
              fmt="json", kind="console"):
    import sys
    from datetime import datetime, timezone

    app = get(resource_group, name)
    target, revision = _container_of(app, revision, replica, container)
    replica = target.labels.get("azlocal.aca.replica")
    cname = target.labels.get("azlocal.aca.container")

    def emit(text, stamp=None):
        stamp = stamp or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-1]
        if fmt == "json":
            print(json.dumps({"TimeStamp": stamp, "Log": text}))
        else:
            print(f"{stamp}  {text}")
        sys.stdout.flush()

    emit(f"Connecting to the container '{cname}'...")
    emit(f"Successfully Connected to container: '{cname}' [Revision: '{revision}', Replica: '{replica}']")
    if kind == "system":
        return
    lines = target.logs(tail=tail, timestamps=True).decode(errors="replace").splitlines()
    for line in lines:
        stamp, _, text = line.partition(" ")
        emit(text, stamp[:26])
    if follow:
        for chunk in target.logs(stream=True, follow=True, since=int(time.time()), timestamps=True):
            for line in chunk.decode(errors="replace").splitlines():
                stamp, _, text = line.partition(" ")
                emit(text, stamp[:26])


def exec_command(resource_group, name, command="sh", container=None, replica=None, revision=None):
    import subprocess
    import sys

    app = get(resource_group, name)
    target, _ = _container_of(app, revision, replica, container)
    if isinstance(command, str):
        command = [command]
    # `--command "sh -c 'ls /'"` is one value to split as a shell would; several values are the words.
    words = revisions.command_words(command[0]) if len(command) == 1 else list(command)
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    if tty:
        print("Use ctrl + D to exit.", file=sys.stderr)
    code = subprocess.call(["docker", "exec", *(["-it"] if tty else []), target.id, *words])
    if code != 0:
        raise AzLocalError(f"The command exited with status {code}.")


def browse(resource_group, name):
    app = get(resource_group, name)
    ingress = app["properties"]["configuration"].get("ingress")
    if not ingress or not ingress.get("external"):
        raise AzLocalError("Could not open in browser: no public URL for this app")
    import webbrowser

    url = f"https://{ingress['fqdn']}"
    if not webbrowser.open(url):
        print(url)


def group_of_app(app):
    return group_of(app["id"])
