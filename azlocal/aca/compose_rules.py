"""The rules az 2.91 applies to a compose file's values (through its compose reader), as pure functions:
variable interpolation, byte sizes, port strings, command strings, the CPU/memory pairs Azure accepts,
and the keys it does not support (said with a warning each). No Docker, no store, no prompts."""

import os
import re
from decimal import Decimal, InvalidOperation

from azlocal.core.errors import ValidationError

# Interpolation ---------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
                       r"|(?P<plain>[A-Za-z_]\w*))")


def interpolate(value, environ=None):
    """`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR:?error}` and `$$`, as the
    compose specification has them; an unset variable is empty."""
    environ = os.environ if environ is None else environ

    def one(match):
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("plain")
        op, arg = match.group("op"), match.group("arg") or ""
        current = environ.get(name)
        empty = current is None or (op or "").startswith(":") and current == ""
        if op in (":-", "-"):
            return arg if empty else current
        if op in (":+", "+"):
            return "" if empty else arg
        if op in (":?", "?") and empty:
            raise ValidationError(f"Failed to evaluate mandatory variable {name}")
        return current or ""

    return _VARIABLE.sub(one, value)


def interpolate_tree(node, environ=None):
    """Every string of a parsed compose document, interpolated (keys stay as written)."""
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, list):
        return [interpolate_tree(v, environ) for v in node]
    if isinstance(node, dict):
        return {k: interpolate_tree(v, environ) for k, v in node.items()}
    return node


def text(value):
    """A scalar as the compose reader turns it into text (Python's str: `true` is 'True')."""
    return None if value is None else str(value)


# Sizes and numbers -----------------------------------------------------------------------------

_UNITS = (("gb", 1073741824), ("g", 1073741824), ("mb", 1048576), ("kb", 1024), ("m", 1048576), ("k", 1024),
          ("b", 1))


def gigabytes(value, where):
    """'2.5g', '512m', '1073741824' -> Decimal gigabytes, computed as az's reader does (its text is what az
    compares with the allowed pairs)."""
    raw = str(value).lower()
    try:
        for unit, factor in _UNITS:
            if raw.endswith(unit):
                return Decimal(raw.rstrip(unit)) * factor / 1073741824
        return Decimal(raw) / 1073741824
    except InvalidOperation:
        raise ValidationError(f"Invalid byte value '{value}' in {where}.") from None


def decimal_text(value, where):
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        raise ValidationError(f"Invalid number '{value}' in {where}.") from None


# The CPU and memory pairs of a Consumption-only environment (vCPU -> GiB).
VALID_RESOURCES = {"0.25": "0.5", "0.5": "1.0", "0.75": "1.5", "1.0": "2.0", "1.25": "2.5", "1.5": "3.0",
                   "1.75": "3.5", "2.0": "4.0"}


def cpu_and_memory(cpu, memory, workload_profiles, warn):
    """az's rule: with workload profiles the values pass as given; otherwise the CPU must be one of the
    pairs' (else both fall back to the defaults) and the memory is the pair's."""
    if workload_profiles:
        return cpu, (f"{memory}Gi" if memory else memory)
    if cpu in VALID_RESOURCES:
        if memory != VALID_RESOURCES[cpu]:
            if memory is not None:
                warn(f"Unsupported memory reservation request of {memory}."
                     f"The default value of {VALID_RESOURCES[cpu]}Gi will be used.")
            memory = VALID_RESOURCES[cpu]
        return cpu, f"{memory}Gi"
    if cpu is not None:
        warn(f"Invalid CPU reservation request of {cpu}. The default resource values will be used.")
    return None, None


# Ports and commands ----------------------------------------------------------------------------

_PORT = re.compile(r"(?P<ip>(\d+\.\d+\.\d+\.\d+:)|)(?P<published>(\d+:)|)(?P<target>\d+)(?P<protocol>(/(tcp|udp))|)")


def port_target(port, where):
    """A `ports:` entry (short '8080:80', '127.0.0.1:8080:80/tcp', a bare number, or the long mapping)
    -> its target (container) port."""
    if isinstance(port, dict):
        target = port.get("target")
    else:
        match = _PORT.search(str(port))
        target = match.group("target") if match else None
    try:
        return int(target)
    except (TypeError, ValueError):
        raise ValidationError(f"Invalid port mapping '{port}' in {where}: a target port is expected.") from None


def expose_port(value, where):
    try:
        return int(str(value))
    except ValueError:
        raise ValidationError(f"Invalid port '{value}' in {where}: a port number is expected.") from None


def as_list(value):
    if value is None:
        return None
    return list(value) if isinstance(value, list) else [value]


_WORDS = re.compile(r"\w+(\s\w+)+")


def command_string(value):
    """`command`/`entrypoint` (a string or a list) -> the one string az passes on: list items are joined
    with spaces, an item of several words quoted (az's reader joins it without a space after)."""
    items = []
    for v in as_list(value):
        items.append(v.strip("[]").strip().strip("'") if isinstance(v, str) else str(v))
    out = ""
    for v in items:
        out += f"\"{v}\"" if len(items) > 1 and _WORDS.match(v) else f"{v} "
    return out.strip()


def supported_platform(platform):
    if platform is None:
        return True
    parts = str(platform).split("/")
    if len(parts) >= 2:
        return parts[0] == "linux" and parts[1] == "amd64"
    return parts[0] == "linux"


# Keys az does not support, in its order, with its warnings -------------------------------------

UNSUPPORTED_BUILD = ["args", "ssh", "cache_from", "cache_to", "extra_hosts", "isolation", "labels", "no_cache",
                     "pull", "shm_size", "target", "secrets", "tags"]
UNSUPPORTED_RUNTIME = [
    "blkio_config", "cpu_count", "cpu_percent", "cpu_shares", "cpu_period", "cpu_quota", "cpu_rt_runtime",
    "cpu_rt_period", "cpuset", "cap_add", "cap_drop", "cgroup_parent", "configs", "credential_spec",
    "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "external_links", "extra_hosts",
    "group_add", "healthcheck", "hostname", "init", "ipc", "isolation", "links", "logging", "mem_limit",
    "mem_swappiness", "memswap_limit", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "privileged",
    "profiles", "pull_policy", "read_only", "restart", "runtime", "security_opt", "shm_size", "stdin_open",
    "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "user", "working_dir"]
UNSUPPORTED_VOLUMES = ["volumes", "volumes_from"]
UNSUPPORTED_NETWORK = ["networks", "network_mode", "mac_address"]

# Values az's reader drops (so does not warn about) when they are not among the allowed ones.
_CHOICES = {"restart": ["no", "always", "on-failure", "unless-stopped"],
            "pull_policy": ["always", "never", "missing", "build"]}
_RANGES = {"mem_swappiness": (0, 100), "oom_score_adj": (-1000, 1000)}

_BUILD_MESSAGE = ("These build configuration settings from the docker-compose file are yet supported. Currently, we "
                  "support supplying a build context and optionally target Dockerfile for a service. See "
                  "https://aka.ms/containerapp/compose/build_support for more information or to add feedback.")
_RUNTIME_MESSAGE = ("These container and host configuration elements from the docker-compose file are not supported "
                    "in Azure Container Apps. For more information about supported configuration, please see "
                    "https://aka.ms/containerapp/compose/configuration")
_VOLUMES_MESSAGE = ("These volume mount elements from the docker-compose file are not supported in Azure Container "
                    "Apps. For more information about supported storage configuration, please see "
                    "https://aka.ms/containerapp/compose/volumes")
_NETWORK_MESSAGE = ("These network configuration settings from the docker-compose file are not supported in Azure "
                    "Container Apps. For more information about supported networking configuration, please see "
                    "https://aka.ms/containerapp/compose/networking")


def _kept(key, value):
    if value is None:
        return False
    if key in _CHOICES:
        return str(value) in _CHOICES[key]
    if key in _RANGES:
        low, high = _RANGES[key]
        return isinstance(value, int) and low <= value <= high
    return True


def _present(config, keys, path):
    return [f"{path}/{k}" for k in keys if isinstance(config, dict) and _kept(k, config.get(k))]


def unsupported_warnings(service, path):
    """The warning lines az gives for one service (a message, then each key, indented)."""
    lines = []
    build = service.get("build")
    groups = [(_BUILD_MESSAGE, _present(build, UNSUPPORTED_BUILD, path) if isinstance(build, dict) else []),
              (_RUNTIME_MESSAGE, _present(service, UNSUPPORTED_RUNTIME, path)),
              (_VOLUMES_MESSAGE, _present(service, UNSUPPORTED_VOLUMES, path)),
              (_NETWORK_MESSAGE, _present(service, UNSUPPORTED_NETWORK, path))]
    for message, found in groups:
        if found:
            lines.append(message)
            lines.extend(f"     {item}" for item in found)
    return lines
