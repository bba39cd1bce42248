"""The state API as the real sidecar serves it (sidecar.build_app with a SidecarContext over the home's
store), with components set by `az containerapp env dapr-component set`: Dapr's scopes decide which app sees
a store, secretRef metadata reaches the backend, and the invocation routes mounted after it take nothing of
/v1.0/state. No Docker."""

import asyncio
import json

import aiohttp
from aiohttp.test_utils import TestServer

from azlocal.aca.dapr import sidecar
from azlocal.aca.dapr.context import SidecarContext
from tests.unit.test_dapr_components import _ok, _set, env  # noqa: F401  (the env fixture)


def _ctx(env_doc, app_id):
    app = {"id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/{app_id}",
           "name": app_id, "properties": {"managedEnvironmentId": env_doc["id"], "configuration": {
               "dapr": {"enabled": True, "appId": app_id}}}}
    return SidecarContext(app, env_doc, f"{app_id}--r1-abc", loader=lambda rid: None)


def _calls(ctx, calls):
    async def main():
        server = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
        await server.start_server()
        out = []
        try:
            async with aiohttp.ClientSession() as s:
                for method, path, body in calls:
                    async with s.request(method, f"http://127.0.0.1:{server.port}{path}",
                                         data=json.dumps(body) if body is not None else None) as r:
                        out.append((r.status, await r.read()))
        finally:
            await server.close()
            await ctx.close()
        return out
    return asyncio.run(main())


def test_components_from_the_environment_back_the_state_api(cli, env, tmp_path):  # noqa: F811
    _ok(_set(cli, tmp_path, "statestore", "componentType: state.sqlite\nversion: v1\nmetadata:\n"
             "- name: keyPrefix\n  secretRef: prefix\nsecrets:\n- name: prefix\n  value: shop\nscopes:\n- nodeapp\n"))
    calls = [("POST", "/v1.0/state/statestore", [{"key": "order", "value": {"orderId": 3}}]),
             ("GET", "/v1.0/state/statestore/order", None)]
    (saved, _), (got, body) = _calls(_ctx(env, "nodeapp"), calls)
    assert saved == 204 and got == 200 and json.loads(body) == {"orderId": 3}
    # another app of the environment: the store is scoped away
    (status, body), _ = _calls(_ctx(env, "pythonapp"), calls)
    assert status == 500 and json.loads(body)["errorCode"] == "ERR_STATE_STORE_NOT_CONFIGURED"
    # the secretRef'd keyPrefix was applied: the store holds 'shop||order'
    ctx = _ctx(env, "nodeapp")
    _calls(ctx, calls[1:])
    backend = ctx.extras["state_backends"]["statestore"][1]
    assert backend.get("shop||order") is not None and backend.get("nodeapp||order") is None
