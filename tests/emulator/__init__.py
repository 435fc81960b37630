"""A local world for tests and benchmarks: arXiv and Semantic Scholar emulators on loopback.

See tests/emulator/README.md. The link-target web hosts live in tests/emulator/webhosts.py.
"""

from tests.emulator.corpus import Corpus, Record, load_corpus
from tests.emulator.faults import Fault, Faults
from tests.emulator.requestlog import RequestLog, RequestRecord
from tests.emulator.world import ScholarWorld, shared_corpus

__all__ = ["Corpus", "Fault", "Faults", "Record", "RequestLog", "RequestRecord", "ScholarWorld", "load_corpus", "shared_corpus"]
