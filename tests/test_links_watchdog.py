"""The checker's request deadlines (linkcheck/watchdog.py): one periodic check for all requests,
with asyncio.timeout's meaning: past its limit a block raises TimeoutError; any other
cancellation stays a cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from paperenrich.linkcheck.watchdog import TICK, Watchdog


def test_a_block_past_its_limit_raises_timeout_and_the_others_finish():
    async def main():
        watchdog = Watchdog()

        async def request(seconds: float, limit: float) -> str:
            with watchdog.limit(limit):
                await asyncio.sleep(seconds)
            return "answered"

        started = time.monotonic()
        results = await asyncio.gather(request(5.0, 0.1), request(0.05, 1.0), request(0.2, 1.0), return_exceptions=True)
        return results, time.monotonic() - started, watchdog

    results, took, watchdog = asyncio.run(main())
    assert isinstance(results[0], TimeoutError) and results[1:] == ["answered", "answered"]
    assert took < 0.1 + TICK + 0.5  # the 5 s request ended at its limit (+ one tick, + a loaded machine's slack)
    assert watchdog._due == {} and watchdog._timer is None  # nothing left registered, no timer left running


def test_a_cancellation_from_elsewhere_stays_a_cancellation():
    async def main():
        watchdog = Watchdog()

        async def request():
            with watchdog.limit(10.0):
                await asyncio.sleep(10.0)

        task = asyncio.ensure_future(request())
        await asyncio.sleep(0.05)
        task.cancel()  # Ctrl-C, or the run stopping as offline: not a timeout
        with pytest.raises(asyncio.CancelledError):
            await task
        return watchdog

    watchdog = asyncio.run(main())
    assert watchdog._due == {} and watchdog._timer is None


def test_a_task_goes_on_after_its_timeout_and_can_be_limited_again():
    async def main():
        watchdog = Watchdog()
        outcomes = []
        for seconds in (1.0, 0.01, 1.0):  # too slow, in time, too slow: each on its own
            try:
                with watchdog.limit(0.1):
                    await asyncio.sleep(seconds)
                outcomes.append("answered")
            except TimeoutError:
                outcomes.append("timeout")
        await asyncio.sleep(0.01)  # no cancellation is left pending on the task
        return outcomes, asyncio.current_task().cancelling()

    assert asyncio.run(main()) == (["timeout", "answered", "timeout"], 0)


def test_nested_limits_each_keep_their_own_deadline():
    async def main():
        watchdog = Watchdog()
        outcomes = []
        try:  # the inner, longer limit neither replaces nor removes the outer one
            with watchdog.limit(0.1):
                with watchdog.limit(5.0):
                    await asyncio.sleep(1.0)
        except TimeoutError:
            outcomes.append("outer")
        try:  # an inner limit ended in time leaves the outer one in force
            with watchdog.limit(0.1):
                with watchdog.limit(0.05):
                    await asyncio.sleep(0)
                await asyncio.sleep(1.0)
        except TimeoutError:
            outcomes.append("outer again")
        try:
            with watchdog.limit(5.0):
                with watchdog.limit(0.05):
                    await asyncio.sleep(1.0)
        except TimeoutError:
            outcomes.append("inner")
        return outcomes

    started = time.monotonic()
    assert asyncio.run(main()) == ["outer", "outer again", "inner"]
    assert time.monotonic() - started < 1.0 + 3 * TICK  # (each ended at its limit, not after 1 s)


def test_a_block_slow_to_unwind_after_its_timeout_does_not_keep_the_watchdog_busy():
    async def main():
        watchdog = Watchdog()
        checks = 0
        check = watchdog._check

        def counted(loop):
            nonlocal checks
            checks += 1
            check(loop)

        watchdog._check = counted
        with pytest.raises(TimeoutError):
            with watchdog.limit(0.05):
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    await asyncio.sleep(0.5)  # cleanup that takes many loop turns
                    raise
        return checks

    assert asyncio.run(main()) <= 3  # one tick to expire; none while the block unwinds
