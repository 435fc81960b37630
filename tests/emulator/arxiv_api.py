"""The arXiv API emulator: `GET /api/query`, answering Atom in the 2026 backend's format.

Shapes follow `../shared/api-samples/arxiv/current-api-2026/`: all namespaces on the root,
`<?xml version='1.0' ...?>` with single quotes, feed id/title/updated/link then itemsPerPage,
totalResults, startIndex; entries in the recorded element order; a malformed id gives HTTP 400
with the one-entry error feed; a well-formed unknown id gives 200 with no entry.

Rate rule: one request per `interval` seconds (3 s times the world's time scale); a request
arriving sooner gets HTTP 429 with the body `Rate exceeded.` as `text/plain`.

Emulator choices where the real service is not documented or not recorded:
- relevance order is newest submission first (the real ranking is not reproducible);
- `max_results` above 2000 is capped at 2000 (the real per-call limit);
- an unparsable `search_query` gives the 400 error feed "unable to parse search_query".
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timezone
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from tests.emulator.arxiv_query import BoolOp, QuerySyntaxError, Term, parse
from tests.emulator.corpus import Corpus, Record
from tests.emulator.httpbase import IntervalLimiter, Request, Response
from tests.emulator.textnorm import fold

ATOM_TYPE = "application/atom+xml; charset=utf-8"
MAX_RESULTS_CAP = 2000
NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(v(\d+))?$")
OLD_ID = re.compile(r"^([a-z][a-z\-]*(\.[A-Z]{2})?/\d{7})(v(\d+))?$")
HEAD = ("<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns="http://www.w3.org/2005/Atom">\n')


def split_id(raw: str) -> tuple[str, int | None] | None:
    """"2104.12255v1" -> ("2104.12255", 1); "hep-th/9901001" -> ("hep-th/9901001", None); bad -> None."""
    m = NEW_ID.match(raw)
    if m:
        return m.group(1), int(m.group(3)) if m.group(3) else None
    m = OLD_ID.match(raw)
    if m:
        # "math.GT/0309136" is filed (and answered) as "math/0309136": the subject class is not part of the id
        base = m.group(1).replace(m.group(2), "", 1) if m.group(2) else m.group(1)
        return base, int(m.group(4)) if m.group(4) else None
    return None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ArxivService:
    name = "arxiv"

    RETRY_AFTER_503 = 3.0  # seconds arXiv's 503 page asks for, before the world's time scale

    def __init__(self, corpus: Corpus, interval: float, time_scale: float = 1.0):
        self.corpus = corpus
        self.limiter = IntervalLimiter(interval)
        self.time_scale = time_scale

    def reset(self, interval: float | None = None) -> None:
        self.limiter = IntervalLimiter(self.limiter.interval if interval is None else interval)

    # --- the Service protocol ---------------------------------------------------------------------
    def admit(self, request: Request) -> Response | None:
        if request.path.rstrip("/") != "/api/query":
            return None  # a 404 costs nothing
        if not self.limiter.admit():
            return self.error(429)
        return None

    def error(self, status: int) -> Response:
        if status == 429:
            return Response(429, b"Rate exceeded.", "text/plain")
        if status == 400:
            return self.error_feed("bad request")
        if status == 503:
            return Response(503, b"<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n",
                            "text/html", {"Retry-After": f"{self.RETRY_AFTER_503 * self.time_scale:g}"})
        return Response(status, f"<html><body><h1>{status}</h1></body></html>\n".encode(), "text/html")

    def empty(self, request: Request) -> Response:
        """The valid, empty feed the live API sometimes gives for a query that has answers."""
        query = request.param("search_query", "") or ""
        return Response(200, self.render_feed(query, request.param("id_list", "") or "", 0, 10, 0, []), ATOM_TYPE)

    def handle(self, request: Request) -> Response:
        if request.path.rstrip("/") != "/api/query":
            return Response(404, b"<html><body><h1>404 Not Found</h1></body></html>\n", "text/html")
        query = request.param("search_query", "") or ""
        id_list_raw = request.param("id_list", "") or ""
        start_raw = request.param("start", "0") or "0"
        max_raw = request.param("max_results", "10") or "10"
        if not start_raw.lstrip("-").isdigit():
            return self.error_feed("start must be an integer")
        if not max_raw.lstrip("-").isdigit():
            return self.error_feed("max_results must be an integer")
        start, max_results = int(start_raw), int(max_raw)
        if start < 0:
            return self.error_feed("start must be non-negative")
        if max_results < 0:
            return self.error_feed("max_results must be non-negative")
        max_results = min(max_results, MAX_RESULTS_CAP)

        ids: list[tuple[str, int | None]] = []
        for raw in filter(None, (part.strip() for part in id_list_raw.split(","))):
            parsed = split_id(raw)
            if parsed is None:
                return self.error_feed(f"incorrect id format for {raw}")
            ids.append(parsed)
        try:
            tree = parse(query)
        except QuerySyntaxError:
            return self.error_feed("unable to parse search_query")

        hits = self._select(ids, tree, request.param("sortBy", "relevance"), request.param("sortOrder", "descending"))
        page = hits[start: start + max_results]
        shown_query = query if (not query or ":" in query or " " in query) else f"all:{query}"
        return Response(200, self.render_feed(shown_query, id_list_raw, start, max_results, len(hits), page), ATOM_TYPE)

    # --- selection ------------------------------------------------------------------------------
    def _select(self, ids: list[tuple[str, int | None]], tree, sort_by: str | None, sort_order: str | None) -> list[tuple[Record, int]]:
        """(record, version) pairs, in the order the real API would list them."""
        matched = self.evaluate(tree) if tree is not None else None
        if ids:
            out = []
            for base, version in ids:
                idx = self.corpus.by_arxiv.get(base)
                if idx is None:
                    continue
                rec = self.corpus.records[idx]
                if not rec.in_arxiv or (version is not None and version > rec.arxiv_versions):
                    continue
                if matched is not None and idx not in matched:
                    continue
                out.append((rec, version or rec.arxiv_versions))
            return out  # id_list results keep the order of the list
        if matched is None:
            return []
        recs = [self.corpus.records[i] for i in matched]
        recs = [r for r in recs if r.arxiv and r.in_arxiv]
        if sort_by == "lastUpdatedDate":
            recs.sort(key=lambda r: (r.updated or "", r.arxiv))
        else:  # submittedDate, and relevance (see module docstring)
            recs.sort(key=lambda r: (r.submitted or "", r.arxiv))
        if sort_order != "ascending":
            recs.reverse()
        return [(r, r.arxiv_versions) for r in recs]

    def evaluate(self, node) -> set[int]:
        if isinstance(node, BoolOp):
            left = self.evaluate(node.left)
            right = self.evaluate(node.right)
            if node.op == "OR":
                return left | right
            if node.op == "AND":
                return left & right
            return left - right
        return self._term(node)

    def _term(self, term: Term) -> set[int]:
        c = self.corpus
        if term.field == "id":
            parsed = split_id(term.text)
            idx = c.by_arxiv.get(parsed[0]) if parsed else None
            return {idx} if idx is not None else set()
        if term.field in ("ti", "abs"):
            return self._title_like(term)
        if term.field == "au":
            return self._author(term)
        if term.field == "all":
            return self._title_like(term) | self._author(term)
        # cat, jr, co, rn: rare in practice, a plain scan is fast enough
        out = set()
        for idx, rec in c.arxiv_records():
            if term.field == "cat":
                if term.text in (cat.lower() for cat in rec.categories):
                    out.add(idx)
            elif term.field == "jr" and rec.journal_ref and f" {term.text} " in f" {fold(rec.journal_ref)} ":
                out.add(idx)
        return out

    def _title_like(self, term: Term) -> set[int]:
        words = term.text.split()
        cands = self.corpus.candidates(words)
        if term.phrase:
            needle = f" {term.text} "
            cands = {i for i in cands if needle in f" {self.corpus.folded_arxiv_title(i)} "}
        return cands

    def _author(self, term: Term) -> set[int]:
        index = self.corpus.author_index
        postings = sorted((index.get(w, []) for w in set(term.text.split())), key=len)
        if not postings:
            return set()
        cands = set(postings[0])
        for posting in postings[1:]:
            cands &= set(posting)
        if term.phrase:
            needle = f" {term.text} "
            cands = {i for i in cands if any(needle in f" {fold(a)} " for a in self.corpus.records[i].authors)}
        return cands

    # --- rendering ------------------------------------------------------------------------------
    @staticmethod
    def _feed_id(text: str) -> str:
        digest = base64.b64encode(hashlib.sha1(text.encode()).digest()).decode().rstrip("=")
        return f"https://arxiv.org/api/{digest}"

    def render_feed(self, query: str, id_list: str, start: int, max_results: int, total: int,
                    page: list[tuple[Record, int]]) -> bytes:
        args = f"search_query={query}&id_list={id_list}&start={start}&max_results={max_results}"
        link = f"https://arxiv.org/api/query?search_query={quote(query, safe=':')}&start={start}&max_results={max_results}&id_list={id_list}"
        parts = [
            HEAD,
            f"  <id>{self._feed_id(args)}</id>\n",
            f"  <title>arXiv Query: {escape(args)}</title>\n",
            f"  <updated>{_now()}</updated>\n",
            f"  <link href={quoteattr(link)} type=\"application/atom+xml\"/>\n",
            f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n",
        ]
        parts.extend(self.render_entry(rec, version) for rec, version in page)
        parts.append("</feed>\n")
        return "".join(parts).encode("utf-8")

    @staticmethod
    def summary(rec: Record) -> str:
        if rec.abstract:
            return rec.abstract
        return f"We present {rec.arxiv_display_title}. (Generated abstract: the emulator has no real abstract for this paper.)"

    def render_entry(self, rec: Record, version: int) -> str:
        vid = f"{rec.arxiv}v{version}"
        updated = rec.updated if version == rec.arxiv_versions else rec.submitted
        lines = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{vid}</id>",
            f"    <title>{escape(rec.arxiv_display_title)}</title>",
            f"    <updated>{updated}</updated>",
            f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" title="pdf"/>',
            f"    <summary>{escape(self.summary(rec))}</summary>",
        ]
        lines += [f'    <category term="{escape(cat)}" scheme="http://arxiv.org/schemas/atom"/>' for cat in rec.categories]
        lines.append(f"    <published>{rec.submitted}</published>")
        if rec.journal_ref or rec.arxiv_doi:
            lines.append(f"    <arxiv:comment>{escape(self._comment(rec))}</arxiv:comment>")
        if rec.categories:
            lines.append(f'    <arxiv:primary_category term="{escape(rec.categories[0])}"/>')
        if rec.journal_ref:
            lines.append(f"    <arxiv:journal_ref>{escape(rec.journal_ref)}</arxiv:journal_ref>")
        for name in rec.authors:
            lines += ["    <author>", f"      <name>{escape(name)}</name>", "    </author>"]
        if rec.arxiv_doi:
            lines.append(f"    <arxiv:doi>{escape(rec.arxiv_doi)}</arxiv:doi>")
            lines.append(f'    <link rel="related" href="https://doi.org/{escape(rec.arxiv_doi)}" title="doi"/>')
        lines.append("  </entry>\n")
        return "\n".join(lines)

    @staticmethod
    def _comment(rec: Record) -> str:
        return f"Accepted at {rec.venue_short or rec.venue or 'a venue'} {rec.year or ''}".strip()

    def error_feed(self, message: str) -> Response:
        anchor = re.sub(r"\W+", "_", message).strip("_")
        now = _now()
        body = (
            HEAD
            + "  <id>https://arxiv.org/</id>\n"
            "  <title>arXiv Search Results</title>\n"
            f"  <updated>{now}</updated>\n"
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            "  <entry>\n"
            f"    <id>https://arxiv.org/api/errors#{escape(anchor)}</id>\n"
            "    <title>Error</title>\n"
            f"    <updated>{now}</updated>\n"
            f'    <link href="https://arxiv.org/api/errors#{escape(anchor)}" rel="alternate" type="text/html"/>\n'
            f"    <summary>{escape(message)}</summary>\n"
            "    <author>\n"
            "      <name>arXiv api core</name>\n"
            "    </author>\n"
            "  </entry>\n"
            "</feed>\n"
        )
        return Response(400, body.encode("utf-8"), ATOM_TYPE)
