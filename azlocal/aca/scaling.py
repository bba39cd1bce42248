"""Scaling of container app revisions by their traffic: the decisions the gateway asks for.

A revision with minReplicas 0 and no replica is woken by a request (one replica started, the request
held); an http scale rule adds a replica when in-flight requests exceed its concurrency per replica;
idle revisions go back to their minimum. Replicas are started and stopped through `revisions`.
"""

import asyncio
import os
import time


def idle_seconds():
    """How long a revision with minReplicas 0 may go without requests before it scales to zero."""
    return float(os.environ.get("AZLOCAL_SCALE_TO_ZERO_SECONDS", "300"))


def _template_of(app, revision):
    from azlocal.aca import revisions

    rev = revisions.get(app, revision)
    return (rev or {}).get("properties", {}).get("template") or app["properties"]["template"]


def min_replicas(app, revision):
    return (_template_of(app, revision).get("scale") or {}).get("minReplicas")


def http_concurrency(app, revision):
    for rule in (_template_of(app, revision).get("scale") or {}).get("rules") or []:
        if "http" in rule:
            return int(rule["http"].get("metadata", {}).get("concurrentRequests", 10))
    return None


async def _start_one(app, env, revision, why):
    from azlocal.aca import revision_events, revisions

    loop = asyncio.get_running_loop()
    rev = await loop.run_in_executor(None, revisions.get, app, revision)
    before = len(await loop.run_in_executor(None, revisions.pod_heads, app["id"], revision))
    await loop.run_in_executor(None, revisions.start_replicas, app, rev, env, 1)
    revision_events.scaled(app, revision, before, before + 1, why)
    await loop.run_in_executor(None, revisions.wait_ready, app, revision, env, 60.0)


def _rule_name(app, revision, kind):
    rule = next((r for r in (_template_of(app, revision).get("scale") or {}).get("rules") or [] if kind in r), None)
    return f"the {kind} scale rule '{rule['name']}'" if rule else f"{kind} traffic"


class Scaler:
    """The traffic facts scaling decides on: requests in flight and the last request per revision.
    A slot is (app id, revision name)."""

    def __init__(self):
        self.inflight = {}  # slot -> requests being served now
        self.last_seen = {}  # slot -> (time of the last request, app, env)
        self.locks = {}  # slot -> asyncio.Lock while replicas are being started

    def begin(self, app, env, revision):
        slot = (app["id"], revision)
        self.last_seen[slot] = (time.monotonic(), app, env)
        self.inflight[slot] = self.inflight.get(slot, 0) + 1

    def end(self, app, revision):
        self.inflight[(app["id"], revision)] -= 1

    def should_wake(self, app, revision):
        return min_replicas(app, revision) == 0

    async def wake(self, app, env, revision, addresses_of):
        """A scaled-to-zero revision gets one replica; `addresses_of(fresh=True)` -> its addresses."""
        lock = self.locks.setdefault((app["id"], revision), asyncio.Lock())
        async with lock:
            found = await addresses_of(app, env, revision, fresh=True)
            if found:
                return found
            await _start_one(app, env, revision, "a request arrived for the revision scaled to zero")
            return await addresses_of(app, env, revision, fresh=True)

    def maybe_scale_out(self, app, env, revision, replicas, on_added, limit=None):
        """Adds a replica in the background when the http rule's concurrency is exceeded (or `limit`, the tcp
        rule's connections, from tcp_ingress); `on_added(slot)` is called once it is ready."""
        kind = "tcp" if limit else "http"
        limit = limit or http_concurrency(app, revision)
        slot = (app["id"], revision)
        if not limit or self.inflight.get(slot, 0) <= limit * replicas:
            return
        maximum = (app["properties"]["template"].get("scale") or {}).get("maxReplicas") or 10
        if replicas >= maximum or self.locks.get(slot, asyncio.Lock()).locked():
            return
        why = f"{_rule_name(app, revision, kind)}: {self.inflight.get(slot, 0)} in flight, over {limit} a replica"
        asyncio.get_running_loop().create_task(self._add_replica(app, env, revision, on_added, why))

    async def _add_replica(self, app, env, revision, on_added, why="traffic"):
        slot = (app["id"], revision)
        lock = self.locks.setdefault(slot, asyncio.Lock())
        if lock.locked():
            return
        async with lock:
            await _start_one(app, env, revision, why)
            on_added(slot)

    async def scale_in(self, on_scaled):
        """Idle revisions go back to their minimum: zero for minReplicas 0, else min (at least 1), and never
        below what an open cron window asks for; `on_scaled(slot)` for each."""
        from azlocal.aca import cron_scaling, revision_events, revisions

        loop = asyncio.get_running_loop()
        now = time.monotonic()
        for slot, (seen, app, env) in list(self.last_seen.items()):
            if self.inflight.get(slot) or now - seen < idle_seconds():
                continue
            revision = slot[1]
            heads = await loop.run_in_executor(None, revisions.pod_heads, app["id"], revision)
            keep = min_replicas(app, revision)
            keep = max(1 if keep is None else keep, cron_scaling.floor(_template_of(app, revision)))
            for head in heads[keep:] if keep else heads:  # the whole replica: its sidecars and volumes too
                await loop.run_in_executor(None, revisions.stop_replica, app["id"], revision,
                                           head.labels.get(revisions.labels.ACA_REPLICA))
            revision_events.scaled(app, revision, len(heads), min(len(heads), keep),
                                   f"no requests for {int(idle_seconds())} seconds")
            on_scaled(slot)
            del self.last_seen[slot]
