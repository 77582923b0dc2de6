"""Print how long each notebook page took to execute in the last book build, slowest first.

Reads the execution cache of the build (_build/.jupyter_cache). CI starts with an empty cache,
so every page is timed by this build; locally, a page the cache kept from an earlier build
shows the time of the run that executed it.
Usage: python .ci/page_times.py [--limit SECONDS]   (--limit: exit 1 if a page took longer)
"""
import sys
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    path = ROOT / "_build" / ".jupyter_cache"
    if not path.exists():
        print("no book build found (_build/.jupyter_cache)")
        return 1
    limit = float(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
    rows = sorted(
        ((float(r.data.get("execution_seconds") or 0.0),
          str(Path(r.uri).resolve().relative_to(ROOT)))
         for r in get_cache(path).list_cache_records()),
        reverse=True,
    )
    print(f"{'seconds':>8}  page")
    for seconds, name in rows:
        print(f"{seconds:8.1f}  {name}")
    print(f"{sum(s for s, _ in rows):8.1f}  total over {len(rows)} pages")
    slow = [n for s, n in rows if limit is not None and s > limit]
    if slow:
        print(f"pages over {limit:.0f} s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
