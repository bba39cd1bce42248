"""Role assignment conditions (Azure ABAC, condition version 2.0): parsed once, evaluated per request.

The grammar azlocal evaluates (what Azure's docs write for registries and vaults):

    expr    := term ('OR' term)* ;  term := factor ('AND' factor)*
    factor  := '!' factor | 'NOT' factor | '(' expr ')' | action | compare
    action  := ActionMatches{'<pattern>'} | SubOperationMatches{'<sub-operation>'}
    compare := @Request[attr] | @Resource[attr] | @Principal[attr] | @Environment[attr]
               [ForAnyOfAnyValues: | ForAllOfAnyValues: | ForAnyOfAllValues: | ForAllOfAllValues:]<Operator> value
    value   := '<text>' | {'<text>', ...} | {<guid>, ...} | <guid>

Operators: StringEquals, StringNotEquals, StringStartsWith, StringNotStartsWith, StringLike, StringNotLike
(each also …IgnoreCase), GuidEquals, GuidNotEquals. The request supplies the attributes it knows
(`attributes`, e.g. {"Microsoft.ContainerRegistry/registries/repositories:name": "team1/app"}); a comparison on
an attribute the request does not have is false, as Azure evaluates it. No sub-operation is emulated, so
SubOperationMatches is false.
"""

import functools
import re

from azlocal.core.errors import ValidationError
from azlocal.role import matching

_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<not>!)|(?P<word>(?:AND|OR|NOT)\b)"
                    r"|(?P<action>(?:ActionMatches|SubOperationMatches)\s*\{\s*'(?P<pattern>[^']*)'\s*\})"
                    r"|(?P<attr>@(?:Request|Resource|Principal|Environment)\[(?P<name>[^\]]+)\])"
                    r"|(?P<op>(?:ForAnyOfAnyValues|ForAllOfAnyValues|ForAnyOfAllValues|ForAllOfAllValues)?:?"
                    r"(?:String(?:Not)?(?:Equals|StartsWith|Like)(?:IgnoreCase)?|Guid(?:Not)?Equals))"
                    r"|(?P<set>\{[^}]*\})|'(?P<text>[^']*)'|(?P<guid>[0-9a-fA-F-]{36}))", re.IGNORECASE)


_KINDS = ("open", "close", "not", "word", "action", "attr", "op", "set", "text", "guid")


def _tokens(text):
    out, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValidationError(f"(InvalidConditionSyntax) The role assignment condition is not valid near "
                                  f"'{text[pos:pos + 30].strip()}'.")
        pos = match.end()
        out.append((next(k for k in _KINDS if match.group(k) is not None), match))
    return out


def _values(match):
    if match.group("set") is not None:
        inner = match.group("set")[1:-1]
        return [v.strip().strip("'") for v in inner.split(",") if v.strip()]
    if match.group("text") is not None:
        return [match.group("text")]
    return [match.group("guid")]


class _Parser:
    def __init__(self, text):
        self.tokens, self.at = _tokens(text), 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self, *kinds):
        kind, match = self.peek()
        if kind not in kinds:
            got = match.group(0).strip() if match else "the end"
            raise ValidationError(f"(InvalidConditionSyntax) The role assignment condition is not valid near '{got}'.")
        self.at += 1
        return kind, match

    def expr(self):
        node = self.term()
        while self._word("OR"):
            node = ("or", node, self.term())
        return node

    def term(self):
        node = self.factor()
        while self._word("AND"):
            node = ("and", node, self.factor())
        return node

    def _word(self, word):
        kind, match = self.peek()
        if kind == "word" and match.group("word").upper() == word:
            self.at += 1
            return True
        return False

    def factor(self):
        kind, match = self.peek()
        if kind == "not" or (kind == "word" and match.group("word").upper() == "NOT"):
            self.at += 1
            return ("not", self.factor())
        if kind == "open":
            self.at += 1
            node = self.expr()
            self.take("close")
            return node
        if kind == "action":
            self.at += 1
            word = match.group("action").split("{")[0].strip().lower()
            return ("action" if word == "actionmatches" else "suboperation", match.group("pattern"))
        _, attr = self.take("attr")
        _, op = self.take("op")
        _, value = self.take("set", "text", "guid")
        return ("compare", attr.group("name").strip().lower(), op.group("op"), _values(value))


@functools.lru_cache(maxsize=256)
def parse(text):
    """The condition's tree; ValidationError (exit 1) when it is not the grammar above."""
    parser = _Parser(text or "")
    tree = parser.expr()
    if parser.at != len(parser.tokens):
        parser.take("end")
    return tree


def _one(op, have, want):
    base = op.split(":")[-1].lower()
    negate = "not" in base
    if base.startswith("guid"):
        result = have.lower() == want.lower()
    else:
        ignore = base.endswith("ignorecase")
        a, b = (have.lower(), want.lower()) if ignore else (have, want)
        if "startswith" in base:
            result = a.startswith(b)
        elif "like" in base:
            pattern = re.escape(b).replace(r"\*", ".*").replace(r"\?", ".")
            result = re.fullmatch(pattern, a, re.DOTALL) is not None
        else:
            result = a == b
    return not result if negate else result


def _compare(op, haves, wants):
    quantifier = op.split(":")[0].lower() if ":" in op else "foranyofanyvalues"
    over_have = all if quantifier.startswith("forall") else any
    over_want = all if quantifier.endswith("allvalues") else any
    return over_have(over_want(_one(op, h, w) for w in wants) for h in haves)


def evaluate(text, action, attributes=None):
    """Whether the condition holds for `action` with the request's `attributes` ({name: value or [values]})."""
    known = {str(k).lower(): v for k, v in (attributes or {}).items()}

    def walk(node):
        kind = node[0]
        if kind == "or":
            return walk(node[1]) or walk(node[2])
        if kind == "and":
            return walk(node[1]) and walk(node[2])
        if kind == "not":
            return not walk(node[1])
        if kind == "action":
            return matching.matches(node[1], action)
        if kind == "suboperation":
            return False
        _, name, op, wants = node
        if name not in known or known[name] is None:
            return False
        haves = known[name] if isinstance(known[name], (list, tuple)) else [known[name]]
        return _compare(op, [str(h) for h in haves], wants)

    return walk(parse(text))
