"""Several runs opening one new cache at the same instant: every one of them works, nothing is lost."""

import subprocess
import sys
import textwrap
import time

WRITER = textwrap.dedent("""
    import sys, time
    from paperenrich.cache import Cache
    start = float(sys.argv[3])
    while time.time() < start:  # all writers open the new cache at the same instant
        pass
    cache = Cache(sys.argv[1])
    for i in range(20):
        cache.put_many("ns", {f"{sys.argv[2]}-{i}-{j}": {"j": j} for j in range(5)})
    print("ok")
""")


def test_new_cache_opened_by_four_processes_at_once(tmp_path):
    # Before the open was retried while locked, most rounds failed with "database is locked".
    for round_no in range(5):
        where = tmp_path / f"cache{round_no}"
        start = time.time() + 1.5  # after the four interpreters have started
        procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(where), name, repr(start)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in "abcd"]
        outputs = [p.communicate(timeout=60) for p in procs]
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0 and out.strip() == "ok", err
        from paperenrich.cache import Cache

        cache = Cache(where)
        keys = [f"{name}-{i}-{j}" for name in "abcd" for i in range(20) for j in range(5)]
        assert len(cache.get_many("ns", keys)) == len(keys) == 400
        cache.close()
