"""Names never become host paths unchecked; hostile YAML and quoting get `ERROR:` lines, not tracebacks."""

import os
import time

import pytest

from azlocal.core import safepath, yamlsafe
from azlocal.core.errors import ValidationError


def _bomb():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# safepath ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, value", [
    ("secret file", "../x"), ("secret file", ".."), ("secret file", "a/b"), ("secret file", "/tmp/x"),
    ("secret file", ""), ("secret file", "a\0b"), ("volume", "../../tmp/x/dir"), ("volume", "Upper"),
    ("file share", "/"), ("file share", "/tmp/x/exposed"), ("file share", ".."), ("file share", "a--b"),
    ("storage account", "../x"), ("storage account", "ab"), ("registry", "../../x"), ("run id", "../x"),
    ("container app secret", "../x"), ("volume", None), ("secret file", 5),
])
def test_names_that_break_azures_rule_are_refused(home, kind, value):
    with pytest.raises(ValidationError, match="is invalid"):
        safepath.home_path("x", (kind, value))


def test_valid_names_stay_under_the_home(home):
    path = safepath.home_path("fileshares", ("storage account", "mystorage1"), ("file share", "acishare"))
    assert path == home / "fileshares" / "mystorage1" / "acishare"
    assert safepath.home_path(("secret file", "app.config"), base=home / "s") == home / "s" / "app.config"


def test_a_symlink_out_of_the_home_is_refused(home, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (home / "fileshares").mkdir()
    os.symlink(outside, home / "fileshares" / "mystorage1")
    with pytest.raises(safepath.PathEscape):
        safepath.home_path("fileshares", ("storage account", "mystorage1"), ("file share", "acishare"))


@pytest.mark.parametrize("segment", ["..", "/etc", "a/../../b", ""])
def test_fixed_segments_cannot_climb(home, segment):
    with pytest.raises(safepath.PathEscape):
        safepath.home_path(segment)


# az container create: names from the user -------------------------------------------------------

@pytest.fixture
def rg(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    return "rg"


def _aci(cli, *args):
    return cli("container", "create", "-g", "rg", "-n", "c1", "--image", "azlocal/busybox:latest", *args)


def test_secrets_named_as_paths_write_nothing_on_the_host(cli, rg, tmp_path):
    target = tmp_path / "x"
    target.mkdir()
    r = _aci(cli, "--secrets", f"../../../../..{target}/f=v", f"{target}/g=v", "--secrets-mount-path", "/m")
    assert r.code == 1 and r.err.startswith("ERROR: The secret file name") and "is invalid" in r.err
    assert list(target.iterdir()) == []
    assert cli("container", "list", "-g", "rg").json() == []


YAML_SECRET_VOLUME = """
apiVersion: 2019-12-01
location: eastus
name: g1
properties:
  osType: Linux
  containers:
  - name: a
    properties:
      image: azlocal/busybox:latest
      resources: {requests: {cpu: 1, memoryInGB: 1}}
      volumeMounts: [{name: "VOLNAME", mountPath: /m}]
  volumes:
  - name: "VOLNAME"
    VOLUME
"""


@pytest.mark.parametrize("volume_name, volume, message", [
    ("../../../../../TARGET/dir", "secret: {f: dmFsdWU=}", "The volume name"),
    ("s1", "secret: {'../../../../TARGET/f': dmFsdWU=}", "The secret file name"),
    ("s1", "secret: {f: 'not base64!'}", "not valid base64"),
    ("f1", "azureFile: {shareName: TARGET/exposed, storageAccountName: acct123}", "The file share name"),
    ("f1", "azureFile: {shareName: /, storageAccountName: acct123}", "The file share name"),
    ("f1", "azureFile: {shareName: share1, storageAccountName: ../../../../TARGET}", "The storage account name"),
    ("f1", "azureFile: {shareName: share1}", "needs 'shareName' and 'storageAccountName'"),
])
def test_yaml_volumes_named_as_paths_are_refused(cli, rg, tmp_path, volume_name, volume, message):
    target = tmp_path / "x"
    target.mkdir()
    target.chmod(0o755)
    text = YAML_SECRET_VOLUME.replace("VOLNAME", volume_name).replace("VOLUME", volume)
    text = text.replace("TARGET", str(target).lstrip("/"))
    (tmp_path / "g.yaml").write_text(text)
    r = cli("container", "create", "-g", "rg", "--file", str(tmp_path / "g.yaml"))
    assert r.code == 1 and r.err.startswith("ERROR: ") and message in r.err, r.err
    assert "Traceback" not in r.err
    assert list(target.iterdir()) == [] and (target.stat().st_mode & 0o777) == 0o755
    assert cli("container", "list", "-g", "rg").json() == []


# Hostile YAML -------------------------------------------------------------------------------------

def test_billion_laughs_is_refused_quickly():
    start = time.monotonic()
    with pytest.raises(ValidationError, match="was refused: it expands to more than"):
        yamlsafe.load(_bomb())
    assert time.monotonic() - start < 5  # generous: it takes milliseconds; the unguarded load took a minute


def test_deep_nesting_is_refused():
    with pytest.raises(ValidationError, match="nested more than"):
        yamlsafe.load("[" * 5000 + "]" * 5000)


def test_ordinary_aliases_still_load():
    assert yamlsafe.load("x: &x {a: 1}\ny: *x\n") == {"x": {"a": 1}, "y": {"a": 1}}


GOOD = """
name: g1
properties:
  containers:
  - name: a
    properties:
      image: azlocal/busybox:latest
      resources: {requests: {cpu: CPU, memoryInGB: 1}}
      ports: [{port: PORT}]
      environmentVariables: ENV
  ipAddress: {type: Public, ports: [{port: 80}]}
"""


@pytest.mark.parametrize("text, message", ids=lambda v: str(v)[:40], argvalues=[
    (None, "was refused: it expands"),
    ("[" * 5000 + "]" * 5000, "was refused: it is nested"),
    (GOOD.replace("CPU", "abc").replace("PORT", "80").replace("ENV", "[]"), "cpu request of container 'a' must be"),
    (GOOD.replace("CPU", "1").replace("PORT", "abc").replace("ENV", "[]"), "port must be a number"),
    (GOOD.replace("CPU", "1").replace("PORT", "80").replace("ENV", "notalist"), "environmentVariables of container"),
    (GOOD.replace("CPU", "1").replace("PORT", "80").replace("ENV", "[notamap]"), "must be a mapping"),
    (GOOD.replace("CPU", "[1]").replace("PORT", "80").replace("ENV", "[]"), "must be a number"),
    ("name: g1\nproperties: {containers: notalist}\n", "containers must be a list"),
    ("name: g1\nproperties: {containers: [{name: a, properties: {image: x, command: 5}}]}\n", "list of strings"),
    ("name: g1\nproperties: {containers: [{name: a, properties: {image: x, volumeMounts: [{name: v}]}}],"
     " volumes: [{name: v, emptyDir: {}}]}\n", "must be an absolute path"),
])
def test_container_yaml_of_the_wrong_shape_gets_an_error_line(cli, rg, tmp_path, text, message):
    (tmp_path / "g.yaml").write_text(_bomb() if text is None else text)
    r = cli("container", "create", "-g", "rg", "--file", str(tmp_path / "g.yaml"))
    assert r.code == 1 and r.err.startswith("ERROR: ") and message in r.err, r.err
    assert cli("container", "list", "-g", "rg").json() == []


def test_unbalanced_quotes_in_command_line_get_an_error_line(cli, rg):
    r = _aci(cli, "--command-line", "echo 'x")
    assert r.code == 1 and r.err.startswith("ERROR: --command-line could not be split") and "Traceback" not in r.err


@pytest.mark.parametrize("text, message", ids=lambda v: str(v)[:40], argvalues=[
    (None, "was refused"),
    ("properties: {template: {containers: [{name: a, image: x, resources: {cpu: lots, memory: 1Gi}}]}}",
     "the cpu of container 'a' must be a number"),
    ("properties: {template: {containers: [notamap]}}", "needs a name and an image"),
    ("properties: {template: {containers: [{name: a, image: x}], volumes: [{name: ../../x, storageType: Secret}]}}",
     "The volume name"),
    ("properties: {template: {containers: [{name: a, image: x}], scale: 5}}", "template.scale must be a mapping"),
    ("properties: 5", "template.containers"),
])
def test_containerapp_yaml_of_the_wrong_shape_is_refused(text, message):
    from azlocal.aca.containerapps import definition_from_yaml

    with pytest.raises(ValidationError, match=message.replace(".", r"\.")):
        definition_from_yaml(_bomb() if text is None else text)


@pytest.mark.parametrize("text, message", ids=lambda v: str(v)[:40], argvalues=[
    ("steps:\n- cmd: echo 'x\n", "is not valid"),
    ("steps:\n- cmd: echo\n  timeout: abc\n", "step 0"),
    ("stepTimeout: x\nsteps:\n- cmd: echo\n", "step 0"),
    (None, "was refused"),
])
def test_task_files_of_the_wrong_shape_are_refused(text, message):
    from azlocal.acr import taskfile
    from azlocal.core.errors import AzLocalError

    with pytest.raises(AzLocalError, match="failed to parse the task file") as info:
        task = taskfile.parse(_bomb() if text is None else text, lambda t: t)
        taskfile._words(task.steps[0])
    assert message in str(info.value)
