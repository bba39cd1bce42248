"""deploy.host_names: every name an app answers on, so deleting it (or disabling ingress) unpublishes them all."""

from azlocal.aca import deploy


def test_host_names_include_custom_domains(monkeypatch):
    monkeypatch.setattr(deploy.revisions, "all_revisions", lambda app: [{"name": "web--abc"}])
    app = {"name": "web", "properties": {"configuration": {"ingress": {
        "traffic": [{"label": "blue", "revisionName": "web--abc", "weight": 100}],
        "customDomains": [{"name": "WWW.Contoso-Azlocal.test", "bindingType": "SniEnabled"}]}}}}
    env = {"properties": {"defaultDomain": "happy-1.eastus.azurecontainerapps.io"}}
    assert deploy.host_names(app, env) == [
        "web.happy-1.eastus.azurecontainerapps.io", "web.internal.happy-1.eastus.azurecontainerapps.io",
        "web--abc.happy-1.eastus.azurecontainerapps.io", "web---blue.happy-1.eastus.azurecontainerapps.io",
        "www.contoso-azlocal.test"]
