"""`ScholarWorld`: the arXiv and Semantic Scholar emulators over one corpus, on loopback.

    with ScholarWorld(time_scale=0.01, s2_api_key="test-key") as world:
        settings = Settings(arxiv_url=world.arxiv_url, s2_url=world.s2_url, s2_api_key="test-key",
                            arxiv_interval=world.arxiv_interval_scaled, s2_rps=world.s2_rps_scaled)
        ...
        assert world.log.count(service="arxiv") == 1

`time_scale` multiplies every rate-limit interval and window (0.01 in tests: arXiv's 3 s becomes
30 ms; 1.0 in benchmarks), and the Retry-After of arXiv's 503 page. Fault delays are not scaled.
"""

from __future__ import annotations

import threading
import time

from tests.emulator.arxiv_api import ArxivService
from tests.emulator.corpus import Corpus, load_corpus
from tests.emulator.faults import Faults
from tests.emulator.httpbase import EmulatorServer, start_server
from tests.emulator.requestlog import RequestLog
from tests.emulator.s2_api import S2Service

_CORPUS_LOCK = threading.Lock()
_SHARED_CORPUS: Corpus | None = None


def shared_corpus() -> Corpus:
    """One corpus per process: it is read-only, so every world can serve the same one."""
    global _SHARED_CORPUS
    with _CORPUS_LOCK:
        if _SHARED_CORPUS is None:
            _SHARED_CORPUS = load_corpus()
        return _SHARED_CORPUS


class ScholarWorld:
    def __init__(self, time_scale: float = 1.0, arxiv_interval: float = 3.0, s2_rps: float = 1.0,
                 s2_api_key: str | None = "test-key", s2_pool: tuple[int, float] = (100, 300.0),
                 corpus: Corpus | None = None, seed: int = 0, host: str = "127.0.0.1",
                 arxiv_port: int = 0, s2_port: int = 0):
        self.time_scale = time_scale
        self.arxiv_interval = arxiv_interval
        self.s2_rps = s2_rps
        self.s2_api_key = s2_api_key
        self.s2_pool = s2_pool
        self.corpus = corpus if corpus is not None else shared_corpus()
        self.log = RequestLog()
        self.faults = Faults(seed)
        self.arxiv = ArxivService(self.corpus, self.arxiv_interval_scaled, time_scale)
        self.s2 = S2Service(self.corpus, s2_api_key, 1.0 / s2_rps * time_scale, (s2_pool[0], s2_pool[1] * time_scale))
        self._host = host
        self._ports = (arxiv_port, s2_port)
        self._servers: list[EmulatorServer] = []
        self._threads: list[threading.Thread] = []

    # --- paces a client should use against this world ----------------------------------------------
    @property
    def arxiv_interval_scaled(self) -> float:
        return self.arxiv_interval * self.time_scale

    @property
    def s2_rps_scaled(self) -> float:
        """Requests per second allowed with the key, after scaling."""
        return self.s2_rps / self.time_scale

    @property
    def s2_pool_scaled(self) -> tuple[int, float]:
        return self.s2_pool[0], self.s2_pool[1] * self.time_scale

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> "ScholarWorld":
        if self._servers:
            return self
        for service, port in zip((self.arxiv, self.s2), self._ports):
            server = EmulatorServer(service, self.log, self.faults, self._host, port)
            self._servers.append(server)
            self._threads.append(start_server(server))
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "ScholarWorld":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget the log, the faults and the rate state (between tests)."""
        self.faults.clear()
        self.arxiv.reset()
        self.s2.reset()
        self.log.clear()

    def wait_rate_windows(self) -> None:
        """Sleep until any rate window of a previous request has surely passed."""
        time.sleep(max(self.arxiv_interval_scaled, 1.0 / self.s2_rps_scaled))

    # --- addresses -----------------------------------------------------------------------------------
    def _base(self, index: int) -> str:
        if not self._servers:
            raise RuntimeError("the world is not started")
        return self._servers[index].base_url

    @property
    def arxiv_url(self) -> str:
        """The full query endpoint, as `Settings.arxiv_url`."""
        return self._base(0) + "/api/query"

    @property
    def s2_root(self) -> str:
        """Server root, as `semanticscholar.SemanticScholar(api_url=...)` wants it."""
        return self._base(1)

    @property
    def s2_url(self) -> str:
        """The Graph API base, as `Settings.s2_url`."""
        return self._base(1) + "/graph/v1"

    def env(self) -> dict[str, str]:
        """Environment variables that point paperenrich at this world."""
        out = {
            "PAPERENRICH_ARXIV_URL": self.arxiv_url,
            "PAPERENRICH_S2_URL": self.s2_url,
            "PAPERENRICH_ARXIV_INTERVAL": repr(self.arxiv_interval_scaled),
            "PAPERENRICH_S2_RPS": repr(self.s2_rps_scaled if self.s2_api_key else self.s2_pool[0] / self.s2_pool_scaled[1]),
        }
        if self.s2_api_key:
            out["S2_API_KEY"] = self.s2_api_key
        return out
