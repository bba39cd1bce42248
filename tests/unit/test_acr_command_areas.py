"""az acr's table is split into areas (azlocal.acr.commands_<area>); a command line loads only the areas its
words need, so each area must declare the words of its commands exactly."""

import importlib

from azlocal.acr import commands


def _loader():
    from azlocal.cli import get_cli

    cli = get_cli()
    return cli.commands_loader_cls(cli_ctx=cli)


def _word(name):
    words = name.split()
    return words[1] if words[0] == "acr" else words[0]


def test_each_area_declares_the_words_of_its_commands(home):
    for area, words in commands.AREAS.items():
        loader = _loader()
        importlib.import_module(f"azlocal.acr.commands_{area}").load_commands(loader)
        assert sorted({_word(name) for name in loader.command_table}) == sorted(words), area


def test_core_words_are_the_core_tables(home):
    loader = _loader()
    loader.command_words = ["acr", "create"]
    commands.load_commands(loader)  # no area holds `create`: only the core table is loaded
    assert sorted({_word(name) for name in loader.command_table}) == sorted(commands.CORE_WORDS)


def test_a_command_line_loads_only_the_areas_it_needs():
    names = lambda words: sorted(m.__name__.rsplit("_", 1)[-1] if "tasks_more" not in m.__name__ else "tasks_more"
                                 for m in commands._areas(words))
    assert names(["acr", "create"]) == []
    assert names(["acr", "token", "create"]) == ["tokens"]
    assert names(["acr", "task", "timer"]) == ["tasks_more"]
    assert names(["git", "add"]) == ["sources"]
    assert len(commands._areas(["acr"])) == len(commands.AREAS)  # az acr -h lists every command
    assert len(commands._areas(["acr", "tokn"])) == len(commands.AREAS)  # a misspelling is matched against all


def _every_command():
    import json
    import os

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "tests", "data", "az-2.91-commands.json")) as f:
        return sorted(json.load(f)["commands"])


def test_every_command_loads_its_arguments_alone(cli):
    """Each command's help, as one command line builds it (its table trimmed to it, only the areas its words
    need): a registration that needs another command of the table fails here, not in a user's terminal."""
    from azlocal.cli import get_cli

    cli_obj = get_cli()
    ours = set(cli_obj.commands_loader_cls(cli_ctx=cli_obj).load_command_table([]))
    failures = []
    for name in [c for c in _every_command() if c in ours]:
        r = cli(*name.split(), "-h")
        if r.code != 0 or "Traceback" in r.err or "authoring error" in r.err:
            failures.append((name, r.code, r.err[-300:]))
    assert not failures
