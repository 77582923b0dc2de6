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
