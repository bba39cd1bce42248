"""`az containerapp update --yaml` (az 2.91 has no generic --set/--add/--remove on it): the YAML's
template passes the same checks as the named arguments, and a refused update changes nothing."""

import copy

import pytest

from tests.unit.test_aca_parity import _get, _seed
from tests.unit.test_validation_hardening import _no_traceback


def _template(**changes):
    t = {"containers": [{"image": "busybox:latest", "name": "app1", "resources": {"cpu": 0.5, "memory": "1Gi"}}],
         "scale": {"minReplicas": 1, "maxReplicas": 10}}
    for path, value in changes.items():
        keys = path.split("__")
        node = t
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        node[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return t


@pytest.mark.parametrize("template, message", [
    (_template(containers=[]), "template.containers"),
    (_template(containers__0__resources__cpu="lots"), "must be a number"),
    (_template(containers__0__resources__cpu=-1), "a positive number"),
    (_template(containers__0__resources__memory="lots"), "--memory must be a number"),
    (_template(containers__0__resources__cpu=2), "ContainerAppInvalidResourceTotal"),
    (_template(containers__0__name="Bad_Name"), "lower case alphanumeric"),
    (_template(containers__0__image="has space"), "an image name"),
    (_template(containers__0__command="echo"), "a list of strings"),
    (_template(containers__0__env=[{"name": "X", "secretRef": "nosuch"}]), "SecretRef 'nosuch'"),
    (_template(volumes=[{"name": "../../x", "storageType": "EmptyDir"}]), "volume name '../../x'"),
    (_template(containers__0__volumeMounts=[{"volumeName": "v", "mountPath": "rel"}]), "absolute mountPath"),
    (_template(scale__maxReplicas=0), "[1,1000]"),
    (_template(scale__minReplicas=5, scale__maxReplicas=2), "cannot be greater"),
    (_template(revisionSuffix="Bad--Suffix"), "Invalid Container App revision suffix"),
])
def test_bad_yaml_update_is_refused_and_changes_nothing(cli, tmp_path, template, message):
    import yaml

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _, app = _seed()
    before = copy.deepcopy(app)
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump({"properties": {"template": template}}))
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "--yaml", str(path))
    _no_traceback(r)
    assert r.code == 1, r
    assert message in r.err
    assert _get(app["id"]) == before


def test_unreadable_yaml_is_an_error(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed()
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "--yaml", "/nonexistent/app.yaml")
    assert r.code == 1 and "Cannot read" in r.err
