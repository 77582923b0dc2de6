"""Report code cells whose committed outputs differ from the outputs of the book build that just ran.

The book build executes every notebook (jupyter-cache under _build/.jupyter_cache). Committed
outputs should be what the current code produces; this lists the cells where they are not, after
normalising what legitimately varies between runs (timings, latencies, cache paths, progress bars).
Usage: python .ci/check_outputs.py [--strict] [--adopt]
  --strict: exit 1 when a cell differs
  --adopt:  write the build's outputs into the committed notebooks (every executed cell), so
            the committed outputs are exactly what this build (CI's settings) produced
"""
import json
import re
import sys
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[1]
VARIES = [
    (re.compile(r"\d+(\.\d+)?\s?(ms|s|min)\b"), "<time>"),  # wall-clock times
    (re.compile(r"\d+(\.\d+)?×"), "<ratio>"),  # speed-up ratios
    (re.compile(r"(/[\w.-]+)+/aigc_tl\b|/tmp/[\w.-]+"), "<path>"),  # cache folders
    (re.compile(r"\b(0\.0+e[+-]00|\d\.\d+e-(0[6-9]|[1-9]\d))\b"), "<~0>"),  # rounding-level values: 0 or < 1e-5
]
TIMING_LINE = re.compile(r"latency|student/teacher = |it/s\]")


def text_of(cell: dict) -> str:
    "The text a reader sees in a code cell's outputs (no images, no stderr), normalised."
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream" and out.get("name") == "stdout":
            parts.append("".join(out["text"]))
        elif "data" in out and "image/png" not in out["data"]:
            data = out["data"]
            key = next((k for k in ("text/markdown", "text/plain") if k in data), None)
            if key:
                parts.append("".join(data[key]))
        elif out["output_type"] == "error":
            parts.append(f"ERROR {out.get('ename')}")
    lines = [l for l in "\n".join(parts).splitlines() if l.strip() and not TIMING_LINE.search(l)]
    timed_col = None  # a markdown table with a "seconds" column: its values are timings
    for k, line in enumerate(lines):
        cells = line.split("|")
        if line.startswith("|") and " seconds " in cells:
            timed_col = cells.index(" seconds ")
        elif line.startswith("|") and timed_col is not None and len(cells) > timed_col:
            cells[timed_col] = " <time> "
            lines[k] = "|".join(cells)
        elif not line.startswith("|"):
            timed_col = None
    text = "\n".join(lines)
    for pattern, repl in VARIES:
        text = pattern.sub(repl, text)
    return text


def main() -> int:
    cache_path = ROOT / "_build" / ".jupyter_cache"
    if not cache_path.exists():
        print("no book build found (_build/.jupyter_cache); run the book build first")
        return 1
    cache = get_cache(cache_path)
    records = {Path(r.uri).resolve(): r for r in cache.list_cache_records()}
    differing = 0
    for path in sorted((ROOT / "nbs").rglob("*.ipynb")):
        record = records.get(path.resolve())
        if record is None:
            continue
        executed = [c for c in cache.get_cache_bundle(record.pk).nb.cells]
        committed = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        if len(executed) != len(committed):
            print(f"{path.relative_to(ROOT)}: {len(committed)} code cells committed, {len(executed)} executed")
            differing += 1
            continue
        if "--adopt" in sys.argv:
            nb = json.loads(path.read_text())
            code = [c for c in nb["cells"] if c["cell_type"] == "code"]
            for old, new in zip(code, executed):
                if "skip-execution" not in new.get("metadata", {}).get("tags", []):
                    old["outputs"] = new.get("outputs", [])
                    old["execution_count"] = new.get("execution_count")
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            continue
        for i, (old, new) in enumerate(zip(committed, executed)):
            if "skip-execution" in new.get("metadata", {}).get("tags", []):
                continue
            a, b = text_of(old), text_of(new)
            if a != b:
                differing += 1
                first = next((j for j, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                print(f"{path.relative_to(ROOT)} code cell {i}: committed {a[max(0, first - 60):first + 60]!r}"
                      f" | executed {b[max(0, first - 60):first + 60]!r}")
    if "--adopt" in sys.argv:
        print("outputs adopted from this build; now run nbdev_clean")
        return 0
    print(f"outputs check: {differing} code cell(s) differ from this build")
    return 1 if differing and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
