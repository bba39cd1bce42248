"""A job's executions: start, stop, list, show, and the supervision that runs them to an end.

An execution is a row under its job (Microsoft.App/jobs/executions, what `execution show` prints: status,
startTime, endTime, the template it ran). Its supervision state (live replicas and their phases, successes,
failures, the settings it started with) is a kv entry; no secret is in either. `advance` moves one
execution on: the daemon calls it every few seconds for every Running execution (job_timers.poll_events),
and the CLI calls it when it reads one, so what `show` prints is current. A per-execution file lock keeps
two processes from advancing the same execution at once.

The rules (Kubernetes Jobs', which Container Apps runs): at most `parallelism` replicas at a time until
`replicaCompletionCount` have succeeded; a failed replica is replaced until failures exceed
`replicaRetryLimit` (then Failed); an execution running longer than `replicaTimeout` seconds is killed
(Failed); `job stop` kills it (Stopped)."""

import fcntl
import hashlib
import json
import random
import string
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from azlocal.aca import job_runtime, job_spec, system_logs
from azlocal.core import settings
from azlocal.core.errors import ResourceNotFound
from azlocal.platform.store import store

EXEC_TYPE = "Microsoft.App/jobs/executions"
RUNNING, SUCCEEDED, FAILED, STOPPED = "Running", "Succeeded", "Failed", "Stopped"
_ALPHABET = string.ascii_lowercase + string.digits
KEPT = 100  # finished executions kept per job


def execution_id(job, name):
    return f"{job['id']}/executions/{name}"


def _state_key(exec_id):
    return f"aca/job-execution/{exec_id.lower()}"


def azure_time(epoch=None):
    """`2023-05-10T20:10:15+00:00`, as the service writes an execution's times."""
    moment = datetime.fromtimestamp(epoch if epoch is not None else time.time(), timezone.utc)
    return moment.replace(microsecond=0).isoformat()


def new_name(job):
    taken = {e["name"] for e in list_executions(job)}
    while True:
        name = f"{job['name']}-{''.join(random.choices(_ALPHABET, k=7))}"
        if name not in taken:
            return name


def _history_key(job):
    return f"aca/job-history/{job['id'].lower()}"


def list_executions(job):
    """Newest first (the order they started in, kept beside the rows: start times have whole seconds)."""
    s = store()
    order = {name: i for i, name in enumerate(s.get_value(_history_key(job), []))}
    found = s.list(type=EXEC_TYPE, parent_id=job["id"])
    return sorted(found, key=lambda e: (e["properties"]["startTime"], order.get(e["name"], -1)), reverse=True)


def get(job, name):
    doc = store().get(execution_id(job, name))
    if doc is None:
        raise ResourceNotFound(f"(ResourceNotFound) The job execution '{name}' of job '{job['name']}' was not found.")
    return doc


# The supervisor's rules, pure ---------------------------------------------------------------------

def new_state(job, template, now):
    configuration = job["properties"]["configuration"]
    block = configuration.get(job_spec.CONFIG_KEY[configuration["triggerType"]]) or {}
    return {"replicas": [], "succeeded": 0, "failed": 0, "started": now,
            "timeout": int(configuration.get("replicaTimeout") or 1800),
            "retry_limit": int(configuration.get("replicaRetryLimit") or 0),
            "parallelism": int(block.get("parallelism") or 1),
            "completions": int(block.get("replicaCompletionCount") or 1),
            "inits": len(template.get("initContainers") or [])}


def step(state, observed, now):
    """One supervision step. `observed`: replica name -> (status, phase, exit codes) as job_runtime.observe
    reads them. Returns (state, actions, outcome): actions are ("init", replica, index), ("main", replica),
    ("remove", replica), ("failed", replica, code), ("new", count), ("kill",); outcome is None while the
    execution runs, else (status, reason)."""
    state = json.loads(json.dumps(state))
    actions = []
    if now - state["started"] > state["timeout"]:
        return state, [("kill",)], (FAILED, "DeadlineExceeded")
    live = []
    for r in state["replicas"]:
        status, phase, codes = observed.get(r["name"], ("missing", None, []))
        if status == "running":
            live.append(r)
        elif status == "exited" and all(code == 0 for code in codes) and r["phase"] != "main":
            index = int(r["phase"].split("-")[1]) + 1
            if index < state["inits"]:
                r["phase"] = f"init-{index}"
                actions.append(("init", r["name"], index))
            else:
                r["phase"] = "main"
                actions.append(("main", r["name"]))
            live.append(r)
        elif status == "exited" and all(code == 0 for code in codes):
            state["succeeded"] += 1
            actions.append(("remove", r["name"]))
        else:
            state["failed"] += 1
            actions.append(("failed", r["name"], next((c for c in codes if c != 0), None)))
    state["replicas"] = live
    if state["failed"] > state["retry_limit"]:
        return state, actions + [("kill",)], (FAILED, "BackoffLimitExceeded")
    if state["succeeded"] >= state["completions"]:
        return state, actions + [("kill",)], (SUCCEEDED, "Completed")
    missing = min(state["parallelism"], state["completions"] - state["succeeded"]) - len(live)
    if missing > 0:
        actions.append(("new", missing))
    return state, actions, None


# Running one --------------------------------------------------------------------------------------

@contextmanager
def _locked(exec_id):
    folder = settings.home() / "aca" / "job-locks"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / hashlib.sha256(exec_id.lower().encode()).hexdigest()[:24]
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _event(job, reason, message, replica=None, kind="Normal"):
    system_logs.record(job, reason, message, replica=replica, kind=kind, source="JobController")


def _run_actions(job, env_doc, execution, state, actions):
    template = execution["properties"]["template"]
    name = execution["name"]

    def replica(replica_name):
        return job_runtime.Replica(job, env_doc, name, template, replica_name)

    for action in actions:
        kind = action[0]
        if kind == "init":
            replica(action[1]).start_init(action[2])
        elif kind == "main":
            replica(action[1]).start_main(first=state["inits"] == 0)
        elif kind == "remove":
            job_runtime.kill(job["id"], name, action[1])
            _event(job, "Completed", f"Replica '{action[1]}' of execution '{name}' completed successfully",
                   replica=action[1])
        elif kind == "failed":
            job_runtime.kill(job["id"], name, action[1])
            code = f" with exit code {action[2]}" if action[2] is not None else ""
            _event(job, "ReplicaFailed", f"Replica '{action[1]}' of execution '{name}' failed{code}",
                   replica=action[1], kind="Warning")
        elif kind == "new":
            _start_new(job, env_doc, execution, state, action[1])
        elif kind == "kill":
            job_runtime.kill(job["id"], name)


def _start_new(job, env_doc, execution, state, count):
    template = execution["properties"]["template"]
    for _ in range(count):
        name = job_runtime.new_replica_name(execution["name"])
        r = job_runtime.Replica(job, env_doc, execution["name"], template, name)
        if state["failed"]:
            _event(job, "Retrying", f"Starting replica '{name}' of execution '{execution['name']}' after "
                   f"{state['failed']} failed replica(s)", replica=name)
        if state["inits"]:
            r.start_init(0)
            phase = "init-0"
        else:
            r.start_main()
            phase = "main"
        state["replicas"].append({"name": name, "phase": phase})
        _event(job, "SuccessfulCreate", f"Created pod: {name}", replica=name)


_OUTCOME_TEXT = {"Completed": "Job completed", "BackoffLimitExceeded": "Job has reached the specified backoff limit",
                 "DeadlineExceeded": "Job was active longer than specified deadline",
                 "Stopped": "Job execution was stopped"}


def _finish(job, execution, status, reason):
    s = store()
    execution["properties"]["status"] = status
    execution["properties"]["endTime"] = azure_time()
    with s.transaction():
        s.put(execution)
        s.delete_value(_state_key(execution["id"]))
    _event(job, reason, f"{_OUTCOME_TEXT[reason]}: {execution['name']}",
           kind="Normal" if status in (SUCCEEDED, STOPPED) else "Warning")


def advance(job, execution, env_doc=None, now=None):
    """Moves a Running execution on (see the module's docstring); returns its document."""
    with _locked(execution["id"]):
        s = store()
        execution = s.get(execution["id"]) or execution
        state = s.get_value(_state_key(execution["id"]))
        if execution["properties"]["status"] != RUNNING or state is None:
            return execution
        env_doc = env_doc or s.get(job["properties"]["environmentId"])
        observed = {r["name"]: job_runtime.observe(job["id"], execution["name"], r["name"])
                    for r in state["replicas"]}
        state, actions, outcome = step(state, observed, time.time() if now is None else now)
        try:
            _run_actions(job, env_doc, execution, state, actions)
        except Exception as ex:  # a replica that cannot start fails the execution (as a pod that cannot be made)
            job_runtime.kill(job["id"], execution["name"])
            _event(job, "FailedCreate", f"Error creating a replica of '{execution['name']}': {ex}", kind="Warning")
            outcome = (FAILED, "BackoffLimitExceeded")
        if outcome:
            _finish(job, execution, *outcome)
        else:
            with s.transaction():
                s.set_value(_state_key(execution["id"]), state)
        return s.get(execution["id"])


def start(job, template):
    """A new execution of `template` (the job's, or one `job start` overrode): its row, its first replicas.
    Returns the execution's document."""
    name = new_name(job)
    execution = {"id": execution_id(job, name), "name": name, "type": EXEC_TYPE,
                 "properties": {"startTime": azure_time(), "status": RUNNING,
                                "template": json.loads(json.dumps(template))}}
    s = store()
    old = [e for e in list_executions(job) if e["properties"]["status"] != RUNNING][KEPT - 1:]
    with s.transaction():
        s.put(execution)
        s.set_value(_state_key(execution["id"]), new_state(job, template, time.time()))
        for e in old:  # the history keeps the newest executions, as the service does
            s.delete(e["id"])
        gone = {e["name"] for e in old}
        s.set_value(_history_key(job), [n for n in s.get_value(_history_key(job), []) if n not in gone] + [name])
    _event(job, "ExecutionStarted", f"Started job execution {name}")
    return advance(job, execution)


def stop(job, execution):
    with _locked(execution["id"]):
        current = store().get(execution["id"]) or execution
        if current["properties"]["status"] != RUNNING:
            return current
        job_runtime.kill(job["id"], current["name"])
        _finish(job, current, STOPPED, "Stopped")
        return store().get(execution["id"])


def running():
    """(job, execution) of every Running execution of this home."""
    s = store()
    out = []
    for e in s.list(type=EXEC_TYPE):
        if e["properties"]["status"] == RUNNING:
            job = s.get(e["id"].rsplit("/executions/", 1)[0])
            if job is not None:
                out.append((job, e))
    return out


def forget_all(job):
    """The rows and supervision state of a job's executions (their containers are job_runtime's)."""
    s = store()
    with s.transaction():
        for e in s.list(type=EXEC_TYPE, parent_id=job["id"]):
            s.delete_value(_state_key(e["id"]))
            s.delete(e["id"])
        s.delete_value(_history_key(job))


def override_template(job, *, image=None, container_name=None, env_vars=None, command=None, args=None, cpu=None,
                      memory=None):
    """The template `job start` runs: the job's, or one container as the flags give it (az sends one container
    named --container-name or the job's name); what the flags leave out comes from the job's container of that
    name (or its first)."""
    template = json.loads(json.dumps(job["properties"]["template"]))
    given = (image, container_name, env_vars, command, args, cpu, memory)
    if all(v is None for v in given):
        return {"containers": template["containers"], "initContainers": template.get("initContainers")}
    name = container_name or job["name"]
    base = next((c for c in template["containers"] if c["name"].lower() == name.lower()), template["containers"][0])
    res = base.get("resources") or {}
    c = job_spec.container(name, image or base["image"], cpu=cpu if cpu is not None else res.get("cpu"),
                           memory=memory or res.get("memory"), env_vars=env_vars, command=command, args=args)
    for key in ("env", "command", "args", "volumeMounts"):
        if key not in c and base.get(key) and (key != "env" or env_vars is None):
            c[key] = base[key]
    return {"containers": [c], "initContainers": template.get("initContainers")}
