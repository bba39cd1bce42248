"""A compose file -> one plan per service (what `az containerapp create` gets for it), as az 2.91 maps it.

Reads the file with PyYAML (through core.yamlsafe's limits) and applies the compose rules az's reader
applies (compose_rules). Everything is resolved here, before anything is created: the order that
`depends_on` gives, ingress from `ports` (external) or `expose` (internal), the transport from
--transport-mapping, `command`/`entrypoint`, CPU and memory, replicas, environment (env_file, then
`environment`), secrets as secretref environment variables, `build`. Questions az asks (an empty
environment value, one of several ports, registry credentials) go to the caller's `ask`; services never
prompt. Relative paths (env_file, secret files, build contexts) are the working directory's, as in az.
"""

from dataclasses import dataclass, field

from knack.log import get_logger

from azlocal.aca import compose_rules as rules
from azlocal.core import yamlsafe
from azlocal.core.errors import ValidationError

logger = get_logger(__name__)
TRANSPORTS = ("auto", "http", "http2", "tcp")


@dataclass
class ServicePlan:
    """One service as `az containerapp create` arguments (names as create's own)."""
    name: str
    image: str = None
    build: dict = None  # {context, dockerfile}
    container_name: str = None
    ingress: str = None
    target_port: int = None
    transport: str = "auto"
    command: list = None
    args: list = None
    cpu: str = None
    memory: str = None
    env_vars: list = None
    secrets: list = None
    replicas: int = None
    warnings: list = field(default_factory=list)


def _no_tty(kind, message, options=None):
    raise ValidationError(f"Unable to prompt for '{message.strip()}': no tty available.")


# Reading ---------------------------------------------------------------------------------------

def read(path):
    """The compose file's document, with az's errors for a missing or unreadable file and bad YAML."""
    try:
        with open(path, encoding="utf-8") as f:
            content = f.read().replace("\x00", "")
    except FileNotFoundError:
        raise ValidationError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as ex:
        raise ValidationError(f"Error parsing {path} ({ex})") from None
    try:
        doc = yamlsafe.load(content, what=path)
    except ValidationError as ex:
        prefix = f"{path} is not valid: "
        raise ValidationError(f"Error parsing {path} ({str(ex)[len(prefix):]})" if str(ex).startswith(prefix)
                              else str(ex)) from None
    if not isinstance(doc, dict):
        raise ValidationError(f"Error parsing {path} (the compose file must be a mapping with 'services')")
    services = doc.get("services")
    if not isinstance(services, dict) or not services:
        raise ValidationError(f"The compose file {path} defines no services: a 'services' mapping with at least "
                              "one service is required.")
    for name, service in services.items():
        if service is not None and not isinstance(service, dict):
            raise ValidationError(f"Error parsing {path} (services/{name} must be a mapping)")
    secrets = doc.get("secrets")
    if secrets is not None and not isinstance(secrets, dict):
        raise ValidationError(f"Error parsing {path} (secrets must be a mapping)")
    return rules.interpolate_tree({"services": {str(k): v or {} for k, v in services.items()},
                                   "secrets": secrets})


def ordered(services):
    """The service names in the order az creates them: file order, each service after what it depends on."""
    out = []

    def visit(name, chain):
        if name in chain:
            raise ValidationError(f"Found a dependency cycle between services: {' -> '.join(chain + [name])}.")
        if name in out:
            return
        for dep in _depends_on(services[name], name):
            if dep not in services:
                raise ValidationError(f"Service '{name}' depends on undefined service '{dep}'.")
            visit(dep, chain + [name])
        out.append(name)

    for name in services:
        visit(name, [])
    return out


def _depends_on(service, name):
    deps = service.get("depends_on")
    if deps is None:
        return []
    if isinstance(deps, dict):
        return [str(k) for k in deps]
    if isinstance(deps, (list, str)):
        return [str(d) for d in rules.as_list(deps)]
    raise ValidationError(f"Invalid depends_on in services/{name}: a list or a mapping of services is expected.")


# Per service -----------------------------------------------------------------------------------

def _ingress(service, path, ask):
    ports, expose = service.get("ports"), service.get("expose")
    if ports is not None:
        targets = [rules.port_target(p, f"{path}/ports") for p in rules.as_list(ports)]
        return "external", _choose(targets, "port", ask)
    if expose is not None:
        targets = [rules.expose_port(p, f"{path}/expose") for p in rules.as_list(expose)]
        return "internal", _choose(targets, "expose", ask)
    return None, None


def _choose(ports, what, ask):
    if not ports:
        return None
    if len(ports) == 1:
        return ports[0]
    message = (f"You have more than one {what} mapping defined in your docker-compose file. Which port would you "
               "like to use? ")
    return ports[ask("choice", message, [str(p) for p in ports])]


def transport_for(service_name, mapping):
    """--transport-mapping (lists of 'service=transport') -> this service's transport ('auto' if none)."""
    for setting in check_transport_mapping(mapping):
        key, value = setting.split("=")
        if key.lower() == service_name.lower():
            return value
    return "auto"


def check_transport_mapping(mapping):
    flat = [s for group in (mapping or []) for s in (group if isinstance(group, list) else [group])]
    for setting in flat:
        parts = setting.split("=")
        if len(parts) != 2 or not parts[0]:
            raise ValidationError(f"Invalid transport mapping '{setting}': use servicename=transportsetting, e.g. "
                                  "web=http2.")
        if parts[1].lower() not in TRANSPORTS:
            raise ValidationError(f"Invalid transport '{parts[1]}' in '{setting}': allowed values are "
                                  f"{', '.join(TRANSPORTS)}.")
    return flat


def _startup(service):
    entrypoint, command = service.get("entrypoint"), service.get("command")
    if entrypoint is not None:
        return [rules.command_string(entrypoint)], ([rules.command_string(command)] if command is not None else [])
    if command is not None:
        return [rules.command_string(command)], None
    return None, None


def _resources(service, path):
    deploy = service.get("deploy") if isinstance(service.get("deploy"), dict) else None
    cpu = memory = None
    if deploy is not None and deploy.get("resources") is not None:
        reservations = (deploy["resources"] or {}).get("reservations") or {}
        if reservations.get("cpus") is not None:
            cpu = rules.decimal_text(reservations["cpus"], f"{path}/deploy/resources/reservations/cpus")
        if reservations.get("memory") is not None:
            memory = str(rules.gigabytes(reservations["memory"], f"{path}/deploy/resources/reservations/memory"))
    else:
        if service.get("cpus") is not None:
            cpu = rules.decimal_text(service["cpus"], f"{path}/cpus")
        if service.get("mem_reservation") is not None:
            memory = str(rules.gigabytes(service["mem_reservation"], f"{path}/mem_reservation"))
    return cpu, memory


def _replicas(service, path):
    replicas = None
    if service.get("scale"):
        replicas = _integer(service["scale"], f"{path}/scale")
    deploy = service.get("deploy") if isinstance(service.get("deploy"), dict) else None
    if deploy is not None:
        if deploy.get("replicas") is not None:
            replicas = _integer(deploy["replicas"], f"{path}/deploy/replicas")
        if deploy.get("mode") == "global":
            replicas = 1
    return replicas


def _integer(value, where):
    try:
        return int(str(value))
    except ValueError:
        raise ValidationError(f"Invalid number '{value}' in {where}: an integer is expected.") from None


def _key_values(value):
    """`environment` as a list ('K=v', 'K') or a mapping -> {K: text or None}."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out[str(k)] = rules.text(v)
    else:
        for line in rules.as_list(value) or []:
            line = str(line)
            if "=" not in line.rstrip("="):
                out[line.rstrip("=")] = None
            else:
                k, v = line.split("=", 1)
                out[k] = v
    return out


def _env_file(value, path):
    out = {}
    for item in rules.as_list(value):
        name = item.get("path") if isinstance(item, dict) else str(item)
        try:
            with open(name, encoding="utf-8") as f:
                lines = [line.rstrip("\n") for line in f if not line.startswith("#") and line.strip()]
        except OSError as ex:
            raise ValidationError(f"Cannot read the env_file '{name}' of {path}: {ex.strerror}") from None
        out.update(_key_values([rules.interpolate(line) for line in lines]))
    return out


def _environment(service, path, ask):
    if service.get("env_file") is None and service.get("environment") is None:
        return None
    values = _env_file(service["env_file"], path) if service.get("env_file") is not None else {}
    values.update(_key_values(service.get("environment")))
    out = []
    for k, v in values.items():
        if v is None:
            v = ask("text", f"{k} is empty. What would you like the value to be? ")
        out.append(f"{k}={v}")
    return out


def _secrets(service, path, top_level):
    refs = rules.as_list(service.get("secrets"))
    if refs is None:
        return None, None
    values, env = [], []
    for ref in refs:
        source = str(ref.get("source")) if isinstance(ref, dict) else str(ref)
        target = ref.get("target") if isinstance(ref, dict) else None
        if not isinstance(top_level, dict) or source not in top_level:
            raise ValidationError(f"The secret '{source}' of {path} is not defined in the compose file's top-level "
                                  "secrets.")
        config = top_level[source] or {}
        if not isinstance(config, dict) or config.get("file") is None:
            continue  # external (or environment) secrets: az maps only the file ones
        try:
            with open(str(config["file"]), encoding="utf-8") as f:
                value = f.read()
        except OSError as ex:
            raise ValidationError(f"Cannot read the file '{config['file']}' of secret '{source}': {ex.strerror}") \
                from None
        name = str(target if target is not None else source).replace("_", "-")
        values.append(f"{name}={value}")
        env.append(f"{name}=secretref:{name}")
    if not values:
        return None, None
    return values, env


def _build(service, path):
    build = service.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict) or not build.get("context"):
        raise ValidationError(f"Invalid build in {path}: a build context (a local directory) is required.")
    return {"context": str(build["context"]), "dockerfile": str(build.get("dockerfile") or "Dockerfile")}


def plan_service(name, service, top_secrets, *, transport_mapping=None, workload_profiles=True, ask=_no_tty):
    """One service -> its ServicePlan (warnings collected in order, logged by `plan`)."""
    path = f"services/{name}"
    if not rules.supported_platform(service.get("platform")):
        raise ValidationError("Unsupported platform found. Azure Container Apps only supports linux/amd64 container "
                              "images.")
    p = ServicePlan(name=name, image=rules.text(service.get("image")),
                    container_name=rules.text(service.get("container_name")))
    p.warnings.extend(rules.unsupported_warnings(service, path))
    p.ingress, p.target_port = _ingress(service, path, ask)
    p.transport = transport_for(name, transport_mapping)
    p.command, p.args = _startup(service)
    cpu, memory = _resources(service, path)
    p.cpu, p.memory = rules.cpu_and_memory(cpu, memory, workload_profiles, p.warnings.append)
    p.replicas = _replicas(service, path)
    p.env_vars = _environment(service, path, ask)
    p.secrets, secret_env = _secrets(service, path, top_secrets)
    if p.secrets:
        p.warnings.append("Note: Secrets will be mapped as secure environment variables in Azure Container Apps.")
    if secret_env:
        p.env_vars = (p.env_vars or []) + secret_env
    p.build = _build(service, path)
    if p.build:
        p.warnings.extend(["Build configuration defined for this service.",
                           "The build will be performed by Azure Container Registry."])
    _check_env_names(p.env_vars)
    return p


def _check_env_names(env_vars):
    seen = set()
    for item in env_vars or []:
        key = item.split("=", 1)[0]
        if key in seen:
            raise ValidationError(f"Duplicate environment variable {key} found, environment variable names must be "
                                  "unique.")
        seen.add(key)


def plan(path, *, transport_mapping=None, workload_profiles=True, ask=_no_tty):
    """The compose file at `path` -> [ServicePlan] in creation order; az's warnings are logged here."""
    doc = read(path)
    check_transport_mapping(transport_mapping)
    services = doc["services"]
    plans = []
    for name in ordered(services):
        p = plan_service(name, services[name], doc["secrets"], transport_mapping=transport_mapping,
                         workload_profiles=workload_profiles, ask=ask)
        for line in p.warnings:
            logger.warning(line)
        plans.append(p)
    return plans
