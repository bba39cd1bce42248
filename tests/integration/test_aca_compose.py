"""az containerapp compose create on real Docker: two built services (web depends on api) where web calls
api by its service name with busybox wget, and the answer comes back through web's external ingress over
HTTPS; environment and file secrets reach the container. Bad input (and a service that fails late) leaves
nothing behind."""

import subprocess

import pytest
import requests

from tests.integration import busybox

pytestmark = pytest.mark.integration

CGI = """#!/bin/sh
echo "Content-Type: text/plain"
echo ""
echo "$GREETING $token"
wget -q -O - http://api/
"""


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "compose-rg")


def _contexts(tmp_path):
    api = busybox.write_context(tmp_path / "api", ["COPY www /www", "EXPOSE 80",
                                                   'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]'],
                                files={"www/index.html": "api-says-hi\n"})
    web = busybox.write_context(tmp_path / "web", ["COPY www /www", 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]'],
                                files={"www/cgi-bin/call": CGI})
    (web / "Dockerfile").rename(web / "web.Dockerfile")
    return api, web


def _leftovers(home):
    return subprocess.run(["docker", "ps", "-aq", "--filter", f"label=azlocal.home={home.resolve()}"],
                          capture_output=True, text=True).stdout.split()


def _nothing_created(az, home):
    assert az("containerapp", "list", "-g", "compose-rg").json() == []
    assert az("containerapp", "env", "show", "-n", "compose-env", "-g", "compose-rg").code == 3
    assert _leftovers(home) == []


def test_bad_input_changes_nothing_then_two_services_talk_by_name(az, rg, tmp_path, home):
    create = ("containerapp", "compose", "create", "-g", "compose-rg", "--environment", "compose-env")

    r = az(*create, "-f", str(tmp_path / "missing.yml"))
    assert r.code == 1 and f"ERROR: {tmp_path / 'missing.yml'} does not exist" in r.err
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  web: [unclosed\n")
    r = az(*create, "-f", str(bad))
    assert r.code == 1 and f"ERROR: Error parsing {bad} (" in r.err
    bad.write_text("version: '3'\n")
    r = az(*create, "-f", str(bad))
    assert r.code == 1 and "defines no services" in r.err
    bad.write_text("services:\n  ok:\n    image: azlocal-test/compose-ok:v1\n  Bad_Name:\n    image: busybox\n")
    r = az(*create, "-f", str(bad))
    assert r.code == 1 and "ERROR: Invalid ContainerApp name Bad_Name." in r.err
    ok = busybox.build(busybox.write_context(tmp_path / "ok", ['CMD ["sleep", "3600"]']), "azlocal-test/compose-ok:v1")
    bad.write_text(f"services:\n  ok:\n    image: {ok}\n")
    r = az(*create, "-f", str(bad), "--transport-mapping", "ok")
    assert r.code == 1 and "ERROR: Invalid transport mapping 'ok'" in r.err
    _nothing_created(az, home)
    # the second service fails only when its image is pulled: the first app and the new environment go again
    bad.write_text(f"services:\n  ok:\n    image: {ok}\n  late:\n    image: azlocal-test/compose-missing:v1\n"
                   "    depends_on: [ok]\n")
    r = az(*create, "-f", str(bad))
    assert r.code == 1 and "'azlocal-test/compose-missing:v1' cannot be pulled" in r.err, r.err
    assert "Container app created." in r.err  # the first app was made, and removed again
    _nothing_created(az, home)

    api, web = _contexts(tmp_path)
    secret = tmp_path / "token.txt"
    secret.write_text("s3cret")
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(f"""
services:
  web:
    build:
      context: {web}
      dockerfile: web.Dockerfile
    depends_on: [api]
    ports: ["8080:80"]
    environment:
      GREETING: hello
    secrets:
      - source: my_token
        target: token
    restart: always
  api:
    build: {api}
    expose: ["80"]
secrets:
  my_token:
    file: {secret}
""")
    r = az(*create, "-f", str(compose), "--transport-mapping", "web=http2")
    assert r.code == 0, r.err
    assert "services/web/restart" in r.err and "The build will be performed by Azure Container Registry." in r.err
    apps = az("containerapp", "list", "-g", "compose-rg").json()
    assert sorted(a["name"] for a in apps) == ["api", "web"]
    web_app = az("containerapp", "show", "-n", "web", "-g", "compose-rg").json()
    ingress = web_app["properties"]["configuration"]["ingress"]
    assert ingress["external"] is True and ingress["targetPort"] == 80 and ingress["transport"] == "Http2"
    env = {e["name"]: e for e in web_app["properties"]["template"]["containers"][0]["env"]}
    assert env["GREETING"]["value"] == "hello" and env["token"]["secretRef"] == "token"
    api_app = az("containerapp", "show", "-n", "api", "-g", "compose-rg").json()
    assert api_app["properties"]["configuration"]["ingress"]["external"] is False
    assert api_app["properties"]["environmentId"] == web_app["properties"]["environmentId"]
    assert api_app["systemData"]["createdAt"] <= web_app["systemData"]["createdAt"]  # depends_on order
    session = requests.Session()
    session.verify = str(home / "ca.crt")
    answer = session.get(f"https://{ingress['fqdn']}/cgi-bin/call", timeout=20)
    assert answer.status_code == 200, answer.text
    assert answer.text.split() == ["hello", "s3cret", "api-says-hi"]
