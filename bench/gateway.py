"""The container-apps gateway's added latency and throughput, against the container reached directly
and against Debian's nginx as a reverse proxy to the same container, in one run; then again with the
app's ingress policies on (a CORS policy, the requests carrying an allowed Origin, and an IP access
restriction Allow rule for 127.0.0.1), so what the policies cost shows against the same anchor.

    python bench/gateway.py [--requests 1000] [--seconds 5] [--concurrency 16]

Goals: p50 overhead <= 1 ms over direct; requests/s >= 0.8 x nginx's, with and without the policies.
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


def _headers(host, origin):
    headers = {"Host": host} if host else {}
    if origin:
        headers["Origin"] = origin
    return headers or None


async def latencies(url, host, count, origin=None):
    out = []
    async with aiohttp.ClientSession(headers=_headers(host, origin)) as session:
        for _ in range(count):
            start = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
            out.append((time.perf_counter() - start) * 1000)
    out.sort()
    return out[len(out) // 2], out[int(len(out) * 0.99) - 1]


async def throughput(url, host, seconds, concurrency, origin=None):
    done = 0
    deadline = time.monotonic() + seconds

    async def worker(session):
        nonlocal done
        while time.monotonic() < deadline:
            async with session.get(url) as r:
                await r.read()
                done += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=_headers(host, origin)) as session:
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


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(url, host, args, origin=None):
    asyncio.run(latencies(url, host, 50, origin))  # warm up
    p50, p99 = asyncio.run(latencies(url, host, args.requests, origin))
    rps = asyncio.run(throughput(url, host, args.seconds, args.concurrency, origin))
    return p50, p99, rps


def enable_policies(env, origin):
    run("az", "containerapp", "ingress", "cors", "enable", "-n", "bench", "-g", "gw", "--allowed-origins", origin,
        "--allowed-methods", "GET", "POST", "--max-age", "60", env=env)
    run("az", "containerapp", "ingress", "access-restriction", "set", "-n", "bench", "-g", "gw", "--rule-name",
        "local", "--ip-address", "127.0.0.1/32", "--action", "Allow", env=env)
    time.sleep(1.5)  # the gateway reloads its routes (and compiles the policies) within a second


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-policies", action="store_true", help="skip the run with CORS and an IP rule on")
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is not installed: apt-get install nginx")
    work = __import__("pathlib").Path(tempfile.mkdtemp(prefix="azlocal-bench-gw-"))
    http_port, https_port = free_port(), free_port()
    env = dict(os.environ, AZLOCAL_HOME=str(work / "home"), AZLOCAL_HTTP_PORT=str(http_port),
               AZLOCAL_HTTPS_PORT=str(https_port))
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
            "gateway": (f"http://127.0.0.1:{http_port}/", app),
        }
        results = {name: measure(url, host, args) for name, (url, host) in targets.items()}
        origin = "https://bench.example"
        if not args.no_policies:
            enable_policies(env, origin)
            results["policies"] = measure(*targets["gateway"], args, origin)
        results["nginx2"] = measure(*targets["nginx"], args)  # the anchor again, after the policy run
        print(f"{args.requests} sequential requests for latency; {args.concurrency} concurrent clients for "
              f"{args.seconds:g}s for throughput (upstream: busybox httpd); 'policies' is the gateway with CORS "
              f"(requests with an allowed Origin) and an IP Allow rule on; nginx2 is nginx measured after it\n")
        print(f"{'path':<10}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
        for name, (p50, p99, rps) in results.items():
            print(f"{name:<10}{p50:>10.3f}{p99:>10.3f}{rps:>10.0f}")
        d, n = results["direct"], results["nginx"]
        anchor = (results["nginx"][2] + results["nginx2"][2]) / 2
        print(f"\nnginx overhead p50 {n[0] - d[0]:+.3f} ms; nginx req/s (mean of both runs) {anchor:.0f}")
        for name in ("gateway", "policies"):
            if name not in results:
                continue
            g = results[name]
            print(f"{name}: overhead over direct p50 {g[0] - d[0]:+.3f} ms, p99 {g[1] - d[1]:+.3f} ms "
                  f"(goal p50 <= 1 ms); req/s vs nginx {g[2] / anchor:.2f}x (goal >= 0.8x)")
    finally:
        subprocess.run(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-s", "stop"], capture_output=True)
        subprocess.run(["az", "group", "delete", "-n", "gw", "--yes"], env=env, capture_output=True)
        subprocess.run(["azlocal", "reset", "--yes"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
