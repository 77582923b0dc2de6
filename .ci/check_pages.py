"""Open every page of the built book in a real browser, offline, and check what a reader sees.

    python .ci/check_pages.py _build/html [--out DIR] [--pdf _build/singlehtml/index.html]

Headless Chromium (Debian's chromium-headless-shell, driven by Playwright) opens each page from
`file://`, as a reader who downloaded the book would, with every http(s) request refused.
A page fails when:
* it has fewer figures, tables, audio players or videos than its executed notebook produced
  (outputs counted by the MIME type myst-nb renders), or the executed notebook has fewer
  figures than the committed one (a build that lost its figures, e.g. under MPLBACKEND=Agg);
* an image, audio or video does not load, or the page raises a JavaScript error, logs a
  console error, or requests anything from the network;
* raw TeX (`\\[`, `\\(`, `$$`, `\\begin{`) remains in its visible text;
* a Mermaid diagram did not become an SVG;
* a code listing scrolls sideways (wider than the code column);
* a notebook page has no well-formed Colab link to its notebook on `main`.
The search page must find a known word. With --out, screenshots of two pages are saved there;
with --pdf, that (single-page) HTML is printed to DIR/aigc_tl.pdf.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSER = "/usr/bin/chromium-headless-shell"
COLAB = re.compile(
    r"^https://colab\.research\.google\.com/github/aigc-tl/aigc_tl/blob/main/([\w./-]+\.ipynb)$"
)
# myst-nb's default order for HTML: the first MIME type present is the one rendered
PRIORITY = (
    "application/vnd.jupyter.widget-view+json", "application/javascript", "text/html",
    "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/latex", "text/plain",
)
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)
RAW_TEX = re.compile(r"\\\[|\\\(|\$\$|\\begin\{")
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = {  # page -> what to scroll to
    "nbs/00_core/05_how_this_book_runs": "pre.mermaid",
    "nbs/01_principles/02_fine_tuning": ".cell_output img",
}

# JavaScript run in each page once it has loaded
PAGE_STATE = """async () => {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const mermaids = [...document.querySelectorAll("pre.mermaid")];
  for (let i = 0; i < 100 && mermaids.some((m) => !m.querySelector("svg")); i++) await wait(100);
  const media = [...document.querySelectorAll(".cell_output audio, .cell_output video")];
  for (let i = 0; i < 50 && media.some((m) => m.readyState < 1 && !m.error); i++) await wait(100);
  const main = document.querySelector("article") || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-container, .cell_input")
       .forEach((e) => e.remove());
  const scrolls = (sel) => [...main.querySelectorAll(sel)]
      .filter((p) => p.scrollWidth > p.clientWidth + 1)
      .map((p) => [p.scrollWidth, p.clientWidth,
                   p.innerText.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "")]);
  return {
    text: clone.innerText,
    mathNodes: main.querySelectorAll(".math, span.math, div.math").length,
    mathjax: !!window.MathJax,
    typeset: main.querySelectorAll("mjx-container").length,
    images: main.querySelectorAll(".cell_output img").length,
    brokenImages: [...document.images].filter((i) => !(i.complete && i.naturalWidth > 0))
        .map((i) => (i.getAttribute("src") || "").slice(0, 80)),
    tables: main.querySelectorAll(".cell_output table").length,
    audio: main.querySelectorAll(".cell_output audio").length,
    video: main.querySelectorAll(".cell_output video").length,
    badMedia: media.filter((m) => m.error || m.readyState < 1 || !(m.duration > 0))
        .map((m) => m.tagName + " readyState " + m.readyState),
    mermaid: mermaids.length,
    mermaidSvg: mermaids.filter((m) => m.querySelector("svg")).length,
    codeScrolls: scrolls(".cell_input pre, div.highlight-python pre, div.highlight-bash pre"),
    outputScrolls: scrolls(".cell_output pre").length,
    colab: [...document.querySelectorAll("a[href*='colab.research.google.com']")]
        .map((a) => a.href),
    widgets: document.querySelectorAll("script[type*='jupyter-widget']").length,
  };
}"""


def _outputs(nb: dict):
    "(cell tags, rendered MIME type, data) of every output that reaches the page."
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove-output"}:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data:
                mime = next((m for m in PRIORITY if m in data), None)
                text = data.get(mime, "")
                yield mime, "".join(text) if isinstance(text, list) else str(text)


def expected(nb: dict) -> dict[str, int]:
    "What a notebook's outputs put on its page: figures, tables, audio players, videos."
    n = dict(images=0, tables=0, audio=0, video=0)
    for mime, text in _outputs(nb):
        if mime in ("image/png", "image/jpeg", "image/svg+xml"):
            n["images"] += 1
        elif mime == "text/markdown":
            n["tables"] += len(TABLE_RULE.findall(text))
        elif mime == "text/html":
            n["tables"] += text.count("<table")
            n["images"] += text.count("<img")
            n["audio"] += text.count("<audio")
            n["video"] += text.count("<video")
    return n


def executed_notebook(html_root: Path, docname: str) -> dict | None:
    "The notebook as the build executed it (myst-nb writes it to _build/jupyter_execute)."
    path = html_root.parent / "jupyter_execute" / f"{docname}.ipynb"
    return json.loads(path.read_text()) if path.exists() else None


def check_page(page, html_root: Path, path: Path) -> tuple[list[str], dict]:
    "(problems, what the page shows) for one page."
    docname = path.relative_to(html_root).with_suffix("").as_posix()
    problems: list[str] = []
    page.goto(path.as_uri(), wait_until="load")
    state = page.evaluate(PAGE_STATE)
    source = html_root.parent.parent / f"{docname}.ipynb"  # _build/html -> the book's root
    if source.exists():
        nb = executed_notebook(html_root, docname)
        if nb is None:
            problems.append("no executed notebook in _build/jupyter_execute")
        else:
            want, committed = expected(nb), expected(json.loads(source.read_text()))
            if committed["images"] > want["images"]:
                problems.append(
                    f"the build produced {want['images']} figure(s), the committed notebook "
                    f"has {committed['images']} (is MPLBACKEND set for the kernels?)"
                )
            for key in want:
                if state[key] < want[key]:
                    problems.append(f"{state[key]} {key} on the page, {want[key]} in the notebook")
        links = [m.group(1) for h in state["colab"] if (m := COLAB.match(h))]
        if not links:
            problems.append(f"no well-formed Colab link (found {state['colab'][:2]})")
        elif any(link != f"{docname}.ipynb" for link in links):
            problems.append(f"Colab link points at {links[0]}, not {docname}.ipynb")
    if state["brokenImages"]:
        problems.append(f"images that do not load: {state['brokenImages'][:3]}")
    if state["badMedia"]:
        problems.append(f"audio/video that does not load: {state['badMedia'][:3]}")
    raw = RAW_TEX.search(state["text"])
    if raw:
        context = state["text"][max(0, raw.start() - 40) : raw.end() + 40].replace("\n", " ")
        problems.append(f"raw TeX in the visible text: ...{context}...")
    if state["mathNodes"] and not state["typeset"]:
        problems.append(f"{state['mathNodes']} formulas but none typeset (MathJax loaded: "
                        f"{state['mathjax']})")
    if state["mermaidSvg"] < state["mermaid"]:
        problems.append(f"{state['mermaid'] - state['mermaidSvg']} Mermaid diagram(s) not drawn")
    for scroll_width, width, line in state["codeScrolls"][:3]:
        problems.append(f"code scrolls sideways ({scroll_width} > {width} px): {line[:60]!r}...")
    if state["widgets"]:
        problems.append(f"{state['widgets']} Jupyter widget state block(s) (need a CDN viewer)")
    state["docname"] = docname
    return problems, state


def check_search(page, html_root: Path, word: str = "transfer") -> list[str]:
    page.goto((html_root / "search.html").as_uri() + f"?q={word}", wait_until="load")
    for _ in range(100):
        hits = page.evaluate("document.querySelectorAll('#search-results li').length")
        if hits:
            return []
        time.sleep(0.1)
    return [f"the search page finds nothing for {word!r}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("html", type=Path, help="the built book (_build/html)")
    ap.add_argument("--out", type=Path, help="folder for screenshots and the PDF")
    ap.add_argument("--pdf", type=Path, help="single-page HTML to print to OUT/aigc_tl.pdf")
    ap.add_argument("--only", nargs="*", help="check only these pages (docnames)")
    ap.add_argument("--search-word", default="transfer", help="a word the book contains")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    html_root = args.html.resolve()
    skip = {"genindex", "search", "py-modindex"}
    pages = sorted(p for p in html_root.rglob("*.html")
                   if not p.relative_to(html_root).parts[0].startswith("_")
                   and p.stem not in skip
                   and 'http-equiv="Refresh"' not in p.read_text(errors="ignore")[:2000])
    if args.only:
        pages = [p for p in pages if p.relative_to(html_root).with_suffix("").as_posix()
                 in args.only]
    if not pages:
        print(f"no pages under {html_root}")
        return 1
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    t0, failed, totals = time.time(), 0, dict(images=0, tables=0, audio=0, video=0, mermaid=0)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        context = browser.new_context(viewport=VIEWPORT)
        external: list[str] = []
        context.route(re.compile(r"^https?://"), lambda route: (
            external.append(route.request.url), route.abort()))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(f"JavaScript error: {e}"))
        page.on("console", lambda m: errors.append(f"console error: {m.text[:150]}")
                if m.type == "error" else None)
        for path in pages:
            errors.clear()
            external.clear()
            problems, state = check_page(page, html_root, path)
            problems += errors[:3]
            problems += [f"requested from the network: {u[:100]}" for u in external[:3]]
            for key in totals:
                totals[key] += state[key]
            name = state["docname"]
            if args.out and name in SCREENSHOTS:
                target = page.query_selector(SCREENSHOTS[name])
                if target:
                    target.scroll_into_view_if_needed()
                    page.evaluate("window.scrollBy(0, -120)")
                page.screenshot(path=str(args.out / f"{Path(name).name}.png"))
            summary = (f"{state['images']} fig, {state['tables']} tab, "
                       f"{state['typeset']} math, {state['mermaid']} diagrams, "
                       f"{state['audio'] + state['video']} media")
            if problems:
                failed += 1
                print(f"FAIL {name} ({summary})")
                for p in problems:
                    print(f"     - {p}")
            else:
                print(f"ok   {name} ({summary})")
        search = check_search(page, html_root, args.search_word)
        for p in search:
            print(f"FAIL search: {p}")
        if args.pdf and args.out:
            page.goto(args.pdf.resolve().as_uri(), wait_until="load")
            page.evaluate(PAGE_STATE)
            page.pdf(path=str(args.out / "aigc_tl.pdf"), format="A4", print_background=True,
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
            print(f"PDF: {args.out / 'aigc_tl.pdf'} "
                  f"({(args.out / 'aigc_tl.pdf').stat().st_size / 1e6:.1f} MB)")
        browser.close()
    print(f"pages check: {len(pages) - failed}/{len(pages)} pages pass "
          f"({totals['images']} figures, {totals['tables']} tables, {totals['mermaid']} diagrams, "
          f"{totals['audio']} audio, {totals['video']} video) in {time.time() - t0:.0f} s")
    return 1 if failed or search else 0


if __name__ == "__main__":
    sys.exit(main())
