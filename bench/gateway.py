"""The container-apps gateway's added latency and throughput, against the container reached directly
and against Debian's nginx as a reverse proxy to the same container, in one run; then again with the
app's ingress policies on (a CORS policy, the requests carrying an allowed Origin, and an IP access
restriction Allow rule for 127.0.0.1), so what the policies cost shows against the same anchor. Each
path is measured once a round, in turn, and the medians of the rounds are printed (the machine's noise
hits every path alike).

    python bench/gateway.py [--requests 1000] [--seconds 5] [--concurrency 16] [--rounds 3] [--no-policies]

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


def enable_policies(env, name, origin):
    run("az", "containerapp", "ingress", "cors", "enable", "-n", name, "-g", "gw", "--allowed-origins", origin,
        "--allowed-methods", "GET", "POST", "--max-age", "60", env=env)
    run("az", "containerapp", "ingress", "access-restriction", "set", "-n", name, "-g", "gw", "--rule-name",
        "local", "--ip-address", "127.0.0.1/32", "--action", "Allow", env=env)


def disable_policies(env, name):
    run("az", "containerapp", "ingress", "cors", "disable", "-n", name, "-g", "gw", env=env)
    run("az", "containerapp", "ingress", "access-restriction", "remove", "-n", name, "-g", "gw", "--rule-name", "local",
        env=env)


def create_app(env, name):
    return run("az", "containerapp", "create", "-n", name, "-g", "gw", "--environment", "gw-env", "--image",
               "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest", "--ingress", "external",
               "--target-port", "80", "--allow-insecure", "true", "--query", "properties.configuration.ingress.fqdn",
               "-o", "tsv", env=env).stdout.strip()


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="each path measured once a round, in turn; medians")
    parser.add_argument("--no-policies", action="store_true", help="no app with CORS and an IP rule (older checkouts)")
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is not installed: apt-get install nginx")
    work = __import__("pathlib").Path(tempfile.mkdtemp(prefix="azlocal-bench-gw-"))
    http_port, https_port = free_port(), free_port()
    env = dict(os.environ, AZLOCAL_HOME=str(work / "home"), AZLOCAL_HTTP_PORT=str(http_port),
               AZLOCAL_HTTPS_PORT=str(https_port))
    origin = "https://bench.example"
    try:
        run("az", "group", "create", "-n", "gw", "-l", "eastus", env=env)
        run("az", "containerapp", "env", "create", "-n", "gw-env", "-g", "gw", env=env)
        app = create_app(env, "bench")
        replica = run("docker", "ps", "-q", "--filter", f"label=azlocal.home={work / 'home'}").stdout.split()[0]
        ip = run("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                 replica).stdout.strip()
        start_nginx(work, f"{ip}:80", 18089)
        gateway = f"http://127.0.0.1:{http_port}/"
        targets = {"direct": (f"http://{ip}/", None, None), "nginx": ("http://127.0.0.1:18089/", None, None),
                   "gateway": (gateway, app, None)}
        if not args.no_policies:  # the same app, its policies switched on for this path and off after it
            targets["policies"] = (gateway, app, origin)
        samples = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, host, header) in targets.items():
                if name == "policies":
                    enable_policies(env, "bench", origin)
                    time.sleep(1.5)  # the gateway reloads its routes (and compiles the policies) within a second
                samples[name].append(measure(url, host, args, header))
                if name == "policies":
                    disable_policies(env, "bench")
                    time.sleep(1.5)
        results = {name: tuple(median([x[i] for x in got]) for i in range(3)) for name, got in samples.items()}
        print(f"{args.requests} sequential requests for latency; {args.concurrency} concurrent clients for "
              f"{args.seconds:g}s for throughput (upstream: busybox httpd); medians of {args.rounds} rounds, the "
              f"paths measured in turn each round. 'policies': the gateway to the same app with CORS on (requests "
              f"carry an allowed Origin) and an IP Allow rule for 127.0.0.1\n")
        print(f"{'path':<10}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
        for name, (p50, p99, rps) in results.items():
            print(f"{name:<10}{p50:>10.3f}{p99:>10.3f}{rps:>10.0f}")
        d, n = results["direct"], results["nginx"]
        print(f"\nnginx overhead p50 {n[0] - d[0]:+.3f} ms")
        for name in ("gateway", "policies"):
            if name in results:
                g = results[name]
                print(f"{name}: overhead over direct p50 {g[0] - d[0]:+.3f} ms, p99 {g[1] - d[1]:+.3f} ms "
                      f"(goal p50 <= 1 ms); req/s vs nginx {g[2] / n[2]:.2f}x (goal >= 0.8x)")
    finally:
        subprocess.run(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-s", "stop"], capture_output=True)
        subprocess.run(["az", "group", "delete", "-n", "gw", "--yes"], env=env, capture_output=True)
        subprocess.run(["azlocal", "reset", "--yes"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
