"""Write data/seed_papers.json: one emulator record per paper of the five seed lists.

    python -m tests.emulator.build_seed_fixture

Entries come from `paperenrich.scanner.scan_text`. From each entry's own text and links we
keep the title, the arXiv id, the DOI, the ACL id, the venue and the year; everything else
(authors, dates, citation counts, S2 ids) is generated deterministically and named in the
record's `generated` list. The same paper in several lists (same arXiv id, DOI or title) is
one record. A few papers are deliberately left out of the world (the `unknown` list, with the
reason) so "not found" paths are exercised; a few list titles carry a nickname that is not part
of the paper's real title ("Transformer: Attention Is All You Need") and are corrected.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tests.emulator.corpus import DATA_DIR, SHARED_DIR
from tests.emulator.textnorm import fold

SEEDS_DIR = SHARED_DIR / "seeds"
OUT = DATA_DIR / "seed_papers.json"

# List titles with a nickname prefix that the paper's real title does not have.
TITLE_FIXES = {
    "1706.03762": "Attention Is All You Need",
    "2005.14165": "Language Models are Few-Shot Learners",
    "1909.08593": "Fine-Tuning Language Models from Human Preferences",
    "2103.00020": "Learning Transferable Visual Models From Natural Language Supervision",
    "2309.06180": "Efficient Memory Management for Large Language Model Serving with PagedAttention",
    fold("GPT: Improving Language Understanding by Generative Pre-Training"): "Improving Language Understanding by Generative Pre-Training",
    fold("GPT2: Language Models are Unsupervised Multitask Learners"): "Language Models are Unsupervised Multitask Learners",
}

# S2 `venue` strings for the short venue names the lists use (others are kept as written).
S2_VENUES = {
    "OSDI": "USENIX Symposium on Operating Systems Design and Implementation",
    "SOSP": "Symposium on Operating Systems Principles",
    "NSDI": "Symposium on Networked Systems Design and Implementation",
    "ATC": "USENIX Annual Technical Conference",
    "EuroSys": "European Conference on Computer Systems",
    "ASPLOS": "International Conference on Architectural Support for Programming Languages and Operating Systems",
    "MLSys": "Conference on Machine Learning and Systems",
    "NeurIPS": "Neural Information Processing Systems",
    "ICML": "International Conference on Machine Learning",
    "ICLR": "International Conference on Learning Representations",
    "SC": "International Conference for High Performance Computing, Networking, Storage and Analysis",
    "VLDB": "Proceedings of the VLDB Endowment",
    "PPoPP": "ACM SIGPLAN Symposium on Principles & Practice of Parallel Programming",
    "SIGMOD": "Proceedings of the ACM on Management of Data",
    "SIGCOMM": "Conference on Applications, Technologies, Architectures, and Protocols for Computer Communication",
    "ISCA": "International Symposium on Computer Architecture",
    "HPCA": "International Symposium on High-Performance Computer Architecture",
    "MICRO": "Micro",
    "ACL": "Annual Meeting of the Association for Computational Linguistics",
    "EMNLP": "Conference on Empirical Methods in Natural Language Processing",
    "JMLR": "Journal of machine learning research",
    "TPDS": "IEEE Transactions on Parallel and Distributed Systems",
    "SoCC": "ACM Symposium on Cloud Computing",
    "ICPP": "International Conference on Parallel Processing",
}
JOURNALS = {"JMLR", "TPDS", "VLDB", "CSUR", "TACO", "TKDE", "TMLR", "IEEE Micro", "FGCS", "IMWUT"}

FIRST = ("Wei", "Yang", "Anna", "Ravi", "Sofia", "Jun", "Lucas", "Mei", "Omar", "Elena", "Hao", "Priya",
         "Tom", "Yuki", "Carlos", "Ines", "Zhen", "Marta", "Ahmed", "Lena", "Jian", "Noah", "Aisha", "Ivan")
LAST = ("Zhang", "Chen", "Kumar", "Rossi", "Kim", "Garcia", "Novak", "Sato", "Müller", "Dubois", "Li", "Singh",
        "Okafor", "Silva", "Wang", "Nguyen", "Cohen", "Larsen", "Haddad", "Popescu", "Liu", "Fischer", "Ortiz", "Park")

UNKNOWN_REASON = ("deliberately absent from the emulated world (chosen by a hash of its key) so that "
                  "'not found' and lenient-title-match paths are exercised")


def _h(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def fake_authors(key: str) -> list[str]:
    h = _h("authors:" + key)
    return [f"{FIRST[h[2 * i] % len(FIRST)]} {LAST[h[2 * i + 1] % len(LAST)]}" for i in range(2 + h[19] % 5)]


def collect(seeds_dir: Path) -> list[dict]:
    """Seed entries merged into one dict per paper (first list, first line wins ties)."""
    from paperenrich.scanner import scan_text

    papers: list[dict] = []
    by_id: dict[str, dict] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        for entry in scan_text(path.read_text(encoding="utf-8"), source=path.name).entries:
            ids = entry.ids
            folded = fold(TITLE_FIXES.get(ids.arxiv or "", TITLE_FIXES.get(fold(entry.title), entry.title)))
            if not folded:
                continue
            keys = [k for k in (f"arxiv:{ids.arxiv}" if ids.arxiv else None, f"doi:{ids.doi}" if ids.doi else None) if k]
            found = next((by_id[k] for k in keys if k in by_id), None)
            if found is None:
                # The same title seen before is the same paper, unless its ids say otherwise.
                same = by_id.get(f"title:{folded}")
                if same is not None and not (ids.arxiv and same["arxiv"] and ids.arxiv != same["arxiv"]) \
                        and not (ids.doi and same["doi"] and ids.doi != same["doi"]):
                    found = same
            if found is None:
                found = {"titles": [], "arxiv": None, "doi": None, "acl": None, "venue": None, "year": None, "seen_in": []}
                papers.append(found)
            found["titles"].append(entry.title)
            found["seen_in"].append(f"{path.name}:{entry.line}")
            for name in ("arxiv", "doi", "acl"):
                value = getattr(ids, name)
                if value and not found[name]:
                    found[name] = value
            if entry.venue and entry.venue != "arXiv" and not found["venue"]:
                found["venue"] = entry.venue
            if entry.year and not found["year"]:
                found["year"] = entry.year
            for k in keys + [f"title:{folded}"]:
                by_id.setdefault(k, found)
    return papers


def best_title(paper: dict) -> str:
    """The real title: a fix, else the variant the other variants contain (nickname prefixes dropped)."""
    for key in (paper["arxiv"], fold(paper["titles"][0])):
        if key in TITLE_FIXES:
            return TITLE_FIXES[key]
    titles = sorted(dict.fromkeys(paper["titles"]), key=len)  # stable: ties go to the first list that has it
    for title in titles:
        if all(fold(title) in fold(other) for other in titles):
            return title
    return paper["titles"][0]


def add_publication(record: dict, paper: dict, venue_short: str | None, year: int, key: str) -> None:
    """The venue, publication types, arXiv's view of a published version, and whether a preprint is
    generated: the same rules for the seeds' papers and the corpus lists' papers."""
    if venue_short:
        record["venue"] = S2_VENUES.get(venue_short, venue_short)
        record["venue_short"] = venue_short
        record["publication_types"] = ["JournalArticle"] if venue_short in JOURNALS else ["Conference"]
    elif paper["arxiv"]:
        record["venue"] = "arXiv.org"
        record["publication_types"] = ["JournalArticle"]
    if paper["arxiv"] and paper["doi"]:
        # A preprint whose published version is known: arXiv shows the publisher DOI and a journal_ref.
        record["arxiv_doi"] = paper["doi"]
        record["journal_ref"] = f"{venue_short or 'Published'} {year}"
    if not paper["arxiv"] and _h(key)[1] % 2 == 0:
        record["generate_arxiv"] = True  # about half of the papers without an arXiv link have a preprint


def to_record(paper: dict) -> dict:
    title = best_title(paper)
    key = "seed:" + (paper["arxiv"] or paper["doi"] or hashlib.sha1(fold(title).encode()).hexdigest()[:16])
    year = paper["year"]
    generated = ["authors"]
    if year is None and paper["arxiv"] and paper["arxiv"][:2].isdigit():
        year = 2000 + int(paper["arxiv"][:2])
    if year is None:
        year = 2019 + _h(key)[0] % 6
        generated.append("year")
    venue_short = paper["venue"]
    record: dict = {"key": key, "title": title, "year": year, "authors": fake_authors(key)}
    for name in ("arxiv", "doi", "acl"):
        if paper[name]:
            record[name] = paper[name]
    add_publication(record, paper, venue_short, year, key)
    record["generated"] = generated
    record["seen_in"] = paper["seen_in"]
    return record


def build(seeds_dir: Path = SEEDS_DIR) -> dict:
    papers = collect(seeds_dir)
    records, unknown = [], []
    for paper in papers:
        record = to_record(paper)
        if _h(record["key"])[0] < 2:
            unknown.append({"title": record["title"], **{k: record[k] for k in ("arxiv", "doi") if k in record},
                            "seen_in": record["seen_in"], "reason": UNKNOWN_REASON})
        else:
            records.append(record)
    return {
        "generated_by": "python -m tests.emulator.build_seed_fixture",
        "note": ("Papers of the seed lists in ../shared/seeds. title, arxiv, doi, acl, venue and year come from the "
                 "lists' own text and links; fields named in each record's 'generated' list, and every field not "
                 "present here (S2 id, CorpusId, citation counts, publication date, arXiv versions and categories), "
                 "are generated by tests/emulator/corpus.py from a hash of the key."),
        "papers": records,
        "unknown": unknown,
    }


def main() -> int:
    data = build()
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['papers'])} papers, {len(data['unknown'])} deliberately unknown")
    return 0


if __name__ == "__main__":
    sys.exit(main())
