"""ACI's YAML in, `az container export` out, and back: keys as ARM spells them, unknown keys kept, secrets
never written, the same `show` document from the exported file (pure logic, no Docker)."""

import pytest
import yaml

from azlocal.aci import document, export, yaml_keys, yamldef
from azlocal.core.errors import ValidationError

RICH = """
apiVersion: 2021-10-01
location: westeurope
name: Rich-Group
zones: ['2']
identity: {type: SystemAssigned}
tags: {Owner: Team-A, "cost center": "42"}
someTopLevelKey: kept
properties:
  sku: confidential
  priority: spot
  someNewKey: {nested: true}
  dnsConfig: {nameServers: [10.0.0.10], searchDomains: corp.local, options: ndots:2}
  diagnostics: {logAnalytics: {workspaceId: ws-id, workspaceKey: ws-key, logType: ContainerInsights}}
  initContainers:
  - name: init-1
    properties:
      image: busybox
      command: [sh, -c, 'echo init > /scratch/state']
      environmentVariables: [{name: STAGE, value: one}, {name: TOKEN, secureValue: t0ken}]
      volumeMounts: [{name: work, mountPath: /scratch}]
  containers:
  - name: app
    properties:
      image: mcr.microsoft.com/azuredocs/aci-helloworld
      command: [node, /usr/src/app/index.js]
      ports: [{port: 80}, {port: 8080, protocol: tcp}]
      environmentVariables: [{name: PLAIN, value: 5}, {name: SECRET, secureValue: hush}]
      RESOURCES:
        requests: {cpu: 1, memoryInGb: 1.5}
        limits: {cpu: 2, memoryingb: 3, futureLimit: x}
      volumeMounts: [{name: work, mountPath: /scratch, readonly: true}, {name: creds, mountPath: /creds}]
      livenessProbe:
        exec: {command: [cat, /tmp/healthy]}
        periodseconds: 5
        InitialDelaySeconds: 2
        failureThreshold: 3
      readinessProbe:
        httpget: {path: /ready, port: '80', scheme: http, httpHeaders: [{name: X-Probe, value: '1'}]}
        timeoutSeconds: 2
      securityContext: {privileged: true, capabilities: {add: [NET_ADMIN]}, runAsUser: 1000}
      configMap: {keyValuePairs: {Mode: fast}}
      containerLevelKey: kept-too
  osType: Linux
  restartPolicy: OnFailure
  ipAddress: {type: Public, dnsNameLabel: rich-label, ports: [{protocol: tcp, port: 80}, {port: 8080}]}
  imageRegistryCredentials: [{server: myregistry.azurecr.io, username: me, password: pw}]
  volumes:
  - {name: work, emptyDir: {}}
  - {name: creds, secret: {Password.txt: cGFzcw==}}
  - {name: share, azureFile: {shareName: data, storageAccountName: acct, storageAccountKey: k3y}}
  - {name: repo, gitRepo: {repository: 'https://example.com/r.git', directory: ., revision: abc}}
type: Microsoft.ContainerInstance/containerGroups
"""

RID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/Rich-Group"


def _show(definition):
    return document.group(RID, definition, location="westeurope", address="127.0.0.9", fqdn="f")


def _exported(definition):
    doc = _show(definition)
    return yaml.safe_load(yaml.safe_dump(export.document(doc, export.public(definition))))


def test_yaml_keys_come_back_as_arm_spells_them_and_unknown_keys_stay():
    d = yamldef.definition_from_yaml(RICH)
    app = d["properties"]["containers"][0]["properties"]
    assert app["livenessProbe"] == {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5,
                                    "initialDelaySeconds": 2, "failureThreshold": 3}
    assert app["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 80, "scheme": "http",
                                                "httpHeaders": [{"name": "X-Probe", "value": "1"}]}
    assert app["resources"]["limits"] == {"cpu": 2.0, "memoryInGB": 3.0, "futureLimit": "x"}
    assert app["containerLevelKey"] == "kept-too"
    assert app["volumeMounts"][0] == {"name": "work", "mountPath": "/scratch", "readOnly": True}
    assert d["properties"]["someNewKey"] == {"nested": True}
    assert d["someTopLevelKey"] == "kept"
    # the user's data keeps its spelling: tag names, secret file names, config keys
    assert d["tags"] == {"Owner": "Team-A", "cost center": "42"}
    assert d["properties"]["volumes"][1]["secret"] == {"Password.txt": "cGFzcw=="}
    assert app["configMap"] == {"keyValuePairs": {"Mode": "fast"}}
    assert (d["properties"]["sku"], d["properties"]["priority"]) == ("Confidential", "Spot")
    assert d["zones"] == ["2"] and d["identity"]["type"] == "SystemAssigned"


def test_show_has_azs_model_shapes():
    doc = _show(yamldef.definition_from_yaml(RICH))
    app = doc["containers"][0]
    assert app["livenessProbe"]["execProperty"] == {"command": ["cat", "/tmp/healthy"]}
    assert app["livenessProbe"]["periodSeconds"] == 5 and app["livenessProbe"]["successThreshold"] is None
    assert app["readinessProbe"]["httpGet"]["port"] == 80
    assert app["resources"]["limits"] == {"cpu": 2.0, "gpu": None, "memoryInGb": 3.0}
    assert app["securityContext"]["privileged"] is True
    assert app["securityContext"]["capabilities"] == {"add": ["NET_ADMIN"], "drop": None}
    assert [e["value"] for e in app["environmentVariables"]] == ["5", None]
    assert "containerLevelKey" not in app and "someNewKey" not in doc
    init = doc["initContainers"][0]
    assert sorted(init) == ["command", "environmentVariables", "image", "instanceView", "name", "securityContext",
                            "volumeMounts"]
    assert doc["dnsConfig"] == {"nameServers": ["10.0.0.10"], "options": "ndots:2", "searchDomains": "corp.local"}
    assert doc["diagnostics"]["logAnalytics"]["workspaceKey"] is None
    assert doc["volumes"][2]["azureFile"]["storageAccountKey"] is None
    assert doc["volumes"][1]["secret"] == {}
    assert doc["imageRegistryCredentials"][0]["password"] is None


def test_export_writes_everything_but_secrets():
    data = _exported(yamldef.definition_from_yaml(RICH))
    assert data["apiVersion"] == export.API_VERSION and data["type"] == document.GROUP_TYPE
    assert data["zones"] == ["2"] and data["identity"] == {"type": "SystemAssigned"}
    assert data["someTopLevelKey"] == "kept"
    props = data["properties"]
    assert props["someNewKey"] == {"nested": True} and props["sku"] == "Confidential"
    app = props["containers"][0]["properties"]
    assert app["containerLevelKey"] == "kept-too" and app["resources"]["limits"]["futureLimit"] == "x"
    assert app["livenessProbe"]["periodSeconds"] == 5
    assert {"name": "SECRET", "secureValue": ""} in app["environmentVariables"]
    init = props["initContainers"][0]["properties"]
    assert "resources" not in init and "ports" not in init
    assert {"name": "TOKEN", "secureValue": ""} in init["environmentVariables"]
    volumes = {v["name"]: v for v in props["volumes"]}
    assert volumes["creds"]["secret"] == {}
    assert "storageAccountKey" not in volumes["share"]["azureFile"]
    assert "password" not in props["imageRegistryCredentials"][0]
    assert "workspaceKey" not in props["diagnostics"]["logAnalytics"]
    text = yaml.safe_dump(data)
    for secret in ("hush", "t0ken", "cGFzcw==", "k3y", "ws-key", ": pw"):
        assert secret not in text


def test_exported_yaml_recreates_the_same_show_document():
    first = yamldef.definition_from_yaml(RICH)
    again = yamldef.from_data(_exported(first))
    a, b = _show(first), _show(again)
    for doc in (a, b):
        doc["identity"] = {k: v for k, v in doc["identity"].items() if k not in ("principalId",)}
    assert a == b
    # and the export of the recreated group is the export of the first
    assert _exported(again) == _exported(first)


def test_identity_as_az_exports_it_is_read_back():
    data = {"name": "g", "identity": {"type": "SystemAssigned, UserAssigned",
                                      "user_assigned_identities": {"/subscriptions/s/x/id1": {}}},
            "properties": {"containers": [{"name": "a", "properties": {"image": "busybox"}}]}}
    d = yamldef.from_data(data)
    assert d["identity"]["type"] == "SystemAssigned, UserAssigned"
    assert list(d["identity"]["userAssignedIdentities"]) == ["/subscriptions/s/x/id1"]


@pytest.mark.parametrize("props, message", [
    ({"subnetIds": [{"id": "/x"}]}, "needs Azure Virtual Network"),
    ({"standbyPoolProfile": {"id": "/x"}}, "standby pools"),
])
def test_what_yaml_asks_of_absent_services_is_refused(props, message):
    data = {"name": "g", "properties": dict(props, containers=[{"name": "a", "properties": {"image": "busybox"}}])}
    with pytest.raises(Exception) as caught:
        yamldef.from_data(data)
    assert message in str(caught.value)


def test_probe_values_of_the_wrong_type_are_refused():
    data = {"name": "g", "properties": {"containers": [{"name": "a", "properties": {
        "image": "busybox", "livenessProbe": {"periodSeconds": "often"}}}]}}
    with pytest.raises(ValidationError, match="livenessProbe.periodSeconds must be a number"):
        yamldef.from_data(data)


def test_an_environment_variable_without_a_name_is_refused():
    data = {"name": "g", "properties": {"containers": [{"name": "a", "properties": {
        "image": "busybox", "environmentVariables": [{"value": "orphan"}]}}]}}
    with pytest.raises(ValidationError, match="every environment variable needs a 'name'"):
        yamldef.from_data(data)


def test_canonical_keeps_free_form_maps_as_given():
    assert yaml_keys.canonical({"TAGS": {"ImageRegistryCredentials": 1}, "OSTYPE": "Linux"}) == \
        {"tags": {"ImageRegistryCredentials": 1}, "osType": "Linux"}
