import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aigc_tl.cli import main

# the console script installed next to this interpreter (not whatever `aigc-tl` comes first on PATH)
_local = Path(sys.executable).parent / "aigc-tl"
EXE = str(_local) if _local.exists() else shutil.which("aigc-tl")


def test_console_script_help():
    r = subprocess.run([EXE, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "aigc-tl" in r.stdout and "zoo" in r.stdout


def test_console_script_version():
    r = subprocess.run([EXE, "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "aigc_tl" in r.stdout


def test_info_and_zoo_list(capsys):
    assert main(["info"]) == 0 and '"mode": "quick"' in capsys.readouterr().out
    assert main(["zoo", "list"]) == 0 and "digitnet" in capsys.readouterr().out


def test_bad_input_exits_nonzero(capsys):
    assert main(["data", "fetch"]) == 2
    assert main(["data", "fetch", "wikipedia"]) == 2
    with pytest.raises(SystemExit) as e:
        main(["zoo", "explode"])
    assert e.value.code == 2


@pytest.mark.parametrize("name", ["craft-vgg16bn", "minilm-l6", "no-such-model"])
def test_zoo_train_of_an_untrainable_entry_is_a_clear_message(capsys, name):
    "Packaged and Hub weights cannot be retrained: exit code 2 and one line, not a TypeError."
    assert main(["zoo", "train", name]) == 2
    err = capsys.readouterr().err
    assert name in err and ("not trainable" in err or "unknown model" in err)


def test_zoo_train_of_a_hub_entry_in_full_mode(capsys, monkeypatch):
    monkeypatch.setenv("AIGC_TL_MODE", "full")
    assert main(["zoo", "train", "gpt2"]) == 2 and "not trainable" in capsys.readouterr().err


def test_zoo_list_shows_every_entry_with_its_modes(capsys):
    from aigc_tl import zoo
    assert main(["zoo", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name, _, _ in zoo.entries()) and "[quick,full]" in out and "[full]" in out
