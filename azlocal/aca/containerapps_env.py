"""The options of `containerapp env create/update` beyond name, location, logs and tags.

Checked as az checks them, written into the environment's document as Azure shows it. What
needs Azure's network (a VNet subnet, internal load balancers, zones, an infrastructure resource
group) is refused with the reason; what has no engine offline (Dapr telemetry, mTLS, custom DNS
suffixes, diagnostic storage) is recorded and said so; workload profiles are azlocal.aca.workload_profiles.
"""

import os

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)

NO_VNET = ("Container Apps environments run on a local Docker network here; {what} needs an Azure Virtual Network "
           "(--infrastructure-subnet-resource-id), which is not available offline.")
DEFAULT_PROFILES = [{"name": "Consumption", "workloadProfileType": "Consumption"}]


def check_create(o):
    """The VNet-bound options, refused as az or Azure would refuse them."""
    if o.get("zone_redundant") and not o.get("subnet"):
        raise ValidationError("Cannot use --zone-redundant/-z without --infrastructure-subnet-resource-id/-s")
    if o.get("infrastructure_resource_group") is not None:
        if not o.get("subnet"):
            raise ValidationError("Cannot use --infrastructure-resource-group/-i without "
                                  "--infrastructure-subnet-resource-id/-s")
        if o.get("workload_profiles") is False:
            raise ValidationError("Cannot use --infrastructure-resource-group/-i without --enable-workload-profiles/-w")
    if o.get("subnet"):
        raise AzLocalError(NO_VNET.format(what="--infrastructure-subnet-resource-id"))
    for key, flag in (("platform_reserved_cidr", "--platform-reserved-cidr"),
                      ("platform_reserved_dns_ip", "--platform-reserved-dns-ip")):
        if o.get(key):
            raise AzLocalError(NO_VNET.format(what=flag))
    if o.get("internal_only"):
        raise AzLocalError(NO_VNET.format(what="--internal-only"))
    if o.get("docker_bridge_cidr"):
        logger.warning("Option '--docker-bridge-cidr' has been deprecated and will be removed in the Ignite 2024; it "
                       "has no effect.")


def apply(doc, o, existing=None):
    """Writes the recorded options into an environment document (create or update)."""
    props = doc["properties"]
    if o.get("p2p") is False and o.get("mtls") is True:
        raise ValidationError("Cannot use '--enable-mtls' with '--enable-peer-to-peer-encryption False'")
    if "workload_profiles" in o:
        _workload_profiles(doc, o.get("workload_profiles"), existing)
    if o.get("dns_suffix") or o.get("certificate_file"):
        props["customDomainConfiguration"] = dict(props["customDomainConfiguration"],
                                                  **custom_domain(o.get("dns_suffix"), o.get("certificate_file"),
                                                                  o.get("certificate_password")))
        logger.warning("The custom DNS suffix '%s' is recorded; apps keep answering on the environment's default "
                       "domain offline.", props["customDomainConfiguration"]["dnsSuffix"])
    for key, field in (("dapr_connection_string", "daprAIConnectionString"),
                       ("instrumentation_key", "daprAIInstrumentationKey")):
        if o.get(key) is not None:
            props[field] = o[key]
            logger.warning("%s is recorded; azlocal's Dapr sidecars export no telemetry offline.",
                           field)
    if o.get("mtls") is not None:
        props["peerAuthentication"] = {"mtls": {"enabled": o["mtls"]}}
    if o.get("p2p") is not None:
        props["peerTrafficConfiguration"] = {"encryption": {"enabled": o["p2p"]}}
    if o.get("mtls") or o.get("p2p"):
        logger.warning("Peer encryption settings are recorded; traffic between apps on the local Docker network is "
                       "not encrypted offline.")
    if o.get("storage_account"):
        logger.warning("--storage-account is recorded only: Azure Monitor diagnostic settings have no effect offline.")


def _workload_profiles(doc, enabled, existing):
    """Workload profiles are on by default; an existing environment keeps its kind, and asking for the
    other kind explicitly is refused, as az does."""
    has = bool(existing and existing["properties"].get("workloadProfiles") is not None)
    if existing is not None and enabled is None:
        doc["properties"]["workloadProfiles"] = existing["properties"].get("workloadProfiles")
        return
    if existing is not None and enabled and not has:
        raise ValidationError(f"Existing environment {doc['name']} cannot enable workload profiles. If you want to "
                              "use Consumption and Dedicated environment, please create a new one.")
    if existing is not None and enabled is False and has:
        raise ValidationError(f"Existing environment {doc['name']} uses workload profiles. If you want to use "
                              "Consumption-Only environment, please create a new one.")
    if enabled is False:
        doc["properties"]["workloadProfiles"] = None
    elif existing is not None:
        doc["properties"]["workloadProfiles"] = existing["properties"]["workloadProfiles"]
    else:
        doc["properties"]["workloadProfiles"] = [dict(p) for p in DEFAULT_PROFILES]


def custom_domain(dns_suffix, certificate_file, password):
    if not (dns_suffix and certificate_file):
        raise ValidationError("--custom-domain-dns-suffix and --custom-domain-certificate-file are required together.")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        with open(certificate_file, "rb") as f:
            data = f.read()
    except OSError as ex:
        raise AzLocalError(f"Cannot read '{certificate_file}': {ex.strerror}") from ex
    try:
        if os.path.splitext(certificate_file)[1].lower() == ".pem":
            cert = x509.load_pem_x509_certificate(data)
        else:
            loaded = pkcs12.load_pkcs12(data, password.encode() if password else None)
            if loaded.cert is None:
                raise ValueError("the file holds no certificate")
            cert = loaded.cert.certificate
    except Exception as ex:
        raise AzLocalError("Failed to load the certificate file. This may be due to an incorrect or missing "
                           f"password. Please double check and try again.\nError: {ex}") from ex
    return {"certificatePassword": None, "certificateValue": None, "dnsSuffix": dns_suffix,
            "expirationDate": cert.not_valid_after_utc.isoformat(), "subjectName": cert.subject.rfc4514_string(),
            "thumbprint": cert.fingerprint(hashes.SHA256()).hex().upper()}


def update_profile(doc, name, kind=None, min_nodes=None, max_nodes=None):
    """`env update -w NAME [--workload-profile-type T] [--min-nodes] [--max-nodes]`: add or change a profile."""
    from azlocal.aca import workload_profiles

    workload_profiles.set_profile(doc, name, kind, min_nodes, max_nodes)
