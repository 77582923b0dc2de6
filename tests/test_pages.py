"""The browser check of the built pages (.ci/check_pages.py) catches what a reader would see.

A two-page book is built here with the same extensions and offline scripts as the real one:
a notebook page with a figure, a Markdown table, a formula, a Mermaid diagram, an audio player
and a video, and a prose page with a formula. Built normally, every check passes. Built with
MPLBACKEND=Agg (plt.show() then draws nothing), the check fails on the lost figure; and the
prose page with MathJax loaded from a CDN (as the book was before) fails on its raw TeX.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    not (Path("/usr/bin/chromium-headless-shell").exists() and (ROOT / "_vendor").exists()),
    reason="needs chromium-headless-shell and _vendor/ (bash .ci/make.sh setup)",
)

CONFIG = f"""
title: Page check test
only_build_toc_files: true
exclude_patterns: [_build]
execute: {{execute_notebooks: force, timeout: 120}}
parse: {{myst_enable_extensions: [dollarmath, amsmath]}}
repository: {{url: https://github.com/aigc-tl/aigc_tl, branch: main}}
launch_buttons: {{colab_url: "https://colab.research.google.com"}}
sphinx:
  local_extensions: {{offline_assets: {ROOT / '.ci'}}}
  config:
    nb_render_markdown_format: myst
    html_static_path: [{ROOT / '_vendor'}]
    mathjax_path: mathjax/tex-svg.js
"""
TOC = "format: jb-book\nroot: intro\nchapters:\n  - file: demo\n"

CELLS = [
    ("markdown", "# Demo\n\nA formula: $\\mathcal L = \\sum_i \\ell_i$.\n\n"
                 "```{mermaid}\nflowchart LR\n  A[source] --> B[target]\n```"),
    ("code", "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()\n"
             + "# " + "x" * 86),  # a line of 88 characters fits the code column
    ("code", "from IPython.display import Markdown\n"
             "Markdown('| a | b |\\n|---|---|\\n| 1 | 2 |')"),
    ("code", "import numpy as np\nfrom aigc_tl.display import audio_player, video_player\n"
             "audio_player(np.sin(np.arange(8000) / 5.0), 8000)"),
    ("code", "video_player(np.random.default_rng(0).random((4, 1, 8, 8)), fps=4)"),
]
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5"
       "ErkJggg==")


def _notebook() -> dict:
    "The demo notebook as committed: executed the README's way, so the figure is in it."
    cells = []
    for kind, text in CELLS:
        cell = {"cell_type": kind, "metadata": {}, "source": text}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    cells[1]["outputs"] = [{"output_type": "display_data", "metadata": {},
                            "data": {"image/png": PNG, "text/plain": "<Figure>"}}]
    kernel = {"name": "python3", "display_name": "python3", "language": "python"}
    return {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4,
            "nbformat_minor": 5}


def _build(book: Path, intro: str, **env) -> Path:
    book.mkdir()
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text(TOC)
    (book / "intro.md").write_text(intro)
    (book / "demo.ipynb").write_text(json.dumps(_notebook()))
    run_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    run_env.update(env)
    subprocess.run([str(BIN / "jupyter-book"), "build", str(book), "-q"], check=True,
                   env=run_env, capture_output=True, timeout=300)
    return book / "_build" / "html"


def _check(html: Path) -> tuple[int, str]:
    cmd = [sys.executable, str(ROOT / ".ci" / "check_pages.py"), str(html), "--search-word",
           "formula"]
    r = subprocess.run(cmd,
                       capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout + r.stderr


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("good") / "book", "# Intro\n\n$$a^2 + b^2$$\n")


def test_a_complete_book_passes(good_build):
    rc, out = _check(good_build)
    assert rc == 0, out
    assert "ok   demo (1 fig, 1 tab" in out and "1 diagrams, 2 media" in out, out


def test_a_build_under_agg_loses_its_figure_and_fails(tmp_path):
    html = _build(tmp_path / "book", "# Intro\n", MPLBACKEND="Agg")
    rc, out = _check(html)
    assert rc == 1 and "FAIL demo" in out, out
    assert "the build produced 0 figure(s), the committed notebook has 1" in out, out


def test_a_raw_formula_fails(good_build, tmp_path):
    "The book before this check: MathJax from a CDN, so offline the formula stays raw TeX."
    html = tmp_path / "html"
    shutil.copytree(good_build, html)
    page = html / "intro.html"
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
    page.write_text(page.read_text().replace("_static/mathjax/tex-svg.js", cdn))
    rc, out = _check(html)
    assert rc == 1 and "FAIL intro" in out and "ok   demo" in out, out
    assert "raw TeX in the visible text" in out and "\\[a^2 + b^2\\]" in out, out
    assert f"requested from the network: {cdn}" in out, out
