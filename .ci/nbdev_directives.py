"""Translate nbdev `#|` cell directives into Jupyter Book (myst-nb) cell tags.

Used two ways:
* as a Sphinx extension (listed in `_config.yml`): on `source-read` every notebook's cells get
  tags and lose their `#|` lines, so the book never shows a directive and never executes a cell
  that nbdev would not run in tests;
* as a library by `.ci/execute_nbs.py`, which refreshes committed outputs with the same rules.

Rules (nbdev meaning -> book behaviour):
  hide, or a cell left empty after removing directives      -> remove-cell   (still executed)
  eval: false, or a flag listed in settings.ini `tst_flags`  -> skip-execution (committed outputs stay)
  echo: false -> remove-input;  output: false -> remove-output
  a cell that calls nbdev_export()                          -> skip-execution + remove-cell
  export / exports / exporti / default_exp                  -> shown as code (directive line removed)
"""
from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*(.*?)\s*$")
_ROOT = Path(__file__).resolve().parent.parent


def test_flags(root: Path = _ROOT) -> set[str]:
    "The nbdev test flags from settings.ini (nbdev 2 splits them on spaces)."
    cp = configparser.ConfigParser(delimiters=["="])
    cp.read(root / "settings.ini", encoding="utf-8")
    return set(cp["DEFAULT"].get("tst_flags", "").split())


def split_directives(source: str) -> tuple[dict[str, str], str]:
    "Leading `#|` lines of a cell -> ({name: value}, remaining source)."
    lines = source.splitlines()
    found: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            break
        text = m.group(1)
        name, _, value = text.partition(":") if ":" in text.split(" ")[0] else text.partition(" ")
        found[name.strip().lower()] = value.strip().lower()
        i += 1
    return found, "\n".join(lines[i:]).lstrip("\n")


def cell_tags(directives: dict[str, str], body: str, flags: set[str]) -> list[str]:
    "Jupyter Book tags implied by a code cell's directives."
    tags: list[str] = []
    if "hide" in directives or not body.strip():
        tags.append("remove-cell")
    if directives.get("eval") == "false" or flags & set(directives):
        tags.append("skip-execution")
    if directives.get("echo") == "false":
        tags.append("remove-input")
    if directives.get("output") == "false":
        tags.append("remove-output")
    if re.search(r"\bnbdev_export\s*\(", body):
        tags += ["skip-execution", "remove-cell"]
    return list(dict.fromkeys(tags))


def transform_notebook(nb: dict, flags: set[str], strip: bool = True) -> dict:
    "Add tags to every code cell of a notebook dict (in place); optionally drop the `#|` lines."
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        directives, body = split_directives(src)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        for t in cell_tags(directives, body, flags):
            if t not in tags:
                tags.append(t)
        if strip:
            cell["source"] = body
    return nb


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    nb = json.loads(source[0])
    source[0] = json.dumps(transform_notebook(nb, test_flags()))


def setup(app):
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
