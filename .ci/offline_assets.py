"""Sphinx extension: pages that work offline, opened straight from `_build/html`.

* Math: MathJax 3 (SVG output, no web fonts) is served from the build's `_static/mathjax/`
  (`mathjax_path` in `_config.yml`); `.ci/make.sh setup` unpacks the pinned npm package into
  `_vendor/`.
* Diagrams: a ```` ```{mermaid} ```` block becomes `<pre class="mermaid">` and the page loads
  Mermaid's classic (non-module) bundle from `_static/mermaid/`. A classic script, because
  browsers refuse ES-module imports from `file://` pages, which is how a reader opens a
  downloaded book. sphinxcontrib-mermaid always imports an ES module, so it is not used.
"""
from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

VENDOR = Path(__file__).resolve().parent.parent / "_vendor"
NEEDED = ("mathjax/tex-svg.js", "mermaid/mermaid.min.js")
_INIT = (
    "document.addEventListener('DOMContentLoaded', function () {"
    " mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});"
    " mermaid.run({querySelector: 'pre.mermaid'}); });"
)


class MermaidDirective(Directive):
    "```{mermaid} ... ``` -> <pre class=\"mermaid\">, rendered to SVG by Mermaid in the browser."

    has_content = True

    def run(self):
        code = "\n".join(self.content)
        raw = f'<pre class="mermaid">\n{html.escape(code)}\n</pre>'
        return [nodes.raw(code, raw, format="html")]


def _check_vendor(app) -> None:
    missing = [p for p in NEEDED if not (VENDOR / p).is_file()]
    if missing:
        raise RuntimeError(
            f"the book's offline JavaScript is missing from {VENDOR}: {missing}; "
            "install it with `bash .ci/make.sh setup`"
        )


def _add_mermaid_js(app, pagename, templatename, context, doctree) -> None:
    if '<pre class="mermaid">' in context.get("body", ""):
        app.add_js_file("mermaid/mermaid.min.js")
        app.add_js_file(None, body=_INIT)


def _static(app, config) -> None:
    # the book's own stylesheet lives next to this extension (.ci/static/aigc_tl.css)
    config.html_static_path.append(str(Path(__file__).resolve().parent / "static"))
    app.add_css_file("aigc_tl.css")


def _default_mode(app, config) -> None:
    # pydata-sphinx-theme logs a console error on every page when no default mode is set;
    # matplotlib figures have white backgrounds, so the book defaults to light
    config.html_context.setdefault("default_mode", "light")


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    # sphinx-thebe registers its configuration script twice (a JavaScript error on every
    # page: "Identifier 'THEBE_JS_URL' has already been declared"); keep the first copy
    seen, kept = set(), []
    for js in context.get("script_files", []):
        attrs = getattr(js, "attributes", {})
        name = str(getattr(js, "filename", js) or "")
        key = (name, attrs.get("body"), attrs.get("src"))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    if "script_files" in context:
        context["script_files"][:] = kept


def setup(app):
    app.add_directive("mermaid", MermaidDirective)
    app.connect("config-inited", _default_mode)
    app.connect("config-inited", _static)
    app.connect("builder-inited", _check_vendor)
    app.connect("html-page-context", _add_mermaid_js)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
