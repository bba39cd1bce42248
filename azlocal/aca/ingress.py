"""`az containerapp ingress`: an app's ingress (application scope: no new revision)."""

from knack.log import get_logger

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


def _check_exposed_port(exposed_port, transport):
    if exposed_port is not None and (transport or "").lower() != "tcp":
        raise ValidationError("Usage error: --exposed-port is only supported with --transport tcp")


def ingress_enable(resource_group, name, kind, target_port=None, transport="auto", allow_insecure=False, *,
                   exposed_port=None):
    _check_exposed_port(exposed_port, transport)
    app = get(resource_group, name)
    env_doc = environment_of(app)
    old = app["properties"]["configuration"].get("ingress")
    ingress = ingress_doc(name, env_doc["properties"]["defaultDomain"], kind, target_port, transport,
                          allow_insecure)
    if old:
        ingress["traffic"] = old["traffic"]
    if exposed_port is not None:
        ingress["exposedPort"] = exposed_port
    app["properties"]["configuration"]["ingress"] = ingress
    save_configuration(app)
    logger.warning("\nIngress enabled. Access your app at https://%s/\n", ingress["fqdn"])
    return ingress


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
    save_configuration(app)
    logger.warning("\nIngress Updated. Access your app at https://%s/\n", ingress["fqdn"])
    return ingress


def ingress_show(resource_group, name):
    return get(resource_group, name)["properties"]["configuration"].get("ingress")
