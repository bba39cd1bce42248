"""Programmatic subscriptions: what an app's `GET /dapr/subscribe` answers, read as daprd reads it.

Each entry names `pubsubname`, `topic` and either `route` (v1) or `routes: {rules: [{match, path}], default}`
(v2), optionally `metadata` (`rawPayload: "true"`) and `deadLetterTopic`. Field names are matched without
regard to case, as Go's JSON decoding does. A rule's `match` is a CEL expression over `event` (the
CloudEvent); azlocal evaluates the subset Dapr's examples use: `event.<field>[.<field>…]` compared with
`==`, `!=`, `<`, `<=`, `>`, `>=` to string, number or boolean literals, joined by `&&`, `||`, `!` and
parentheses. An expression outside that subset makes its subscription invalid (logged, not loaded).

Declarative subscriptions (Dapr's `Subscription` resources) have no az command in Azure CLI 2.91 (Container
Apps' `daprSubscriptions` ARM type is preview-only), so only programmatic ones exist here.
"""

import dataclasses
import re


@dataclasses.dataclass
class Subscription:
    pubsub: str
    topic: str
    default: str = ""
    rules: list = dataclasses.field(default_factory=list)  # [(compiled match, path)]
    metadata: dict = dataclasses.field(default_factory=dict)
    dead_letter: str = ""

    @property
    def raw(self):
        return str(self.metadata.get("rawPayload", "")).lower() == "true"

    def route_for(self, event):
        """The app path this event goes to: the first rule that matches, else the default ('' = none)."""
        for match, path in self.rules:
            try:
                if match(event) is True:
                    return path
            except Exception:
                continue
        return self.default

    def describe(self):
        """As /v1.0/metadata lists it."""
        rules = [{"match": getattr(m, "text", ""), "path": p} for m, p in self.rules]
        if self.default:
            rules.append({"path": self.default})
        out = {"pubsubname": self.pubsub, "topic": self.topic, "rules": rules, "type": "PROGRAMMATIC"}
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        if self.dead_letter:
            out["deadLetterTopic"] = self.dead_letter
        return out


def _get(entry, name):
    for key, value in entry.items():
        if str(key).lower() == name.lower():
            return value
    return None


def _path(value):
    value = str(value or "")
    return value if not value or value.startswith("/") else "/" + value


def parse(payload, log=None):
    """A /dapr/subscribe answer (decoded JSON) -> [Subscription]; invalid entries are skipped (and logged)."""
    out = []
    if not isinstance(payload, list):
        return out
    for entry in payload:
        if not isinstance(entry, dict):
            continue
        pubsub, topic = _get(entry, "pubsubname"), _get(entry, "topic")
        if not pubsub or not topic:
            if log:
                log.warning("subscription without pubsubname or topic ignored: %s", entry)
            continue
        sub = Subscription(str(pubsub), str(topic), metadata={str(k): str(v) for k, v in
                                                               (_get(entry, "metadata") or {}).items()},
                           dead_letter=str(_get(entry, "deadLetterTopic") or ""))
        routes = _get(entry, "routes")
        try:
            if isinstance(routes, dict):
                for rule in _get(routes, "rules") or []:
                    sub.rules.append((compile_match(str(_get(rule, "match") or "")), _path(_get(rule, "path"))))
                sub.default = _path(_get(routes, "default"))
            if not sub.default and _get(entry, "route"):
                sub.default = _path(_get(entry, "route"))
        except ValueError as ex:
            if log:
                log.error("subscription to topic %s ignored: %s", topic, ex)
            continue
        out.append(sub)
    return out


# A small CEL subset ----------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|'
                    r'(?P<op>==|!=|<=|>=|&&|\|\||[<>!().])|(?P<name>[A-Za-z_][A-Za-z0-9_]*))')


def _tokens(text):
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unsupported match expression {text!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = bytes(value[1:-1], "utf-8").decode("unicode_escape")
        elif kind == "num":
            value = float(value) if "." in value else int(value)
        out.append((kind, value))
    return out


class _Parser:
    def __init__(self, text):
        self.toks, self.i = _tokens(text), 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ValueError(f"expected {value or 'more'} in match expression")
        self.i += 1
        return tok

    def expr(self):
        left = self.conj()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conj()
            left = (lambda a, b: lambda e: bool(a(e)) or bool(b(e)))(left, right)
        return left

    def conj(self):
        left = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.unary()
            left = (lambda a, b: lambda e: bool(a(e)) and bool(b(e)))(left, right)
        return left

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            inner = self.unary()
            return lambda e: not inner(e)
        return self.comparison()

    def comparison(self):
        left = self.atom()
        ops = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
               "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
        kind, value = self.peek()
        if kind == "op" and value in ops:
            self.take()
            right = self.atom()
            fn = ops[value]
            return lambda e: fn(left(e), right(e))
        return left

    def atom(self):
        kind, value = self.take()
        if kind == "op" and value == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if kind in ("num", "str"):
            return lambda e: value
        if kind == "name" and value in ("true", "false"):
            return lambda e: value == "true"
        if kind == "name" and value == "event":
            path = []
            while self.peek() == ("op", "."):
                self.take()
                path.append(self.take()[1])
            return lambda e: _lookup(e, path)
        raise ValueError(f"unsupported term {value!r} in match expression")


def _lookup(event, path):
    value = event
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def compile_match(text):
    """A rule's match expression -> a function of the event (dict) returning a bool; ValueError if not read."""
    parser = _Parser(text)
    fn = parser.expr()
    if parser.i != len(parser.toks):
        raise ValueError(f"unsupported match expression {text!r}")
    fn.text = text
    return fn
