"""`paperenrich cache stats|clear|prune` on a cache filled by a real (emulated) run."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from paperenrich.cache import Cache
from paperenrich.cli import app
from paperenrich.resolve import enrich_list

LIST = """- Efficient Memory Management for Large Language Model Serving with PagedAttention [pdf](https://arxiv.org/abs/2309.06180)
- A Paper Title That Nobody Has Ever Written About Anything (ICML'21)
"""


def test_stats_clear_and_prune(scholar_settings, tmp_path):
    enrich_list(LIST, scholar_settings, show_progress=False)
    cache_dir = str(scholar_settings.cache_dir)
    runner = CliRunner()

    stats = json.loads(runner.invoke(app, ["cache", "stats", "--cache", cache_dir, "--json"]).output)
    namespaces = stats["namespaces"]
    assert namespaces["arxiv"]["entries"] >= 1 and namespaces["s2"]["entries"] >= 1
    assert namespaces["s2_match"]["negative"] == 1  # the made-up title: a cached "not found"
    text = runner.invoke(app, ["cache", "stats", "--cache", cache_dir]).output
    assert "arxiv" in text and "negative" in text

    # Nothing is past its TTL yet; with a config whose negative TTL is 0, the negatives go.
    assert "removed 0 expired" in runner.invoke(app, ["cache", "prune", "--cache", cache_dir]).output
    config = tmp_path / "short.toml"
    config.write_text("ttl_negative = 0\n", encoding="utf-8")
    time.sleep(0.01)
    negatives = sum(ns["negative"] for ns in namespaces.values())
    out = runner.invoke(app, ["cache", "prune", "--cache", cache_dir, "--config", str(config)]).output
    assert f"removed {negatives} expired" in out

    out = runner.invoke(app, ["cache", "clear", "--cache", cache_dir, "--namespace", "arxiv"]).output
    assert out.startswith("removed ")
    cache = Cache(scholar_settings.cache_dir)
    try:
        remaining = cache.stats()["namespaces"]
    finally:
        cache.close()
    assert "arxiv" not in remaining and "s2" in remaining
    assert runner.invoke(app, ["cache", "clear", "--cache", cache_dir]).exit_code == 0


def test_stats_clear_prune_never_create_a_cache(tmp_path):
    import subprocess
    import sys

    where = tmp_path / "nowhere" / "cache"
    for args in (["stats"], ["stats", "--json"], ["clear"], ["prune"]):
        proc = subprocess.run([sys.executable, "-m", "paperenrich", "cache", *args, "--cache", str(where)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
    assert not where.exists() and not where.parent.exists()
    assert "no cache yet" in subprocess.run([sys.executable, "-m", "paperenrich", "cache", "stats", "--cache", str(where)],
                                            capture_output=True, text=True, timeout=60).stdout
