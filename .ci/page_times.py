"""Print how long each notebook page took to execute in the last book build, slowest first.

Reads the execution cache of the build (_build/.jupyter_cache). A page that is still listed
from an earlier build (the cache keeps it while the notebook is unchanged) is marked "cached":
its time is from the run that executed it.
Usage: python .ci/page_times.py [--limit SECONDS]   (--limit: exit 1 if a page took longer)
"""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    path = ROOT / "_build" / ".jupyter_cache"
    if not path.exists():
        print("no book build found (_build/.jupyter_cache)")
        return 1
    limit = float(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
    recent = datetime.now(timezone.utc) - timedelta(hours=3)
    rows = []
    for r in get_cache(path).list_cache_records():
        seconds = float(r.data.get("execution_seconds") or 0.0)
        created = r.created if r.created.tzinfo else r.created.replace(tzinfo=timezone.utc)
        name = str(Path(r.uri).resolve().relative_to(ROOT))
        rows.append((seconds, name, "" if created >= recent else " (cached)"))
    rows.sort(reverse=True)
    print(f"{'seconds':>8}  page (executed in this build unless marked cached)")
    for seconds, name, note in rows:
        print(f"{seconds:8.1f}  {name}{note}")
    print(f"{sum(s for s, _, _ in rows):8.1f}  total over {len(rows)} pages")
    slow = [n for s, n, _ in rows if limit is not None and s > limit]
    if slow:
        print(f"pages over {limit:.0f} s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
