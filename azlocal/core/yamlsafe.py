"""YAML from the user, loaded with limits: no "billion laughs", no nesting deep enough to exhaust the stack.

PyYAML's safe loader builds an aliased node once and shares it, so a 365-byte file of nested aliases
loads quickly; it is every later walk over the data (copying, lower-casing keys, dumping it as JSON)
that expands it to gigabytes. The composer below counts the nodes the document would have with every
alias expanded, and its depth, and refuses the document as soon as either passes its limit, before
anything is built from it.
"""

import yaml

from azlocal.core.errors import ValidationError

MAX_NODES = 200_000
MAX_DEPTH = 64


class _LimitedLoader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self._nodes, self._depth, self._sizes = 0, 0, {}

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooBig(f"it is nested more than {MAX_DEPTH} levels deep")
            if self.check_event(yaml.AliasEvent):
                anchored = self.anchors.get(self.peek_event().anchor)
                self._nodes += self._size(anchored) if anchored is not None else 1
            else:
                self._nodes += 1
            if self._nodes > MAX_NODES:
                raise _TooBig(f"it expands to more than {MAX_NODES} values (aliases included)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _size(self, node):
        """The node's value count with aliases expanded (memoised: shared nodes are counted once each time)."""
        key = id(node)
        if key not in self._sizes:
            if isinstance(node, yaml.SequenceNode):
                self._sizes[key] = 1 + sum(self._size(n) for n in node.value)
            elif isinstance(node, yaml.MappingNode):
                self._sizes[key] = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            else:
                self._sizes[key] = 1
        return self._sizes[key]


class _TooBig(Exception):
    pass


def load(text, what="The YAML file"):
    """One YAML document from the user, or ValidationError('<what> is not valid: ...')."""
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    except _TooBig as ex:
        raise ValidationError(f"{what} was refused: {ex}.") from None
    except yaml.YAMLError as ex:
        raise ValidationError(f"{what} is not valid: {ex}") from None
    except RecursionError:
        raise ValidationError(f"{what} was refused: it is nested too deeply.") from None
    finally:
        loader.dispose()
