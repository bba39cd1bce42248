"""`az containerapp ingress`: an app's ingress (application scope: no new revision)."""

from knack.log import get_logger

from azlocal.aca import ingress_policies as policies
from azlocal.aca.appstore import environment_of, get, save
from azlocal.aca.deploy import host_names, save_configuration
from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)


def ingress_doc(name, domain, kind, target_port, transport, allow_insecure):
    fqdn = f"{name}.{domain}" if kind == "external" else f"{name}.internal.{domain}"
    return {
        "additionalPortMappings": None, "allowInsecure": bool(allow_insecure), "clientCertificateMode": None,
        "corsPolicy": None, "customDomains": None, "exposedPort": 0, "external": kind == "external", "fqdn": fqdn,
        "ipSecurityRestrictions": None, "stickySessions": None, "targetPort": target_port or 80,
        "traffic": [{"latestRevision": True, "weight": 100}], "transport": (transport or "auto").capitalize(),
    }


def require_ingress(app, message=None):
    ingress = app["properties"]["configuration"].get("ingress")
    if not ingress:
        raise AzLocalError(message or f"The containerapp '{app['name']}' does not have ingress enabled. Try running "
                           "`az containerapp ingress -h` for more info.")
    return ingress


def _check_exposed_port(exposed_port, transport, allow_insecure=None):
    tcp = (transport or "").lower() == "tcp"
    if exposed_port is not None and not tcp:
        raise ValidationError("Usage error: --exposed-port is only supported with --transport tcp")
    if tcp and allow_insecure:
        raise ValidationError("Usage error: --allow-insecure is not supported for TCP ingress")
    if exposed_port is not None and not 1 <= exposed_port <= 65535:
        raise ValidationError(f"(ContainerAppInvalidIngressExposedPort) The exposed port {exposed_port} is not valid: "
                              "give a port from 1 to 65535.")


def _check_unique_port(app, ingress):
    """An external TCP app's exposed port is unique in its environment (Azure's rule). Locally every TCP app
    is served on the daemon's one address: another app of this home on the same port is said with a warning."""
    from azlocal.aca.tcp_ingress import listen_port
    from azlocal.platform.store import store

    port = listen_port(ingress)
    if port is None:
        return
    env_id = app["properties"]["managedEnvironmentId"].lower()
    for other in store().list(type="Microsoft.App/containerApps"):
        other_ingress = other["properties"]["configuration"].get("ingress")
        if other["id"].lower() == app["id"].lower() or listen_port(other_ingress) != port:
            continue
        if ingress.get("external") and other_ingress.get("external") and ingress.get("exposedPort") and \
                other["properties"]["managedEnvironmentId"].lower() == env_id:
            raise ValidationError(f"(ContainerAppExposedPortInUse) The exposed port {port} is already used by the "
                                  f"container app '{other['name']}' of this environment: an external app's exposed "
                                  "port must be unique in its environment.")
        logger.warning("The port %s is already served locally for the TCP ingress of the container app '%s'; this "
                       "app's TCP ingress answers there only once that one stops using it.", port, other["name"])


def ingress_enable(resource_group, name, kind, target_port=None, transport="auto", allow_insecure=False, *,
                   exposed_port=None):
    _check_exposed_port(exposed_port, transport, allow_insecure)
    app = get(resource_group, name)
    env_doc = environment_of(app)
    old = app["properties"]["configuration"].get("ingress")
    ingress = ingress_doc(name, env_doc["properties"]["defaultDomain"], kind, target_port, transport,
                          allow_insecure)
    if old:  # a PATCH: what the flags do not name stays
        for key in ("traffic", "corsPolicy", "ipSecurityRestrictions", "stickySessions", "customDomains",
                    "additionalPortMappings"):
            ingress[key] = old.get(key)
    if exposed_port is not None:
        ingress["exposedPort"] = exposed_port
    _check_unique_port(app, ingress)
    app["properties"]["configuration"]["ingress"] = ingress
    save_configuration(app)
    _start_tcp_listener(ingress)
    logger.warning("\nIngress enabled. Access your app at https://%s/\n", ingress["fqdn"])
    return ingress


def _start_tcp_listener(ingress):
    """An internal TCP app is not published by name, but its port is served by the daemon."""
    if (ingress.get("transport") or "").lower() == "tcp" and not ingress.get("external"):
        from azlocal.platform import lifecycle

        lifecycle.ensure_running()


def ingress_disable(resource_group, name):
    from azlocal.platform import hosts

    app = get(resource_group, name)
    hosts.set_entries(remove=host_names(app, environment_of(app)))
    app["properties"]["configuration"]["ingress"] = None
    save(app)
    logger.warning("Ingress has been disabled successfully.")


def ingress_update(resource_group, name, *, kind=None, target_port=None, transport=None, allow_insecure=None,
                   exposed_port=None):
    app = get(resource_group, name)
    ingress = require_ingress(app)
    _check_exposed_port(exposed_port, transport or ingress.get("transport"), allow_insecure)
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
        if transport.lower() == "tcp":
            ingress["clientCertificateMode"] = None  # as az sends it: client certificates are for HTTP only
        else:
            ingress["exposedPort"] = 0
    if allow_insecure is not None:
        ingress["allowInsecure"] = allow_insecure
    _check_unique_port(app, ingress)
    save_configuration(app)
    _start_tcp_listener(ingress)
    logger.warning("\nIngress Updated. Access your app at https://%s/\n", ingress["fqdn"])
    return ingress


def ingress_show(resource_group, name):
    return get(resource_group, name)["properties"]["configuration"].get("ingress")


# Policies: CORS, IP access restrictions, sticky sessions (application scope, no new revision) -------------

def _policy_app(resource_group, name):
    app = get(resource_group, name)
    return app, require_ingress(app)


def cors_set(resource_group, name, **fields):
    """cors enable / update: the fields given replace those of the policy (a PATCH)."""
    app, ingress = _policy_app(resource_group, name)
    policies.check_http_only(ingress, "CORS")
    ingress["corsPolicy"] = policies.merge_cors(ingress.get("corsPolicy"), **fields)
    save(app)
    return ingress["corsPolicy"]


def cors_disable(resource_group, name):
    app, ingress = _policy_app(resource_group, name)
    ingress["corsPolicy"] = None
    save(app)
    return ingress


def cors_show(resource_group, name):
    ingress = get(resource_group, name)["properties"]["configuration"].get("ingress") or {}
    return ingress.get("corsPolicy") or {}


def restriction_set(resource_group, name, rule_name, ip_address, action, description=None):
    app, ingress = _policy_app(resource_group, name)
    ingress["ipSecurityRestrictions"] = policies.set_rule(ingress.get("ipSecurityRestrictions"), rule_name,
                                                          ip_address, description, action)
    save(app)
    return ingress["ipSecurityRestrictions"]


def restriction_remove(resource_group, name, rule_name):
    app = get(resource_group, name)
    ingress = app["properties"]["configuration"].get("ingress") or {}
    rules = policies.remove_rule(ingress.get("ipSecurityRestrictions"), rule_name)
    ingress["ipSecurityRestrictions"] = rules or None
    save(app)
    return rules


def restriction_list(resource_group, name):
    ingress = get(resource_group, name)["properties"]["configuration"].get("ingress") or {}
    return ingress.get("ipSecurityRestrictions") or []


def sticky_set(resource_group, name, affinity):
    app, ingress = _policy_app(resource_group, name)
    policies.check_sticky(app, ingress, affinity)
    ingress["stickySessions"] = {"affinity": affinity}
    save(app)
    return ingress


def sticky_show(resource_group, name):
    app = get(resource_group, name)
    return require_ingress(app, "Ingress must be enabled to enable sticky sessions. Try running `az containerapp "
                                "ingress -h` for more info.")


def patch_from_yaml(app, text, tags):
    """`update --yaml` whose YAML has no template is a PATCH of what it names: the ingress's CORS policy,
    IP rules, sticky sessions (application scope: saved, no new revision). False when it has a template
    or names none of them (the template path then says what is missing)."""
    from azlocal.aca.definition import YAML_INGRESS_POLICIES
    from azlocal.core import yamlsafe

    doc = yamlsafe.load(text)
    props = (doc.get("properties") or doc) if isinstance(doc, dict) else None
    if not isinstance(props, dict) or props.get("template") is not None:
        return False
    given = (props.get("configuration") or {}).get("ingress") if isinstance(props.get("configuration"), dict) else None
    changes = {k: given[k] for k in YAML_INGRESS_POLICIES if k in given} if isinstance(given, dict) else {}
    if not changes:
        return False
    ingress = require_ingress(app)
    policies.check_rules(changes.get("ipSecurityRestrictions"))
    ingress.update(changes)
    if tags is not None:
        app["tags"] = tags
    save_configuration(app)
    return True
