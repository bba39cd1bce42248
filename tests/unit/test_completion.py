"""Shell completion: `az` speaks argcomplete's protocol, and the committed scripts in completions/ use it.

Each test runs the installed `az` console script in a subprocess, the way bash does on <TAB>:
argcomplete reads the command line from COMP_LINE/COMP_POINT (with _ARGCOMPLETE=1 set), writes
the candidates separated by _ARGCOMPLETE_IFS (here to the file named by _ARGCOMPLETE_STDOUT_FILENAME
instead of fd 8) and exits without running a command.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPLETIONS = ROOT / "completions"
IFS = "\013"  # argcomplete's default separator (vertical tab), as the bash script uses


def _executable(name):
    """The console script installed beside this Python (so a real Azure CLI on PATH can't shadow it)."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e .)")
    return found


def _env(home, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_ARC", "_ARGCOMPLETE", "COMP_"))}
    env["AZLOCAL_HOME"] = str(home)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def complete(home, line, exe="az"):
    """The candidates argcomplete offers for `line` with the cursor at its end."""
    out = home / "candidates"
    env = _env(
        home,
        _ARGCOMPLETE="1",
        _ARGCOMPLETE_SHELL="bash",
        _ARGCOMPLETE_IFS=IFS,
        _ARGCOMPLETE_STDOUT_FILENAME=str(out),
        COMP_LINE=line,
        COMP_POINT=str(len(line)),
        COMP_TYPE="9",  # "normal completion" (TAB)
    )
    proc = subprocess.run([_executable(exe)], env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc
    text = out.read_text() if out.exists() else ""
    return [c.strip() for c in text.split(IFS) if c.strip()]


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_az_gr_completes_to_group(home):
    assert "group" in complete(home, "az gr")


def test_az_group_cr_completes_to_create(home):
    assert complete(home, "az group cr") == ["create"]


def test_azlocal_completes_like_az(home):
    assert "group" in complete(home, "azlocal gr", exe="azlocal")


def test_options_and_choices_complete(home):
    assert "--location" in complete(home, "az group create --lo")
    assert {"json", "table", "tsv"} <= set(complete(home, "az group list -o "))


def test_acr_create_completes_once_acr_exists(home):
    assert "acr" in complete(home, "az ac")
    assert "create" in complete(home, "az acr cr")


def test_argument_without_completer_offers_nothing_quietly(home):
    # Like the real az: a value with no completer (a new group's name) gets no candidates, and no traceback.
    assert complete(home, "az group create -n fo") == []


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
@pytest.mark.parametrize("script, line", [("az.bash", "az group cr"), ("azlocal.bash", "azlocal gr")])
def test_committed_bash_script_completes(home, script, line):
    # Source the committed script and call its completion function as bash's `complete -F` would.
    program = (
        f'source "{COMPLETIONS / script}"\n'
        f'complete -p {line.split()[0]} >/dev/null || exit 3\n'
        f'COMP_LINE="{line}"; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9\n'
        f'_python_argcomplete {line.split()[0]}\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], env=_env(home),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc
    expected = {"az group cr": "create", "azlocal gr": "group"}[line]
    assert expected in proc.stdout.split(), proc
