"""Dapr service invocation through azlocal's sidecar against a direct HTTP call between the same containers,
in one run. Two Dapr-enabled container apps (the helloworld stand-in image: busybox httpd): the client runs in
the caller replica's network namespace (nsenter), as the app would, and requests the target's page either
directly at the target replica's address on the environment's network, or through the caller's sidecar at
localhost:3500/v1.0/invoke/<target>/method/. Each path is measured once a round, in turn; the medians of the
rounds are printed.

    python bench/dapr.py [--requests 1000] [--seconds 5] [--concurrency 16] [--rounds 3]

Goal: p50 overhead of invocation <= 2 ms over the direct call. Needs: Docker Engine, root (nsenter).
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMAGE = "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest"


def run(*args, env=None, check=True):
    return subprocess.run(args, env=env, check=check, capture_output=True, text=True)


# The client (runs inside the caller's network namespace) -------------------------------------------------

async def latencies(url, count):
    import aiohttp

    out = []
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            start = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
                assert r.status == 200, r.status
            out.append((time.perf_counter() - start) * 1000)
    out.sort()
    return out[len(out) // 2], out[int(len(out) * 0.99) - 1]


async def throughput(url, seconds, concurrency):
    import aiohttp

    done = 0
    deadline = time.monotonic() + seconds

    async def worker(session):
        nonlocal done
        while time.monotonic() < deadline:
            async with session.get(url) as r:
                await r.read()
                done += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return done / seconds


def client(args):
    results = {}
    for name, url in (("direct", args.direct), ("dapr", args.dapr)):
        asyncio.run(latencies(url, 50))  # warm up
        p50, p99 = asyncio.run(latencies(url, args.requests))
        results[name] = (p50, p99, asyncio.run(throughput(url, args.seconds, args.concurrency)))
    print(json.dumps(results))


# The driver ---------------------------------------------------------------------------------------------

def head_of(home, app):
    out = run("docker", "ps", "--format", "{{.Names}} {{.Label \"azlocal.aca.replica\"}}", "--filter",
              f"label=azlocal.home={home}", "--filter", "label=azlocal.aca.replica").stdout
    return next(name for name, replica in (line.split() for line in out.splitlines())
                if name == replica and name.startswith(app + "--"))


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--direct", help=argparse.SUPPRESS)
    parser.add_argument("--dapr", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        return client(args)
    work = Path(tempfile.mkdtemp(prefix="azlocal-bench-dapr-"))
    home = work / "home"
    env = dict(os.environ, AZLOCAL_HOME=str(home))
    try:
        run("az", "group", "create", "-n", "dapr", "-l", "eastus", env=env)
        run("az", "containerapp", "env", "create", "-n", "dapr-env", "-g", "dapr", "--logs-destination", "none",
            env=env)
        for name, port in (("target", ["--dapr-app-port", "80"]), ("caller", [])):
            run("az", "containerapp", "create", "-n", name, "-g", "dapr", "--environment", "dapr-env", "--image",
                IMAGE, "--enable-dapr", "--dapr-app-id", name, *port, env=env)
        target, caller = head_of(home, "target"), head_of(home, "caller")
        ip = run("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                 target).stdout.strip()
        pid = run("docker", "inspect", "-f", "{{.State.Pid}}", caller).stdout.strip()
        samples = {"direct": [], "dapr": []}
        for _ in range(args.rounds):
            out = run("nsenter", f"--net=/proc/{pid}/ns/net", sys.executable, __file__, "--client",
                      "--direct", f"http://{ip}:80/", "--dapr", "http://127.0.0.1:3500/v1.0/invoke/target/method/",
                      "--requests", str(args.requests), "--seconds", str(args.seconds),
                      "--concurrency", str(args.concurrency)).stdout
            for name, values in json.loads(out).items():
                samples[name].append(values)
        results = {name: tuple(median([x[i] for x in got]) for i in range(3)) for name, got in samples.items()}
        print(f"{args.requests} sequential requests for latency; {args.concurrency} concurrent clients for "
              f"{args.seconds:g}s for throughput, from the caller replica's network namespace (upstream: busybox "
              f"httpd, one connection per request); medians of {args.rounds} rounds\n")
        print(f"{'path':<10}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
        for name, (p50, p99, rps) in results.items():
            print(f"{name:<10}{p50:>10.3f}{p99:>10.3f}{rps:>10.0f}")
        d, s = results["direct"], results["dapr"]
        print(f"\ninvocation through the sidecar: overhead over direct p50 {s[0] - d[0]:+.3f} ms (goal <= 2 ms), "
              f"p99 {s[1] - d[1]:+.3f} ms; req/s {s[2] / d[2]:.2f}x direct")
    finally:
        subprocess.run(["az", "group", "delete", "-n", "dapr", "--yes"], env=env, capture_output=True)
        subprocess.run(["azlocal", "reset", "--yes"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
