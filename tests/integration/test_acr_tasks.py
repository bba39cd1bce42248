"""ACR Tasks: az acr build, az acr run --cmd, and the classic multi-step build/test/push scenario."""

import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

TASK = """
version: v1.1.0
steps:
  - id: build-web
    build: -t $Registry/webapp:$ID -f Dockerfile .
    when: ["-"]
  - id: build-tests
    build: -t webapp-tests:$ID -f tests/Dockerfile ./tests
    when: ["-"]
  - id: webapp
    cmd: $Registry/webapp:$ID
    detach: true
    when: ["build-web"]
  - id: func-tests
    cmd: webapp-tests:$ID
    env: ["TEST_TARGET_URL=http://webapp:80/"]
    startDelay: 1
    retries: 2
    retryDelay: 1
    when: ["webapp", "build-tests"]
  - id: push
    push:
      - $Registry/webapp:$ID
    when: ["func-tests"]
"""


@pytest.fixture
def registry(az):
    name = f"azltask{random.randint(10000, 99999)}"
    assert az("group", "create", "-n", "task-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("acr", "create", "-n", name, "-g", "task-rg", "--sku", "Standard", "-o", "none")
    assert r.code == 0, r.err
    yield name
    az("group", "delete", "-n", "task-rg", "--yes")


def _labelled_containers(home):
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=azlocal.home={home.resolve()}"],
                         capture_output=True, text=True).stdout.split()
    return out


def test_build_then_run_cmd(az, registry, tmp_path, home):
    ctx = busybox.write_context(tmp_path / "ctx", ['CMD ["echo", "built by acr build"]'])
    (ctx / ".dockerignore").write_text("secret.txt\n")
    (ctx / "secret.txt").write_text("must not be sent")
    r = subprocess.run(["az", "acr", "build", "-r", registry, "-t", "sample/app:v1", "."], cwd=ctx, env=az.env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "Queued a build with ID: ca" in r.stderr
    assert "was successful after" in r.stdout
    assert "The following dependencies were found:" in r.stdout
    assert az("acr", "repository", "show-tags", "-n", registry, "--repository", "sample/app").json() == ["v1"]
    run = az("acr", "run", "-r", registry, "--cmd", "$Registry/sample/app:v1", "/dev/null")
    assert run.code == 0, run.err
    assert "built by acr build" in run.out
    assert "Run ID: ca2 was successful" in run.out
    assert _labelled_containers(home) == []


def test_build_failure_exits_1_and_pushes_nothing(az, registry, tmp_path):
    ctx = busybox.write_context(tmp_path / "ctx", ["RUN exit 7"])
    r = subprocess.run(["az", "acr", "build", "-r", registry, "-t", "broken:v1", "."], cwd=ctx, env=az.env,
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "ERROR: Run failed" in r.stderr
    assert "failed after" in r.stdout
    assert az("acr", "repository", "list", "-n", registry).json() == []


def _scenario_context(tmp_path, test_script):
    ctx = busybox.write_context(
        tmp_path / "ctx", ["RUN mkdir -p /www && echo ok-from-webapp > /www/index.html",
                           'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]'])
    busybox.write_context(ctx / "tests", ['COPY run-tests.sh /run-tests.sh', 'CMD ["/bin/sh", "/run-tests.sh"]'],
                          files={"run-tests.sh": test_script})
    (ctx / "acb.yaml").write_text(TASK)
    return ctx


def test_multi_step_scenario_pushes_when_tests_pass(az, registry, tmp_path, home):
    ctx = _scenario_context(tmp_path, 'wget -q -O - "$TEST_TARGET_URL" | grep -q ok-from-webapp\n')
    r = az("acr", "run", "-r", registry, "-f", "acb.yaml", str(ctx))
    assert r.code == 0, r.out + r.err
    assert az("acr", "repository", "list", "-n", registry).json() == ["webapp"]
    assert _labelled_containers(home) == []


def test_multi_step_scenario_pushes_nothing_when_tests_fail(az, registry, tmp_path, home):
    ctx = _scenario_context(tmp_path, 'wget -q -O - "$TEST_TARGET_URL" | grep -q something-else\n')
    r = az("acr", "run", "-r", registry, "-f", "acb.yaml", str(ctx))
    assert r.code == 1
    assert "ERROR: Run failed" in r.err
    assert "No retries remaining" in r.out
    assert az("acr", "repository", "list", "-n", registry).json() == []
    assert _labelled_containers(home) == []
