"Notebooks, library and book configuration stay consistent."
import configparser
import importlib
import json
import re
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import aigc_tl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))
import nbdev_directives as nd  # noqa: E402


def _settings():
    cp = configparser.ConfigParser(delimiters=["="])
    cp.read(ROOT / "settings.ini")
    return cp["DEFAULT"]


NOTEBOOKS = sorted(p for p in (ROOT / "nbs").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_version_agrees():
    assert aigc_tl.__version__ == _settings()["version"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_colab_install_cell_pins_this_version(nb):
    cells = json.loads(nb.read_text())["cells"]
    first = "".join(cells[0]["source"])
    version = re.escape(_settings()["version"])
    assert "google.colab" in first and re.search(rf"aigc-tl(\[[\w,]+\])?=={version}", first)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_clean_and_have_colab_metadata(nb):
    meta = json.loads(nb.read_text())["metadata"]
    assert "colab" in meta
    if meta.get("accelerator"):
        assert meta["accelerator"] == "GPU"


def test_every_notebook_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    missing = [str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS
               if str(p.relative_to(ROOT).with_suffix("")) not in toc]
    assert not missing, f"notebooks not in _toc.yml: {missing}"


def test_toc_lists_only_existing_pages():
    import re
    for f in re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text()) + \
            re.findall(r"root:\s*(\S+)", (ROOT / "_toc.yml").read_text()):
        assert any((ROOT / (f + ext)).exists() for ext in (".md", ".ipynb")), f


def test_every_subpackage_imports():
    for mod in pkgutil.walk_packages(aigc_tl.__path__, "aigc_tl."):
        importlib.import_module(mod.name)


def test_library_is_what_the_notebooks_export(tmp_path):
    "nbdev_export into a scratch copy reproduces aigc_tl/ exactly."
    local = Path(sys.executable).parent / "nbdev_export"
    nbdev_export = str(local) if local.exists() else shutil.which("nbdev_export")
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "nbs", work / "nbs")
    shutil.copy(ROOT / "settings.ini", work)
    subprocess.run([nbdev_export], cwd=work, check=True, capture_output=True)
    ours = {p.relative_to(ROOT / "aigc_tl"): p.read_text() for p in (ROOT / "aigc_tl").rglob("*.py")}
    theirs = {p.relative_to(work / "aigc_tl"): p.read_text() for p in (work / "aigc_tl").rglob("*.py")}
    assert set(ours) == set(theirs)
    assert [k for k in ours if ours[k] != theirs[k]] == []


def test_directives_become_book_tags():
    flags = {"gpu", "full"}
    cases = {
        "#| hide\nimport x": ["remove-cell"],
        "#| eval: false\nrun()": ["skip-execution"],
        "#|eval:false\nrun()": ["skip-execution"],
        "#| full\nload('gpt2')": ["skip-execution"],
        "#| gpu\nx.cuda()": ["skip-execution"],
        "#| default_exp core": ["remove-cell"],
        "#| export\ndef f(): pass": [],
        "#| echo: false\nplot()": ["remove-input"],
        "#| hide\nimport nbdev; nbdev.nbdev_export()": ["remove-cell", "skip-execution"],
    }
    for src, tags in cases.items():
        d, body = nd.split_directives(src)
        assert sorted(nd.cell_tags(d, body, flags)) == sorted(tags), src
        assert not body.startswith("#|")
    nb = {"cells": [{"cell_type": "code", "source": "#| full\n#| export\nx = 1", "metadata": {}}]}
    out = nd.transform_notebook(nb, flags)
    assert out["cells"][0]["source"] == "x = 1" and out["cells"][0]["metadata"]["tags"] == ["skip-execution"]


def test_settings_flags_and_metadata_keys():
    s = _settings()
    assert {"gpu", "full"} <= set(s["tst_flags"].split())
    assert "tags" in s["allowed_cell_metadata_keys"].split()
    assert {"colab", "accelerator"} <= set(s["allowed_metadata_keys"].split())


def test_library_passes_pyflakes():
    "Generated modules must not use undefined names (a notebook cell that is not exported can hide one)."
    from pyflakes import messages
    from pyflakes.api import checkPath
    from pyflakes.reporter import Reporter

    class Collect(Reporter):
        def __init__(self):
            self.found = []

        def flake(self, message):
            if not isinstance(message, messages.UnusedImport):  # modules re-export on purpose
                self.found.append(str(message))

        def syntaxError(self, filename, msg, lineno, offset, text):
            self.found.append(f"{filename}:{lineno}: {msg}")

        def unexpectedError(self, filename, msg):
            self.found.append(f"{filename}: {msg}")

    rep = Collect()
    for path in sorted((ROOT / "aigc_tl").rglob("*.py")):
        checkPath(str(path), rep)
    assert rep.found == []


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_hold_no_widget_state(nb):
    "Widget state on a page needs a viewer script from a CDN: progress bars print plain lines."
    data = json.loads(nb.read_text())
    assert "widgets" not in data["metadata"]
    for cell in data["cells"]:
        for out in cell.get("outputs", []):
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})
