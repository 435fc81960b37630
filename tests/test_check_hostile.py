"""`check` against hostile and misbehaving hosts (issue 10 and issue 12): bounded memory and time,
politeness that stops and recovers, and nothing finished lost when the run is killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.linkcheck import check_urls
from paperenrich.linkcheck.run import NAMESPACE
from paperenrich.model import Place
from tests.emulator.webhosts import WebHosts

REPO = Path(__file__).resolve().parents[1]
FAST = dict(allow_private=True, link_timeout=1.0, link_backoff=0.02, retry_after_cap=0.3, host_interval=0.0, use_cache=False)


def run(urls, settings, cache=None):
    info: dict = {}
    results = asyncio.run(check_urls({u: [Place("l.md", i + 1)] for i, u in enumerate(urls)}, settings,
                                     cache=cache, run_info=info))
    return {r.url: r for r in results}, info


def cli(*args: str, cwd: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("GITHUB_TOKEN", None)
    return subprocess.Popen([sys.executable, "-m", "paperenrich", "check", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# VmHWM, not getrusage: Linux carries ru_maxrss over exec, so a child forked from a big pytest
# process would report the parent's size.
_PEAK_RSS = """
import re, sys
from paperenrich.config import Settings
from paperenrich.linkcheck import check_lists
report = check_lists([sys.argv[1]], Settings(allow_private=True, use_cache=False, link_timeout=30.0))
peak_kb = int(re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read()).group(1))
print(dict(report.summary["counts"]), peak_kb // 1024)
"""


def test_256_gzip_bomb_pages_stay_far_under_300_mb(tmp_path):
    with WebHosts(8, first_host=140) as web:
        lst = tmp_path / "bombs.md"
        lst.write_text("".join(f"- [p{i}]({web.url(i % 8, f'gzip-bomb/{i}')})\n" for i in range(256)))
        done = subprocess.run([sys.executable, "-c", _PEAK_RSS, str(lst)], env={**os.environ, "PYTHONPATH": str(REPO / "src")},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        counts, peak_mb = done.stdout.rsplit(" ", 1)
        # each page inflates to 100 MiB: held whole, 256 of them would be 25 GB
        assert int(peak_mb) < 300, done.stdout
        assert "'ok': 256" in counts  # the page's first bytes (its title) were read and judged
        assert len(web.requests(path_prefix="/gzip-bomb/")) == 256


def test_trickling_silent_and_retry_after_forever_hosts_end_within_the_deadline():
    with WebHosts(4, first_host=150) as web:
        urls = {web.url(0, "tarpit/t"): "timeout", web.url(1, "silent/s"): "timeout",
                web.url(2, "trickle-headers/h"): "timeout",
                web.url(3, "ratelimit/99/r?retry_after=999999"): "rate_limited"}
        settings = Settings(**{**FAST, "link_timeout": 1.5, "link_deadline": 4.0, "retry_after_cap": 3600.0})
        started = time.monotonic()
        results, _ = run(list(urls), settings)
        took = time.monotonic() - started
        assert {u: r.status for u, r in results.items()} == urls
        # every URL ends within its 4 s deadline (plus slack for a loaded machine), not after
        # 900 s of trickle or a 999999 s Retry-After
        assert took < 4.0 + 10
        assert len(web.requests(web.hosts[3])) == 1  # the pause is longer than the deadline: not asked again


def test_a_host_refusing_with_403_again_and_again_is_not_asked_again():
    with WebHosts(2, first_host=160) as web:
        refused = [web.url(0, f"status/403/{i}") for i in range(20)]
        fine = [web.url(1, f"ok/{i}") for i in range(3)]
        settings = Settings(**{**FAST, "host_concurrency": 1, "forbidden_stop": 3})
        results, info = run(refused + fine, settings)
        assert len(web.requests(web.hosts[0])) == 3
        assert all(results[u].status == "blocked" for u in refused)
        stopped = [u for u in refused if "not asked again" in (results[u].detail or "")]
        assert len(stopped) == 17
        assert info["hosts"][web.hosts[0]]["stopped"]
        assert all(results[u].status == "ok" for u in fine)  # another host is not affected


def test_a_reset_is_asked_twice_in_all_not_six_times():
    with WebHosts(1, first_host=170) as web:
        urls = [web.url(0, f"reset/{i}") for i in range(3)]
        results, _ = run(urls, Settings(**FAST))
        assert all(results[u].status == "error" for u in urls)
        for i in range(3):  # one retry, and aiohttp does not silently send it again
            assert len(web.requests(path_prefix=f"/reset/{i}")) == 2


def test_offline_is_detected_in_seconds_and_the_message_suggests_offline(tmp_path):
    with WebHosts(10, first_host=180) as web:
        lst = tmp_path / "dark.md"
        # 400 links on 10 hosts that never answer: asked 2 at a time per host with a 1 s timeout
        # and one retry, the run would take 20 rounds of 2 s; it stops after the first failures.
        lst.write_text("".join(f"- [p{i}]({web.url(i % 10, f'silent/{i}')})\n" for i in range(400)))
        started = time.monotonic()
        proc = cli(str(lst), "--allow-private", "--no-cache", "--timeout", "1", "--host-concurrency", "2", cwd=tmp_path)
        out, err = proc.communicate(timeout=120)
        took = time.monotonic() - started
        assert proc.returncode == 5, err
        assert err.startswith("error: no linked host could be reached") and "--offline" in err
        assert took < 20  # would be 40 s and more without the early stop
        assert len(web.requests()) < 100


def test_excludes_apply_before_the_cache(tmp_path):
    with WebHosts(1, first_host=190) as web:
        urls = [web.url(0, "ok/kept"), web.url(0, "ok/dropped")]
        cache = Cache(tmp_path)
        first, _ = run(urls, Settings(**{**FAST, "use_cache": True}), cache)
        assert all(r.status == "ok" for r in first.values())
        second, info = run(urls, Settings(**{**FAST, "use_cache": True, "exclude": ("dropped",)}), cache)
        assert second[urls[1]].status == "skipped" and "excluded" in second[urls[1]].detail
        assert second[urls[0]].status == "ok" and info["from_cache"] == 1
        cache.close()


def _cached_urls(cache_dir: Path) -> set[str]:
    cache = Cache(cache_dir)
    try:
        rows = cache.db.execute("select key from lookups where namespace = ?", [NAMESPACE]).fetchall()
        return {key for (key,) in rows}
    finally:
        cache.close()


@pytest.mark.parametrize("how", ["kill", "interrupt"])
def test_a_run_stopped_halfway_keeps_its_results_and_the_rerun_asks_only_the_rest(tmp_path, how):
    # answers 0.25 s apart: every result is written before the next one arrives
    with WebHosts(1, first_host=200, latency=0.25) as web:
        urls = [web.url(0, f"ok/{i}") for i in range(20)]
        lst = tmp_path / "half.md"
        lst.write_text("".join(f"- [p{i}]({u})\n" for i, u in enumerate(urls)))
        args = (str(lst), "--allow-private", "--host-concurrency", "1", "--host-interval", "0")
        os.environ["PAPERENRICH_CACHE"] = str(tmp_path / "cache")
        try:
            proc = cli(*args, cwd=tmp_path)
            deadline = time.monotonic() + 60
            while len([r for r in web.requests() if r.end]) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
            if how == "kill":
                proc.send_signal(signal.SIGKILL)
            else:
                proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
            if how == "interrupt":
                assert proc.returncode == 130 and "everything finished so far is in the cache" in err
            asked_first = {r.path for r in web.requests() if r.status == 200}
            kept = _cached_urls(tmp_path / "cache")
            # Everything the first run got an answer for is kept, but for the one request in
            # flight when the signal came (served, its answer not yet read or written).
            assert len(asked_first) >= 10 and len(kept) >= 9
            assert len({web.url(0, p) for p in asked_first} - kept) <= 1
            web.reset_log()
            rerun = cli(*args, "-f", "json", cwd=tmp_path)
            out, err = rerun.communicate(timeout=120)
        finally:
            os.environ.pop("PAPERENRICH_CACHE")
        assert rerun.returncode == 0, err
        asked_again = {web.url(0, r.path) for r in web.requests()}
        assert asked_again == set(urls) - kept  # only the other half
        assert json.loads(out)["summary"]["from_cache"] == len(kept)
