"""`az acr build` of a small context against `docker build` + `docker push` of the same context to the
same registry, in one run. Goal: azlocal <= 1.2 x docker.

    python bench/acr_build.py [--runs 5]

Each run changes a file in the context, so both paths build one new layer and push it.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def timed(cmd, env, cwd=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="azlocal-bench-build-"))
    env = dict(os.environ, AZLOCAL_HOME=str(work / "home"))
    registry = f"azlbench{random.randint(10000, 99999)}"
    server = f"{registry}.azurecr.io"
    ctx = work / "ctx"
    ctx.mkdir()
    shutil.copy(os.environ.get("AZLOCAL_BUSYBOX", "/bin/busybox"), ctx / "busybox")
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY busybox /bin/busybox\nCOPY app.txt /app.txt\n"
                                    'CMD ["/bin/busybox", "cat", "/app.txt"]\n')
    azlocal, docker = [], []
    try:
        subprocess.run(["az", "group", "create", "-n", "bench", "-l", "eastus", "-o", "none"], check=True, env=env)
        subprocess.run(["az", "acr", "create", "-n", registry, "-g", "bench", "--sku", "Basic", "-o", "none"],
                       check=True, env=env)
        subprocess.run(["az", "acr", "login", "-n", registry], check=True, env=env, capture_output=True)
        for i in range(args.runs):
            (ctx / "app.txt").write_text(f"azlocal {i} {random.random()}\n")
            azlocal.append(timed(["az", "acr", "build", "-r", registry, "-t", f"app:a{i}", "."], env, ctx))
            (ctx / "app.txt").write_text(f"docker {i} {random.random()}\n")
            image = f"{server}/app:d{i}"
            start = time.perf_counter()
            subprocess.run(["docker", "build", "-q", "-t", image, "."], check=True, cwd=ctx, capture_output=True)
            subprocess.run(["docker", "push", image], check=True, capture_output=True)
            docker.append(time.perf_counter() - start)
            subprocess.run(["docker", "rmi", image], capture_output=True)
    finally:
        subprocess.run(["az", "group", "delete", "-n", "bench", "--yes"], env=env, capture_output=True)
        subprocess.run(["azlocal", "reset", "--yes"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    a, d = statistics.median(azlocal), statistics.median(docker)
    print(f"median of {args.runs} runs, small context (busybox + one changed file)")
    print(f"  az acr build             : {a:.3f} s")
    print(f"  docker build + docker push: {d:.3f} s")
    print(f"  ratio {a / d:.2f}x (goal <= 1.2x): {'met' if a <= 1.2 * d else 'NOT met'}")


if __name__ == "__main__":
    main()
