"""The gateway passes what HTTP carries: large request bodies, streamed responses, keep-alive and
websockets. Real sockets on loopback: an upstream aiohttp server stands for a replica, and the
gateway's route and replica lookups point at it (they read the store and Docker otherwise)."""

import asyncio
import hashlib

import pytest
from aiohttp import ClientSession, WSMsgType, web
from aiohttp.test_utils import TestServer

from azlocal.aca.gateway import Gateway

pytestmark = pytest.mark.integration


def _upstream():
    async def echo(request):
        body = await request.read()
        return web.json_response({"length": len(body), "sha": hashlib.sha256(body).hexdigest(),
                                  "host": request.headers.get("Host"),
                                  "forwarded": request.headers.get("X-Forwarded-Proto")})

    async def stream(request):
        response = web.StreamResponse()
        await response.prepare(request)
        for i in range(3):
            await response.write(f"chunk{i}\n".encode())
            await asyncio.sleep(0.05)
        await response.write_eof()
        return response

    async def ws(request):
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        async for msg in sock:
            if msg.type == WSMsgType.TEXT:
                await sock.send_str("echo:" + msg.data)
        return sock

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/echo", echo)
    app.router.add_get("/stream", stream)
    app.router.add_get("/ws", ws)
    return app


def _gateway_app(gateway):
    @web.middleware
    async def all_to_gateway(request, handler):
        return await gateway.handle(request)

    app = web.Application(middlewares=[all_to_gateway])
    return app


async def _scenario():
    upstream = TestServer(_upstream(), host="127.0.0.1")
    await upstream.start_server()
    gateway = Gateway()
    app_doc = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/containerapps/web", "name": "web",
               "properties": {"configuration": {"ingress": {"external": True, "allowInsecure": True,
                                                            "targetPort": upstream.port}},
                              "template": {"scale": {"minReplicas": 1}}}}
    gateway.route = lambda host: ("revision", app_doc, {}, "web--v1")

    async def addresses(app, env, revision, fresh=False):
        return [("127.0.0.1", upstream.port)]

    gateway.addresses_of = addresses
    front = TestServer(_gateway_app(gateway), host="127.0.0.1")
    await front.start_server()
    base = f"http://127.0.0.1:{front.port}"
    results = {}
    try:
        async with ClientSession(headers={"Host": "web.example.azurecontainerapps.io"}) as session:
            body = b"x" * (8 * 1024 * 1024)
            for _ in range(3):  # keep-alive: one connection, several requests
                async with session.post(f"{base}/echo", data=body) as r:
                    results["echo"] = await r.json()
            async with session.get(f"{base}/stream") as r:
                results["stream"] = [line async for line in r.content]
            async with session.ws_connect(f"{base}/ws") as sock:
                await sock.send_str("hello")
                msg = await sock.receive(timeout=5)
                results["ws"] = msg.data
    finally:
        await gateway.close()
        await front.close()
        await upstream.close()
    return results


def test_large_bodies_streams_keepalive_and_websockets_pass(home):
    results = asyncio.run(_scenario())
    assert results["echo"]["length"] == 8 * 1024 * 1024
    assert results["echo"]["sha"] == hashlib.sha256(b"x" * (8 * 1024 * 1024)).hexdigest()
    assert results["echo"]["host"] == "web.example.azurecontainerapps.io"
    assert results["echo"]["forwarded"] == "http"
    assert results["stream"] == [b"chunk0\n", b"chunk1\n", b"chunk2\n"]
    assert results["ws"] == "echo:hello"
