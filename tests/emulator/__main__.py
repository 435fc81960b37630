"""Run the arXiv and Semantic Scholar emulators standalone until Ctrl-C.

    python -m tests.emulator --arxiv-port 8001 --s2-port 8002 --time-scale 1

It prints the environment variables that point paperenrich at it.
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.emulator.world import ScholarWorld


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--arxiv-port", type=int, default=8001)
    parser.add_argument("--s2-port", type=int, default=8002)
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiplies every rate interval and window")
    parser.add_argument("--arxiv-interval", type=float, default=3.0, help="seconds between arXiv requests")
    parser.add_argument("--s2-rps", type=float, default=1.0, help="S2 requests per second with the key")
    parser.add_argument("--s2-key", default="test-key", help="the accepted x-api-key ('' for none)")
    parser.add_argument("--s2-pool", default="100/300", help="keyless S2 pool: REQUESTS/SECONDS")
    args = parser.parse_args(argv)
    try:
        size, window = args.s2_pool.split("/")
        pool = (int(size), float(window))
    except ValueError:
        parser.error("--s2-pool must look like 100/300")
    started = time.monotonic()
    world = ScholarWorld(time_scale=args.time_scale, arxiv_interval=args.arxiv_interval, s2_rps=args.s2_rps,
                         s2_api_key=args.s2_key or None, s2_pool=pool, host=args.host,
                         arxiv_port=args.arxiv_port, s2_port=args.s2_port)
    try:
        world.start()
    except OSError as exc:
        print(f"error: cannot listen: {exc}", file=sys.stderr)
        return 3
    print(f"emulator up in {time.monotonic() - started:.2f} s ({len(world.corpus)} papers); Ctrl-C stops it", flush=True)
    for name, value in world.env().items():
        print(f"export {name}={value}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        world.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
