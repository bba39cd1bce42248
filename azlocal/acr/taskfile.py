"""ACR multi-step task files: parsing, validation and execution on the Docker Engine.

`az acr run --cmd X /dev/null` is the one-step task `steps: [{cmd: X}]` (as the real CLI sends
it), so every run goes through this engine. Steps run on a task network where each step's id
is its host name; a step waits for the previous one unless `when` says otherwise (`["-"]`
starts at once); a failed step fails the run and the steps that depend on it do not run;
detached step containers are removed when the run ends, whatever its outcome.
"""

import os
import shlex
import threading
import time
import uuid
from dataclasses import dataclass, field

from azlocal.acr import run_steps
from azlocal.core.errors import AzLocalError

STEP_TYPES = ("build", "cmd", "push")


@dataclass
class Step:
    id: str
    kind: str
    value: object
    when: list | None = None
    env: list = field(default_factory=list)
    detach: bool = False
    entry_point: str | None = None
    working_directory: str | None = None
    disable_wd_override: bool = False
    ports: list = field(default_factory=list)
    timeout: int = 600
    start_delay: int = 0
    retries: int = 0
    retry_delay: int = 0
    ignore_errors: bool = False
    repeat: int = 0
    network: str | None = None
    user: str | None = None
    privileged: bool = False


@dataclass
class Task:
    steps: list
    env: list = field(default_factory=list)


def _split(text, what):
    try:
        return shlex.split(str(text))
    except ValueError as ex:
        raise AzLocalError(f"failed to parse the task file: the {what} '{text}' is not valid: {ex}") from None


def _words(step):
    return _split(step.value, step.kind)


def parse(text, render):
    """A task file's text → Task. `render` substitutes run variables first, as ACR does."""
    from azlocal.core import yamlsafe
    from azlocal.core.errors import ValidationError

    try:
        data = yamlsafe.load(render(text), "The task file")
    except ValidationError as ex:
        raise AzLocalError(f"failed to parse the task file: {ex}") from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise AzLocalError("the task file must have a non-empty 'steps' list")
    steps, seen = [], set()
    for index, raw in enumerate(data["steps"]):
        try:
            step = _parse_step(raw, index, int(data.get("stepTimeout", 600)))
        except (TypeError, ValueError) as ex:
            raise AzLocalError(f"failed to parse the task file: step {index}: {ex}") from None
        if step.id in seen:
            raise AzLocalError(f"duplicate step ID: {step.id}")
        seen.add(step.id)
        steps.append(step)
    for step in steps:
        for dep in step.when or []:
            if dep != "-" and dep not in seen:
                raise AzLocalError(f"step {step.id} depends on unknown step ID: {dep}")
            if dep == step.id:
                raise AzLocalError(f"step {step.id} cannot depend on itself")
    return Task(steps=steps, env=list(data.get("env") or []))


def _parse_step(raw, index, step_timeout):
    if not isinstance(raw, dict):
        raise AzLocalError(f"step {index} is not a mapping")
    kinds = [k for k in STEP_TYPES if k in raw]
    if not kinds:
        raise AzLocalError("step is missing a cmd, build, or push property")
    if len(kinds) > 1:
        raise AzLocalError("step must only contain a single build, cmd, or push property")
    step_id = str(raw.get("id", f"acb_step_{index}"))
    if " " in step_id:
        raise AzLocalError("step ID cannot contain spaces")
    when = raw.get("when")
    if when is not None:
        when = [str(w) for w in (when if isinstance(when, list) else [when])]
        if "-" in when and len(when) > 1:
            raise AzLocalError("step cannot contain other IDs in when if the immediate execution token is specified")
    for key in ("retries", "repeat"):
        if int(raw.get(key, 0)) < 0:
            raise AzLocalError(f"step {step_id}: {key} cannot be negative")
    value = raw[kinds[0]]
    if kinds[0] == "push" and isinstance(value, str):
        value = [value]
    return Step(
        id=step_id, kind=kinds[0], value=value, when=when, env=list(raw.get("env") or []),
        detach=bool(raw.get("detach", False)), entry_point=raw.get("entryPoint"),
        working_directory=raw.get("workingDirectory"),
        disable_wd_override=bool(raw.get("disableWorkingDirectoryOverride", False)),
        ports=[str(p) for p in raw.get("ports") or []], timeout=int(raw.get("timeout", step_timeout)),
        start_delay=int(raw.get("startDelay", 0)), retries=int(raw.get("retries", 0)),
        retry_delay=int(raw.get("retryDelay", 0)), ignore_errors=bool(raw.get("ignoreErrors", False)),
        repeat=int(raw.get("repeat", 0)), network=raw.get("network"), user=raw.get("user"),
        privileged=bool(raw.get("privileged", False)),
    )


class Execution:
    """One run of a task: the network, the step containers, and the order they run in."""

    def __init__(self, client, doc, run_id, *, task, context, log, labels):
        self.client, self.doc, self.run_id, self.task = client, doc, run_id, task
        self.context, self.log, self.labels = context, log, labels
        from azlocal.platform.engine.labels import name_hash

        self.network = f"acb_default_network_{doc['name']}_{run_id}_{name_hash(doc['id'], length=6)}"  # home-unique
        self.containers = []
        self.outputs = []
        self.built = set()  # images built by this run's build steps: used as they are, never pulled
        self.lock = threading.Lock()

    def run(self):
        self.log.line(f"Creating Docker network: {self.network}, driver: 'bridge'")
        network = self.client.networks.create(self.network, driver="bridge", labels=self.labels)
        try:
            self.log.line(f"Successfully set up Docker network: {self.network}")
            self.log.line("Setting up Docker configuration...")
            self.log.line("Successfully set up Docker configuration")
            self.log.line(f"Logging in to registry: {self.doc['loginServer']}")
            self.log.line(f"Successfully logged into {self.doc['loginServer']}")
            run_steps.login_custom_registries(self.client, self.log)
            failures = self._schedule()
        finally:
            for container in self.containers:
                try:
                    container.remove(force=True)
                except Exception:
                    pass
            network.remove()
        if failures:
            raise AzLocalError(failures[0])
        return self.outputs

    def _schedule(self):
        """Starts each step when its dependencies succeeded; skips it when one failed."""
        results, threads, failures = {}, {}, []
        done = threading.Condition()

        def deps_of(i, step):
            if step.when is None:
                return [self.task.steps[i - 1].id] if i > 0 else []
            return [w for w in step.when if w != "-"]

        def worker(step):
            try:
                self._run_step(step)
                ok = True
            except AzLocalError as ex:
                ok = step.ignore_errors
                if not ok:
                    failures.append(str(ex))
            with done:
                results[step.id] = ok
                done.notify_all()

        pending = list(enumerate(self.task.steps))
        with done:
            while pending:
                progressed = False
                for i, step in list(pending):
                    deps = deps_of(i, step)
                    if any(d in results and results[d] in (False, None) for d in deps):
                        results[step.id] = None  # skipped: a dependency failed
                        pending.remove((i, step))
                        progressed = True
                    elif all(results.get(d) is True for d in deps):
                        pending.remove((i, step))
                        results.setdefault(step.id, "running")
                        thread = threading.Thread(target=worker, args=(step,), daemon=True)
                        threads[step.id] = thread
                        thread.start()
                        progressed = True
                if pending and not progressed:
                    done.wait(1)
            for step_id in list(threads):
                while results.get(step_id) == "running":
                    done.wait(1)
        return failures

    # Steps ---------------------------------------------------------------------------------

    def _run_step(self, step):
        if step.start_delay:
            time.sleep(step.start_delay)
        self.log.line(f"Executing step ID: {step.id}. Timeout(sec): {step.timeout}, Working directory: "
                      f"'{step.working_directory or ''}', Network: '{self.network}'")
        begin = time.monotonic()
        for attempt in range(step.repeat + 1):
            if step.kind == "build":
                self._build(step)
            elif step.kind == "push":
                self._push(step)
            else:
                self._cmd_with_retries(step)
        if not step.detach:
            self.log.line(f"Step ID: {step.id} marked as successful (elapsed time in seconds: "
                          f"{time.monotonic() - begin:.6f})")

    def _build(self, step):
        words = _words(step)
        tags, build_args, dockerfile, target, platform, positional = [], [], "Dockerfile", None, None, []
        i = 0
        while i < len(words):
            word = words[i]
            if word in ("-t", "--tag", "--image"):
                tags.append(words[i + 1])
                i += 1
            elif word in ("-f", "--file"):
                dockerfile = words[i + 1]
                i += 1
            elif word == "--build-arg":
                build_args.append(words[i + 1])
                i += 1
            elif word == "--target":
                target = words[i + 1]
                i += 1
            elif word == "--platform":
                platform = words[i + 1]
                i += 1
            elif word.startswith("-"):
                pass  # other docker build flags (--no-cache, --pull …) need no local meaning
            else:
                positional.append(word)
            i += 1
        if self.context is None:
            raise AzLocalError(f"step {step.id}: a build step needs a source context, not /dev/null")
        context = os.path.normpath(os.path.join(self.context, positional[0] if positional else "."))
        dockerfile_path = os.path.normpath(os.path.join(self.context, dockerfile))
        if not os.path.isfile(dockerfile_path):
            dockerfile_path = os.path.normpath(os.path.join(context, dockerfile))
        if not os.path.isfile(dockerfile_path):
            raise AzLocalError(f"step {step.id}: unable to find '{dockerfile}'")
        run_steps.docker_build(self.client, self.doc, self.log, context=context, dockerfile_path=dockerfile_path,
                               tags=tags, build_args=build_args, target=target, platform=platform,
                               timeout=step.timeout)
        with self.lock:
            self.built.update(tags)

    def _push(self, step):
        auth = run_steps.registry_auth(self.doc)
        for image in dict.fromkeys(step.value):
            qualified = run_steps.qualify(str(image), self.doc)
            output = run_steps.push_image(self.client, qualified, auth, self.log)
            with self.lock:
                self.outputs.append(output)

    def _cmd_with_retries(self, step):
        for attempt in range(step.retries + 1):
            try:
                return self._cmd(step)
            except AzLocalError:
                if attempt == step.retries:
                    self.log.line(f"Container failed during run: {step.id}. No retries remaining.")
                    raise
                self.log.line(f"Container failed during run: {step.id}. Retrying in {step.retry_delay}s...")
                time.sleep(step.retry_delay)

    def _cmd(self, step):
        words = _words(step)
        if not words:
            raise AzLocalError(f"step {step.id}: the cmd is empty")
        image, args = words[0], words[1:]
        run_steps.ensure_image(self.client, image, self.doc, self.log, self.built)
        env = list(self.task.env) + list(step.env)
        ports = {}
        for mapping in step.ports:
            host, _, inner = mapping.rpartition(":")
            ports[f"{inner}/tcp"] = ("127.0.0.1", int(host)) if host else None
        mounts = {}
        workdir = step.working_directory
        if self.context and not step.disable_wd_override:
            mounts[self.context] = {"bind": "/workspace", "mode": "rw"}
            workdir = workdir or "/workspace"
        name = f"{step.id}_{self.doc['name']}_{self.run_id}_{uuid.uuid4().hex[:4]}"
        self.log.line(f"Launching container with name: {step.id}")
        container = self.client.containers.create(
            image, command=args or None, name=name, hostname=step.id, environment=env, labels=self.labels,
            entrypoint=_split(step.entry_point, "entryPoint") if step.entry_point else None, working_dir=workdir,
            volumes=mounts or None, ports=ports or None, user=step.user, privileged=step.privileged,
            network=step.network or self.network,
        )
        with self.lock:
            self.containers.append(container)
        if not step.network:
            # The step id is its host name on the task network (docker's aliases need a reconnect).
            net = self.client.networks.get(self.network)
            net.disconnect(container)
            net.connect(container, aliases=[step.id])
        container.start()
        if step.detach:
            self.log.line(f"Successfully started container: {step.id}")
            return
        follower = threading.Thread(target=self._follow, args=(container,), daemon=True)
        follower.start()
        try:
            code = container.wait(timeout=step.timeout).get("StatusCode", 1)
        except Exception as ex:
            container.kill()
            raise AzLocalError(f"failed to run step ID: {step.id}: timed out after {step.timeout}s") from ex
        follower.join(5)
        if code != 0:
            raise AzLocalError(f"failed to run step ID: {step.id}: exit status {code}")
        self.log.line(f"Successfully executed container: {step.id}")

    def _follow(self, container):
        for chunk in container.logs(stream=True, follow=True):
            self.log.raw(chunk.decode(errors="replace"))

