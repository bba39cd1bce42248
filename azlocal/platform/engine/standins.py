"""Offline stand-ins for the sample images the docs use.

mcr.microsoft.com cannot be reached here. The list of every image the ACR, ACI and Container Apps
docs and the AZ-204 labs name lives in one data file, `standins.yaml` (beside this module): per image,
its names, what it does, the pages that use it, and either how to build its stand-in or why there is
none. The file is read once per process.

Rules (ensure_image):
- An image Docker has locally always wins: it is used as it is, stand-in or not.
- Otherwise a known sample image gets its stand-in: a few small files over `azlocal/busybox:latest`
  (FROM scratch, the host's static busybox; build_base), tagged with the real name(s) and labelled
  `azlocal.standin`. It behaves as the doc shows the learner (page, port, log lines, files, exit
  status). `AZLOCAL_PULL_STANDINS=1` tries a real pull first.
- Any other image is pulled; when that fails the error says so, and for an image the docs use that
  has no stand-in, why (the caller turns it into Azure's failure: InaccessibleImage for ACI).
"""

import functools
import io
import os
import tarfile
from dataclasses import dataclass, field
from importlib import resources

from knack.log import get_logger

from azlocal.core import settings
from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

BASE = "azlocal/busybox:latest"
LABEL = "azlocal.standin"
DATA_FILE = "standins.yaml"


@dataclass(frozen=True)
class StandIn:
    names: tuple  # every reference it is tagged with, normalised; the first is its own
    does: str
    docs: tuple
    files: dict  # path in the image -> asset in standin_assets/
    cmd: tuple
    expose: tuple = ()
    env: dict = field(default_factory=dict)
    workdir: str = ""
    expect: dict = field(default_factory=dict)

    def dockerfile(self):
        import json

        lines = [f"FROM {BASE}"]
        lines += [f"COPY {target} /{target}" for target in self.files]
        lines += [f"ENV {name}={json.dumps(str(value))}" for name, value in self.env.items()]
        if self.workdir:
            lines.append(f"WORKDIR {self.workdir}")
        lines += [f"EXPOSE {port}" for port in self.expose]
        lines.append("CMD " + json.dumps(list(self.cmd)))
        return "\n".join(lines)


@dataclass(frozen=True)
class Entry:
    """One image of the data file, with or without a stand-in."""
    names: tuple
    does: str
    docs: tuple
    standin: StandIn | None = None
    none: str | None = None


def _read_data():
    import yaml

    text = resources.files("azlocal.platform.engine").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse_entries(data):
    """The data file's document -> [Entry]; ValueError naming the entry when one is malformed."""
    entries = []
    for index, item in enumerate((data or {}).get("images") or []):
        where = f"{DATA_FILE}, image {index + 1} ({(item or {}).get('names')})"
        if not isinstance(item, dict) or not item.get("names") or not item.get("docs") or not item.get("does"):
            raise ValueError(f"{where}: names, does and docs are required")
        if ("standin" in item) == ("none" in item):
            raise ValueError(f"{where}: exactly one of standin and none")
        names = tuple(str(n) for n in item["names"])
        spec = item.get("standin")
        standin = None
        if spec is not None:
            if not spec.get("files") or not spec.get("cmd"):
                raise ValueError(f"{where}: a stand-in needs files and cmd")
            standin = StandIn(names=tuple(normalise(n) for n in names), does=item["does"],
                              docs=tuple(item["docs"]), files=dict(spec["files"]),
                              cmd=tuple(str(c) for c in spec["cmd"]), expose=tuple(spec.get("expose") or ()),
                              env=dict(spec.get("env") or {}), workdir=spec.get("workdir") or "",
                              expect=dict(spec.get("expect") or {}))
        entries.append(Entry(names, item["does"], tuple(item["docs"]), standin, item.get("none")))
    return entries


@functools.lru_cache(maxsize=1)
def entries():
    return parse_entries(_read_data())


def _key(ref):
    """The engine's view of a reference (`hello-world` is `docker.io/library/hello-world:latest`), or
    None for text that is not a reference or names a digest."""
    from azlocal.platform.engine.images import InvalidReference, parse_reference

    try:
        parsed = parse_reference(ref)
    except InvalidReference:
        return None
    if parsed.digest:
        return None
    return f"{parsed.host}/{parsed.path}:{parsed.version}".lower()


@functools.lru_cache(maxsize=1)
def _indexes():
    """({engine key: StandIn}, {engine key: why there is none}) over every name of the data file."""
    known, missing = {}, {}
    for entry in entries():
        for name in entry.names:
            key = _key(name)
            if key is None:
                continue
            if entry.standin:
                known[key] = entry.standin
            else:
                missing[key] = entry.none
    return known, missing


def normalise(ref):
    """`mcr.microsoft.com/hello-world` -> `mcr.microsoft.com/hello-world:latest` (digests stay as they are)."""
    ref = ref.strip()
    if "@" in ref or ":" in ref.rsplit("/", 1)[-1]:
        return ref
    return ref + ":latest"


def standin_for(ref):
    """The StandIn `ref` names (Docker's name rules: `hello-world` is `docker.io/library/hello-world`), or None."""
    key = _key(ref)
    return _indexes()[0].get(key) if key else None


def is_known(ref):
    return standin_for(ref) is not None


def no_standin_reason(ref):
    """Why an image the docs use has no stand-in (a digest of a stand-in's image: it cannot have those
    bytes), or None when the data file does not list it."""
    key = _key(ref)
    if key:
        return _indexes()[1].get(key)
    name, at, _ = str(ref).partition("@")
    if at and _key(name) in _indexes()[0]:
        return "a digest names exact bytes, which a stand-in cannot have; use a tag, or pull or load the image."
    return None


def _has_image(client, ref):
    import docker.errors

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_image(client, ref, warn=None):
    """Makes `ref` available to the engine. Returns True if a stand-in was built for it.
    Raises AzLocalError with the reason when it is not there and cannot be pulled."""
    warn = warn or logger.warning
    if _has_image(client, ref):
        return False
    standin = standin_for(ref)
    if standin and os.environ.get("AZLOCAL_PULL_STANDINS") != "1":
        _build_standin(client, standin, [normalise(ref)])
        warn(f"'{ref}' cannot be pulled offline; azlocal built a local stand-in for it.")
        return True
    try:
        from azlocal.platform.engine import images

        images.pull(normalise(ref))
    except Exception as ex:
        if standin:
            _build_standin(client, standin, [normalise(ref)])
            warn(f"'{ref}' could not be pulled; azlocal built a local stand-in for it.")
            return True
        raise AzLocalError(unavailable_message(ref, ex)) from ex
    return False


def unavailable_message(ref, ex):
    text = f"Image '{ref}' is not present in the Docker Engine and could not be pulled: {_short(ex)}"
    reason = no_standin_reason(ref)
    if reason:
        text += f" azlocal has no offline stand-in for it: {reason}"
    else:
        text += " It is not one of azlocal's offline stand-ins (`azlocal images list`); pull, load or build it first."
    return text


def _short(ex):
    text = str(ex).strip()
    return text if len(text) < 300 else text[:300] + "..."


def _context(files, dockerfile):
    """An in-memory tar build context: the Dockerfile plus {name: bytes}."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in list(files.items()) + [("Dockerfile", dockerfile.encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _build(client, files, dockerfile, tag, labels):
    try:
        client.images.build(fileobj=_context(files, dockerfile), custom_context=True, tag=tag, rm=True,
                            forcerm=True, pull=False, labels=labels)
    except Exception as ex:
        raise AzLocalError(f"Could not build the local image '{tag}': {_short(ex)}") from ex


def build_base(client):
    """`azlocal/busybox:latest`: FROM scratch, the static busybox and its applets in /bin."""
    if _has_image(client, BASE):
        return BASE
    path = settings.busybox_path()
    if not os.path.isfile(path):
        raise AzLocalError(f"No static busybox at {path}: install Debian's busybox-static, or set AZLOCAL_BUSYBOX.")
    with open(path, "rb") as f:
        binary = f.read()
    dockerfile = "\n".join([
        "FROM scratch",
        "COPY busybox /bin/busybox",
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        # Debian's static busybox has no printenv applet: a small script stands in for it.
        "COPY printenv /tmp/printenv",
        "RUN [ -e /bin/printenv ] || mv /tmp/printenv /bin/printenv; rm -f /tmp/printenv",
        "RUN mkdir -p /tmp /usr/bin /root && chmod 1777 /tmp",
        "ENV PATH=/bin:/usr/bin",
        'CMD ["sh"]',
    ])
    _build(client, {"busybox": binary, "printenv": _asset("printenv")}, dockerfile, BASE, {LABEL: "base"})
    return BASE


def _asset(name):
    return resources.files("azlocal.platform.engine").joinpath("standin_assets", name).read_bytes()


def _build_standin(client, standin, names):
    """Builds `standin` tagged with `names` (names Docker lacks: a real image is never retagged)."""
    build_base(client)
    files = {target: _asset(source) for target, source in standin.files.items()}
    _build(client, files, standin.dockerfile(), names[0], {LABEL: standin.names[0]})
    if len(names) > 1:
        image = client.images.get(names[0])
        for name in names[1:]:
            repository, _, tag = name.rpartition(":")
            image.tag(repository, tag=tag)


def prepare_all(client, warn=None):
    """Builds every stand-in Docker lacks (one build per stand-in, tagged with all its names);
    returns the names built."""
    built = []
    for standin in {id(s): s for s in known().values()}.values():
        lacking = [name for name in standin.names if not _has_image(client, name)]
        if lacking:
            _build_standin(client, standin, lacking)
            built.extend(lacking)
    return built


def listing():
    """Every image of the data file, for `azlocal images list`: name, stand-in or not, why, where used."""
    rows = []
    for entry in entries():
        rows.append({"names": list(entry.names), "standIn": entry.standin is not None, "does": entry.does,
                     "reason": entry.none, "docs": list(entry.docs)})
    return rows


@functools.lru_cache(maxsize=1)
def known():
    """Every name a stand-in answers to (normalised, as the data file writes it) -> its StandIn. Read on
    first use: a command whose image Docker already has never parses the data file."""
    return {name: entry.standin for entry in entries() if entry.standin for name in entry.standin.names}


def __getattr__(name):  # `standins.KNOWN`, computed when first asked for
    if name == "KNOWN":
        return known()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
