"""Environment certificates, custom domains and http route configurations without Docker: the documents as
Azure shows them, the secret store holding what the state store must not, and bad input changing nothing."""

import datetime
import json
import ssl

import pytest
import yaml

from azlocal.core import arm

HOST = "www.contoso-azlocal.test"


def make_pfx(path, names, password="test12", ca=None, days=30):
    """A PFX file (certificate for `names` and its key); self-signed unless ca=(cert, key) is given."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, NoEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso"),
                         x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    issuer_cert, issuer_key = ca if ca else (None, key)
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject)
            .issuer_name(issuer_cert.subject if issuer_cert else subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(issuer_key, hashes.SHA256()))
    encryption = BestAvailableEncryption(password.encode()) if password else NoEncryption()
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"www", key, cert, None, encryption))
    return cert


def thumbprint(cert):
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA1()).hex().upper()


@pytest.fixture
def env(cli):
    """A resource group 'rg' with an environment 'env' and an app 'web' (internal ingress), as rows."""
    from azlocal.platform.store import store

    assert cli("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    env_id = arm.resource_id("rg", "Microsoft.App/managedEnvironments", "env")
    env_doc = {"id": env_id, "name": "env", "type": "Microsoft.App/managedEnvironments", "location": "East US",
               "properties": {"defaultDomain": "calm-sky-1234abcd.eastus.azurecontainerapps.io"}}
    app = {"id": arm.resource_id("rg", "Microsoft.App/containerApps", "web"), "name": "web",
           "type": "Microsoft.App/containerApps", "location": "East US",
           "properties": {"managedEnvironmentId": env_id, "environmentId": env_id,
                          "configuration": {"ingress": {"external": False, "fqdn": "web.internal.x", "targetPort": 80,
                                                        "customDomains": None}}}}
    store().put(env_doc)
    store().put(app)
    return env_doc


def _secrets():
    from azlocal.platform import secrets

    return [k for k in secrets.list_keys() if k.startswith("acacert/")]


def test_pfx_upload_shows_the_certificate_and_keeps_the_key_in_the_secret_store(cli, env, tmp_path, home):
    cert = make_pfx(tmp_path / "www.pfx", [HOST, "api.contoso-azlocal.test"])
    r = cli("containerapp", "env", "certificate", "upload", "-g", "rg", "-n", "env", "-f",
            str(tmp_path / "www.pfx"), "--password", "test12", "-c", "www-cert")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["type"] == "Microsoft.App/managedEnvironments/certificates"
    assert doc["name"] == "www-cert" and doc["location"] == "East US"
    props = doc["properties"]
    assert props["thumbprint"] == thumbprint(cert)
    assert props["subjectName"] == f"CN={HOST}, O=Contoso" and props["issuer"] == props["subjectName"]
    assert props["subjectAlternativeNames"] == [HOST, "api.contoso-azlocal.test"]
    assert props["valid"] is True and props["provisioningState"] == "Succeeded"
    assert props["expirationDate"].endswith("Z") and props["issueDate"] < props["expirationDate"]
    # the key and the file are secrets, never in the state store
    db = (home / "state.db").read_bytes()
    assert b"PRIVATE KEY" not in db and b"test12" not in db
    assert len(_secrets()) == 4
    from azlocal.aca.certificates import serving_pem

    chain, key = serving_pem(doc["id"])
    assert b"BEGIN CERTIFICATE" in chain and b"PRIVATE KEY" in key
    # list filters: name, id, thumbprint, location, kinds
    for args in (["-c", "www-cert"], ["-c", doc["id"]], ["-t", props["thumbprint"]], ["-l", "eastus"], ["-p"]):
        listed = json.loads(cli("containerapp", "env", "certificate", "list", "-g", "rg", "-n", "env", *args).out)
        assert [c["id"] for c in listed] == [doc["id"]], args
    for args in (["-l", "westus"], ["-m"], ["-t", "00"]):
        assert json.loads(cli("containerapp", "env", "certificate", "list", "-g", "rg", "-n", "env", *args).out) == []


@pytest.mark.parametrize("name, password, message", [
    ("www.pfx", "wrong", "Failed to load the certificate file. This may be due to an incorrect or missing password."),
    ("www.pfx", None, "Failed to load the certificate file. This may be due to an incorrect or missing password."),
    ("www.txt", "test12", "Not a valid file type. Only .PFX and .PEM files are supported."),
    ("missing.pfx", "test12", "No such file or directory"),
])
def test_bad_certificate_files_store_nothing(cli, env, tmp_path, name, password, message):
    from azlocal.platform.store import store

    make_pfx(tmp_path / "www.pfx", [HOST])
    (tmp_path / "www.txt").write_text("not a certificate")
    args = ["containerapp", "env", "certificate", "upload", "-g", "rg", "-n", "env", "-f", str(tmp_path / name)]
    r = cli(*args + (["--password", password] if password else []))
    assert r.code == 1 and message in r.err
    assert store().list(type="Microsoft.App/managedEnvironments/certificates") == [] and _secrets() == []


def test_delete_in_use_refused_then_by_thumbprint_with_secrets(cli, env, tmp_path):
    cert = make_pfx(tmp_path / "www.pfx", [HOST])
    up = json.loads(cli("containerapp", "env", "certificate", "upload", "-g", "rg", "-n", "env", "-f",
                        str(tmp_path / "www.pfx"), "-p", "test12").out)
    assert up["name"].startswith("env-rg-")  # a generated name, as az makes it
    assert cli("containerapp", "hostname", "add", "-g", "rg", "-n", "web", "--hostname", HOST).code == 0
    again = cli("containerapp", "hostname", "add", "-g", "rg", "-n", "web", "--hostname", HOST.upper())
    assert again.code == 1 and "already exists in container app 'web'" in again.err
    bound = cli("containerapp", "hostname", "bind", "-g", "rg", "-n", "web", "--hostname", HOST, "-e", "env",
                "--thumbprint", thumbprint(cert))
    assert bound.code == 0, bound.err
    assert json.loads(bound.out) == [{"bindingType": "SniEnabled", "certificateId": up["id"], "name": HOST}]
    assert "not verified offline" in bound.err
    refused = cli("containerapp", "env", "certificate", "delete", "-g", "rg", "-n", "env", "-c", up["name"], "--yes")
    assert refused.code == 1 and f"(CertificateInUse) Certificate '{up['name']}' is used by existing custom " \
        f"domains {HOST}." in refused.err
    assert len(_secrets()) == 4
    gone = cli("containerapp", "hostname", "delete", "-g", "rg", "-n", "web", "--hostname", HOST, "--yes")
    assert gone.code == 0 and json.loads(gone.out) == []
    missing = cli("containerapp", "hostname", "delete", "-g", "rg", "-n", "web", "--hostname", HOST, "--yes")
    assert missing.code == 3 and f"The hostname '{HOST}' in Container app 'web' was not found." in missing.err
    r = cli("containerapp", "env", "certificate", "delete", "-g", "rg", "-n", "env", "-t", thumbprint(cert), "--yes")
    assert r.code == 0 and "Successfully deleted certificate" in r.err
    assert _secrets() == []
    r = cli("containerapp", "env", "certificate", "delete", "-g", "rg", "-n", "env", "-t", thumbprint(cert), "--yes")
    assert r.code == 3 and f"The certificate with thumbprint '{thumbprint(cert)}' does not exist" in r.err


def test_bind_refuses_unknown_certificates_and_warns_on_other_names(cli, env, tmp_path):
    from azlocal.platform.store import store

    make_pfx(tmp_path / "other.pfx", ["other.contoso-azlocal.test"])
    other = json.loads(cli("containerapp", "env", "certificate", "upload", "-g", "rg", "-n", "env", "-f",
                           str(tmp_path / "other.pfx"), "-p", "test12", "-c", "other").out)
    before = store().get(arm.resource_id("rg", "Microsoft.App/containerApps", "web"))
    cases = [
        (["--certificate", "nope", "-e", "env"], 3, "The certificate 'nope' does not exist in Container app "
                                                    "environment 'env'."),
        (["--thumbprint", "ABC", "-e", "env"], 3, "The certificate with thumbprint 'ABC' does not exist"),
        (["--certificate", "other"], 1, "Please specify the parameter: --environment"),
        ([], 1, "Please specify at least one of parameters: --certificate and --environment"),
        (["--certificate", other["id"].replace("/env/", "/env2/")], 3, "does not exist in Container app "
                                                                         "environment 'env2'"),
        (["-e", "env"], 1, "Please specify the parameter: --validation-method"),
    ]
    for args, code, message in cases:
        r = cli("containerapp", "hostname", "bind", "-g", "rg", "-n", "web", "--hostname", HOST, *args)
        assert r.code == code and message in r.err, (args, r)
    assert store().get(before["id"]) == before
    assert store().list(type="Microsoft.App/managedEnvironments/managedCertificates") == []
    # a certificate for other names is bound as Azure binds it, with a warning
    r = cli("containerapp", "hostname", "bind", "-g", "rg", "-n", "web", "--hostname", HOST, "-c", other["id"])
    assert r.code == 0 and f"does not cover the hostname {HOST}" in r.err


def test_managed_certificate_bind_and_list(cli, env):
    host = "shop.contoso.azurecontainerapps.io"
    r = cli("containerapp", "hostname", "bind", "-g", "rg", "-n", "web", "--hostname", host, "-e", "env", "-v",
            "CNAME")
    assert r.code == 0, r.err
    domains = json.loads(r.out)
    listed = json.loads(cli("containerapp", "env", "certificate", "list", "-g", "rg", "-n", "env", "-m").out)
    assert len(listed) == 1 and listed[0]["properties"]["subjectName"] == host
    assert listed[0]["type"] == "Microsoft.App/managedEnvironments/managedCertificates"
    assert domains == [{"bindingType": "SniEnabled", "certificateId": listed[0]["id"], "name": host}]
    created = cli("containerapp", "env", "certificate", "create", "-g", "rg", "-n", "env", "--hostname",
                  "www.contoso-azlocal.test", "-v", "txt", "-c", "mc1")
    assert created.code == 0 and json.loads(created.out)["properties"]["domainControlValidation"] == "TXT"
    assert "clients will not trust" in created.err  # outside the CA's permitted names: said so
    dup = cli("containerapp", "env", "certificate", "create", "-g", "rg", "-n", "env", "--hostname", "x.test", "-v",
              "CNAME", "-c", "mc1")
    assert dup.code == 1 and "Certificate name 'mc1' is not available." in dup.err


def test_routes_and_tls_contexts_for_the_daemon(cli, env, tmp_path):
    from azlocal.aca import hostnames
    from azlocal.platform.store import store

    make_pfx(tmp_path / "www.pfx", [HOST])
    cli("containerapp", "env", "certificate", "upload", "-g", "rg", "-n", "env", "-f", str(tmp_path / "www.pfx"),
        "-p", "test12", "-c", "www")
    cli("containerapp", "hostname", "add", "-g", "rg", "-n", "web", "--hostname", "plain.contoso-azlocal.test")
    cli("containerapp", "hostname", "bind", "-g", "rg", "-n", "web", "--hostname", HOST, "-e", "env", "-c", "www")
    app = store().get(arm.resource_id("rg", "Microsoft.App/containerApps", "web"))
    assert hostnames.routes_of(app, env) == ["plain.contoso-azlocal.test", HOST]
    context = hostnames.tls_for(HOST)
    assert isinstance(context, ssl.SSLContext) and hostnames.tls_for(HOST) is context  # built once
    assert hostnames.tls_for("plain.contoso-azlocal.test") is None


def test_verification_id_is_stable_hex(cli, home):
    first, second = (cli("containerapp", "show-custom-domain-verification-id") for _ in range(2))
    assert first.code == 0 and first.out == second.out
    value = json.loads(first.out)
    assert len(value) == 64 and int(value, 16) >= 0


def test_http_route_configs(cli, env, tmp_path):
    spec = {"rules": [{"description": "api", "routes": [{"match": {"prefix": "/api"},
                                                          "action": {"prefixRewrite": "/"}}],
                       "targets": [{"containerApp": "web"}]}]}
    (tmp_path / "routes.yaml").write_text(yaml.safe_dump(spec))
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"rules": [{"targets": [{"containerApp": "ghost"}]}]}))
    base = ["containerapp", "env", "http-route-config"]
    r = cli(*base, "create", "-g", "rg", "-n", "env", "-r", "routes", "--yaml", str(tmp_path / "routes.yaml"))
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["properties"]["fqdn"] == "routes.calm-sky-1234abcd.eastus.azurecontainerapps.io"
    assert doc["properties"]["rules"] == spec["rules"] and "not enforced" in r.err
    bad = cli(*base, "create", "-g", "rg", "-n", "env", "-r", "bad", "--yaml", str(tmp_path / "bad.yaml"))
    assert bad.code == 1 and "'ghost'" in bad.err
    assert [d["name"] for d in json.loads(cli(*base, "list", "-g", "rg", "-n", "env").out)] == ["routes"]
    assert cli(*base, "delete", "-g", "rg", "-n", "env", "-r", "routes", "--yes").code == 0
    assert cli(*base, "show", "-g", "rg", "-n", "env", "-r", "routes").code == 3


def test_configured_default_location_is_shown_as_azure_does(cli, env, tmp_path):
    make_pfx(tmp_path / "www.pfx", [HOST])
    assert cli("configure", "--defaults", "location=eastus").code == 0
    r = cli("containerapp", "env", "certificate", "upload", "-g", "rg", "-n", "env", "-f", str(tmp_path / "www.pfx"),
            "-p", "test12")
    assert r.code == 0 and json.loads(r.out)["location"] == "East US"
    listed = json.loads(cli("containerapp", "env", "certificate", "list", "-g", "rg", "-n", "env").out)
    assert [c["location"] for c in listed] == ["East US"]


def test_an_app_without_ingress_gets_no_domain_and_nothing_is_stored(cli, env, tmp_path):
    from azlocal.platform.store import store

    app_id = arm.resource_id("rg", "Microsoft.App/containerApps", "web")
    app = store().get(app_id)
    app["properties"]["configuration"]["ingress"] = None
    store().put(app)
    make_pfx(tmp_path / "www.pfx", [HOST])
    for args in (["hostname", "bind", "--hostname", HOST, "-e", "env", "-v", "CNAME"],
                 ["ssl", "upload", "--hostname", HOST, "-e", "env", "-f", str(tmp_path / "www.pfx"), "-p", "test12"],
                 ["hostname", "add", "--hostname", HOST]):
        r = cli("containerapp", *args, "-g", "rg", "-n", "web")
        assert r.code == 1 and "does not have ingress enabled" in r.err, (args, r)
    assert store().list(parent_id=env["id"]) == [] and _secrets() == []
    assert store().get(app_id) == app
