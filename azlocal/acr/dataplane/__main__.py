"""A standalone registry for tests and benchmarks:

    python -m azlocal.acr.dataplane --root DIR --port N [--host 127.0.0.1] [--admin-user U --admin-password P]

Without an admin user every request is allowed; with one, the registry authenticates as ACR does.
"""

import argparse
import secrets
from pathlib import Path

from aiohttp import web

from azlocal.acr.dataplane import RegistryView, build_app


def main():
    parser = argparse.ArgumentParser(prog="python -m azlocal.acr.dataplane")
    parser.add_argument("--root", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--admin-user")
    parser.add_argument("--admin-password")
    parser.add_argument("--anonymous-pull", action="store_true")
    parser.add_argument("--quota-bytes", type=int)
    args = parser.parse_args()

    key = secrets.token_bytes(32)

    def resolve(host):
        return RegistryView(
            name="standalone", login_server=host.split(":")[0] if host else "localhost", root=Path(args.root),
            token_key=key, admin_enabled=bool(args.admin_user), anonymous_pull=args.anonymous_pull,
            quota_bytes=args.quota_bytes,
            check_password=lambda u, p: u == args.admin_user and p == args.admin_password,
            check_aad_token=lambda t: False, auth_required=bool(args.admin_user),
        )

    web.run_app(build_app(resolve), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
