"""Offline stand-ins for the sample images the courses use.

mcr.microsoft.com cannot be reached here. When Docker lacks one of the images below, azlocal
builds a small image FROM scratch around the host's static busybox, tags it with the real name
and says so once. Each stand-in behaves like the original where a course looks, and has
busybox's sh, httpd, wget and printenv on the PATH so people can build on it.
"""

import io
import os
import sys
import tarfile
from importlib import resources

from azlocal.core import settings
from azlocal.core.errors import AzLocalError

BASE = "azlocal/busybox:latest"
LABEL = "azlocal.standin"

# real name (normalised) -> (asset files to copy: {name in image: asset}, Dockerfile lines after FROM base)
_WEB = ['EXPOSE 80', 'CMD ["/bin/sh", "/serve.sh"]']
KNOWN = {
    "mcr.microsoft.com/hello-world:latest": (
        {"hello.txt": "hello.txt"}, ['CMD ["cat", "/hello.txt"]']),
    "mcr.microsoft.com/azuredocs/aci-helloworld:latest": (
        {"serve.sh": "serve.sh", "www/index.html": "aci-helloworld.html"}, _WEB),
    "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest": (
        {"serve.sh": "serve.sh", "www/index.html": "containerapps-helloworld.html"}, _WEB),
    "mcr.microsoft.com/k8se/quickstart:latest": (
        {"serve.sh": "serve.sh", "www/index.html": "quickstart.html"}, _WEB),
    "mcr.microsoft.com/azuredocs/aci-wordcount:latest": (
        {"wordcount.sh": "wordcount.sh", "hamlet.txt": "hamlet.txt"}, ['CMD ["/bin/sh", "/wordcount.sh"]']),
    "mcr.microsoft.com/azuredocs/aci-tutorial-sidecar:latest": (
        {"sidecar.sh": "sidecar.sh"}, ['CMD ["/bin/sh", "/sidecar.sh"]']),
}


def normalise(ref):
    """`mcr.microsoft.com/hello-world` -> `mcr.microsoft.com/hello-world:latest` (digests stay as they are)."""
    ref = ref.strip()
    if "@" in ref or ":" in ref.rsplit("/", 1)[-1]:
        return ref
    return ref + ":latest"


def is_known(ref):
    return normalise(ref) in KNOWN


def _has_image(client, ref):
    import docker.errors

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def _warn(message):
    print(f"WARNING: {message}", file=sys.stderr)


def ensure_image(client, ref, warn=None):
    """Makes `ref` available to the engine. Returns True if a stand-in was built for it."""
    if _has_image(client, ref):
        return False
    if is_known(ref) and os.environ.get("AZLOCAL_PULL_STANDINS") != "1":
        _build_standin(client, normalise(ref))
        (warn or _warn)(f"'{ref}' cannot be pulled offline; azlocal built a local stand-in for it.")
        return True
    try:
        from azlocal.platform.engine import images

        images.pull(normalise(ref))
    except Exception as ex:
        if is_known(ref):
            _build_standin(client, normalise(ref))
            (warn or _warn)(f"'{ref}' could not be pulled; azlocal built a local stand-in for it.")
            return True
        raise AzLocalError(f"Image '{ref}' is not present in the Docker Engine and could not be pulled: "
                           f"{_short(ex)}") from ex
    return False


def _short(ex):
    text = str(ex)
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


def _build_standin(client, name):
    build_base(client)
    assets, lines = KNOWN[name]
    files = {target: _asset(source) for target, source in assets.items()}
    copies = [f"COPY {target} /{target}" for target in files]
    dockerfile = "\n".join([f"FROM {BASE}"] + copies + lines)
    _build(client, files, dockerfile, name, {LABEL: name})


def prepare_all(client, warn=None):
    """Builds every stand-in Docker lacks; returns the names built."""
    built = []
    for name in KNOWN:
        if not _has_image(client, name):
            _build_standin(client, name)
            built.append(name)
    return built
