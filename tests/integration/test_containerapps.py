"""Container apps through the real gateway: zero-downtime revision switches, traffic splits, labels,
secrets' lifecycle, and bad input that changes nothing."""

import threading
import time

import pytest
import requests

from tests.integration import busybox

pytestmark = pytest.mark.integration


def _page_image(tmp_path, text):
    """A local image that serves `text` on port 80 (busybox httpd)."""
    tag = f"azlocal-test/page-{text}:v1"
    ctx = busybox.write_context(tmp_path / text, [f"RUN mkdir -p /www && echo {text} > /www/index.html",
                                                  'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]'])
    return busybox.build(ctx, tag)


@pytest.fixture
def env(az):
    assert az("group", "create", "-n", "aca-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("containerapp", "env", "create", "-n", "test-env", "-g", "aca-rg", "-l", "eastus")
    assert r.code == 0, r.err
    yield r.json()
    az("group", "delete", "-n", "aca-rg", "--yes")


def _create(az, name, image, *extra):
    r = az("containerapp", "create", "-n", name, "-g", "aca-rg", "--environment", "test-env", "--image", image,
           "--ingress", "external", "--target-port", "80", *extra)
    assert r.code == 0, r.err
    return r.json()


@pytest.fixture
def session(home):
    """HTTPS verified against this home's local CA (the system trust store may not be requests')."""
    s = requests.Session()
    s.verify = str(home / "ca.crt")
    return s


def test_single_mode_switch_has_no_failed_requests(az, env, tmp_path, session, home):
    blue, green = _page_image(tmp_path, "blue"), _page_image(tmp_path, "green")
    app = _create(az, "switch", blue)
    url = f"https://{app['properties']['configuration']['ingress']['fqdn']}/"
    assert session.get(url, timeout=10).text.strip() == "blue"
    results, stop = [], threading.Event()

    def load():
        client = requests.Session()
        client.verify = str(home / "ca.crt")
        while not stop.is_set():
            try:
                r = client.get(url, timeout=10)
                results.append((r.status_code, r.text.strip()))
            except requests.RequestException as ex:
                results.append((0, str(ex)))

    workers = [threading.Thread(target=load) for _ in range(4)]
    for w in workers:
        w.start()
    try:
        time.sleep(1)
        r = az("containerapp", "update", "-n", "switch", "-g", "aca-rg", "--image", green)
        assert r.code == 0, r.err
        time.sleep(2)
    finally:
        stop.set()
        for w in workers:
            w.join()
    failures = [x for x in results if x[0] != 200]
    assert failures == [], failures[:5]
    bodies = [body for _, body in results]
    assert bodies[0] == "blue" and bodies[-1] == "green"
    assert set(bodies) == {"blue", "green"}
    assert len(results) > 50
    revisions = az("containerapp", "revision", "list", "-n", "switch", "-g", "aca-rg", "--all").json()
    assert [r["properties"]["active"] for r in revisions] == [False, True]


def test_two_revisions_split_50_50_and_labels_pin_one(az, env, tmp_path, session):
    blue, green = _page_image(tmp_path, "blue"), _page_image(tmp_path, "green")
    app = _create(az, "split", blue, "--revisions-mode", "multiple", "--revision-suffix", "blue")
    domain = env["properties"]["defaultDomain"]
    r = az("containerapp", "update", "-n", "split", "-g", "aca-rg", "--image", green, "--revision-suffix", "green")
    assert r.code == 0, r.err
    r = az("containerapp", "ingress", "traffic", "set", "-n", "split", "-g", "aca-rg", "--revision-weight",
           "split--blue=50", "split--green=50")
    assert r.code == 0, r.err
    traffic = {t.get("revisionName") or "latest": t["weight"] for t in r.json()}
    assert traffic == {"latest": 0, "split--blue": 50, "split--green": 50}
    url = f"https://{app['properties']['configuration']['ingress']['fqdn']}/"
    time.sleep(1)
    counts = {"blue": 0, "green": 0}
    for _ in range(200):
        counts[session.get(url, timeout=10).text.strip()] += 1
    assert 85 <= counts["blue"] <= 115, counts
    # a label address always reaches its revision; so does a revision address
    r = az("containerapp", "revision", "label", "add", "-n", "split", "-g", "aca-rg", "--revision", "split--green",
           "--label", "stage")
    assert r.code == 0, r.err
    time.sleep(1)
    assert {session.get(f"https://split---stage.{domain}/", timeout=10).text.strip() for _ in range(20)} == {"green"}
    assert {session.get(f"https://split--blue.{domain}/", timeout=10).text.strip() for _ in range(20)} == {"blue"}
    # weights that exceed 100 are refused; single mode refuses traffic changes
    r = az("containerapp", "ingress", "traffic", "set", "-n", "split", "-g", "aca-rg", "--revision-weight",
           "split--blue=80", "split--green=40")
    assert r.code == 1 and "Traffic sums may not exceed 100." in r.err


def test_traffic_weight_arithmetic():
    from azlocal.aca.containerapps import update_weights

    assert update_weights([{"latestRevision": True, "weight": 100}], {"app--v1": 20}) == [
        {"latestRevision": True, "weight": 80}, {"latestRevision": False, "revisionName": "app--v1", "weight": 20}]


def test_secrets_lifecycle(az, env, tmp_path):
    image = _page_image(tmp_path, "plain")
    r = az("containerapp", "create", "-n", "holder", "-g", "aca-rg", "--environment", "test-env", "--image", image,
           "--secrets", "token=first-value", "--env-vars", "TOKEN=secretref:token")
    assert r.code == 0, r.err
    assert "first-value" not in r.out

    import subprocess

    def printenv():
        return subprocess.run(["az", "containerapp", "exec", "-n", "holder", "-g", "aca-rg", "--command",
                               "sh -c 'echo $TOKEN'"], env=az.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL).stdout.strip()

    assert printenv() == "first-value"
    assert az("containerapp", "secret", "set", "-n", "holder", "-g", "aca-rg", "--secrets", "token=second").code == 0
    assert printenv() == "first-value"  # running revisions keep the old value ...
    latest = az("containerapp", "show", "-n", "holder", "-g", "aca-rg", "--query",
                "properties.latestRevisionName", "-o", "tsv").out.strip()
    assert az("containerapp", "revision", "restart", "-n", "holder", "-g", "aca-rg", "--revision", latest).code == 0
    assert printenv() == "second"  # ... until the revision restarts
    r = az("containerapp", "secret", "remove", "-n", "holder", "-g", "aca-rg", "--secret-names", "token")
    assert r.code == 1 and "referenced by the active revision" in r.err
    shown = az("containerapp", "show", "-n", "holder", "-g", "aca-rg").out
    assert "second" not in shown
    with_secrets = az("containerapp", "show", "-n", "holder", "-g", "aca-rg", "--show-secrets").json()
    assert with_secrets["properties"]["configuration"]["secrets"] == [{"name": "token", "value": "second"}]


@pytest.mark.parametrize("args, message", [
    (["-n", "Bad_Name"], "Invalid ContainerApp name"),
    (["-n", "okname", "--environment", "no-such-env"], "does not exist"),
    (["-n", "okname", "--cpu", "0.3", "--memory", "0.5Gi"], "ContainerAppInvalidResourceTotal"),
    (["-n", "okname", "--env-vars", "X=secretref:missing"], "ContainerAppSecretRefNotFound"),
    (["-n", "okname", "--secrets", "BAD=x"], "ContainerAppInvalidSecretName"),
    (["-n", "okname", "--revision-suffix", "Bad--suffix"], "Invalid Container App revision suffix"),
    (["-n", "okname", "--target-port", "80"], "must specify --ingress with --target-port"),
])
def test_bad_input_changes_nothing(az, env, home, args, message):
    command = ["containerapp", "create", "-g", "aca-rg"] + args
    if "--environment" not in args:
        command += ["--environment", "test-env"]
    r = az(*command)
    assert r.code in (1, 2), r.err
    assert message in r.err
    assert az("containerapp", "list", "-g", "aca-rg").json() == []
    import subprocess

    leftover = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=azlocal.home={home.resolve()}"],
                              capture_output=True, text=True).stdout.split()
    assert leftover == []


def test_up_from_source_creates_everything_and_redeploys(az, tmp_path, home, session):
    ctx = busybox.write_context(tmp_path / "src", ["RUN mkdir -p /www && echo built-by-up > /www/index.html",
                                                   "EXPOSE 8080", 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'])
    import subprocess

    r = subprocess.run(["az", "containerapp", "up", "-n", "upapp", "-g", "up-rg", "--source", "."], cwd=ctx,
                       env=az.env, capture_output=True, text=True)
    try:
        assert r.returncode == 0, r.stderr
        assert not r.stdout.lstrip().startswith("{")  # the build's log streams; no JSON is printed
        assert "Adding external ingress port 8080 based on dockerfile expose." in r.stderr
        assert "Creating ContainerAppEnvironment 'upapp-env'" in r.stderr
        assert "Your container app upapp has been created and deployed! Congrats!" in r.stderr
        app = az("containerapp", "show", "-n", "upapp", "-g", "up-rg").json()
        image = app["properties"]["template"]["containers"][0]["image"]
        assert image.startswith("ca") and ".azurecr.io/upapp:" in image
        assert app["properties"]["configuration"]["ingress"]["targetPort"] == 8080
        fqdn = app["properties"]["configuration"]["ingress"]["fqdn"]
        assert session.get(f"https://{fqdn}/", timeout=10).text.strip() == "built-by-up"
        (ctx / "Dockerfile").write_text((ctx / "Dockerfile").read_text().replace("built-by-up", "rebuilt"))
        r = subprocess.run(["az", "containerapp", "up", "-n", "upapp", "--source", "."], cwd=ctx, env=az.env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "Updating Containerapp upapp in resource group up-rg" in r.stderr
        time.sleep(1)
        assert session.get(f"https://{fqdn}/", timeout=10).text.strip() == "rebuilt"
        assert len(az("containerapp", "revision", "list", "-n", "upapp", "-g", "up-rg", "--all").json()) == 2
    finally:
        az("group", "delete", "-n", "up-rg", "--yes")


SIDECAR_YAML = """
properties:
  configuration:
    activeRevisionsMode: Single
    ingress: {external: true, targetPort: 80}
    secrets: [{name: greeting, value: hello-secret}]
  template:
    initContainers:
    - name: init
      image: azlocal/busybox:latest
      command: ["sh", "-c", "echo from-init > /shared/init.txt"]
      resources: {cpu: 0.25, memory: 0.5Gi}
      volumeMounts: [{volumeName: shared, mountPath: /shared}]
    containers:
    - name: web
      image: azlocal/busybox:latest
      command: ["httpd", "-f", "-p", "80", "-h", "/shared"]
      resources: {cpu: 0.25, memory: 0.5Gi}
      volumeMounts: [{volumeName: shared, mountPath: /shared}]
    - name: sidecar
      image: azlocal/busybox:latest
      command: ["sh", "-c", "echo \\"$GREETING\\" > /shared/side.txt; sleep 600"]
      env: [{name: GREETING, secretRef: greeting}]
      resources: {cpu: 0.25, memory: 0.5Gi}
      volumeMounts: [{volumeName: shared, mountPath: /shared}]
    volumes: [{name: shared, storageType: EmptyDir}]
"""


def test_yaml_with_init_container_and_sidecar(az, env, tmp_path, session):
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    (tmp_path / "app.yaml").write_text(SIDECAR_YAML)
    r = az("containerapp", "create", "-n", "pod", "-g", "aca-rg", "--environment", "test-env", "--yaml",
           str(tmp_path / "app.yaml"))
    assert r.code == 0, r.err
    app = r.json()
    assert [c["name"] for c in app["properties"]["template"]["containers"]] == ["web", "sidecar"]
    fqdn = app["properties"]["configuration"]["ingress"]["fqdn"]
    assert session.get(f"https://{fqdn}/init.txt", timeout=10).text.strip() == "from-init"
    deadline = time.time() + 10
    text = ""
    while time.time() < deadline and text != "hello-secret":
        text = session.get(f"https://{fqdn}/side.txt", timeout=10).text.strip()
        time.sleep(0.3)
    assert text == "hello-secret"


def test_scale_to_zero_and_back_and_http_scale_out(az, env, tmp_path, home, session):
    import os
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    # A page that takes a second, so concurrent requests pile up in flight.
    ctx = busybox.write_context(tmp_path / "slow", [
        "RUN mkdir -p /www/cgi-bin && echo ok > /www/index.html",
        "COPY slow /www/cgi-bin/slow", 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]'],
        files={"slow": "#!/bin/sh\nsleep 1\necho 'Content-Type: text/plain'\necho\necho slow-ok\n"})
    image = busybox.build(ctx, "azlocal-test/slow:v1")
    quick_env = dict(az.env, AZLOCAL_SCALE_TO_ZERO_SECONDS="3")
    r = subprocess.run(["az", "containerapp", "create", "-n", "sleepy", "-g", "aca-rg", "--environment", "test-env",
                        "--image", image, "--ingress", "external", "--target-port", "80", "--min-replicas", "0",
                        "--query", "properties.configuration.ingress.fqdn", "-o", "tsv"], env=quick_env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    url = f"https://{r.stdout.strip()}/"

    def replicas(app):
        return az("containerapp", "revision", "list", "-n", app, "-g", "aca-rg", "--query", "[0].properties.replicas",
                  "-o", "tsv").out.strip()

    assert session.get(url, timeout=10).text.strip() == "ok"
    deadline = time.time() + 30
    while time.time() < deadline and replicas("sleepy") != "0":
        time.sleep(1)
    assert replicas("sleepy") == "0"
    assert session.get(url, timeout=60).text.strip() == "ok"  # the gateway starts a replica and holds the request
    assert replicas("sleepy") == "1"

    r = az("containerapp", "create", "-n", "busy", "-g", "aca-rg", "--environment", "test-env", "--image", image,
           "--ingress", "external", "--target-port", "80", "--min-replicas", "1", "--max-replicas", "3",
           "--scale-rule-name", "http-rule", "--scale-rule-http-concurrency", "1")
    assert r.code == 0, r.err
    rules = r.json()["properties"]["template"]["scale"]["rules"]
    assert rules == [{"http": {"metadata": {"concurrentRequests": ""}}, "name": "http-rule"}]  # az blanks values
    slow = f"https://{r.json()['properties']['configuration']['ingress']['fqdn']}/cgi-bin/slow"

    def hit(_):
        s = requests.Session()
        s.verify = str(home / "ca.crt")
        return s.get(slow, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            assert set(pool.map(hit, range(8))) == {200}
    assert int(replicas("busy")) >= 2
    assert int(replicas("busy")) <= 3
    os.environ.pop("AZLOCAL_SCALE_TO_ZERO_SECONDS", None)


def test_internal_ingress_is_reachable_only_inside_the_environment(az, env, tmp_path, home):
    import subprocess

    image = _page_image(tmp_path, "inside")
    r = az("containerapp", "create", "-n", "backend", "-g", "aca-rg", "--environment", "test-env", "--image", image,
           "--ingress", "internal", "--target-port", "80")
    assert r.code == 0, r.err
    fqdn = r.json()["properties"]["configuration"]["ingress"]["fqdn"]
    assert fqdn == f"backend.internal.{env['properties']['defaultDomain']}"
    assert az("containerapp", "create", "-n", "frontend", "-g", "aca-rg", "--environment", "test-env", "--image",
              image, "-o", "none").code == 0
    inside = subprocess.run(["az", "containerapp", "exec", "-n", "frontend", "-g", "aca-rg", "--command",
                             f"wget -q -O - http://{fqdn}/"], env=az.env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    assert inside.stdout.strip() == "inside", inside.stderr
    outside = subprocess.run(["curl", "-s", "--max-time", "3", f"https://{fqdn}/"], capture_output=True, text=True)
    assert outside.returncode != 0 or "inside" not in outside.stdout
    assert fqdn not in open("/etc/hosts").read()
