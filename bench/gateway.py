"""The container-apps gateway's added latency and throughput, against the container reached directly
and against Debian's nginx as a reverse proxy to the same container, in one run.

    python bench/gateway.py [--requests 1000] [--seconds 5] [--concurrency 16]

Goals: p50 overhead <= 1 ms over direct; requests/s >= 0.5 x nginx's.
Needs: Docker Engine, root (ports 80/443 and the hosts file), nginx (`apt-get install nginx`).
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import tempfile
import time

import aiohttp


def run(*args, env=None, check=True):
    return subprocess.run(args, env=env, check=check, capture_output=True, text=True)


async def latencies(url, host, count):
    out = []
    async with aiohttp.ClientSession(headers={"Host": host} if host else None) as session:
        for _ in range(count):
            start = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
            out.append((time.perf_counter() - start) * 1000)
    out.sort()
    return out[len(out) // 2], out[int(len(out) * 0.99) - 1]


async def throughput(url, host, seconds, concurrency):
    done = 0
    deadline = time.monotonic() + seconds

    async def worker(session):
        nonlocal done
        while time.monotonic() < deadline:
            async with session.get(url) as r:
                await r.read()
                done += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers={"Host": host} if host else None) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return done / seconds


def start_nginx(work, upstream, port):
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  upstream app {{ server {upstream}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}
}}
""")
    run("nginx", "-c", str(conf), "-p", str(work))
    time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is not installed: apt-get install nginx")
    work = __import__("pathlib").Path(tempfile.mkdtemp(prefix="azlocal-bench-gw-"))
    env = dict(os.environ, AZLOCAL_HOME=str(work / "home"))
    try:
        run("az", "group", "create", "-n", "gw", "-l", "eastus", env=env)
        run("az", "containerapp", "env", "create", "-n", "gw-env", "-g", "gw", env=env)
        app = run("az", "containerapp", "create", "-n", "bench", "-g", "gw", "--environment", "gw-env", "--image",
                  "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest", "--ingress", "external",
                  "--target-port", "80", "--allow-insecure", "true", "--query", "properties.configuration.ingress.fqdn",
                  "-o", "tsv", env=env).stdout.strip()
        replica = run("docker", "ps", "-q", "--filter", f"label=azlocal.home={work / 'home'}").stdout.split()[0]
        ip = run("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                 replica).stdout.strip()
        start_nginx(work, f"{ip}:80", 18089)
        targets = {
            "direct": (f"http://{ip}/", None),
            "nginx": ("http://127.0.0.1:18089/", None),
            "gateway": ("http://127.0.0.1/", app),
        }
        results = {}
        for name, (url, host) in targets.items():
            asyncio.run(latencies(url, host, 50))  # warm up
            p50, p99 = asyncio.run(latencies(url, host, args.requests))
            rps = asyncio.run(throughput(url, host, args.seconds, args.concurrency))
            results[name] = (p50, p99, rps)
        print(f"{args.requests} sequential requests for latency; {args.concurrency} concurrent clients for "
              f"{args.seconds:g}s for throughput (upstream: busybox httpd)\n")
        print(f"{'path':<10}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
        for name, (p50, p99, rps) in results.items():
            print(f"{name:<10}{p50:>10.3f}{p99:>10.3f}{rps:>10.0f}")
        d, g, n = results["direct"], results["gateway"], results["nginx"]
        print(f"\ngateway overhead over direct: p50 {g[0] - d[0]:+.3f} ms, p99 {g[1] - d[1]:+.3f} ms "
              f"(goal p50 <= 1 ms); nginx overhead p50 {n[0] - d[0]:+.3f} ms")
        print(f"gateway req/s vs nginx: {g[2] / n[2]:.2f}x (goal >= 0.5x)")
    finally:
        subprocess.run(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-s", "stop"], capture_output=True)
        subprocess.run(["az", "group", "delete", "-n", "gw", "--yes"], env=env, capture_output=True)
        subprocess.run(["azlocal", "reset", "--yes"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
