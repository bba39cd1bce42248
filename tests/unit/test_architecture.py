"""The package layout's rules, read from the source with `ast` (nothing of azlocal is imported).

Layers, by the first name under `azlocal`:

- `core`      imports only `core`.
- `platform`  imports `core` and `platform`.
- a service   (one of SERVICES) imports `core`, `platform`, itself, and the other services ALLOWED
              names for it (their public face); never `daemon`, never `cli`.
- `daemon`    imports anything but `cli`.
- `cli`       imports anything; nothing imports `cli`.

`azlocal` itself (its `__init__`: the version) may be imported by every layer. Every import counts: at
module level or inside a function, absolute or relative, `import a.b as c`, `from a import b`, and
`importlib.import_module("azlocal.x")` / `__import__("azlocal.x")` with a literal name. A new Azure
service is a sibling package: add it to SERVICES (and to ALLOWED if it needs another service).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "azlocal"
MAX_LINES = 450

SERVICES = ("resources", "acr", "aci", "aca", "storage", "identity", "role", "keyvault")
# service -> the other services it may import. aca: `containerapp up` builds with and pushes to a
# registry, and every service looks up its resource group. identity (principals, tokens) sits below role
# (assignments name principals), role below keyvault (its data plane enforces roles); the container
# services use all three (tokens in containers, registry pulls by identity, Key Vault references, CMK).
ALLOWED = {
    "resources": (),
    "identity": ("resources",),
    "role": ("identity", "resources"),
    "keyvault": ("identity", "role", "resources"),
    "acr": ("identity", "keyvault", "resources", "role"),
    "aci": ("identity", "keyvault", "resources", "role", "storage"),
    "aca": ("acr", "identity", "keyvault", "resources", "role", "storage"),
    "storage": ("resources",),
}
FOUNDATION = {"core": ("core",), "platform": ("core", "platform")}


# The checker ----------------------------------------------------------------------------------

def layer_of(module):
    """`azlocal.acr.tasks` -> "acr"; `azlocal` -> "azlocal"; a name outside azlocal -> None."""
    parts = module.split(".")
    if parts[0] != "azlocal":
        return None
    return parts[1] if len(parts) > 1 else "azlocal"


def rule_for(importer, imported):
    """None if layer `importer` may import layer `imported`, else the rule it breaks."""
    if imported == "azlocal" or importer == imported:
        return None
    if imported == "cli":
        return "nothing imports azlocal.cli"
    if importer in FOUNDATION:
        if imported in FOUNDATION[importer]:
            return None
        return f"{importer} imports only {' and '.join(FOUNDATION[importer])}"
    if importer in SERVICES:
        if imported in FOUNDATION or imported in ALLOWED[importer]:
            return None
        if imported == "daemon":
            return "no service imports azlocal.daemon"
        others = ", ".join(ALLOWED[importer]) or "no other service"
        return f"service {importer} imports core, platform, itself and {others} (ALLOWED)"
    if importer in ("daemon", "cli", "azlocal"):
        return None
    return f"unknown package azlocal.{importer}: add it to SERVICES in tests/unit/test_architecture.py"


def _resolve(module, is_package, node):
    """The absolute module an ImportFrom names (relative levels resolved against `module`)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _literal_import(node):
    """`importlib.import_module("x")`, `import_module("x")`, `__import__("x")` -> "x"."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _module_level(tree):
    """The nodes that run when the module is imported (function bodies excluded)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def imports_of(module, source, is_package, known, top_level_only=False):
    """[(lineno, imported module)] of one module's source; `from p import m` names p.m when p.m is known."""
    tree = ast.parse(source)
    nodes = _module_level(tree) if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if sub in known else base))
        elif isinstance(node, ast.Call) and not top_level_only:
            name = _literal_import(node)
            if name:
                found.append((node.lineno, name))
    return found


def violations(modules):
    """Wrong-way imports of `modules` ({name: (source, is_package)}), as readable lines."""
    out = []
    for module, (source, is_package) in sorted(modules.items()):
        for lineno, imported in imports_of(module, source, is_package, modules):
            importer_layer, imported_layer = layer_of(module), layer_of(imported)
            if imported_layer is None:
                continue
            rule = rule_for(importer_layer, imported_layer)
            if rule:
                out.append(f"{module} (line {lineno}) imports {imported}: {rule}")
    return out


def cycles(modules):
    """Import cycles at module level between modules of one package (`azlocal.<layer>.*`)."""
    graph = {}
    for module, (source, is_package) in modules.items():
        graph[module] = sorted({
            imported for _, imported in imports_of(module, source, is_package, modules, top_level_only=True)
            if imported in modules and imported != module and layer_of(imported) == layer_of(module)
        })
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                found.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def read_tree(root=ROOT):
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return modules


# The checker on made-up sources ---------------------------------------------------------------

def _tree(**sources):
    """Made-up modules: keyword `azlocal__core__x` is module azlocal.core.x; `__init__` suffix = package."""
    out = {}
    for key, source in sources.items():
        name = key.replace("__", ".")
        is_package = name.endswith(".init")
        out[name.removesuffix(".init")] = (source, is_package)
    return out


@pytest.mark.parametrize("sources, expected", [
    ({"azlocal__core__a": "from azlocal.resources import account\n", "azlocal__resources__account": ""},
     ["azlocal.core.a (line 1) imports azlocal.resources.account: core imports only core"]),
    ({"azlocal__core__a": "def f():\n    import azlocal.platform.store as s\n"},
     ["azlocal.core.a (line 2) imports azlocal.platform.store: core imports only core"]),
    ({"azlocal__platform__a": "import importlib\nimportlib.import_module('azlocal.acr.registries')\n"},
     ["azlocal.platform.a (line 2) imports azlocal.acr.registries: platform imports only core and platform"]),
    ({"azlocal__core__init": "", "azlocal__core__a": "from .. import cli\n", "azlocal__cli": ""},
     ["azlocal.core.a (line 1) imports azlocal.cli: nothing imports azlocal.cli"]),
    ({"azlocal__acr__init": "", "azlocal__acr__tasks": "from ..aca import gateway\n", "azlocal__aca__gateway": ""},
     ["azlocal.acr.tasks (line 1) imports azlocal.aca.gateway: service acr imports core, platform, itself and "
      "identity, keyvault, resources, role (ALLOWED)"]),
    ({"azlocal__aci__x": "from azlocal.daemon import server\n", "azlocal__daemon__server": ""},
     ["azlocal.aci.x (line 1) imports azlocal.daemon.server: no service imports azlocal.daemon"]),
    ({"azlocal__daemon__x": "from azlocal import cli\n", "azlocal__cli": ""},
     ["azlocal.daemon.x (line 1) imports azlocal.cli: nothing imports azlocal.cli"]),
    ({"azlocal__monitor__x": "from azlocal.core import errors\n", "azlocal__core__errors": ""},
     ["azlocal.monitor.x (line 1) imports azlocal.core.errors: unknown package azlocal.monitor: add it to "
      "SERVICES in tests/unit/test_architecture.py"]),
    # The right way round: nothing reported.
    ({"azlocal__aca__up": "from azlocal.acr import registries\nfrom . import revisions\nfrom azlocal import "
                          "__version__\nimport json\n", "azlocal__acr__registries": "", "azlocal__aca__revisions": ""},
     []),
    ({"azlocal__daemon__x": "from azlocal.aca import gateway\nfrom azlocal.platform import lifecycle\n"}, []),
    ({"azlocal__cli": "import importlib\nimportlib.import_module('azlocal.acr.commands')\n"}, []),
])
def test_the_checker_reports_wrong_way_imports(sources, expected):
    assert violations(_tree(**sources)) == expected


@pytest.mark.parametrize("sources, expected", [
    ({"azlocal__acr__a": "from azlocal.acr import b\n", "azlocal__acr__b": "import azlocal.acr.a\n"},
     ["azlocal.acr.a -> azlocal.acr.b -> azlocal.acr.a"]),
    ({"azlocal__acr__a": "from . import b\n", "azlocal__acr__init": "", "azlocal__acr__b": "from .c import x\n",
      "azlocal__acr__c": "from azlocal.acr.a import y\n"},
     ["azlocal.acr.a -> azlocal.acr.b -> azlocal.acr.c -> azlocal.acr.a"]),
    # An import inside a function breaks the cycle (it runs after both modules are loaded).
    ({"azlocal__acr__a": "from azlocal.acr import b\n", "azlocal__acr__b": "def f():\n    from azlocal.acr import a\n"},
     []),
    # Across packages is the import rules' business, not a cycle within one package.
    ({"azlocal__acr__a": "from azlocal.aca import b\n", "azlocal__aca__b": "from azlocal.acr import a\n"}, []),
])
def test_the_checker_finds_cycles(sources, expected):
    assert cycles(_tree(**sources)) == expected


# The rules on the real tree -------------------------------------------------------------------

def test_every_package_is_a_known_layer():
    layers = {layer_of(m) for m in read_tree()}
    unknown = layers - set(SERVICES) - set(FOUNDATION) - {"azlocal", "cli", "daemon"}
    assert not unknown, f"packages in no layer (add services to SERVICES): {sorted(unknown)}"
    assert set(ALLOWED) == set(SERVICES)


def test_imports_point_one_way():
    found = violations(read_tree())
    assert not found, "wrong-way imports:\n" + "\n".join(found)


def test_no_import_cycle_within_a_package():
    found = cycles(read_tree())
    assert not found, "module-level import cycles:\n" + "\n".join(found)


def test_no_module_is_too_long():
    sizes = sorted(((source.count("\n"), name) for name, (source, _) in read_tree().items()), reverse=True)
    too_long = [f"{name}: {lines} lines" for lines, name in sizes if lines > MAX_LINES]
    largest = ", ".join(f"{name} ({lines})" for lines, name in sizes[:5])
    assert not too_long, f"modules over {MAX_LINES} lines:\n" + "\n".join(too_long) + f"\nlargest: {largest}"


def _declared_cleaners(source):
    """The CLEANERS literal of a service package's `__init__` (None if it declares none)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CLEANERS" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def _defines(source, function):
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function
               for n in ast.parse(source).body)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_declares_its_cleaners_as_strings(service):
    from azlocal.core import settings

    assert f"azlocal.{service}" in settings.SERVICE_PACKAGES  # platform.cleanup reads the packages listed there
    tree = read_tree()
    source, _ = tree[f"azlocal.{service}"]
    assert not imports_of(f"azlocal.{service}", source, True, tree), "a service's __init__ imports nothing"
    declared = _declared_cleaners(source)
    assert isinstance(declared, dict), f"azlocal/{service}/__init__.py declares no CLEANERS"
    for resource_type, target in declared.items():
        module, _, function = target.partition(":")
        assert resource_type == resource_type.lower() and module.startswith(f"azlocal.{service}."), target
        assert module in tree and _defines(tree[module][0], function), f"{target}: no such module:function"


def test_cleanup_reads_every_services_cleaners():
    from azlocal.core import settings
    from azlocal.platform import cleanup

    expected = {}
    for package in settings.SERVICE_PACKAGES:
        expected.update(_declared_cleaners(read_tree()[package][0]))
    assert cleanup.cleaners() == expected
    assert "microsoft.containerregistry/registries" in cleanup.CLEANERS
    assert set(settings.SERVICE_PACKAGES) == {f"azlocal.{s}" for s in SERVICES}
