"""compose create's mapping, without Docker: every compose key az 2.91 handles -> the app's create arguments
and definition, az's warnings, its order, and the errors for bad input (raised before anything exists)."""

import pytest

from azlocal.aca import compose, compose_deploy
from azlocal.aca import compose_rules as rules
from azlocal.core.errors import ValidationError


def _plans(tmp_path, text, monkeypatch=None, answers=(), **kw):
    path = tmp_path / "docker-compose.yml"
    path.write_text(text)
    if monkeypatch is not None:
        monkeypatch.chdir(tmp_path)
    answers = list(answers)
    asked = []

    def ask(kind, message, options=None):
        asked.append((kind, message, options))
        return answers.pop(0)

    plans = compose.plan(str(path), ask=ask, **kw)
    return {p.name: p for p in plans}, [p.name for p in plans], asked


def test_order_follows_depends_on_then_file_order(tmp_path):
    _, order, _ = _plans(tmp_path, """
services:
  web: {image: a, depends_on: [api, cache]}
  worker: {image: a, depends_on: {db: {condition: service_healthy}}}
  api: {image: a, depends_on: [db]}
  db: {image: a}
  cache: {image: a}
""")
    assert order == ["db", "api", "cache", "web", "worker"]


@pytest.mark.parametrize("text, message", [
    ("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n", "dependency cycle"),
    ("services:\n  a: {image: x, depends_on: [nope]}\n", "depends on undefined service 'nope'"),
    ("version: '3'\n", "defines no services"),
    ("services: {}\n", "defines no services"),
    ("services:\n  a: [1]\n", "services/a must be a mapping"),
    ("services:\n  a: {image: x, platform: linux/arm64}\n", "Azure Container Apps only supports linux/amd64"),
    ("services:\n  a: {image: x, secrets: [nope]}\n", "The secret 'nope' of services/a is not defined"),
    ("services:\n  a: {image: x, expose: ['3000-3005']}\n", "Invalid port '3000-3005' in services/a/expose"),
    ("services:\n  a: {build: {dockerfile: D}}\n", "a build context (a local directory) is required"),
    ("services:\n  a: {image: x, environment: ['A=${NOPE_UNSET_VAR:?need it}']}\n",
     "Failed to evaluate mandatory variable NOPE_UNSET_VAR"),
])
def test_bad_files_are_refused(tmp_path, text, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _plans(tmp_path, text)


def test_missing_file_and_bad_yaml_give_azs_errors(tmp_path):
    with pytest.raises(ValidationError, match=r"^.*missing.yml does not exist$"):
        compose.read(str(tmp_path / "missing.yml"))
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  web: [unclosed\n")
    with pytest.raises(ValidationError, match=rf"^Error parsing {bad} \("):
        compose.read(str(bad))


def test_ingress_from_ports_or_expose(tmp_path):
    plans, _, _ = _plans(tmp_path, """
services:
  ext: {image: a, ports: "8080:80"}
  long: {image: a, ports: [{target: 81, published: 8081}]}
  both: {image: a, ports: ["4000:3000"], expose: ["5000"]}
  ip: {image: a, ports: ["127.0.0.1:9000:90/udp"]}
  int: {image: a, expose: ["3000"]}
  bare: {image: a, ports: [82]}
  none: {image: a}
""")
    assert (plans["ext"].ingress, plans["ext"].target_port) == ("external", 80)
    assert plans["long"].target_port == 81
    assert (plans["both"].ingress, plans["both"].target_port) == ("external", 3000)
    assert plans["ip"].target_port == 90
    assert (plans["int"].ingress, plans["int"].target_port) == ("internal", 3000)
    assert plans["bare"].target_port == 82
    assert (plans["none"].ingress, plans["none"].target_port) == (None, None)


def test_several_ports_ask_which_one(tmp_path):
    plans, _, asked = _plans(tmp_path, "services:\n  a: {image: x, ports: ['4000:3000', '443:443']}\n", answers=[1])
    assert plans["a"].target_port == 443
    assert asked[0][0] == "choice" and asked[0][2] == ["3000", "443"]
    assert "more than one port mapping" in asked[0][1]
    with pytest.raises(ValidationError, match="no tty"):
        compose.plan_service("a", {"image": "x", "expose": [1, 2]}, None)


def test_transport_mapping(tmp_path):
    plans, _, _ = _plans(tmp_path, "services:\n  foo: {image: x, ports: '8080:80'}\n  bar: {image: x}\n",
                         transport_mapping=[["FOO=http2", "baz=auto"], ["qux=http"]])
    assert plans["foo"].transport == "http2" and plans["bar"].transport == "auto"
    for bad, message in ((["foo"], "Invalid transport mapping 'foo'"), (["foo=a=b"], "Invalid transport mapping"),
                         (["foo=grpc"], "Invalid transport 'grpc'")):
        with pytest.raises(ValidationError, match=message):
            _plans(tmp_path, "services:\n  foo: {image: x}\n", transport_mapping=[bad])


def test_command_and_entrypoint_as_az_joins_them(tmp_path):
    plans, _, _ = _plans(tmp_path, """
services:
  s: {image: x, command: 'echo "hello world"'}
  l: {image: x, command: ["echo", "hello world"]}
  e: {image: x, command: ["echo", "hello world"], entrypoint: /code/entrypoint.sh}
  n: {image: x, entrypoint: ["sleep", 10]}
""")
    assert (plans["s"].command, plans["s"].args) == (['echo "hello world"'], None)
    assert (plans["l"].command, plans["l"].args) == (['echo "hello world"'], None)
    assert (plans["e"].command, plans["e"].args) == (["/code/entrypoint.sh"], ['echo "hello world"'])
    assert (plans["n"].command, plans["n"].args) == (["sleep 10"], [])
    assert rules.command_string(["a b", "c"]) == '"a b"c'  # az's reader: no space after a quoted item


def test_cpu_and_memory(tmp_path):
    text = """
services:
  cpus: {image: x, cpus: 1.25, mem_reservation: 2.5g}
  deploy: {image: x, cpus: 0.75, deploy: {resources: {reservations: {cpus: 1.25, memory: 2.5g}}}}
  nomem: {image: x, cpus: 0.5}
  wrongmem: {image: x, cpus: 0.5, mem_reservation: 512m}
  badcpu: {image: x, cpus: 0.3}
  int: {image: x, cpus: 1}
  deploy_only_limits: {image: x, cpus: 0.5, deploy: {resources: {limits: {cpus: 2}}}}
"""
    plans, _, _ = _plans(tmp_path, text, workload_profiles=False)
    got = {n: (p.cpu, p.memory) for n, p in plans.items()}
    assert got == {"cpus": ("1.25", "2.5Gi"), "deploy": ("1.25", "2.5Gi"), "nomem": ("0.5", "1.0Gi"),
                   "wrongmem": ("0.5", "1.0Gi"), "badcpu": (None, None), "int": (None, None),
                   "deploy_only_limits": (None, None)}
    assert plans["wrongmem"].warnings == ["Unsupported memory reservation request of 0.5.The default value of 1.0Gi "
                                          "will be used."]
    assert plans["badcpu"].warnings == ["Invalid CPU reservation request of 0.3. The default resource values will "
                                        "be used."]
    plans, _, _ = _plans(tmp_path, text, workload_profiles=True)
    assert (plans["int"].cpu, plans["int"].memory) == ("1", None)
    assert (plans["wrongmem"].cpu, plans["wrongmem"].memory) == ("0.5", "0.5Gi")


def test_replicas(tmp_path):
    plans, _, _ = _plans(tmp_path, """
services:
  scale: {image: x, scale: 4}
  replicated: {image: x, deploy: {mode: replicated, replicas: 6}}
  global: {image: x, scale: 4, deploy: {mode: global, replicas: 6}}
  none: {image: x}
""")
    assert {n: p.replicas for n, p in plans.items()} == {"scale": 4, "replicated": 6, "global": 1, "none": None}


def test_environment_env_file_and_interpolation(tmp_path, monkeypatch):
    (tmp_path / "app.env").write_text("# comment\nFROM_FILE=1\nOVERRIDDEN=file\n\n")
    monkeypatch.setenv("COMPOSE_TEST_TAG", "v7")
    plans, _, asked = _plans(tmp_path, """
services:
  list: {image: "x:${COMPOSE_TEST_TAG}", environment: [RACK_ENV=development, SHOW=true, BAZ="snafu", "P=$$HOME"]}
  map: {image: x, environment: {A: 1, B: true, C: "", D: "${COMPOSE_UNSET:-dflt}"}}
  file: {image: x, env_file: app.env, environment: {OVERRIDDEN: compose}}
  ask: {image: x, environment: [LOREM=]}
""", monkeypatch, answers=["typed"])
    assert plans["list"].image == "x:v7"
    assert plans["list"].env_vars == ["RACK_ENV=development", "SHOW=true", 'BAZ="snafu"', "P=$HOME"]
    assert plans["map"].env_vars == ["A=1", "B=True", "C=", "D=dflt"]
    assert plans["file"].env_vars == ["FROM_FILE=1", "OVERRIDDEN=compose"]
    assert plans["ask"].env_vars == ["LOREM=typed"]
    assert asked == [("text", "LOREM is empty. What would you like the value to be? ", None)]


def test_secrets_become_secretref_env_vars(tmp_path, monkeypatch):
    (tmp_path / "my_secret.txt").write_text("Lorem Ipsum\n")
    plans, _, _ = _plans(tmp_path, """
services:
  foo:
    image: x
    environment: {database__client: mysql}
    secrets: [{source: my_secret, target: redis_secret, uid: '103', mode: 0440}, other]
secrets:
  my_secret: {file: ./my_secret.txt}
  other: {external: true}
""", monkeypatch)
    foo = plans["foo"]
    assert foo.secrets == ["redis-secret=Lorem Ipsum\n"]
    assert foo.env_vars == ["database__client=mysql", "redis-secret=secretref:redis-secret"]
    assert foo.warnings == ["Note: Secrets will be mapped as secure environment variables in Azure Container Apps."]
    (tmp_path / "database__client.txt").write_text("x")
    with pytest.raises(ValidationError, match="Duplicate environment variable database--client found"):
        _plans(tmp_path, """
services:
  foo: {image: x, environment: {database--client: mysql}, secrets: [database__client]}
secrets:
  database__client: {file: ./database__client.txt}
""", monkeypatch)


def test_build_and_image(tmp_path):
    plans, _, _ = _plans(tmp_path, """
services:
  short: {build: ./src}
  long: {image: me/app:v1, build: {context: ./src, dockerfile: web.Dockerfile, args: {A: 1}, target: prod}}
  plain: {image: me/app, container_name: main}
""")
    assert plans["short"].build == {"context": "./src", "dockerfile": "Dockerfile"}
    assert plans["long"].build == {"context": "./src", "dockerfile": "web.Dockerfile"}
    assert plans["long"].image == "me/app:v1" and plans["plain"].build is None
    assert plans["plain"].container_name == "main"
    assert plans["short"].warnings == ["Build configuration defined for this service.",
                                       "The build will be performed by Azure Container Registry."]
    w = plans["long"].warnings
    assert w[0].startswith("These build configuration settings") and w[1:3] == ["     services/long/args",
                                                                                 "     services/long/target"]


def test_unsupported_keys_are_named_in_azs_order(tmp_path):
    plans, _, _ = _plans(tmp_path, """
services:
  a:
    image: x
    user: root
    restart: always
    healthcheck: {test: [CMD, "true"]}
    volumes: [./data:/data]
    networks: [front]
    init: false
    pull_policy: sometimes
    labels: {a: b}
""")
    w = plans["a"].warnings
    assert w[0].startswith("These container and host configuration elements")
    assert w[1:5] == ["     services/a/healthcheck", "     services/a/init", "     services/a/restart",
                      "     services/a/user"]
    assert w[5].startswith("These volume mount elements") and w[6] == "     services/a/volumes"
    assert w[7].startswith("These network configuration settings") and w[8] == "     services/a/networks"
    assert len(w) == 9  # an invalid pull_policy is dropped, labels are not warned about (as in az)


def test_interpolation_rules():
    env = {"SET": "v", "EMPTY": ""}
    assert rules.interpolate("${SET} $SET ${UNSET} $$SET", env) == "v v  $SET"
    assert rules.interpolate("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${SET:+alt} ${UNSET:+alt}", env) == "d  d alt "
    with pytest.raises(ValidationError, match="Failed to evaluate mandatory variable EMPTY"):
        rules.interpolate("${EMPTY:?err}", env)
    assert rules.interpolate("${EMPTY?err}", env) == ""


def test_sizes():
    assert str(rules.gigabytes("2.5g", "x")) == "2.5"
    assert str(rules.gigabytes("512m", "x")) == "0.5"
    assert str(rules.gigabytes("1gb", "x")) == "1"
    assert str(rules.gigabytes(1073741824, "x")) == "1"
    with pytest.raises(ValidationError, match="Invalid byte value"):
        rules.gigabytes("lots", "x")


def test_plans_become_valid_definitions(tmp_path, monkeypatch):
    (tmp_path / "s.txt").write_text("v")
    plans, order, _ = _plans(tmp_path, """
services:
  web: {image: me/web, ports: '8080:80', depends_on: [api], deploy: {replicas: 2}, cpus: 0.5,
        command: [serve], entrypoint: [run], secrets: [tok]}
  api: {image: me/api, expose: [3000]}
secrets:
  tok: {file: ./s.txt}
""", monkeypatch, transport_mapping=[["web=http2"]])
    web = compose_deploy._definition(plans["web"], "/subscriptions/x/env", {"server": None})
    c = web.template["containers"][0]
    assert (c["image"], c["name"], c["command"], c["args"]) == ("me/web", "web", ["run"], ["serve"])
    assert c["resources"]["cpu"] == 0.5
    assert c["env"] == [{"name": "tok", "secretRef": "tok"}] and web.secrets == {"tok": "v"}
    assert web.template["scale"]["minReplicas"] == 2 and web.template["scale"]["maxReplicas"] == 2
    assert web.ingress == {"kind": "external", "target_port": 80, "transport": "http2"}
    api = compose_deploy._definition(plans["api"], "/subscriptions/x/env", {"server": None})
    assert api.ingress["kind"] == "internal" and api.template["scale"]["maxReplicas"] == 10
    compose_deploy._check([plans[n] for n in order], "/subscriptions/x/env", {"server": None})


def test_check_refuses_before_anything_exists(tmp_path):
    bad_name = compose.ServicePlan(name="Bad_Name", image="x")
    with pytest.raises(ValidationError, match="Invalid ContainerApp name Bad_Name"):
        compose_deploy._check([compose.ServicePlan(name="ok", image="x"), bad_name], "/e", {"server": None})
    no_context = compose.ServicePlan(name="b", build={"context": str(tmp_path / "nope"), "dockerfile": "Dockerfile"})
    with pytest.raises(ValidationError, match="is not a local directory"):
        compose_deploy._check([no_context], "/e", {"server": None})
    (tmp_path / "ctx").mkdir()
    no_file = compose.ServicePlan(name="b", build={"context": str(tmp_path / "ctx"), "dockerfile": "Dockerfile"})
    with pytest.raises(ValidationError, match="Unable to find 'Dockerfile'"):
        compose_deploy._check([no_file], "/e", {"server": None})
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(ValidationError, match="Cannot supply non-Azure registry when using --source."):
        compose_deploy._check([no_file], "/e", {"server": "docker.io"})


def test_registry_prompts_as_az():
    asked = []

    def ask(kind, message, options=None):
        asked.append((kind, message))
        return "answer"

    assert compose_deploy._registry(None, None, None, ask) == {"server": None, "username": None, "password": None}
    assert compose_deploy._registry("r.azurecr.io", "u", "p", ask)["password"] == "p" and asked == []
    compose_deploy._registry("r.azurecr.io", None, None, ask)
    assert asked == [("text", "Please enter the registry's username: "),
                     ("password", "Please enter the registry's password: ")]
    assert compose_deploy._environment_target("/subscriptions/s/resourceGroups/other/providers/Microsoft.App/"
                                              "managedEnvironments/env1", "rg") == ("other", "env1")
    assert compose_deploy._environment_target("env1", "rg") == ("rg", "env1")


def test_command_errors_in_process(cli, tmp_path):
    assert cli("group", "create", "-n", "crg", "-l", "eastus", "-o", "none").code == 0
    r = cli("containerapp", "compose", "create", "-g", "crg", "--environment", "e", "-f", str(tmp_path / "no.yml"))
    assert r.code == 1 and f"{tmp_path / 'no.yml'} does not exist" in r.err
    r = cli("containerapp", "compose", "create", "-g", "nogroup", "--environment", "e", "-f", "x.yml")
    assert r.code == 3
    assert cli("containerapp", "env", "list", "-g", "crg").out.strip() == "[]"
    # the peer tests delete the app after a compose that failed: az succeeds (ARM's 204 for a missing app)
    assert cli("containerapp", "delete", "-n", "foo", "-g", "crg", "--yes").code == 0
    assert cli("containerapp", "delete", "-n", "foo", "-g", "nogroup", "--yes").code == 3
