"""Help texts are data: each service package's `_help.yaml` beside its command table.

Every command a package loads has a help entry with a short summary, the data files parse, and help
renders exactly as it did when the texts were Python strings (the goldens below were captured from
`az <command> -h` and from argument errors before the texts moved).
"""

import os

import pytest
import yaml

from azlocal.core import helpdata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# package -> (its help data file, the first words whose commands it holds)
PACKAGES = {
    "acr": ("azlocal/acr/_help.yaml", ["acr"]),
    "aci": ("azlocal/aci/_help.yaml", ["container"]),
    "aca": ("azlocal/aca/_help.yaml", ["containerapp"]),
    "resources": ("azlocal/resources/_help.yaml",
                  ["account", "configure", "extension", "group", "local", "login", "logout", "provider", "version"]),
}


# Captured before the help texts moved into data files (80 columns).
GOLDEN = [
    (['acr', 'create', '-h'], 0, 'out', (
        '\n'
        'Command\n'
        '    az acr create : Create a container registry served at <name>.azurecr.io on this machine.\n'
        '\n'
        'Arguments\n'
        '    --name -n           [Required] : The name of the container registry. It should be specified in\n'
        '                                     lower case. You can configure the default registry name using\n'
        '                                     `az configure --defaults acr=<registry name>`.\n'
        '    --resource-group -g [Required] : Name of resource group. You can configure the default group\n'
        '                                     using `az configure --defaults group=<name>`.\n'
        '    --sku               [Required] : The SKU of the container registry.  Allowed values: Basic,\n'
        '                                     Premium, Standard.\n'
        '    --admin-enabled                : Indicates whether the admin user is enabled.  Allowed values:\n'
        '                                     false, true.\n'
        '    --allow-exports                : Allow or forbid exporting artifacts from this registry (by az\n'
        '                                     acr import into another registry).  Allowed values: false,\n'
        '                                     true.\n'
        '    --allow-metadata-search        : Enable or disable metadata search (recorded; not served\n'
        '                                     offline).  Allowed values: false, true.\n'
        '    --allow-trusted-services       : Allow trusted Azure services to reach a network restricted\n'
        '                                     registry (recorded; there are no such services offline).\n'
        '                                     Allowed values: false, true.\n'
        '    --data-endpoint-enabled        : Serve the registry also at its dedicated data endpoints,\n'
        '                                     <name>.<region>.data.azurecr.io (Premium).  Allowed values:\n'
        '                                     false, true.\n'
        '    --default-action               : Default action to apply when no rule matches. Only applicable\n'
        '                                     to Premium SKU.  Allowed values: Allow, Deny.\n'
        '    --dnl-scope                    : Domain name label scope: adds a hash to the login server name,\n'
        '                                     <name>-<hash>.azurecr.io. Default is Unsecure (no hash).\n'
        '                                     Allowed values: NoReuse, ResourceGroupReuse, SubscriptionReuse,\n'
        '                                     TenantReuse, Unsecure.\n'
        '    --endpoint-protocol            : The endpoint protocol of the registry (recorded; the local\n'
        '                                     registry is IPv4 only).  Allowed values: IPv4, IPv4AndIPv6.\n'
        '    --identity                     : The name or resource ID of the user-assigned identity that\n'
        '                                     reads the customer-managed key (Premium; give --key-encryption-\n'
        '                                     key too).\n'
        '    --key-encryption-key           : The Key Vault key URI whose key wraps the registry\'s data key:\n'
        '                                     every blob is then encrypted on disk. A versionless URI follows\n'
        '                                     the key\'s rotation.\n'
        '    --location -l                  : Location. Values from: `az account list-locations`. You can\n'
        '                                     configure the default location using `az configure --defaults\n'
        '                                     location=<location>`.\n'
        '    --public-network-enabled       : Allow public network access for the container registry.\n'
        '                                     Allowed values: false, true.\n'
        '    --regional-endpoints           : Serve the registry also at its regional endpoints,\n'
        '                                     <name>.<region>.geo.azurecr.io (Premium).  Allowed values:\n'
        '                                     Disabled, Enabled.\n'
        '    --role-assignment-mode         : Role assignment mode of the registry (recorded; role\n'
        '                                     assignments are not evaluated offline).  Allowed values: rbac,\n'
        '                                     rbac-abac.\n'
        "    --tags                         : Space-separated tags: key[=value] [key[=value] ...]. Use '' to\n"
        '                                     clear existing tags.\n'
        '    --workspace                    : Name or ID of a Log Analytics workspace for diagnostic settings\n'
        '                                     (not sent offline; a warning says so).\n'
        '    --writable-cache-repos         : Allow writing to repositories backed by cache rules (recorded;\n'
        '                                     pushes to them are not refused).  Allowed values: Disabled,\n'
        '                                     Enabled.\n'
        '    --zone-redundancy              : Indicates whether zone redundancy is enabled.  Allowed values:\n'
        '                                     Disabled, Enabled.\n'
        '\n'
        'Global Policy Arguments\n'
        '    --acquire-policy-token         : Acquire an Azure Policy token automatically for this resource\n'
        '                                     operation.\n'
        '    --change-reference             : The related change reference ID for this resource operation.\n'
        '\n'
        'Global Arguments\n'
        '    --debug                        : Increase logging verbosity to show all debug logs.\n'
        '    --help -h                      : Show this help message and exit.\n'
        '    --only-show-errors             : Only show errors, suppressing warnings.\n'
        '    --output -o                    : Output format.  Allowed values: json, jsonc, none, table, tsv,\n'
        '                                     yaml, yamlc.  Default: json.\n'
        '    --query                        : JMESPath query string. See http://jmespath.org/ for more\n'
        '                                     information and examples.\n'
        '    --subscription                 : Name or ID of subscription. You can configure the default\n'
        '                                     subscription using `az account set -s NAME_OR_ID`.\n'
        '    --verbose                      : Increase logging verbosity. Use --debug for full debug logs.\n'
        '\n'
        'Examples\n'
        '    Create a Basic registry.\n'
        '        az acr create -n myregistry -g MyResourceGroup --sku Basic\n'
        '\n'
        '    Create a registry with the admin user enabled.\n'
        '        az acr create -n myregistry -g MyResourceGroup --sku Standard --admin-enabled true\n'
        '\n'
    )),
    (['group', '-h'], 0, 'out', (
        '\n'
        'Group\n'
        '    az group : Manage resource groups.\n'
        '\n'
        'Commands:\n'
        '    create : Create a resource group, or update the tags of an existing one.\n'
        '    delete : Delete a resource group and every resource in it.\n'
        '    exists : Print true if the resource group exists, false otherwise.\n'
        '    list   : List resource groups.\n'
        '    show   : Show a resource group.\n'
        "    update : Update a resource group's tags or properties.\n"
        '    wait   : Wait until a condition of the resource group is met.\n'
        '\n'
    )),
    (['container', '-h'], 0, 'out', (
        '\n'
        'Group\n'
        '    az container : Manage container groups (Azure Container Instances), run locally on Docker.\n'
        '\n'
        'Subgroups:\n'
        '    container-group-profile : Manage container group profiles and their revisions.\n'
        '\n'
        'Commands:\n'
        "    attach                  : Attach to a container's output and follow the group's state.\n"
        '    create                  : Create a container group and start its containers.\n'
        '    delete                  : Delete a container group and its containers.\n'
        '    exec                    : Run a command in a running container (interactive on a terminal).\n'
        "    export                  : Write a container group's definition as YAML that `create --file`\n"
        '                              accepts.\n'
        '    list                    : List container groups.\n'
        '    logs                    : Print the logs of a container in a container group.\n'
        '    restart                 : Restart the containers of a container group in place.\n'
        '    show                    : Show a container group with the live state of its containers.\n'
        '    start                   : Start the containers of a stopped container group.\n'
        '    stop                    : Stop all containers of a container group, keeping the group.\n'
        '\n'
    )),
    (['local', '-h'], 0, 'out', (
        '\n'
        'Group\n'
        '    az local : Manage azlocal itself (also reachable as `azlocal <command>`).\n'
        '\n'
        'Subgroups:\n'
        "    images : Manage the offline stand-ins for the course's sample images.\n"
        '\n'
        'Commands:\n'
        "    logs   : Print the daemon's log.\n"
        "    reset  : Remove all of this home's state and every Docker object azlocal labelled for it.\n"
        "    start  : Start this home's daemon (the registry and the ingress gateway) if it is not running.\n"
        '    status : Show where state lives, whether Docker is reachable and what azlocal runs.\n'
        "    stop   : Stop this home's daemon. Commands that need it start it again.\n"
        '\n'
    )),
    (['acr', 'create'], 2, 'err', (
        'ERROR: the following arguments are required: --name/-n, --resource-group/-g, --sku\n'
        '\n'
        "Examples from command's help:\n"
        'az acr create -n myregistry -g MyResourceGroup --sku Basic\n'
        'Create a Basic registry.\n'
        '\n'
        'az acr create -n myregistry -g MyResourceGroup --sku Standard --admin-enabled true\n'
        'Create a registry with the admin user enabled.\n'
        '\n'
        '\n'
        'https://aka.ms/cli_ref\n'
        'Read more about the command in reference docs\n'
    )),
    (['container', 'create'], 2, 'err', (
        'ERROR: the following arguments are required: --resource-group/-g\n'
        '\n'
        "Examples from command's help:\n"
        'az container create -g MyResourceGroup -n mycontainer --image'
        ' mcr.microsoft.com/azuredocs/aci-helloworld --ports 80 --dns-name-label aci-demo\n'
        'Run a public web container with a DNS name label.\n'
        '\n'
        'az container create -g MyResourceGroup -n wordcount --image'
        ' mcr.microsoft.com/azuredocs/aci-wordcount --restart-policy OnFailure -e NumWords=5 MinLength=8\n'
        'Run a job that restarts only on failure, with environment variables.\n'
        '\n'
        'az container create -g MyResourceGroup --file group.yaml\n'
        'Create a group from a YAML file.\n'
        '\n'
        '\n'
        'https://aka.ms/cli_ref\n'
        'Read more about the command in reference docs\n'
    )),
]


def command_table(word):
    from azlocal.cli import get_cli

    cli = get_cli()
    loader = cli.commands_loader_cls(cli_ctx=cli)
    return loader.load_command_table([word])


def data_of(package):
    """The package's help entries: its `_help.yaml` and the `_help_<area>.yaml` files beside it (one per
    area that has a command module of its own), merged; an entry is in one file only."""
    main = os.path.join(ROOT, PACKAGES[package][0])
    folder = os.path.dirname(main)
    merged = {}
    areas = sorted(f for f in os.listdir(folder) if f.startswith("_help_") and f.endswith(".yaml"))
    for name in ["_help.yaml"] + areas:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
        twice = sorted(set(data) & set(merged))
        assert not twice, f"help entries in two files ({name}): {twice}"
        merged.update(data)
    return merged


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_data_file_parses_into_entries(package):
    data = data_of(package)
    assert isinstance(data, dict) and data
    for command, entry in data.items():
        assert isinstance(entry, dict), command
        assert entry.get("type") in ("group", "command"), command
        for example in entry.get("examples", []):
            assert example.get("text", "").split()[0] in ("az", "azlocal"), (command, example)


@pytest.mark.parametrize("package,word", [(p, w) for p, (_, words) in sorted(PACKAGES.items()) for w in words])
def test_every_command_has_a_short_summary(home, package, word):
    commands = [name for name in command_table(word) if name.split()[0] == word]
    assert commands
    data = data_of(package)
    missing = [c for c in commands if not (data.get(c) or {}).get("short-summary")]
    assert not missing, f"commands of {word} without a short-summary in {PACKAGES[package][0]}: {missing}"
    # and the CLI finds the entries in the file of the package that loads them
    assert all(helpdata.entry(c) == data[c] for c in commands)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_group_of_commands_has_an_entry(home, package):
    data = data_of(package)
    groups = {" ".join(c.split()[:n]) for word in PACKAGES[package][1] for c in command_table(word)
              if c.split()[0] == word for n in range(1, len(c.split()))}
    assert not [g for g in sorted(groups) if g not in data]


@pytest.mark.parametrize("argv,code,stream,expected", GOLDEN, ids=[" ".join(g[0]) for g in GOLDEN])
def test_help_renders_as_before(cli, capsys, monkeypatch, argv, code, stream, expected):
    monkeypatch.setenv("COLUMNS", "80")
    capsys.readouterr()
    r = cli(*argv)
    assert r.code == code
    # knack prints help on sys.stdout itself; errors go to the stderr the fixture captures
    assert (capsys.readouterr().out if stream == "out" else r.err) == expected


def test_help_is_cached_by_file_hash(cli, capsys, home, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(helpdata, "_parsed", {})
    monkeypatch.setattr(helpdata, "_cache", None)
    capsys.readouterr()
    cli("acr", "create", "-h")
    first = capsys.readouterr().out
    helpdata._save_cache()
    cache = yaml.safe_load((home / helpdata.CACHE_NAME).read_text())
    assert any(key.startswith("file:") and "acr create" in value for key, value in cache.items())
    # a fresh process reads the cache (no YAML parsing) and renders the same help
    monkeypatch.setattr(helpdata, "_parsed", {})
    monkeypatch.setattr(helpdata, "_cache", None)
    monkeypatch.setattr(yaml, "load", lambda *a, **k: pytest.fail("help parsed again despite the cache"))
    cli("acr", "create", "-h")
    assert capsys.readouterr().out == first
    assert "Create a container registry served at" in first
