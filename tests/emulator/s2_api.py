"""The Semantic Scholar Graph API emulator (`/graph/v1/...`).

Endpoints: `GET /paper/{id}` (S2 id, `CorpusId:`, `DOI:` or a bare DOI, `ARXIV:`, `ACL:`, `URL:`),
`POST /paper/batch` (at most 500 ids, `null` for unknown ones, in request order),
`GET /paper/search/match` (best fuzzy title match with `matchScore`, lenient like the real one),
`GET /paper/search` (relevance search, `offset`/`limit`/`next`), `GET /paper/search/bulk`
(boolean syntax, up to 1000 per page, `token` continuation).

Shapes follow `../shared/api-samples/semanticscholar/`: success bodies are `json.dumps` output
plus a newline with keys in the API's own order; application errors are compact
`{"error":"..."}` plus a newline; gateway errors (403 bad key, 429) are `{"message": ...}` with an
`x-amzn-ErrorType` header and no newline.

Rate rules: with the right `x-api-key`, one request per `1/rps` seconds (times the time scale);
without a key, a shared pool of `pool[0]` requests per `pool[1]` seconds (times the time scale);
a wrong key gets 403 whatever the rate.

Emulator choices where no recording exists: batch over 500 ids, `limit` over 100 on /search,
a bad bulk `token` and an unparsable body give 400 `{"error": ...}` with the documented wording
where the docs have one.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
import uuid
from collections import Counter
from urllib.parse import unquote

from rapidfuzz import fuzz

from tests.emulator import s2_query
from tests.emulator.corpus import Corpus, Record, author_id, venue_uuid
from tests.emulator.httpbase import IntervalLimiter, PoolLimiter, Request, Response
from tests.emulator.textnorm import fold

JSON = "application/json"
PREFIX = "/graph/v1"
# Every paper field, in the order the real API writes them.
PAPER_FIELDS = (
    "paperId", "externalIds", "corpusId", "publicationVenue", "url", "title", "abstract", "venue", "year",
    "referenceCount", "citationCount", "influentialCitationCount", "isOpenAccess", "openAccessPdf",
    "fieldsOfStudy", "s2FieldsOfStudy", "tldr", "publicationTypes", "publicationDate", "journal",
    "citationStyles", "embedding", "authors", "citations", "references",
)
AUTHOR_FIELDS = ("authorId", "externalIds", "url", "name", "affiliations", "homepage", "paperCount", "citationCount", "hIndex")
NESTED = {"authors", "citations", "references", "embedding", "tldr"}
TOO_MANY = ("Too Many Requests. Please wait and try again or apply for a key for higher rate limits. "
            "https://www.semanticscholar.org/product/api#api-key-form")
MATCH_THRESHOLD = 62.0  # rapidfuzz ratio below which /search/match says "Title match not found"
BATCH_LIMIT = 500
BATCH_MAX_BYTES = 10 * 1024 * 1024  # the live API's limit on one answer
BULK_PAGE = 1000
KNOWN_PARAMS = {
    "paper": {"fields"},
    "batch": {"fields"},
    "match": {"query", "fields", "year", "publicationTypes", "openAccessPdf", "venue", "fieldsOfStudy",
              "publicationDateOrYear", "minCitationCount", "offset", "limit"},
    "search": {"query", "fields", "year", "publicationTypes", "openAccessPdf", "venue", "fieldsOfStudy",
               "publicationDateOrYear", "minCitationCount", "offset", "limit"},
    "bulk": {"query", "fields", "year", "publicationTypes", "openAccessPdf", "venue", "fieldsOfStudy",
             "publicationDateOrYear", "minCitationCount", "token", "sort", "offset", "limit"},
}


BULK_STOPWORDS = frozenset("a an the of for and in on with to via by from at as is are its into".split())


def stem(word: str) -> str:
    """A crude English stemmer (the live index stems terms): 'networks' -> 'network', 'learning' -> 'learn'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def dumps(data) -> bytes:
    return (json.dumps(data) + "\n").encode("ascii")


def app_error(status: int, message: str) -> Response:
    return Response(status, (json.dumps({"error": message}, separators=(",", ":")) + "\n").encode(), JSON,
                    {"x-amzn-Remapped-Server": "gunicorn"})


def gateway_error(status: int, body: bytes, error_type: str) -> Response:
    return Response(status, body, JSON, {"x-amzn-ErrorType": error_type, "x-amzn-RequestId": str(uuid.uuid4())})


class S2Error(Exception):
    def __init__(self, response: Response):
        self.response = response


class S2Service:
    name = "s2"

    def __init__(self, corpus: Corpus, api_key: str | None, key_interval: float, pool: tuple[int, float]):
        self.corpus = corpus
        self.api_key = api_key
        self.key_interval = key_interval
        self.pool = pool
        self._stem_index: dict[str, set[int]] | None = None  # built on first use of the live bulk matching
        self.reset()

    def reset(self) -> None:
        self.key_limiter = IntervalLimiter(self.key_interval)
        self.pool_limiter = PoolLimiter(*self.pool)
        self.live()

    def live(self, *, batch_max_bytes: int = BATCH_MAX_BYTES, batch_timeout_over: int | None = None,
             bulk_title_and_abstract: bool = False) -> None:
        """Switch on behaviours of the live API (all off after `reset`, except the 10 MB answer limit):
        - `batch_max_bytes`: a /paper/batch answer larger than this is refused with a 400, as the
          live API refuses answers over 10 MB;
        - `batch_timeout_over`: a batch of more ids than this gets a 504 gateway timeout, as large
          batches do on the live API;
        - `bulk_title_and_abstract`: /paper/search/bulk matches a quoted phrase's stemmed words
          anywhere in the title and the abstract (the emulator's records carry no abstract, so their
          venue name stands in for it), not the phrase in the title: a common phrase ("An
          Introduction") floods the 1,000-paper page, in paperId order.
        """
        self.batch_max_bytes = batch_max_bytes
        self.batch_timeout_over = batch_timeout_over
        self.bulk_title_and_abstract = bulk_title_and_abstract

    # --- the Service protocol ---------------------------------------------------------------------
    def admit(self, request: Request) -> Response | None:
        key = request.headers.get("x-api-key")
        if key is not None:
            if key != self.api_key:
                return gateway_error(403, b'{"message":"Forbidden"}', "ForbiddenException")
            allowed = self.key_limiter.admit()
        else:
            allowed = self.pool_limiter.admit()
        return None if allowed else self.error(429)

    def error(self, status: int) -> Response:
        if status == 429:
            body = json.dumps({"message": TOO_MANY, "code": "429"}).encode()
            return gateway_error(429, body, "TooManyRequestsException")
        if status == 403:
            return gateway_error(403, b'{"message":"Forbidden"}', "ForbiddenException")
        if status == 504:
            return gateway_error(504, b'{"message": "Endpoint request timed out"}', "IntegrationTimeout")
        if status >= 500:
            return gateway_error(status, b'{"message": "Internal Server Error"}', "InternalServerErrorException")
        return app_error(status, "Bad request")

    def empty(self, request: Request) -> Response:
        """A valid answer with nothing in it (batch: a null for every id; searches: no data)."""
        if request.path.endswith("/paper/batch"):
            try:
                ids = json.loads(request.body or b"null").get("ids") or []
            except (ValueError, AttributeError):
                ids = []
            return Response(200, dumps([None] * len(ids)), JSON)
        if request.path.endswith("/search/match"):
            return app_error(404, "Title match not found")
        return Response(200, dumps({"total": 0, "token": None, "data": []}), JSON)

    def handle(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(PREFIX + "/paper/"):
            return gateway_error(403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")
        rest = path[len(PREFIX + "/paper/"):]
        try:
            if rest == "batch":
                if request.method != "POST":
                    return gateway_error(403, b'{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")
                return self.batch(request)
            if rest == "search/match":
                return self.match(request)
            if rest == "search/bulk":
                return self.bulk(request)
            if rest == "search":
                return self.search(request)
            return self.paper(request, unquote(rest))
        except S2Error as err:
            return err.response

    # --- endpoints ------------------------------------------------------------------------------
    def paper(self, request: Request, paper_id: str) -> Response:
        self._check_params(request, "paper")
        rec = self.lookup(paper_id)
        if rec is None:  # checked before the fields, as the real API does (recorded: /paper/0?fields=t,i,t,l,e -> 404)
            return app_error(404, f"Paper with id {paper_id} not found")
        return Response(200, dumps(self.render(rec, self._fields(request))), JSON)

    def batch(self, request: Request) -> Response:
        self._check_params(request, "batch")
        fields = self._fields(request)
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            return app_error(400, "Unable to parse request body as JSON")
        ids = payload.get("ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return app_error(400, 'Body must be a JSON object with an "ids" list of strings')
        if len(ids) > BATCH_LIMIT:
            return app_error(400, f"Cannot process more than {BATCH_LIMIT} ids in one request")
        if self.batch_timeout_over is not None and len(ids) > self.batch_timeout_over:
            return self.error(504)
        out = []
        for paper_id in ids:
            rec = self.lookup(paper_id)
            out.append(self.render(rec, fields) if rec is not None else None)
        body = dumps(out)
        if len(body) > self.batch_max_bytes:
            return app_error(400, f"Response would exceed maximum size of {self.batch_max_bytes} bytes; "
                                  "request fewer papers or fewer fields")
        return Response(200, body, JSON)

    def match(self, request: Request) -> Response:
        self._check_params(request, "match")
        fields = self._fields(request)
        query = request.param("query", "") or ""
        if not query.strip():
            return app_error(400, "Missing required parameter: query")
        filters = self._filters(request)
        found = self.best_match(query, filters)
        if found is None:
            return app_error(404, "Title match not found")
        rec, score = found
        item = self.render(rec, fields)
        item["matchScore"] = score
        return Response(200, dumps({"data": [item]}), JSON)

    def search(self, request: Request) -> Response:
        self._check_params(request, "search")
        fields = self._fields(request)
        query = request.param("query", "") or ""
        offset = self._int(request, "offset", 0)
        limit = self._int(request, "limit", 100)
        if limit > 100:
            return app_error(400, "Limit must be <= 100")
        if offset + limit > 1000:
            return app_error(400, "offset + limit must be <= 1000")
        hits = self.relevance(query, self._filters(request))
        out: dict = {"total": len(hits), "offset": offset}
        if offset + limit < min(len(hits), 1000):
            out["next"] = offset + limit
        page = hits[offset: offset + limit]
        if page:
            out["data"] = [self.render(r, fields) for r in page]
        return Response(200, dumps(out), JSON)

    def bulk(self, request: Request) -> Response:
        self._check_params(request, "bulk")
        fields = self._fields(request)
        query = request.param("query", "") or ""
        try:
            tree = s2_query.parse(query)
        except s2_query.BulkSyntaxError as exc:
            return app_error(400, f"Unable to parse query: {exc}")
        filters = self._filters(request)
        matched = self.evaluate_bulk(tree) if tree is not None else set(range(len(self.corpus.records)))
        recs = [r for r in (self.corpus.records[i] for i in matched) if r.in_s2 and self._passes(r, filters)]
        sort = (request.param("sort") or "paperId").split(":")
        key = {"paperId": lambda r: r.s2_id, "publicationDate": lambda r: (r.publication_date or "", r.s2_id),
               "citationCount": lambda r: (r.citation_count, r.s2_id)}.get(sort[0])
        if key is None:
            return app_error(400, f"Unrecognized sort field: {sort[0]}")
        recs.sort(key=key, reverse=len(sort) > 1 and sort[1] == "desc")
        # A token belongs to one query: the same query text, filters and order.
        scope = [query] + [request.param(k) or "" for k in ("year", "sort", "openAccessPdf", "minCitationCount")]
        digest = hashlib.sha1(repr(scope).encode()).hexdigest()[:8]
        start = 0
        token = request.param("token")
        if token:
            start = self._decode_token(token, digest)
        page = recs[start: start + BULK_PAGE]
        nxt = start + BULK_PAGE
        out = {"total": len(recs), "token": self._encode_token(nxt, digest) if nxt < len(recs) else None,
               "data": [self.render(r, fields or ("title",)) for r in page]}
        return Response(200, dumps(out), JSON)

    # --- lookups --------------------------------------------------------------------------------
    def lookup(self, paper_id: str) -> Record | None:
        c = self.corpus
        prefix, sep, value = paper_id.partition(":")
        kind = prefix.upper() if sep else ""
        idx = None
        if not sep or kind not in {"CORPUSID", "DOI", "ARXIV", "ACL", "URL", "MAG", "PMID", "PMCID"}:
            if re.fullmatch(r"[0-9a-f]{40}", paper_id):
                idx = c.by_s2.get(paper_id)
            elif paper_id.startswith("10."):
                idx = c.by_doi.get(paper_id.lower())
        elif kind == "CORPUSID":
            idx = c.by_corpus_id.get(int(value)) if value.isdigit() else None
        elif kind == "DOI":
            idx = c.by_doi.get(value.lower())
        elif kind == "ARXIV":
            idx = c.by_arxiv.get(re.sub(r"v\d+$", "", value))
        elif kind == "ACL":
            idx = c.by_acl.get(value)
        elif kind == "URL":
            return self._lookup_url(value)
        if idx is None:
            return None
        rec = c.records[idx]
        return rec if rec.in_s2 else None

    def _lookup_url(self, url: str) -> Record | None:
        patterns = (
            (r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?$", "ARXIV:"),
            (r"semanticscholar\.org/paper/(?:[^/]+/)?([0-9a-f]{40})", ""),
            (r"aclanthology\.org/([^/?#]+?)(?:\.pdf)?/?$", "ACL:"),
            (r"(?:doi\.org|dl\.acm\.org/doi(?:/abs|/pdf)?)/(10\.[^?#]+)$", "DOI:"),
        )
        for pattern, prefix in patterns:
            m = re.search(pattern, url)
            if m:
                return self.lookup(prefix + m.group(1))
        return None

    def best_match(self, query: str, filters: dict) -> tuple[Record, float] | None:
        """The single closest title, like the real endpoint: even a different paper, if similar enough."""
        c = self.corpus
        folded = fold(query)
        toks = folded.split()
        if not toks:
            return None
        # The paper whose title this exactly is always competes (ratio 100), however common its
        # words: the ranking below only sees the 200 records sharing the most rare words.
        exact = [i for i in c.candidates(toks) if c.folded_titles[i] == folded]
        counts: Counter[int] = Counter()
        common = []
        for tok in set(toks):
            posting = c.title_index.get(tok, ())
            if len(posting) > 4000:
                common.append(posting)  # very common words only break ties among the rare ones
                continue
            counts.update(posting)
        if not counts and common:
            for posting in common:
                counts.update(posting)
        best: tuple[float, int, int] | None = None
        for idx in exact + [idx for idx, _ in counts.most_common(200)]:
            rec = c.records[idx]
            if not rec.in_s2 or not self._passes(rec, filters):
                continue
            score = fuzz.ratio(folded, c.folded_titles[idx])
            cand = (score, rec.citation_count, -idx)
            if best is None or cand > best:
                best = cand
        if best is None or best[0] < MATCH_THRESHOLD:
            return None
        score, _, neg_idx = best
        # Scaled like the real scores (about 100-200 for a good match of a long title).
        return c.records[-neg_idx], round(score / 100 * (40 + 12 * len(toks)), 5)

    def relevance(self, query: str, filters: dict) -> list[Record]:
        c = self.corpus
        toks = fold(query).split()
        if not toks:
            return []
        counts: Counter[int] = Counter()
        for tok in set(toks):
            counts.update(c.title_index.get(tok, ()))
        need = max(1, -(-len(set(toks)) * 2 // 3))
        hits = [c.records[i] for i, n in counts.items() if n >= need]
        hits = [r for r in hits if r.in_s2 and self._passes(r, filters)]
        folded = " ".join(toks)
        hits.sort(key=lambda r: (-fuzz.token_set_ratio(folded, fold(r.title)), -r.citation_count, r.s2_id))
        return hits

    def evaluate_bulk(self, node) -> set[int]:
        c = self.corpus
        if isinstance(node, s2_query.Any):
            out: set[int] = set()
            for child in node.nodes:
                out |= self.evaluate_bulk(child)
            return out
        if isinstance(node, s2_query.All):
            positives = [n for n in node.nodes if not isinstance(n, s2_query.Not)]
            negatives = [n.node for n in node.nodes if isinstance(n, s2_query.Not)]
            out = self.evaluate_bulk(positives[0]) if positives else set(range(len(c.records)))
            for child in positives[1:]:
                out &= self.evaluate_bulk(child)
            for child in negatives:
                out -= self.evaluate_bulk(child)
            return out
        if isinstance(node, s2_query.Not):
            return set(range(len(c.records))) - self.evaluate_bulk(node.node)
        words = node.text.split()
        if self.bulk_title_and_abstract and not node.prefix:
            return self._stemmed_anywhere(words)
        if node.prefix:
            return {i for k in self._words_starting(node.text) for i in c.title_index[k]}
        cands = c.candidates(words)
        if len(words) > 1:
            needle = f" {node.text} "
            cands = {i for i in cands if needle in f" {c.folded_titles[i]} " or needle in f" {c.folded_arxiv_title(i)} "}
        return cands

    def _words_starting(self, prefix: str) -> list[str]:
        """The title words that start with `prefix` (a sorted word list, rebuilt when the index grows)."""
        index = self.corpus.title_index
        if len(getattr(self, "_sorted_words", ())) != len(index):
            self._sorted_words = sorted(index)
        words = self._sorted_words
        start = bisect.bisect_left(words, prefix)
        end = bisect.bisect_left(words, prefix + "\U0010ffff", start)
        return words[start:end]

    def _stemmed_anywhere(self, words: list[str]) -> set[int]:
        """Records whose title or abstract stand-in holds every stemmed content word of the phrase."""
        c = self.corpus
        wanted = {stem(w) for w in words if w not in BULK_STOPWORDS} or {stem(w) for w in words}
        if not wanted:
            return set()
        if self._stem_index is None:
            index: dict[str, set[int]] = {}
            for i, rec in enumerate(c.records):
                for w in f"{c.folded_titles[i]} {fold(rec.venue or '')}".split():
                    index.setdefault(stem(w), set()).add(i)
            self._stem_index = index
        sets = sorted((self._stem_index.get(w, set()) for w in wanted), key=len)
        out = set(sets[0])
        for other in sets[1:]:
            out &= other
        return out

    # --- request helpers ------------------------------------------------------------------------
    @staticmethod
    def _check_params(request: Request, endpoint: str) -> None:
        bad = [f"{k}={v[0] if v else ''}" for k, v in request.query.items() if k not in KNOWN_PARAMS[endpoint]]
        if bad:
            raise S2Error(app_error(400, f"Unacceptable query params: [{', '.join(bad)}]"))

    @staticmethod
    def _int(request: Request, name: str, default: int) -> int:
        raw = request.param(name)
        if raw is None or raw == "":
            return default
        if not raw.isdigit():
            raise S2Error(app_error(400, f"Invalid value for {name}: {raw}"))
        return int(raw)

    @staticmethod
    def _fields(request: Request) -> tuple[str, ...]:
        raw = request.param("fields")
        if not raw:
            return ()
        fields = tuple(f.strip() for f in raw.split(",") if f.strip())
        unknown = []
        for name in fields:
            top, _, sub = name.partition(".")
            if top not in PAPER_FIELDS or (sub and top not in NESTED):
                unknown.append(name)
            elif sub and top == "authors" and sub not in AUTHOR_FIELDS:
                unknown.append(name)
            elif sub and top in ("citations", "references") and sub.partition(".")[0] not in PAPER_FIELDS:
                unknown.append(name)
        if unknown:
            raise S2Error(app_error(400, f"Unrecognized or unsupported fields: [{', '.join(unknown)}]"))
        return fields

    @staticmethod
    def _filters(request: Request) -> dict:
        filters: dict = {}
        year = request.param("year")
        if year:
            m = re.fullmatch(r"(\d{4})?(-)?(\d{4})?", year.strip())
            if not m or not (m.group(1) or m.group(3)):
                raise S2Error(app_error(400, f"Invalid year range: {year}"))
            lo = int(m.group(1)) if m.group(1) else None
            hi = int(m.group(3)) if m.group(3) else (lo if not m.group(2) else None)
            filters["year"] = (lo, hi)
        if request.param("openAccessPdf") is not None:
            filters["open_access"] = True
        mincit = request.param("minCitationCount")
        if mincit:
            filters["min_citations"] = int(mincit) if mincit.isdigit() else 0
        return filters

    @staticmethod
    def _passes(rec: Record, filters: dict) -> bool:
        if "year" in filters:
            lo, hi = filters["year"]
            if rec.year is None or (lo is not None and rec.year < lo) or (hi is not None and rec.year > hi):
                return False
        if filters.get("open_access") and not (rec.open_access_pdf and rec.open_access_pdf.get("url")):
            return False
        if rec.citation_count < filters.get("min_citations", 0):
            return False
        return True

    @staticmethod
    def _encode_token(offset: int, digest: str) -> str:
        return base64.b32encode(f"{offset}:{digest}".encode()).decode().rstrip("=")

    @staticmethod
    def _decode_token(token: str, digest: str) -> int:
        try:
            raw = base64.b32decode(token + "=" * (-len(token) % 8)).decode()
            offset, token_digest = raw.split(":")
            if token_digest != digest:
                raise ValueError
            return int(offset)
        except ValueError:
            raise S2Error(app_error(400, "Invalid token")) from None

    # --- rendering ------------------------------------------------------------------------------
    def render(self, rec: Record, fields: tuple[str, ...]) -> dict:
        """The paper as JSON with the requested fields (paperId always), in the API's key order."""
        wanted = {f.partition(".")[0] for f in fields} | {"paperId"}
        if not fields:
            wanted.add("title")
        author_sub = {f.partition(".")[2] for f in fields if f.startswith("authors.")}
        out: dict = {}
        for name in PAPER_FIELDS:
            if name in wanted:
                out[name] = self._field(rec, name, author_sub)
        return out

    def _field(self, rec: Record, name: str, author_sub: set[str]):
        if name == "paperId":
            return rec.s2_id
        if name == "externalIds":
            return rec.external_ids()
        if name == "corpusId":
            return rec.corpus_id
        if name == "publicationVenue":
            venue = rec.venue or ("arXiv.org" if rec.arxiv else "")
            if not venue:
                return None
            if venue == "arXiv.org":
                return {"id": venue_uuid(venue), "name": venue, "alternate_names": ["ArXiv"], "issn": "2331-8422",
                        "url": "https://arxiv.org"}
            return {"id": venue_uuid(venue), "name": venue,
                    "type": "journal" if "JournalArticle" in rec.publication_types else "conference",
                    "alternate_names": [rec.venue_short] if rec.venue_short else []}
        if name == "url":
            return f"https://www.semanticscholar.org/paper/{rec.s2_id}"
        if name == "title":
            return rec.title
        if name == "abstract":
            return rec.abstract
        if name == "venue":
            return rec.venue or ("arXiv.org" if rec.arxiv else "")
        if name == "year":
            return rec.year
        if name == "referenceCount":
            return 10 + rec.corpus_id % 60
        if name == "citationCount":
            return rec.citation_count
        if name == "influentialCitationCount":
            return rec.influential_citation_count
        if name == "isOpenAccess":
            return bool(rec.open_access_pdf and rec.open_access_pdf.get("url"))
        if name == "openAccessPdf":
            return dict(rec.open_access_pdf) if rec.open_access_pdf else None
        if name == "fieldsOfStudy":
            return ["Computer Science"]
        if name == "s2FieldsOfStudy":
            return [{"category": "Computer Science", "source": "external"}, {"category": "Computer Science", "source": "s2-fos-model"}]
        if name in ("tldr", "embedding"):
            return None
        if name == "publicationTypes":
            return list(rec.publication_types) or None
        if name == "publicationDate":
            return rec.publication_date
        if name == "journal":
            return self._journal(rec)
        if name == "citationStyles":
            return {"bibtex": self._bibtex(rec)}
        if name == "authors":
            return [self._author(a, author_sub) for a in rec.authors]
        if name in ("citations", "references"):
            return []  # the emulator keeps no citation graph
        raise KeyError(name)

    @staticmethod
    def _journal(rec: Record) -> dict | None:
        if rec.container or (rec.venue and rec.venue != "arXiv.org"):
            out = {"name": rec.container or rec.venue}
            if rec.pages:
                out["pages"] = rec.pages
            return out
        if rec.arxiv:
            return {"name": "ArXiv", "volume": f"abs/{rec.arxiv}"}
        return None

    @staticmethod
    def _author(name: str, sub: set[str]) -> dict:
        out: dict = {"authorId": author_id(name)}
        full = {
            "externalIds": {}, "url": f"https://www.semanticscholar.org/author/{author_id(name)}", "name": name,
            "affiliations": [], "homepage": None, "paperCount": 1 + int(author_id(name)) % 300,
            "citationCount": int(author_id(name)) % 20000, "hIndex": int(author_id(name)) % 60,
        }
        for key in AUTHOR_FIELDS[1:]:
            if (not sub and key == "name") or key in sub:
                out[key] = full[key]
        return out

    @staticmethod
    def _bibtex(rec: Record) -> str:
        first = rec.authors[0].split()[-1] if rec.authors else "Anonymous"
        words = [w for w in re.findall(r"[A-Za-z]+", rec.title)][:2]
        key = f"{first}{rec.year or ''}{''.join(w[0].upper() + w[1:2] for w in words)}"
        kind = "Article" if "JournalArticle" in rec.publication_types else "Conference"
        lines = [f"@{kind}{{{key},", f" author = {{{' and '.join(rec.authors)}}},"]
        if rec.venue:
            lines.append(f" booktitle = {{{rec.venue}}},")
        lines.append(f" title = {{{rec.title}}},")
        if rec.year:
            lines.append(f" year = {{{rec.year}}}")
        return "\n".join(lines) + "\n}\n"
