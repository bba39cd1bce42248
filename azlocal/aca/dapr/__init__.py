"""Dapr for container apps: azlocal's own sidecar, one per running replica of a Dapr-enabled app.

The sidecar is a host process (`python -m azlocal.aca.dapr.sidecar`) that the daemon starts inside the
replica's network namespace (supervisor.py), so the app's `localhost:3500` (HTTP) and `localhost:50001`
(gRPC) are real sockets. It reads this home's store directly (context.py), calls its app on the app
port, and reaches other apps' replicas by their addresses on the environment's network (invoke.py). The
HTTP API is a set of modules, each `routes(ctx) -> [aiohttp RouteDef]` (api_meta, api_invoke, api_state,
api_pubsub, api_secrets), over behaviour modules that the gRPC API (grpc_api) calls too.
"""
