"""Registry throughput: azlocal's registry against CNCF distribution (Debian's docker-registry), same run.

Measures, for each registry on loopback:
  - `docker push` then `docker pull` of a ~200 MB image with 4 layers (built FROM scratch here),
  - raw 256 MB blob upload (POST + streamed PUT) and download (GET), with requests.
Prints the figures and the ratios (distribution time / azlocal time: > 1 means azlocal is faster).
azlocal runs with authentication on, as ACR does (`--auth admin`, the default): `docker login`, then every
request carries a Bearer token from /oauth2/token that the registry verifies; distribution runs without
authentication, so the comparison is at azlocal's expense. `--auth none` measures azlocal without it.

    python bench/registry.py [--size-mb 256] [--layer-mb 50] [--runs 3] [--auth admin|none] [--cmk]

`--cmk` adds azlocal's registry encrypted with a customer-managed key (every blob sealed with AES-256-GCM, the
data key wrapped by a Key Vault key of a throwaway home) and prints its figures against the plain azlocal
registry of the same run (plain time / CMK time; the goal is >= 0.9x); distribution is then optional.

Needs: Docker Engine, Debian's docker-registry (`apt-get install docker-registry`), the static busybox.
"""

import argparse
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def start_distribution(root, port):
    config = root / "config.yml"
    config.write_text(f"""version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: {root / 'data'}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
""")
    proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc


BENCH_USER, BENCH_PASSWORD = "benchuser", "bench-" + os.urandom(8).hex()
AUTH = {"on": True}  # set from --auth in main()


def start_azlocal(root, port):
    command = [sys.executable, "-m", "azlocal.acr.dataplane", "--root", str(root), "--port", str(port)]
    if AUTH["on"]:
        command += ["--admin-user", BENCH_USER, "--admin-password", BENCH_PASSWORD]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    if AUTH["on"]:
        subprocess.run(["docker", "login", f"localhost:{port}", "-u", BENCH_USER, "--password-stdin"],
                       input=BENCH_PASSWORD, text=True, check=True, capture_output=True)
    proc.authenticated = AUTH["on"]
    return proc


CMK_SETUP = """
import sys
from pathlib import Path

from azlocal.acr import encryption, registries
from azlocal.core import arm, settings
from azlocal.identity import identities
from azlocal.keyvault import keys, vaults
from azlocal.platform.store import store
from azlocal.resources import groups

vaults.publish = lambda doc: None  # no hosts file, no daemon: the standalone registry reads the store
groups.create("bench", "eastus")
vault = vaults.create("bench", "benchcmk", enable_rbac_authorization=False)
identity = identities.create("bench", "bench-cmk")
vaults.set_policy(vault, identity["principalId"], keys=["get", "wrapKey", "unwrapKey"])
kid = keys.create("benchcmk", "regkey", principal=settings.USER_OBJECT_ID)["key"]["kid"]
rid = arm.resource_id("bench", registries.REGISTRY_TYPE, "benchcmk")
plan = encryption.prepare(identity["id"], kid, "Premium", "bench", rid)
doc = registries._document(rid, "benchcmk", "eastus", "Premium", False, None, arm.utc_now(), None, None)
store().put(encryption.apply(doc, plan))
encryption._write_file(Path(sys.argv[1]), plan["file"])
"""


def start_azlocal_cmk(root, port):
    """azlocal's standalone registry over a root whose blobs are sealed: a throwaway home holds the vault, its
    key, the identity allowed to wrap with it and the registry's row; the root holds the wrapped data key."""
    home = root / "home"
    data = root / "data"
    data.mkdir(parents=True)
    env = dict(os.environ, AZLOCAL_HOME=str(home))
    subprocess.run([sys.executable, "-c", CMK_SETUP, str(data)], env=env, check=True, capture_output=True)
    saved = os.environ.get("AZLOCAL_HOME")
    os.environ["AZLOCAL_HOME"] = str(home)
    try:
        return start_azlocal(data, port)
    finally:
        if saved is None:
            os.environ.pop("AZLOCAL_HOME", None)
        else:
            os.environ["AZLOCAL_HOME"] = saved


def bearer(session, base, scope):
    """Sets a Bearer token for `scope` from the registry's /oauth2/token (Basic credentials), as clients do."""
    r = session.get(f"{base}/oauth2/token", params={"scope": scope, "service": "localhost"},
                    auth=(BENCH_USER, BENCH_PASSWORD))
    r.raise_for_status()
    session.headers["Authorization"] = f"Bearer {r.json()['access_token']}"


def build_image(workdir, layer_mb, layers=4):
    """A FROM-scratch image with `layers` layers of incompressible data."""
    ctx = workdir / "image"
    ctx.mkdir()
    shutil.copy(os.environ.get("AZLOCAL_BUSYBOX", "/bin/busybox"), ctx / "busybox")
    lines = ["FROM scratch", "COPY busybox /bin/busybox"]
    for i in range(layers - 1):
        (ctx / f"blob{i}").write_bytes(os.urandom(layer_mb * 1024 * 1024))
        lines.append(f"COPY blob{i} /data/blob{i}")
    (ctx / "Dockerfile").write_text("\n".join(lines) + "\n")
    tag = "azlocal-bench/big:v1"
    subprocess.run(["docker", "build", "-q", "-t", tag, str(ctx)], check=True, capture_output=True)
    return tag


def docker_roundtrip(image, port):
    target = f"localhost:{port}/bench/big:v1"
    subprocess.run(["docker", "tag", image, target], check=True)
    start = time.perf_counter()
    subprocess.run(["docker", "push", target], check=True, capture_output=True)
    pushed = time.perf_counter() - start
    subprocess.run(["docker", "rmi", target], check=True, capture_output=True)
    # Pull needs the layers gone from the engine: remove the source too, then rebuild its tag from the pull.
    subprocess.run(["docker", "rmi", image], check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run(["docker", "pull", target], check=True, capture_output=True)
    pulled = time.perf_counter() - start
    subprocess.run(["docker", "tag", target, image], check=True)
    subprocess.run(["docker", "rmi", target], check=True, capture_output=True)
    return pushed, pulled


def raw_blob(port, path, digest, authenticated=False):
    import requests

    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    if authenticated:
        bearer(session, base, "repository:bench/raw:pull,push,delete")
    start = time.perf_counter()
    r = session.post(f"{base}/v2/bench/raw/blobs/uploads/")
    r.raise_for_status()
    location = r.headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    with open(path, "rb") as f:
        r = session.put(f"{location}{sep}digest={digest}", data=f,
                        headers={"Content-Type": "application/octet-stream"})
    r.raise_for_status()
    upload = time.perf_counter() - start
    start = time.perf_counter()
    with session.get(f"{base}/v2/bench/raw/blobs/{digest}", stream=True) as r:
        r.raise_for_status()
        for _ in r.iter_content(1 << 20):
            pass
    download = time.perf_counter() - start
    session.delete(f"{base}/v2/bench/raw/blobs/{digest}")
    return upload, download


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--layer-mb", type=int, default=66)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--auth", choices=("admin", "none"), default="admin",
                        help="azlocal's registry with its admin user and Bearer tokens (default), or open")
    parser.add_argument("--cmk", action="store_true",
                        help="also measure azlocal's registry encrypted with a customer-managed key")
    args = parser.parse_args()
    AUTH["on"] = args.auth == "admin"
    registries = [("azlocal", start_azlocal)]
    if shutil.which("docker-registry"):
        registries.insert(0, ("distribution", start_distribution))
    elif not args.cmk:
        sys.exit("docker-registry (CNCF distribution) is not installed: apt-get install docker-registry")
    if args.cmk:
        registries.append(("azlocal-cmk", start_azlocal_cmk))

    work = Path(tempfile.mkdtemp(prefix="azlocal-bench-"))
    procs = []
    try:
        image = build_image(work, args.layer_mb)
        blob = work / "blob.bin"
        with open(blob, "wb") as f:
            for _ in range(args.size_mb):
                f.write(os.urandom(1 << 20))
        digest = "sha256:" + hashlib.sha256(blob.read_bytes()).hexdigest()

        figures_of = {name: {"push": [], "pull": [], "upload": [], "download": []} for name, _ in registries}
        for run in range(args.runs):  # the registries take turns in each run, so drift favours none
            for name, start in registries:
                figures = figures_of[name]
                root = work / f"{name}-{run}"
                root.mkdir()
                port = free_port()
                proc = start(root, port)
                procs.append(proc)
                try:
                    push, pull = docker_roundtrip(image, port)
                    upload, download = raw_blob(port, blob, digest, getattr(proc, "authenticated", False))
                finally:
                    if getattr(proc, "authenticated", False):
                        subprocess.run(["docker", "logout", f"localhost:{port}"], capture_output=True)
                    proc.terminate()
                    proc.wait(10)
                figures["push"].append(push)
                figures["pull"].append(pull)
                figures["upload"].append(upload)
                figures["download"].append(download)
        results = {name: {k: statistics.median(v) for k, v in f.items()} for name, f in figures_of.items()}

        image_mb = (args.layer_mb * 3) + 2
        print(f"image ~{image_mb} MB in 4 layers; raw blob {args.size_mb} MB; median of {args.runs} runs; "
              f"azlocal auth: {args.auth}\n")
        measures = (("push", "docker push", image_mb), ("pull", "docker pull", image_mb),
                    ("upload", "blob upload", args.size_mb), ("download", "blob download", args.size_mb))
        if "distribution" in results:
            print(f"{'measure':<22}{'distribution':>14}{'azlocal':>12}{'ratio (dist/azl)':>18}")
            for key, label, size in measures:
                d, a = results["distribution"][key], results["azlocal"][key]
                print(f"{label:<22}{d:>11.2f} s{a:>9.2f} s{d / a:>17.2f}x   "
                      f"({size / d:.0f} vs {size / a:.0f} MB/s)")
            print("\nGoal: azlocal at least as fast as distribution (every ratio >= 1.0).\n")
        if "azlocal-cmk" in results:
            print(f"{'measure':<22}{'azlocal':>12}{'azlocal CMK':>14}{'ratio (plain/CMK)':>19}")
            for key, label, size in measures:
                a, c = results["azlocal"][key], results["azlocal-cmk"][key]
                print(f"{label:<22}{a:>9.2f} s{c:>11.2f} s{a / c:>18.2f}x   "
                      f"({size / a:.0f} vs {size / c:.0f} MB/s)")
            print("\nGoal: the CMK registry at >= 0.9x of the plain one (every ratio >= 0.9).")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        subprocess.run(["docker", "rmi", "azlocal-bench/big:v1"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
