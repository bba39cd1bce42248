"""Custom domains of container apps: the hostnames of an app's ingress (`customDomains`), routed by the gateway
and served over HTTPS by the daemon with the bound certificate.

`hostname add` records a domain (bindingType Disabled: routed, HTTP only); `hostname bind` and `ssl upload`
bind a certificate (SniEnabled): an uploaded one is served as uploaded (its chain and key from the secret
store), a managed one is issued by the local CA. Each hostname is published to the hosts file (loopback), as
the app's own names are. DNS ownership (the `asuid.<domain>` TXT record, the CNAME) cannot be checked offline:
it is said so, and the rest of Azure's checks are made (conflicts in the environment, a certificate that does
not cover the hostname is bound with a warning, as Azure binds it; one of another environment is refused).

The daemon side: the gateway calls `routes_of` when it reloads its routes; that also refreshes which
certificate each hostname has (`_bindings`), so `tls_for` (the TLS SNI callback) reads no store and the
uploaded certificates' SSL contexts are built once, then cached."""

from collections import OrderedDict

from knack.log import get_logger

from azlocal.aca import certificates, environments
from azlocal.aca.appstore import get, save
from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)
_DNS_WARNING = ("DNS ownership of %s (the TXT record asuid.%s and a CNAME to the app) is not verified offline; "
                "azlocal resolves the name to the local gateway through its hosts file.")
# Azure binds a certificate whatever names it has; a client that checks the name refuses the connection.
_MISMATCH = "The certificate %s does not cover the hostname %s (it is for %s): clients will not trust it for that name."


# Reading and saving an app's custom domains ------------------------------------------------------

def _norm_location(text):
    return (text or "").lower().replace(" ", "").replace("(", "").replace(")", "")


def _name_of(value):
    return value.rstrip("/").split("/")[-1] if value else value


def app_domains(resource_group, name, location=None, environment=None, change=True):
    """(app, its customDomains list), as az's get_custom_domains checks location and environment (and, for a
    change, that the app has ingress)."""
    app = get(resource_group, name)
    if location and _norm_location(app["location"]) != _norm_location(location):
        raise certificates.NotFound(f"Container app {name} is not in location {location}.")
    if environment and _name_of(environment).lower() != _name_of(app["properties"]["environmentId"]).lower():
        raise certificates.NotFound(f"Container app {name} is not under environment {environment}.")
    from azlocal.aca.ingress import require_ingress

    ingress = require_ingress(app) if change else (app["properties"]["configuration"].get("ingress") or {})
    return app, list(ingress.get("customDomains") or [])


def _save_domains(app, domains, added=(), removed=()):
    app["properties"]["configuration"]["ingress"]["customDomains"] = domains or None
    save(app)
    _publish(app, added, removed)
    return domains


def _publish(app, added, removed):
    from azlocal.core import settings
    from azlocal.platform import hosts, lifecycle

    ingress = app["properties"]["configuration"].get("ingress") or {}
    if added and ingress.get("external"):
        lifecycle.ensure_running()
        hosts.set_entries(add={h: settings.daemon_host() for h in added})
    if removed:
        hosts.set_entries(remove=list(removed))


def _domain(hostname, certificate_id=None):
    return {"bindingType": "SniEnabled" if certificate_id else "Disabled", "certificateId": certificate_id,
            "name": hostname}


# Commands ----------------------------------------------------------------------------------------

def add(resource_group, name, hostname, location=None):
    hostname = hostname.lower()
    app, domains = app_domains(resource_group, name, location)
    if any(d.get("name") == hostname for d in domains):
        raise AzLocalError(f"'{hostname}' already exists in container app '{name}'.")
    domains.append(_domain(hostname))
    return _save_domains(app, domains, added=[hostname])


def list_domains(resource_group, name, location=None):
    return app_domains(resource_group, name, location, change=False)[1]


def delete(resource_group, name, hostname, location=None):
    app, domains = app_domains(resource_group, name, location)
    kept = [d for d in domains if d.get("name") != hostname]
    if len(kept) == len(domains):
        raise certificates.NotFound(f"The hostname '{hostname}' in Container app '{name}' was not found.")
    result = _save_domains(app, kept, removed=[hostname.lower()])
    logger.warning("Successfully deleted custom domain: %s", hostname)
    return result


def _check_hostname(app, hostname):
    """What Azure's custom hostname analysis checks that can be checked offline: no other app of the
    environment has the hostname. DNS records cannot be looked up: said so."""
    from azlocal.platform.store import store

    env_id = app["properties"]["managedEnvironmentId"].lower()
    for other in store().list(type="Microsoft.App/containerApps"):
        if other["id"].lower() == app["id"].lower() or other["properties"]["managedEnvironmentId"].lower() != env_id:
            continue
        ingress = other["properties"]["configuration"].get("ingress") or {}
        if any(d.get("name", "").lower() == hostname for d in ingress.get("customDomains") or []):
            raise AzLocalError(f"Custom Domain {hostname} Conflicts on the same environment with {other['id']}.")
    logger.warning(_DNS_WARNING, hostname, hostname)


def _environment_doc(resource_group, environment):
    if environment.startswith("/"):
        return environments.resolve_id(environment, resource_group)
    return environments.get(resource_group, environment)


def _check_certificate(app, cert, hostname):
    if not cert["id"].lower().startswith(app["properties"]["managedEnvironmentId"].lower() + "/"):
        raise AzLocalError(f"(InvalidCertificate) The certificate '{cert['id']}' does not belong to the environment "
                           f"of container app '{app['name']}'.")
    props = cert["properties"]
    if cert["type"] == certificates.PRIVATE_TYPE:
        names = props.get("subjectAlternativeNames") or []
    else:
        names = [props.get("subjectName", "").lower()]
    if not certificates.covers(names, hostname):  # Azure binds it all the same
        logger.warning(_MISMATCH, cert["name"], hostname, ", ".join(names) or "no DNS name")


def bind(resource_group, name, hostname, thumbprint=None, certificate=None, location=None, environment=None,
         validation_method=None):
    from azlocal.platform.store import store

    if not environment and not certificate:
        raise AzLocalError("Please specify at least one of parameters: --certificate and --environment")
    if certificate and not certificate.startswith("/") and not environment:
        raise AzLocalError("Please specify the parameter: --environment")
    hostname = hostname.lower()
    app = get(resource_group, name)
    _check_hostname(app, hostname)
    env = _environment_doc(resource_group, environment) if environment else None
    env_label = env["name"] if env else None
    if certificate and certificate.startswith("/"):
        cert = store().get(certificate)
        if cert is None or cert["type"] not in (certificates.PRIVATE_TYPE, certificates.MANAGED_TYPE):
            raise certificates.NotFound(f"The certificate '{_name_of(certificate)}' does not exist in Container "
                                        f"app environment '{certificate.split('/')[-3]}'.")
    elif certificate or thumbprint:
        certs = certificates.find(env, certificate, thumbprint, location)
        if not certs:
            what = f"'{certificate}' with thumbprint '{thumbprint}'" if certificate and thumbprint else \
                f"'{certificate}'" if certificate else f"with thumbprint '{thumbprint}'"
            raise certificates.NotFound(f"The certificate {what} does not exist in Container app environment "
                                        f"'{env_label}'.")
        cert = certs[0]
    else:
        cert = _managed_for(env, hostname, validation_method)
    app, domains = app_domains(resource_group, name, location, environment)
    _check_certificate(app, cert, hostname)
    if cert["type"] == certificates.MANAGED_TYPE:
        if store().get(cert["id"]) is None:
            store().put(cert)  # a managed certificate made for this binding, stored once the binding is valid
        logger.warning("\nBinding managed certificate '%s' to %s\n", cert["name"], hostname)
    kept = [d for d in domains if d.get("name") != hostname]
    result = _save_domains(app, kept + [_domain(hostname, cert["id"])], added=[hostname])
    _bound_event(app, hostname, cert)
    return result


def _bound_event(app, hostname, cert):
    from azlocal.aca import system_logs

    system_logs.record(app, "CustomDomainBound", f"Certificate '{cert['name']}' bound to custom domain {hostname}; "
                       "it is served over HTTPS with it")


def _managed_for(env, hostname, validation_method):
    """The managed certificate of hostname in the environment, or a new one (not stored yet)."""
    for cert in certificates.managed_certificates(env):
        if cert["properties"]["subjectName"].lower() == hostname and \
                cert["properties"]["provisioningState"] in ("Succeeded", "Pending"):
            return cert
    if validation_method is None:
        raise AzLocalError("Please specify the parameter: --validation-method")
    if validation_method.upper() not in ("TXT", "CNAME", "HTTP"):
        raise AzLocalError(f"Invalid validation method '{validation_method}': use one of TXT, CNAME, HTTP.")
    doc = certificates.create_managed(None, None, hostname, validation_method, env=env, save=False)
    logger.warning("Creating managed certificate '%s' for %s.", doc["name"], hostname)
    return doc


def ssl_upload(resource_group, name, environment, certificate_file, hostname, password=None,
               certificate_name=None, location=None):
    hostname = hostname.lower()
    app = get(resource_group, name)
    _check_hostname(app, hostname)
    app, domains = app_domains(resource_group, name, location, environment)
    env = _environment_doc(resource_group, environment)
    _data, cert, _key, _chain = certificates.load_file(certificate_file, password)
    names = certificates.dns_names(cert)
    if not certificates.covers(names, hostname):
        logger.warning(_MISMATCH, certificate_file, hostname, ", ".join(names) or "no DNS name")
    if env["id"].lower() != app["properties"]["managedEnvironmentId"].lower():
        raise certificates.NotFound(f"Container app {name} is not under environment {environment}.")
    logger.warning("Uploading certificate to %s.", env["name"])
    doc = certificates.upload(environments.group_name(env), env["name"], certificate_file, certificate_name,
                              password, location)
    kept = [d for d in domains if d.get("name") != hostname]
    logger.warning("Adding hostname %s and binding to %s.", hostname, name)
    result = _save_domains(app, kept + [_domain(hostname, doc["id"])], added=[hostname])
    _bound_event(app, hostname, doc)
    return result


def verification_id():
    """The subscription's custom domain verification id: a stable 64-digit hex string."""
    import hashlib

    from azlocal.core import settings

    return hashlib.sha256(f"azlocal-domain-verification/{settings.SUBSCRIPTION_ID}".encode()).hexdigest().upper()


# The daemon side ---------------------------------------------------------------------------------

_bindings = {}  # hostname -> (certificate id, thumbprint or None for a managed certificate) of bound domains
_contexts = OrderedDict()  # (certificate id, thumbprint) -> ssl.SSLContext
_CONTEXTS_KEPT = 64


def routes_of(app, env):
    """The custom domains of `app` (lower-cased), for the gateway's routes; their certificates noted for TLS."""
    from azlocal.platform.store import store

    ingress = app["properties"]["configuration"].get("ingress") or {}
    names = []
    for domain in ingress.get("customDomains") or []:
        hostname = (domain.get("name") or "").lower()
        if not hostname:
            continue
        names.append(hostname)
        cert_id = domain.get("certificateId") if domain.get("bindingType") == "SniEnabled" else None
        cert = store().get(cert_id) if cert_id else None
        if cert is None:
            _bindings.pop(hostname, None)
        else:
            _bindings[hostname] = (cert["id"], cert["properties"].get("thumbprint"))
    return names


def tls_for(hostname):
    """For the TLS SNI callback: an SSLContext serving an uploaded certificate bound to hostname, True for one
    the local CA issues (a managed certificate), None for a name without a bound certificate."""
    binding = _bindings.get(hostname)
    if binding is None:
        return None
    if binding[1] is None:
        return True
    context = _contexts.get(binding)
    if context is None:
        from azlocal.platform.tls import context_from_pem

        pem = certificates.serving_pem(binding[0])
        if pem is None:
            return None
        context = _contexts[binding] = context_from_pem(*pem)
        while len(_contexts) > _CONTEXTS_KEPT:
            _contexts.popitem(last=False)
    else:
        _contexts.move_to_end(binding)
    return context
