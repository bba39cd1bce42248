"""Key Vault references of container app and job secrets, without Docker: az's `--secrets` syntax, the
configuration's entries (URL and identity, never a value), what `secret list/show` print, and resolution
through the Key Vault service layer as the identity's principal (refusals worded as the service's, nothing
changed)."""

import json
import types

import pytest

from azlocal.aca import keyvault_refs as refs
from azlocal.core.errors import ValidationError

URI = "https://myvault.vault.azure.net/secrets/db-password"
USER_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/"
           "Microsoft.ManagedIdentity/userAssignedIdentities/reader")


# Parsing -------------------------------------------------------------------------------------------

def test_a_reference_is_parsed_as_az_parses_it():
    ref = refs.parse_value(f"keyvaultref:{URI},identityref:system")
    assert isinstance(ref, refs.Reference) and ref.url == URI and ref.identity == "system"
    assert str(ref) == f"keyvaultref:{URI},identityref:system"
    assert refs.stored(str(ref)).url == URI  # the secret store's text reads back as the reference
    # Anything else is a plain value, as az's parse_secret_flags leaves it.
    for plain in ("s3cret", "a,b", f"keyvaultref:{URI},other", "keyvaultref:a,identityref:b,c"):
        assert refs.parse_value(plain) == plain and not isinstance(refs.parse_value(plain), refs.Reference)
        assert refs.stored(plain) is None


@pytest.mark.parametrize("value, missing", [(f"keyvaultref:{URI}", "Identityref"), ("identityref:system",
                                                                                     "Keyvaultref")])
def test_half_a_reference_is_refused_with_azs_message(value, missing):
    with pytest.raises(ValidationError, match=f"^{missing} is missing. Secrets must be in format"):
        refs.parse_value(value)


def test_parse_secrets_and_yaml_entries_make_references():
    from azlocal.aca.definition import parse_secrets

    out = parse_secrets([f"db=keyvaultref:{URI},identityref:{USER_ID}", "plain=x"])
    assert isinstance(out["db"], refs.Reference) and out["db"].identity == USER_ID and out["plain"] == "x"
    item = refs.yaml_item({"name": "db", "keyVaultUrl": URI, "identity": "system"})
    assert parse_secrets([item])["db"].url == URI
    assert refs.yaml_item({"name": "p", "value": "v"}) == "p=v"


def test_entries_show_url_and_identity_never_a_value_and_keep_untouched_references():
    new = {"db": refs.Reference(URI, "system"), "plain": "s3cret"}
    assert refs.entries(list(new), new) == [{"name": "db", "keyVaultUrl": URI, "identity": "system"},
                                            {"name": "plain"}]
    current = [{"name": "db", "keyVaultUrl": URI, "identity": "system"}, {"name": "old"}]
    out = refs.entries(["db", "old", "new"], {"new": "v"}, current)
    assert out == [{"name": "db", "keyVaultUrl": URI, "identity": "system"}, {"name": "old"}, {"name": "new"}]
    assert "s3cret" not in json.dumps(refs.entries(list(new), new))
    listed = refs.listed({"name": "db", "keyVaultUrl": URI, "identity": "system"}, lambda n: 1 / 0)
    assert listed == {"name": "db", "keyVaultUrl": URI, "identity": "system"}


def test_secret_uris_are_split_into_vault_name_and_version():
    assert refs.split_uri(URI) == ("myvault", "db-password", None)
    assert refs.split_uri(URI + "/" + "a" * 32) == ("myvault", "db-password", "a" * 32)
    for bad in ("http://myvault.vault.azure.net/secrets/x", "https://myvault.example.com/secrets/x",
                "https://myvault.vault.azure.net/keys/x", "https://v.vault.azure.net/secrets/x", "not a uri"):
        assert refs.split_uri(bad) is None


# Resolution through the Key Vault service layer (an access-policy vault: a principal reads with `get`) -------

SYS, USR = "5e5e5e5e-0000-4000-8000-000000000001", "5e5e5e5e-0000-4000-8000-000000000002"


@pytest.fixture
def vault(home, monkeypatch):
    """The vault `myvault` (access policies) with two versions of `db-password`; `grant(principal)` gives a
    principal the `get` secret permission."""
    from azlocal.core import settings
    from azlocal.keyvault import secrets, vaults
    from azlocal.resources import groups

    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    monkeypatch.setattr(vaults, "unpublish", lambda doc: None)
    groups.create("rg", "eastus")
    vaults.create("rg", "myvault", enable_rbac_authorization=False)
    versions = [secrets.set("myvault", "db-password", v, principal=settings.USER_OBJECT_ID)["id"].rsplit("/", 1)[1]
                for v in ("first", "second")]

    def grant(principal):
        vaults.set_policy(vaults.find("myvault"), principal, secrets=["get"])

    def add(value):
        return secrets.set("myvault", "db-password", value, principal=settings.USER_OBJECT_ID)

    return types.SimpleNamespace(grant=grant, add=add, versions=versions)


APP = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/web", "name": "web",
       "identity": {"type": "SystemAssigned, UserAssigned", "principalId": SYS,
                    "userAssignedIdentities": {USER_ID: {"clientId": "c", "principalId": USR}}}}


def test_a_reference_reads_the_latest_version_as_the_identitys_principal(vault):
    vault.grant(SYS)
    assert refs.resolve(APP, "db", refs.Reference(URI, "system")) == "second"
    vault.add("third")  # versionless: the latest at each read
    assert refs.value_of(APP, "db", f"keyvaultref:{URI},identityref:system") == "third"
    assert refs.resolve(APP, "db", refs.Reference(f"{URI}/{vault.versions[0]}", "system")) == "first"
    with pytest.raises(refs.KeyVaultReferenceError):  # the user-assigned identity has no access yet
        refs.resolve(APP, "db", refs.Reference(URI, USER_ID))
    vault.grant(USR)
    assert refs.resolve(APP, "db", refs.Reference(URI, USER_ID.upper())) == "third"
    assert refs.value_of(APP, "plain", "just a value") == "just a value"


@pytest.mark.parametrize("url, identity", [
    (URI, "system"),                                             # no access to the vault
    ("https://othervault.vault.azure.net/secrets/db-password", "system"),   # no such vault
    ("https://myvault.vault.azure.net/secrets/missing", "system"),          # no such secret
    (URI, USER_ID.replace("reader", "other")),                   # an identity the app does not have
    ("https://myvault.example.com/secrets/x", "system"),         # not a Key Vault secret URI
])
def test_an_unreadable_reference_fails_with_the_services_text(vault, url, identity, caplog):
    if "missing" in url or "othervault" in url:
        vault.grant(SYS)
    with pytest.raises(refs.KeyVaultReferenceError) as info:
        refs.resolve(APP, "db", refs.Reference(url, identity))
    assert str(info.value) == (
        "(InvalidParameterValueInContainerTemplate) The following field(s) are either invalid or missing. Field "
        "'configuration.secrets' is invalid with details: 'Invalid value: \"db\": Unable to get value using "
        f"Managed identity {identity} for secret db. Error: unable to fetch secret 'db' using Managed identity "
        f"'{identity}'';.")
    assert "first" not in caplog.text and "second" not in caplog.text


def test_a_system_reference_needs_a_system_identity(vault):
    vault.grant(SYS)
    app = dict(APP, identity={"type": "UserAssigned", "principalId": SYS,
                              "userAssignedIdentities": APP["identity"]["userAssignedIdentities"]})
    assert refs.principal_of(app, "system") is None
    with pytest.raises(refs.KeyVaultReferenceError):
        refs.check(app, {"db": refs.Reference(URI, "system"), "plain": "x"})


def test_a_bug_in_the_vault_layer_is_not_hidden_as_a_refusal(vault, monkeypatch):
    from azlocal.keyvault import secrets

    vault.grant(SYS)
    monkeypatch.setattr(secrets, "get", lambda *a, **k: {}["boom"])
    with pytest.raises(KeyError):
        refs.resolve(APP, "db", refs.Reference(URI, "system"))


# Commands: secret set/list/show on a stored app (no Docker needed) -------------------------------------

@pytest.fixture
def stored_app(cli, vault):
    from azlocal.aca.appstore import app_id
    from azlocal.platform.store import store

    doc = json.loads(json.dumps(APP))
    doc.update(id=app_id("rg", "web"), type="Microsoft.App/containerApps", location="eastus")
    doc["properties"] = {"configuration": {"secrets": [{"name": "plain"}]}, "managedEnvironmentId": "/env",
                         "template": {"containers": []}}
    store().put(doc)
    from azlocal.aca import revisions
    from azlocal.platform import secrets

    secrets.set_secret(revisions.secret_key(doc, "plain"), "p-value")
    return doc


def test_secret_set_stores_a_reference_and_list_show_print_it_without_the_value(cli, stored_app, vault):
    vault.grant(SYS)
    out = cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets",
              f"db=keyvaultref:{URI},identityref:system")
    assert out.code == 0, out.err
    assert out.json() == [{"name": "plain"}, {"name": "db", "keyVaultUrl": URI, "identity": "system"}]
    shown = cli("containerapp", "secret", "show", "-n", "web", "-g", "rg", "--secret-name", "db").json()
    assert shown == {"name": "db", "keyVaultUrl": URI, "identity": "system"}
    listed = cli("containerapp", "secret", "list", "-n", "web", "-g", "rg", "--show-values").json()
    assert listed == [{"name": "plain", "value": "p-value"}, {"name": "db", "keyVaultUrl": URI,
                                                                "identity": "system"}]
    app = cli("containerapp", "show", "-n", "web", "-g", "rg").json()
    assert app["properties"]["configuration"]["secrets"][1] == {"name": "db", "keyVaultUrl": URI,
                                                                "identity": "system"}
    # A plain secret set afterwards keeps the reference's entry.
    assert cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets", "other=v").code == 0
    assert cli("containerapp", "secret", "show", "-n", "web", "-g", "rg", "--secret-name", "db").json() == shown
    from azlocal.aca import revisions

    assert revisions.secret_value(app, "db") == "second"  # what a replica starting now gets
    from azlocal.core import settings

    assert b"second" not in (settings.home() / "state.db").read_bytes()


def test_secret_set_with_an_unreadable_reference_changes_nothing(cli, stored_app, vault):
    out = cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets", "new=v",
              f"db=keyvaultref:{URI},identityref:system")
    assert out.code == 1 and "Unable to get value using Managed identity system for secret db" in out.err
    assert cli("containerapp", "secret", "list", "-n", "web", "-g", "rg").json() == [{"name": "plain"}]
    out = cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets", f"db=keyvaultref:{URI}")
    assert out.code == 1 and "Identityref is missing" in out.err


def test_yaml_secrets_with_key_vault_urls_are_references():
    from azlocal.aca.definition import parse_secrets, yaml_document

    doc = yaml_document(f"""
properties:
  configuration:
    secrets:
    - name: db
      keyVaultUrl: {URI}
      identity: system
    - name: plain
      value: v
  template:
    containers:
    - name: web
      image: nginx
""")
    out = parse_secrets(doc["secrets"])
    assert isinstance(out["db"], refs.Reference) and out["db"].identity == "system" and out["plain"] == "v"
    assert refs.entries(list(out), out)[0] == {"name": "db", "keyVaultUrl": URI, "identity": "system"}


def test_a_jobs_secret_set_stores_a_reference_and_refuses_an_unreadable_one(cli, vault):
    from azlocal.aca import job_config, jobs
    from azlocal.platform.store import store

    job = {"id": jobs.job_id("rg", "nightly"), "name": "nightly", "type": jobs.JOB_TYPE, "location": "eastus",
           "identity": APP["identity"],
           "properties": {"configuration": {"secrets": None}, "environmentId": "/env",
                          "template": {"containers": [{"name": "main", "image": "busybox"}]}}}
    store().put(job)
    with pytest.raises(refs.KeyVaultReferenceError):
        job_config.secret_set("rg", "nightly", [f"db=keyvaultref:{URI},identityref:system"])
    assert store().get(job["id"])["properties"]["configuration"]["secrets"] is None
    vault.grant(SYS)
    out = job_config.secret_set("rg", "nightly", [f"db=keyvaultref:{URI},identityref:system", "p=x"])
    assert out == [{"name": "db", "keyVaultUrl": URI, "identity": "system"}, {"name": "p"}]
    assert job_config.secret_show("rg", "nightly", "db") == {"name": "db", "keyVaultUrl": URI, "identity": "system"}
    assert jobs.secret_value(store().get(job["id"]), "db") == "second"  # what an execution starting now gets
    job_config.secret_remove("rg", "nightly", ["p"])
    assert job_config.secret_list("rg", "nightly") == [{"name": "db", "keyVaultUrl": URI, "identity": "system"}]


def test_every_configured_reference_is_read_again_as_an_update_validates_it(stored_app, vault):
    from azlocal.aca import app_secrets

    vault.grant(SYS)
    app_secrets.secret_set("rg", "web", [f"db=keyvaultref:{URI},identityref:system"])
    from azlocal.platform.store import store

    app = store().get(stored_app["id"])
    refs.check_configured(app)  # readable: nothing raised
    from azlocal.keyvault import vaults

    vaults.delete_policy(vaults.find("myvault"), SYS)
    with pytest.raises(refs.KeyVaultReferenceError, match="Unable to get value using Managed identity system"):
        refs.check_configured(app)


def test_secret_set_reads_the_references_the_app_already_has(cli, stored_app, vault):
    from azlocal.keyvault import vaults

    vault.grant(SYS)
    assert cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets",
               f"db=keyvaultref:{URI},identityref:system").code == 0
    vaults.delete_policy(vaults.find("myvault"), SYS)
    r = cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets", "other=v")
    assert r.code == 1 and "Unable to get value using Managed identity system for secret db" in r.err
    assert [s["name"] for s in cli("containerapp", "secret", "list", "-n", "web", "-g", "rg").json()] == ["plain",
                                                                                                          "db"]
    # Replacing the broken reference by a value is accepted (the new entry is what is checked).
    assert cli("containerapp", "secret", "set", "-n", "web", "-g", "rg", "--secrets", "db=now-a-value").code == 0
