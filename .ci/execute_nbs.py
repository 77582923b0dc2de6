"""Execute notebooks in place (quick mode) to refresh their committed outputs.

    python .ci/execute_nbs.py nbs/01_principles/*.ipynb

Cells are skipped exactly as in the book build (see nbdev_directives.py): `#| eval: false`,
test-flagged cells (`#| full`, `#| gpu`, ...) and the trailing `nbdev_export()` cell keep their
committed outputs. Prints each notebook's wall time; exits non-zero if a cell fails.
"""
from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from nbdev_directives import test_flags, transform_notebook  # noqa: E402


def execute(path: Path, timeout: int = int(os.environ.get("CELL_TIMEOUT", 900))) -> float:
    nb = nbformat.read(path, as_version=4)
    original_tags = [copy.deepcopy(c.get("metadata", {}).get("tags")) for c in nb.cells]
    transform_notebook(nb, test_flags(), strip=False)
    t0 = time.time()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:
        for cell, tags in zip(nb.cells, original_tags):
            if tags is None:
                cell.get("metadata", {}).pop("tags", None)
            else:
                cell["metadata"]["tags"] = tags
        nbformat.write(nb, path)
    return time.time() - t0


if __name__ == "__main__":
    os.environ.setdefault("AIGC_TL_MODE", "quick")
    os.environ.setdefault("AIGC_TL_PROGRESS", "plain")  # as in the book build: no widgets
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.pop("MPLBACKEND", None)  # kernels keep the inline backend: figures are kept
    failed = False
    for arg in sys.argv[1:]:
        p = Path(arg)
        try:
            print(f"{p}: {execute(p):.1f} s", flush=True)
        except Exception as e:  # report every notebook, then fail
            failed = True
            print(f"{p}: FAILED: {type(e).__name__}: {str(e)[-2000:]}", flush=True)
    sys.exit(1 if failed else 0)
