"""The one corpus behind both emulated APIs: every paper is a `Record`, rendered by arXiv and S2.

Sources, in load order (later keys never collide with earlier ones):
1. `data/traps.json`: hand-written papers that test the resolver's judgement (near-duplicate
   titles, one title in two years, preprint vs published version, LaTeX and ligatures);
2. `data/seed_papers.json`: the papers of the five seed lists (title, arXiv id and DOI from the
   list's own links; everything else generated), built by `build_seed_fixture.py`;
3. `data/corpus_papers.json`: the hand-labelled papers of the corpus lists in `../shared/lists/`
   (title, venue, year and ids from the labels; everything else generated) and their near-duplicate
   traps, built by `build_corpus_fixture.py`;
4. `../shared/corpus/dblp-records.jsonl.gz`: 92k real DBLP records.

DBLP records carry no arXiv ids, S2 ids, citation counts or dates: those are generated from a
hash of the DBLP key (so every run sees the same world) and listed in `Record.generated`.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
import pickle
import sys
import tempfile
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tests.emulator.textnorm import clean_author, clean_title, fold

DATA_DIR = Path(__file__).parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = REPO_ROOT.parent / "shared"
DBLP_PATH = SHARED_DIR / "corpus" / "dblp-records.jsonl.gz"

# Short names S2 shows as `publicationVenue.name` for the DBLP conference keys of the corpus.
VENUE_NAMES = {
    "aaai": "AAAI Conference on Artificial Intelligence", "aistats": "International Conference on Artificial Intelligence and Statistics",
    "alenex": "Workshop on Algorithm Engineering and Experimentation", "asunam": "International Conference on Advances in Social Networks Analysis and Mining",
    "bigdataconf": "IEEE International Conference on Big Data", "bmvc": "British Machine Vision Conference",
    "chi": "International Conference on Human Factors in Computing Systems", "cidr": "Conference on Innovative Data Systems Research",
    "cikm": "International Conference on Information and Knowledge Management", "colt": "Annual Conference Computational Learning Theory",
    "cvpr": "Computer Vision and Pattern Recognition", "iccv": "IEEE International Conference on Computer Vision",
    "icassp": "IEEE International Conference on Acoustics, Speech, and Signal Processing", "iclr": "International Conference on Learning Representations",
    "icml": "International Conference on Machine Learning", "ijcai": "International Joint Conference on Artificial Intelligence",
    "kdd": "Knowledge Discovery and Data Mining", "mlsys": "Conference on Machine Learning and Systems", "mm": "ACM Multimedia",
    "nips": "Neural Information Processing Systems", "recsys": "ACM Conference on Recommender Systems",
    "sdm": "SDM", "sigir": "Annual International ACM SIGIR Conference on Research and Development in Information Retrieval",
    "sigmod": "ACM SIGMOD Conference", "soda": "ACM-SIAM Symposium on Discrete Algorithms", "stoc": "Symposium on the Theory of Computing",
    "uai": "Conference on Uncertainty in Artificial Intelligence", "wsdm": "Web Search and Data Mining", "www": "The Web Conference",
}
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.DC", "cs.AI", "cs.DB", "cs.IR", "stat.ML", "cs.HC", "cs.DS")


def _post(index: dict[str, list[int]], idx: int, tokens: set[str]) -> None:
    """Add record `idx` to the posting list of each of its tokens (postings stay in record order)."""
    for tok in tokens:
        posting = index.get(tok)
        if posting is None:
            index[tok] = [idx]
        else:
            posting.append(idx)


@dataclass(slots=True)
class Record:
    """One paper as both services know it. `title` is the S2 (published) title."""

    key: str  # unique: the DBLP key, "seed:..." or "trap:..."
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str  # S2 `venue` and `publicationVenue.name` ("" when unknown)
    venue_short: str | None  # an abbreviation, S2 `publicationVenue.alternate_names`
    publication_date: str | None  # YYYY-MM-DD
    doi: str | None  # publisher DOI as S2 writes it
    arxiv: str | None  # arXiv id without version
    arxiv_versions: int
    dblp: str | None
    acl: str | None
    s2_id: str
    corpus_id: int
    citation_count: int
    influential_citation_count: int
    open_access_pdf: dict | None
    abstract: str | None
    arxiv_title: str | None  # the preprint's own title when it differs from `title`
    arxiv_doi: str | None  # DOI shown in the arXiv entry (authors add it, or not)
    journal_ref: str | None
    categories: tuple[str, ...]
    submitted: str | None  # arXiv v1 timestamp, ISO "YYYY-MM-DDTHH:MM:SSZ"
    updated: str | None  # arXiv latest-version timestamp
    publication_types: tuple[str, ...]
    pages: str | None
    origin: str  # "dblp" | "seed" | "list" (a labelled corpus-list paper) | "trap"
    generated: tuple[str, ...] = ()  # names of fields that are invented, not real data
    in_s2: bool = True
    in_arxiv: bool = True  # False hides it from arXiv even with an id (e.g. withdrawn)
    note: str | None = None
    container: str | None = None  # the proceedings or journal title (S2 `journal.name`), if not `venue`

    @property
    def arxiv_display_title(self) -> str:
        return self.arxiv_title or self.title

    def external_ids(self) -> dict:
        """S2 `externalIds`, in the order the real API writes them."""
        out: dict = {}
        if self.dblp:
            out["DBLP"] = self.dblp
        if self.acl:
            out["ACL"] = self.acl
        if self.arxiv:
            out["ArXiv"] = self.arxiv
        if self.doi:
            out["DOI"] = self.doi
        out["CorpusId"] = self.corpus_id
        return out


def _hash(key: str) -> bytes:
    return hashlib.sha1(key.encode("utf-8")).digest()


def author_id(name: str) -> str:
    """A stable S2 authorId per author name (same name, same id, across papers)."""
    return str(int.from_bytes(_hash("author:" + name)[:4], "big") % 2_000_000_000 + 1000)


def generated_fields(key: str, year: int | None, has_doi: bool, give_arxiv: bool | None = None) -> dict:
    """Deterministic invented metadata for a paper, from a hash of its key.

    Returns the fields a record lacks in its source: S2 id, CorpusId, citation counts, a
    publication date, and (for about 45% of papers from 2010 on, or when `give_arxiv`) an
    arXiv id with a submission time, versions and categories.
    """
    h = hashlib.sha1(key.encode("utf-8")).digest()
    month = h[2] % 12 + 1
    day = h[3] % 28 + 1
    citations = int(10 ** (h[4] / 255.0 * 4.2)) - 1
    out = {
        "s2_id": hashlib.sha1(("s2:" + key).encode()).hexdigest(),
        "corpus_id": 1_000_000 + int.from_bytes(h[5:9], "big") % 260_000_000,
        "citation_count": citations,
        "influential_citation_count": citations // (8 + h[9] % 20),
        "publication_date": f"{year}-{month:02d}-{day:02d}" if year else None,
    }
    if give_arxiv is None:
        give_arxiv = bool(year and year >= 2010 and h[10] % 100 < 45)
    if give_arxiv and year:
        yy = max(year, 2008) % 100
        # Preprints usually appear a few months before the proceedings.
        amonth = max(1, month - 1 - h[11] % 4)
        digits = 5 if yy >= 15 else 4
        number = int.from_bytes(h[12:15], "big") % (10**digits - 1) + 1
        versions = 1 + h[15] % 3
        submitted = f"{2000 + yy}-{amonth:02d}-{day:02d}T{h[16] % 24:02d}:{h[17] % 60:02d}:{h[18] % 60:02d}Z"
        out.update(
            arxiv=f"{yy:02d}{amonth:02d}.{number:0{digits}d}",
            arxiv_versions=versions,
            submitted=submitted,
            updated=submitted if versions == 1 else f"{2000 + yy}-{amonth:02d}-{min(28, day + h[19] % 10):02d}T12:00:00Z",
            categories=(CATEGORIES[h[1] % len(CATEGORIES)],) + ((CATEGORIES[h[0] % len(CATEGORIES)],) if h[0] % 3 == 0 else ()),
            show_doi_on_arxiv=has_doi and h[13] % 2 == 0,
        )
    return out


_VENUES: dict[tuple[str, str], tuple[str, str | None]] = {}  # (venue key, DBLP venue) -> (venue, container)


def _venue(venue_key: str, dblp_venue: str) -> tuple[str, str | None]:
    """S2 `venue` and `journal.name` for a DBLP record: a few hundred distinct values, so memoised."""
    found = _VENUES.get((venue_key, dblp_venue))
    if found is None:
        container = clean_title(dblp_venue)
        venue = VENUE_NAMES.get(venue_key, container)
        found = _VENUES[(venue_key, dblp_venue)] = (venue, container if container != venue else None)
    return found


_DBLP_GENERATED = ("s2_id", "corpus_id", "citation_count", "influential_citation_count", "publication_date")
_DBLP_GENERATED_WITH_ARXIV = _DBLP_GENERATED + ("arxiv", "arxiv_versions", "submitted", "updated", "categories", "open_access_pdf")


def record_from_dblp(raw: dict, title: str | None = None) -> Record:
    key = raw["dblp_key"]
    year = raw.get("year")
    year = int(year) if year else None
    gen = generated_fields(key, year, bool(raw.get("doi")))
    venue_key = key.split("/")[1] if key.count("/") >= 2 else ""
    venue, container = _venue(venue_key, raw.get("venue") or "")
    arxiv = gen.get("arxiv")
    doi = raw.get("doi")
    show_doi = gen.get("show_doi_on_arxiv", False)
    open_pdf = {"url": f"https://arxiv.org/pdf/{arxiv}", "status": "GREEN", "license": None} if arxiv else None
    return Record(
        key=key,
        title=title if title is not None else clean_title(raw["title"]),
        authors=tuple(map(clean_author, raw.get("authors") or ())),
        year=year,
        venue=venue,
        venue_short=venue_key.upper() or None,
        publication_date=gen["publication_date"],
        doi=doi,
        arxiv=arxiv,
        arxiv_versions=gen.get("arxiv_versions", 1),
        dblp=key,
        acl=None,
        s2_id=gen["s2_id"],
        corpus_id=gen["corpus_id"],
        citation_count=gen["citation_count"],
        influential_citation_count=gen["influential_citation_count"],
        open_access_pdf=open_pdf,
        abstract=None,
        arxiv_title=None,
        arxiv_doi=doi if show_doi else None,
        journal_ref=f"{venue} {year}" if arxiv and show_doi else None,
        categories=gen.get("categories", ()),
        submitted=gen.get("submitted"),
        updated=gen.get("updated"),
        publication_types=("Conference",) if raw.get("type") == "inproceedings" else ("Book",),
        pages=raw.get("pages"),
        origin="dblp",
        generated=_DBLP_GENERATED_WITH_ARXIV if arxiv else _DBLP_GENERATED,
        container=container,
    )


def record_from_fixture(item: dict, origin: str) -> Record:
    """A record from traps.json / seed_papers.json: explicit values win, the rest is generated."""
    key = item["key"]
    year = item.get("year")
    has_arxiv = item.get("arxiv") is not None
    gen = generated_fields(key, year, bool(item.get("doi")), give_arxiv=item.get("generate_arxiv", False))
    arxiv = item.get("arxiv", gen.get("arxiv"))
    defaults = {
        "s2_id": gen["s2_id"], "corpus_id": gen["corpus_id"], "citation_count": gen["citation_count"],
        "influential_citation_count": gen["influential_citation_count"], "publication_date": gen["publication_date"],
        "arxiv_versions": gen.get("arxiv_versions", 1 + _hash(key)[15] % 3),
        "categories": gen.get("categories", (CATEGORIES[_hash(key)[1] % len(CATEGORIES)],)),
    }
    submitted = item.get("submitted") or gen.get("submitted")
    if arxiv and not submitted:
        # A real arXiv id encodes its month: yymm.nnnnn
        yymm = arxiv.split("/")[-1][:4]
        submitted = f"20{yymm[:2]}-{yymm[2:4]}-{_hash(key)[3] % 28 + 1:02d}T10:00:00Z" if yymm.isdigit() else "2000-01-01T00:00:00Z"
    generated = list(item.get("generated", ()))
    for name, value in defaults.items():
        if name not in item:
            generated.append(name)
    if arxiv and not has_arxiv:
        generated.append("arxiv")
    open_pdf = item.get("open_access_pdf", {"url": f"https://arxiv.org/pdf/{arxiv}", "status": "GREEN", "license": None} if arxiv else None)
    return Record(
        key=key,
        title=item["title"],
        authors=tuple(item.get("authors", ())),
        year=year,
        venue=item.get("venue", ""),
        venue_short=item.get("venue_short"),
        publication_date=item.get("publication_date", defaults["publication_date"]),
        doi=item.get("doi"),
        arxiv=arxiv,
        arxiv_versions=item.get("arxiv_versions", defaults["arxiv_versions"]),
        dblp=item.get("dblp"),
        acl=item.get("acl"),
        s2_id=item.get("s2_id", defaults["s2_id"]),
        corpus_id=item.get("corpus_id", defaults["corpus_id"]),
        citation_count=item.get("citation_count", defaults["citation_count"]),
        influential_citation_count=item.get("influential_citation_count", defaults["influential_citation_count"]),
        open_access_pdf=open_pdf,
        abstract=item.get("abstract"),
        arxiv_title=item.get("arxiv_title"),
        arxiv_doi=item.get("arxiv_doi"),
        journal_ref=item.get("journal_ref"),
        categories=tuple(item.get("categories", defaults["categories"])),
        submitted=submitted if arxiv else None,
        updated=item.get("updated", submitted) if arxiv else None,
        publication_types=tuple(item.get("publication_types", ("JournalArticle",) if item.get("doi") else ())),
        pages=item.get("pages"),
        origin=origin,
        generated=tuple(dict.fromkeys(generated)),
        in_s2=item.get("in_s2", True),
        in_arxiv=item.get("in_arxiv", True),
        note=item.get("note"),
    )


_handover_lock = threading.Lock()
_handover_users = 0
_normal_switch_interval = sys.getswitchinterval()  # read at import: the process default


@contextmanager
def _quick_gil_handover() -> Iterator[None]:
    """While a background thread indexes, request threads get the GIL within 0.5 ms, not 5 ms.

    The indexing holds the GIL for long stretches; without this, each step of a first answer
    (accept, read, write) queues behind it. Counted, so overlapping builds restore it once.
    """
    global _handover_users
    with _handover_lock:
        if _handover_users == 0:
            sys.setswitchinterval(min(_normal_switch_interval, 0.0005))
        _handover_users += 1
    try:
        yield
    finally:
        with _handover_lock:
            _handover_users -= 1
            if _handover_users == 0:
                sys.setswitchinterval(_normal_switch_interval)


_RECORD_FIELDS = tuple(f.name for f in fields(Record))
_record_row = attrgetter(*_RECORD_FIELDS)  # Record -> tuple of its values, in C


@dataclass
class Corpus:
    """All records plus the lookups both APIs need. Read-only once built (thread-safe).

    The id lookups are ready as soon as the corpus is built. The search indexes (title and
    author tokens) take about as long again, so `build_corpus` hands them to a background
    thread: `title_index` and `author_index` wait for it, id lookups never do.
    """

    records: list[Record]
    unknown: list[dict] = field(default_factory=list)  # seed papers deliberately left out
    by_arxiv: dict[str, int] = field(default_factory=dict)
    by_doi: dict[str, int] = field(default_factory=dict)
    by_s2: dict[str, int] = field(default_factory=dict)
    by_corpus_id: dict[int, int] = field(default_factory=dict)
    by_dblp: dict[str, int] = field(default_factory=dict)
    by_acl: dict[str, int] = field(default_factory=dict)
    folded_titles: list[str] = field(default_factory=list)  # S2 title, folded
    folded_arxiv_titles: dict[int, str] = field(default_factory=dict)  # only where it differs
    _title_index: dict[str, list[int]] | None = None
    _author_index: dict[str, list[int]] | None = None
    _titles_indexed: threading.Event = field(default_factory=threading.Event)  # title index first
    _indexed: threading.Event = field(default_factory=threading.Event)  # then the author index
    _index_error: BaseException | None = None

    # --- building -----------------------------------------------------------------------------
    def add(self, record: Record, folded: str | None = None) -> None:
        """Add a record (`folded`: its title already folded); colliding generated ids are shifted."""
        idx = len(self.records)
        while record.corpus_id in self.by_corpus_id:
            record.corpus_id += 1
        if record.arxiv and record.arxiv in self.by_arxiv:
            if "arxiv" not in record.generated:
                raise ValueError(f"two records claim arXiv id {record.arxiv}")
            record.arxiv = None  # a generated id that collides: this paper simply has no preprint
            record.open_access_pdf = None
        self.records.append(record)
        self.by_s2[record.s2_id] = idx
        self.by_corpus_id[record.corpus_id] = idx
        if record.arxiv:
            self.by_arxiv[record.arxiv] = idx
        if record.doi:
            self.by_doi.setdefault(record.doi.lower(), idx)
        if record.dblp:
            self.by_dblp.setdefault(record.dblp, idx)
        if record.acl:
            self.by_acl.setdefault(record.acl, idx)
        self.folded_titles.append(fold(record.title) if folded is None else folded)
        if record.arxiv_title:
            self.folded_arxiv_titles[idx] = fold(record.arxiv_title)

    def build_indexes(self) -> None:
        """Title and author token -> record indexes (postings in record order); wakes the waiters."""
        try:
            title_index: dict[str, list[int]] = {}
            for idx, folded in enumerate(self.folded_titles):
                toks = set(folded.split())
                folded_arxiv = self.folded_arxiv_titles.get(idx)
                if folded_arxiv:
                    toks.update(folded_arxiv.split())
                _post(title_index, idx, toks)
            self._title_index = title_index
            self._titles_indexed.set()  # title searches need not wait for the authors
            author_index: dict[str, list[int]] = {}
            folded_names: dict[str, list[str]] = {}
            for idx, rec in enumerate(self.records):
                toks = set()
                for name in rec.authors:
                    name_toks = folded_names.get(name)
                    if name_toks is None:
                        name_toks = folded_names[name] = fold(name).split()
                    toks.update(name_toks)
                _post(author_index, idx, toks)
            self._author_index = author_index
        except BaseException as exc:  # a waiter must see the failure, not hang
            self._index_error = exc
            raise
        finally:
            self._titles_indexed.set()
            self._indexed.set()

    def index_in_background(self, then: Callable[["Corpus"], None] | None = None) -> threading.Thread:
        """Build the search indexes in a thread, then call `then(corpus)` (e.g. write the cache).

        Not a daemon: a process that ends at once still finishes the indexes and the cache.
        """
        def work() -> None:
            with _quick_gil_handover():
                try:
                    self.build_indexes()
                finally:
                    if then is not None:
                        then(self)

        thread = threading.Thread(target=work, name="corpus-indexes")
        thread.start()
        return thread

    def wait_indexed(self, titles_only: bool = False) -> None:
        (self._titles_indexed if titles_only else self._indexed).wait()
        if self._index_error is not None:
            raise RuntimeError("building the corpus search indexes failed") from self._index_error

    @property
    def title_index(self) -> dict[str, list[int]]:
        """title token (S2 or arXiv title, folded) -> records."""
        self.wait_indexed(titles_only=True)
        return self._title_index  # type: ignore[return-value]

    @property
    def author_index(self) -> dict[str, list[int]]:
        """token of an author name -> records."""
        self.wait_indexed()
        return self._author_index  # type: ignore[return-value]

    # --- the pickle cache: records as plain tuples, which pickle and unpickle in C ------------
    def __getstate__(self) -> dict:
        self.wait_indexed()
        state = {name: getattr(self, name) for name in ("unknown", "by_arxiv", "by_doi", "by_s2", "by_corpus_id", "by_dblp",
                                                        "by_acl", "folded_titles", "folded_arxiv_titles",
                                                        "_title_index", "_author_index")}
        state["records"] = (_RECORD_FIELDS, list(map(_record_row, self.records)))
        return state

    def __setstate__(self, state: dict) -> None:
        names, rows = state.pop("records")
        if names != _RECORD_FIELDS:
            raise pickle.UnpicklingError("the cache was written for other Record fields")
        self.records = [Record(*row) for row in rows]
        for name, value in state.items():
            setattr(self, name, value)
        self._titles_indexed, self._indexed = threading.Event(), threading.Event()
        self._titles_indexed.set()
        self._indexed.set()
        self._index_error = None

    def folded_arxiv_title(self, idx: int) -> str:
        return self.folded_arxiv_titles.get(idx) or self.folded_titles[idx]

    # --- lookups ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def get_arxiv(self, arxiv_id: str) -> Record | None:
        idx = self.by_arxiv.get(arxiv_id)
        return self.records[idx] if idx is not None else None

    def get_doi(self, doi: str) -> Record | None:
        idx = self.by_doi.get(doi.lower())
        return self.records[idx] if idx is not None else None

    def find_title(self, title: str) -> list[Record]:
        """Records whose S2 or arXiv title folds to the same text as `title` (the truth, for tests)."""
        target = fold(title)
        candidates = self.candidates(target.split())
        return [self.records[i] for i in candidates if self.folded_titles[i] == target or self.folded_arxiv_titles.get(i) == target]

    def candidates(self, toks: Iterable[str]) -> set[int]:
        """Records containing every given title token."""
        index = self.title_index
        postings = sorted((index.get(t, []) for t in set(toks)), key=len)
        if not postings:
            return set()
        result = set(postings[0])
        for posting in postings[1:]:
            result.intersection_update(posting)
            if not result:
                break
        return result

    def arxiv_records(self) -> Iterator[tuple[int, Record]]:
        return ((i, r) for i, r in enumerate(self.records) if r.arxiv and r.in_arxiv)


def load_fixture(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_corpus(dblp_path: Path | None = DBLP_PATH, limit: int | None = None, use_cache: bool = True) -> Corpus:
    """The corpus, from a pickle in the temp directory when one matches the current inputs.

    Without a cache, `build_corpus` makes the id lookups at once and the search indexes in a
    background thread, which then writes the cache. The cache key covers the data files and this
    code, so editing either rebuilds it. Garbage collection is paused while hundreds of thousands
    of small objects are created: it would otherwise scan them again and again for nothing.
    """
    inputs = [Path(__file__), Path(__file__).with_name("textnorm.py"), DATA_DIR / "traps.json", DATA_DIR / "seed_papers.json",
              DATA_DIR / "corpus_papers.json", DATA_DIR / "live_titles.json"]
    if dblp_path is not None:
        inputs.append(Path(dblp_path))
    stamp = repr([(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in inputs if p.exists()] + [limit])
    cache = Path(tempfile.gettempdir()) / "paperenrich-emulator" / f"corpus-{hashlib.sha1(stamp.encode()).hexdigest()[:16]}.pickle"
    if use_cache and cache.exists():
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            with cache.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            pass  # a damaged or stale cache: rebuild below
        finally:
            if was_enabled:
                gc.enable()
    return build_corpus(dblp_path, limit, then=(lambda corpus: _write_cache(corpus, cache)) if use_cache else None)


def _write_cache(corpus: Corpus, cache: Path) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as fh:
                pickle.dump(corpus, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)  # atomic: a concurrent reader never sees half a file
        finally:
            tmp.unlink(missing_ok=True)
    except OSError:
        pass  # no writable temp dir: simply no cache


def build_corpus(dblp_path: Path | None = DBLP_PATH, limit: int | None = None,
                 then: Callable[[Corpus], None] | None = None) -> Corpus:
    """Traps, then seed papers, then DBLP (skip DBLP with dblp_path=None; `limit` caps it).

    Returns once the records and id lookups are ready; the search indexes follow in a background
    thread (`Corpus.wait_indexed`), which then calls `then(corpus)`. Garbage collection stays
    paused until that thread is done (see `load_corpus`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        corpus = _build_records(dblp_path, limit)
    except BaseException:
        if was_enabled:
            gc.enable()
        raise

    def finish(corpus: Corpus) -> None:
        try:
            if then is not None and corpus._index_error is None:
                then(corpus)
        finally:
            if was_enabled:
                gc.enable()

    corpus.index_in_background(finish)
    return corpus


def _build_records(dblp_path: Path | None, limit: int | None) -> Corpus:
    corpus = Corpus(records=[])
    live, merged = live_titles()
    listed_titles: dict[int, str] = {}  # record index -> the seed title a live title replaced
    for name, origin in (("traps.json", "trap"), ("seed_papers.json", "seed"), ("corpus_papers.json", "list")):
        path = DATA_DIR / name
        if path.exists():
            data = load_fixture(path)
            for item in data.get("traps", ()):  # corpus_papers.json's near-duplicates of its papers
                corpus.add(record_from_fixture(item, "trap"))
            for item in data.get("papers", ()):
                if item["key"] in merged:
                    continue  # another record of a paper the live services hold once
                if item["key"] in live:
                    listed_titles[len(corpus.records)] = item["title"]
                    item = {**item, **{k: v for k, v in live[item["key"]].items() if k in ("title", "year")}}
                corpus.add(record_from_fixture(item, origin))
            corpus.unknown.extend(data.get("unknown", ()))
    if dblp_path is not None and dblp_path.exists():
        with gzip.open(dblp_path, "rb") as fh:
            lines = fh.read().splitlines()
        if limit is not None:
            lines = lines[:limit]
        # One json.loads over the whole file is about twice as fast as one per line.
        raws = json.loads(b"[" + b",".join(line for line in lines if line.strip()) + b"]")
        fixture_count = len(corpus.records)
        fixture_titles: dict[str, list[int]] = {}
        for i in range(fixture_count):
            fixture_titles.setdefault(corpus.folded_titles[i], []).append(i)
        for i, title in listed_titles.items():  # DBLP writes these papers as the list does
            fixture_titles.setdefault(fold(title), []).append(i)
        absent = {fold(item["title"]) for item in corpus.unknown}
        preprinted: set[tuple[str, int | None]] = set()  # (title, year) of DBLP papers given an arXiv id
        for raw in raws:
            if raw.get("type") == "proceedings":
                continue  # whole proceedings volumes are not papers
            if raw["dblp_key"] in corpus.by_dblp:
                continue
            title = clean_title(raw["title"])
            folded = fold(title)
            if folded in absent:
                continue  # a seed paper kept out of the world on purpose
            year = int(raw["year"]) if raw.get("year") else None
            same = corpus.by_doi.get(raw["doi"].lower()) if raw.get("doi") else None
            if same is None or same >= fixture_count:
                same = next((i for i in fixture_titles.get(folded, ()) if _same_paper(corpus.records[i], year)), None)
            if same is not None:
                _merge_dblp(corpus, corpus.records[same], raw)  # a seed/trap record already is this paper
                continue
            record = record_from_dblp(raw, title)
            if record.arxiv and "arxiv" in record.generated:
                if (folded, year) in preprinted:
                    # The same title the same year in two venues: one preprint, not two.
                    record.arxiv = record.open_access_pdf = record.arxiv_doi = record.journal_ref = None
                    record.categories, record.submitted, record.updated = (), None, None
                    preprint_fields = {"arxiv", "arxiv_versions", "submitted", "updated", "categories", "open_access_pdf"}
                    record.generated = tuple(g for g in record.generated if g not in preprint_fields)
                else:
                    preprinted.add((folded, year))
            corpus.add(record, folded)
    return corpus


def live_titles() -> tuple[dict[str, dict], dict[str, str]]:
    """data/live_titles.json: seed key -> how the live services write that paper; and the keys of
    records that are another record's paper (key -> the key that stands for it)."""
    path = DATA_DIR / "live_titles.json"
    if not path.exists():
        return {}, {}
    papers = json.loads(path.read_text(encoding="utf-8"))["papers"]
    return {p["key"]: p for p in papers}, {other: p["key"] for p in papers for other in p.get("same_as", ())}


def _same_paper(record: Record, dblp_year: int | None) -> bool:
    """A fixture record with the DBLP record's title is the same paper if the years agree.

    A preprint year and the proceedings year may differ by one; a generated year says nothing.
    """
    if record.year is None or dblp_year is None or "year" in record.generated:
        return True
    return abs(record.year - dblp_year) <= 1


def _merge_dblp(corpus: Corpus, record: Record, raw: dict) -> None:
    """A seed paper that DBLP also lists: one record, with DBLP's real key, authors, DOI and year.

    The seed record keeps its S2 id, CorpusId and arXiv id, so both APIs show the same ids.
    Traps stay as written (their DBLP twin is simply not added); the first DBLP record wins.
    """
    if record.origin not in ("seed", "list") or record.dblp:
        return
    record.dblp = raw["dblp_key"]
    corpus.by_dblp.setdefault(record.dblp, corpus.by_s2[record.s2_id])
    generated = set(record.generated)
    if raw.get("authors") and "authors" in generated:
        record.authors = tuple(clean_author(a) for a in raw["authors"])
        generated.discard("authors")
    if raw.get("doi") and not record.doi and raw["doi"].lower() not in corpus.by_doi:
        record.doi = raw["doi"]
        corpus.by_doi[record.doi.lower()] = corpus.by_s2[record.s2_id]
    if raw.get("year") and "year" in generated:
        record.year = int(raw["year"])
        generated.discard("year")
        if record.publication_date and "publication_date" in generated:
            record.publication_date = f"{record.year}{record.publication_date[4:]}"
    record.generated = tuple(g for g in record.generated if g in generated)


def venue_uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "venue:" + name))
