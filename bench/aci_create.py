"""`az container create` (image present, waiting for Running) against a plain `docker run -d` of the
same image, in the same run. Goal: azlocal <= 1.3 x docker + 0.2 s.

    python bench/aci_create.py [--runs 5]
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time

IMAGE = "mcr.microsoft.com/azuredocs/aci-helloworld"


def timed(cmd, env):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, AZLOCAL_HOME=tempfile.mkdtemp(prefix="azlocal-bench-aci-"))
    subprocess.run(["az", "group", "create", "-n", "bench-rg", "-l", "eastus", "-o", "none"], check=True, env=env)
    subprocess.run(["azlocal", "images", "prepare", "-o", "none"], check=True, env=env)
    azlocal, docker = [], []
    try:
        for i in range(args.runs):
            azlocal.append(timed(["az", "container", "create", "-g", "bench-rg", "-n", f"bench{i}", "--image", IMAGE,
                                  "--ports", "80", "-o", "none"], env))
            start = time.perf_counter()
            cid = subprocess.run(["docker", "run", "-d", "-p", "127.0.0.1::80", IMAGE], check=True,
                                 capture_output=True, text=True).stdout.strip()
            docker.append(time.perf_counter() - start)
            subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
    finally:
        subprocess.run(["az", "group", "delete", "-n", "bench-rg", "--yes"], env=env, capture_output=True)
        subprocess.run(["azlocal", "stop", "-o", "none"], env=env, capture_output=True)
    a, d = statistics.median(azlocal), statistics.median(docker)
    goal = 1.3 * d + 0.2
    print(f"median of {args.runs} runs")
    print(f"  az container create (to Running): {a:.3f} s")
    print(f"  docker run -d                    : {d:.3f} s")
    print(f"  ratio {a / d:.2f}x; goal <= 1.3x + 0.2 s = {goal:.3f} s: {'met' if a <= goal else 'NOT met'}")


if __name__ == "__main__":
    main()
