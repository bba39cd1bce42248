"""create --yaml keeps the ingress settings the gateway enforces (CORS, IP rules, sticky sessions, the exposed
port), checked as Azure checks them."""

import pytest

from azlocal.aca import definition
from azlocal.core.errors import ValidationError

YAML = """
properties:
  environmentId: /subscriptions/s/resourceGroups/g/providers/Microsoft.App/managedEnvironments/env
  configuration:
    ingress:
      external: true
      targetPort: 80
      corsPolicy: {allowedOrigins: ["https://www.contoso.com"], allowedMethods: [GET]}
      stickySessions: {affinity: sticky}
      ipSecurityRestrictions:
      - {name: office, ipAddressRange: 198.51.100.0/24, action: %s}
      - {name: home, ipAddressRange: 203.0.113.7, action: Allow}
  template:
    containers:
    - {name: web, image: busybox}
"""


def test_yaml_ingress_policies_are_kept():
    ingress = definition.from_yaml(YAML % "Allow").ingress
    assert ingress["kind"] == "external" and ingress["target_port"] == 80 and ingress["exposed_port"] is None
    assert ingress["policies"]["corsPolicy"]["allowedOrigins"] == ["https://www.contoso.com"]
    assert ingress["policies"]["stickySessions"] == {"affinity": "sticky"}
    assert [r["name"] for r in ingress["policies"]["ipSecurityRestrictions"]] == ["office", "home"]


def test_yaml_ip_rules_mixing_allow_and_deny_are_refused():
    with pytest.raises(ValidationError):
        definition.from_yaml(YAML % "Deny")


def test_yaml_exposed_port_needs_tcp():
    with pytest.raises(ValidationError, match="--exposed-port is only supported with --transport tcp"):
        definition.from_yaml(YAML.replace("targetPort: 80", "targetPort: 80\n      exposedPort: 8080") % "Allow")


def test_the_app_document_carries_them():
    from azlocal.aca import containerapps

    ingress = definition.from_yaml(YAML % "Allow").ingress
    doc = containerapps._ingress("web", {"properties": {"defaultDomain": "d.eastus.azurecontainerapps.io"}}, ingress)
    assert doc["fqdn"] == "web.d.eastus.azurecontainerapps.io"
    assert doc["corsPolicy"]["allowedMethods"] == ["GET"] and doc["stickySessions"] == {"affinity": "sticky"}
    assert doc["ipSecurityRestrictions"][1]["ipAddressRange"] == "203.0.113.7"


def test_update_yaml_without_a_template_patches_the_ingress_policies(monkeypatch):
    from azlocal.aca import ingress

    saved = []
    monkeypatch.setattr(ingress, "save_configuration", saved.append)
    app = {"name": "web", "tags": None, "properties": {"configuration": {"ingress": {"external": True}}}}
    text = """
properties:
  configuration:
    ingress:
      ipSecurityRestrictions:
      - {action: Allow, description: test, ipAddressRange: 1.0.0.0/23}
      - {action: Allow, description: test, ipAddressRange: 1.0.0.0/23}
"""
    assert ingress.patch_from_yaml(app, text, None) is True and saved == [app]
    rules = app["properties"]["configuration"]["ingress"]["ipSecurityRestrictions"]
    assert [r.get("name") for r in rules] == [None, None] and rules[0]["ipAddressRange"] == "1.0.0.0/23"
    mixed = text.replace("- {action: Allow, description: test", "- {action: Deny, description: test", 1)
    with pytest.raises(ValidationError):
        ingress.patch_from_yaml(app, mixed, None)
    assert ingress.patch_from_yaml(app, YAML % "Allow", None) is False  # a template: the template path
    no_ingress = {"name": "web", "properties": {"configuration": {"ingress": None}}}
    with pytest.raises(Exception, match="does not have ingress enabled"):
        ingress.patch_from_yaml(no_ingress, text, None)
