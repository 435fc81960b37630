"""Write data/corpus_papers.json: one emulator record per hand-labelled paper of the corpus lists.

    python -m tests.emulator.build_corpus_fixture

The labels (tests/data/corpus_labels/*.json, read off the real lists in ../shared/lists/) give each
paper's title, venue, year and link. We keep the label's title as written, its year and venue, and
the arXiv id / DOI / ACL id of its link (a label without a year takes the year of the heading
it sits under, when one states it) (`paperenrich.ids.extract_ids`); everything else is
generated deterministically (as for the seeds, `build_seed_fixture.py`) and named in the record's
`generated` list. A paper labelled in several lists (same arXiv id, DOI or title) is one record; a
paper the seeds' world already holds is not added again but named in `elsewhere` (its record key),
so a bench can find every labelled entry's paper. As in the seeds' world, a few papers are
deliberately absent (`unknown`, chosen by a hash of the key), and a few get a near-duplicate trap
(`traps`): a one-word substitution of the title with another arXiv id, or the same title in another
year with more citations. Traps are invented papers: every field of theirs is generated.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.emulator.build_seed_fixture import UNKNOWN_REASON, _h, add_publication, fake_authors
from tests.emulator.corpus import DATA_DIR, SHARED_DIR
from tests.emulator.textnorm import fold

LABELS_DIR = Path(__file__).resolve().parents[1] / "data" / "corpus_labels"
LISTS_DIR = SHARED_DIR / "lists"
OUT = DATA_DIR / "corpus_papers.json"
# A year in a heading, also glued to a venue's name ("### sp2024", "### ccs2023", as
# ../shared/lists/hzysvilla__Academic_Smart_Contract_Papers.md writes them).
YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-3]\d)(?!\d)")

# Labels that are a paper's nickname, not its title ("[BPE](https://arxiv.org/abs/1508.07909)",
# keon__awesome-nlp.md:410): the paper's record gets its real title (as the seeds' TITLE_FIXES),
# keyed by the arXiv id the label links. Where each title was read:
TITLE_FIXES = {
    # THUNLP-MT__MT-Reading-List.md:76 links the same arXiv id under this title.
    "1508.07909": "Neural Machine Translation of Rare Words with Subword Units",
    # arXiv's title for the abstract page keon__awesome-nlp.md:762 links (no list in ../shared names it).
    "2104.09864": "RoFormer: Enhanced Transformer with Rotary Position Embedding",
}
# Real authors a list line gives for a labelled paper (otherwise authors are generated), by arXiv id.
AUTHOR_FIXES = {
    # THUNLP-MT__MT-Reading-List.md:76 "Rico Sennrich, Barry Haddow, and Alexandra Birch. 2016. [...]".
    "1508.07909": ["Rico Sennrich", "Barry Haddow", "Alexandra Birch"],
}

NOT_LATIN = "absent: the emulator's title search folds and indexes Latin-script words only"

# A one-word substitution: the first title word found here is replaced by its partner.
SWAPS = {"large": "small", "small": "large", "deep": "shallow", "learning": "reasoning", "neural": "spiking",
         "robust": "fragile", "efficient": "accurate", "language": "vision", "graph": "tree", "models": "agents",
         "network": "system", "networks": "systems", "attacks": "defenses", "adversarial": "benign",
         "training": "inference", "transfer": "continual", "quantum": "classical", "image": "video"}


def _ids(link: str | None):
    from paperenrich.ids import extract_ids

    return extract_ids(link) if link else None


def held_already() -> tuple[dict[str, str], set[str]]:
    """id-or-title key -> record key of the seeds' world (traps and seed papers), and its absent titles."""
    held: dict[str, str] = {}
    absent: set[str] = set()
    for name in ("traps.json", "seed_papers.json"):
        data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        for paper in data["papers"]:
            for k in (f"arxiv:{paper.get('arxiv')}" if paper.get("arxiv") else None,
                      f"doi:{paper['doi'].lower()}" if paper.get("doi") else None, f"title:{fold(paper['title'])}"):
                if k:
                    held.setdefault(k, paper["key"])
        for item in data.get("unknown", ()):
            absent.add(fold(item["title"]))
    return held, absent


def heading_years(path: Path) -> list[int | None]:
    """For each 1-based line of a list file, the year of the nearest heading above it that states one.

    A label's year is null when the entry itself states none, but a heading may ("### USENIX
    Security 2023"): a generated year must not contradict the list the paper sits in.
    """
    years: list[int | None] = [None]
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            found = YEAR.findall(line)
            current = int(found[-1]) if found else current
        years.append(current)
    return years


def collect(labels_dir: Path) -> tuple[list[dict], list[dict]]:
    """Labelled entries merged into one dict per paper, and the entries of papers held already."""
    held, seed_absent = held_already()
    papers: list[dict] = []
    elsewhere: list[dict] = []
    by_id: dict[str, dict] = {}
    for path in sorted(labels_dir.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        list_file = LISTS_DIR / label["file"]
        years = heading_years(list_file) if list_file.exists() else []
        for entry in label["entries"]:
            seen = f"{label['file']}:{entry['line']}"
            ids = _ids(entry.get("link"))
            arxiv, doi, acl = (ids.arxiv, ids.doi, ids.acl) if ids else (None, None, None)
            title = TITLE_FIXES.get(arxiv or "", entry["title"])
            folded = fold(title)
            keys = [k for k in (f"arxiv:{arxiv}" if arxiv else None, f"doi:{doi.lower()}" if doi else None) if k]
            known = next((held[k] for k in keys + [f"title:{folded}"] if k in held), None)
            if known is not None or folded in seed_absent:
                elsewhere.append({"seen_in": seen, "key": known, "absent": known is None})
                continue
            found = next((by_id[k] for k in keys if k in by_id), None)
            if found is None:
                same = by_id.get(f"title:{folded}")
                if same is not None and not (arxiv and same["arxiv"] and arxiv != same["arxiv"]) \
                        and not (doi and same["doi"] and doi.lower() != same["doi"].lower()):
                    found = same
            if found is None:
                found = {"title": title, "arxiv": None, "doi": None, "acl": None, "venue": None,
                         "year": None, "seen_in": []}
                papers.append(found)
            found["seen_in"].append(seen)
            for name, value in (("arxiv", arxiv), ("doi", doi), ("acl", acl)):
                if value and not found[name]:
                    found[name] = value
            if entry.get("venue") and entry["venue"] != "arXiv" and not found["venue"]:
                found["venue"] = entry["venue"]
            year = entry.get("year") or (years[entry["line"]] if entry["line"] < len(years) else None)
            if year and not found["year"]:
                found["year"] = year
            for k in keys + [f"title:{folded}"]:
                by_id.setdefault(k, found)
    return papers, elsewhere


def to_record(paper: dict) -> dict:
    key = "list:" + (paper["arxiv"] or paper["doi"] or _h(fold(paper["title"])).hex()[:16])
    authors = AUTHOR_FIXES.get(paper["arxiv"] or "")
    year, generated = paper["year"], [] if authors else ["authors"]
    if year is None and paper["arxiv"] and paper["arxiv"][:2].isdigit():
        year = 2000 + int(paper["arxiv"][:2])
    if year is None:
        year = 2015 + _h(key)[0] % 10
        generated.append("year")
    record: dict = {"key": key, "title": paper["title"], "year": year, "authors": authors or fake_authors(key)}
    for name in ("arxiv", "doi", "acl"):
        if paper[name]:
            record[name] = paper[name]
    venue_short = paper["venue"]
    add_publication(record, paper, venue_short, year, key)
    record["generated"] = generated
    record["seen_in"] = paper["seen_in"]
    return record


def trap_for(record: dict, n: int) -> dict | None:
    """A near-duplicate of `record` (chosen by a hash of its key), or None."""
    h = _h("trap:" + record["key"])
    if h[0] >= 8:
        return None
    words = record["title"].split()
    swap = next((i for i, w in enumerate(words) if w.lower() in SWAPS), None)
    trap: dict = {"key": f"listtrap:{n:03d}", "authors": fake_authors("trap:" + record["key"]),
                  "venue": "arXiv.org", "publication_types": ["JournalArticle"]}
    if swap is not None and len(words) >= 5:
        word = words[swap]
        new = SWAPS[word.lower()]
        words[swap] = new.capitalize() if word[0].isupper() else new
        trap.update(title=" ".join(words), year=record["year"], arxiv=f"{record['year'] % 100:02d}{h[1] % 12 + 1:02d}.98{n:03d}",
                    citation_count=5 + h[2], note=f"one-word substitution of '{record['title']}': another paper")
    elif "year" not in record["generated"]:  # only a year the list states can tell the two apart
        trap.update(title=record["title"], year=record["year"] - 3, citation_count=50_000 + h[2],
                    note=f"the same title as {record['key']} three years earlier and cited more: another paper")
    else:
        return None
    trap["generated"] = [k for k in trap if k not in ("key", "note")]
    return trap


def build(labels_dir: Path = LABELS_DIR) -> dict:
    papers, elsewhere = collect(labels_dir)
    records, unknown, traps = [], [], []
    for paper in papers:
        record = to_record(paper)
        if not any("a" <= c <= "z" for c in fold(record["title"])):
            elsewhere.extend({"seen_in": seen, "key": None, "absent": True, "reason": NOT_LATIN} for seen in record["seen_in"])
            continue
        if _h(record["key"])[0] < 3:
            unknown.append({"title": record["title"], **{k: record[k] for k in ("arxiv", "doi") if k in record},
                            "seen_in": record["seen_in"], "reason": UNKNOWN_REASON})
            continue
        records.append(record)
        trap = trap_for(record, len(traps))
        if trap is not None:
            traps.append(trap)
    return {
        "generated_by": "python -m tests.emulator.build_corpus_fixture",
        "note": ("Papers of the hand-labelled entries of the corpus lists in ../shared/lists (labels in "
                 "tests/data/corpus_labels). title, venue and year come from the labels, arxiv, doi and acl from "
                 "the label's link; fields named in each record's 'generated' list, and every field not present "
                 "here, are generated by tests/emulator/corpus.py from a hash of the key. 'elsewhere': labelled "
                 "entries of papers the seeds' world already holds (key) or keeps out (absent)."),
        "papers": records,
        "traps": traps,
        "unknown": unknown,
        "elsewhere": elsewhere,
    }


def main() -> int:
    data = build()
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(data['papers'])} papers, {len(data['traps'])} traps, "
          f"{len(data['unknown'])} deliberately unknown, {len(data['elsewhere'])} labelled entries held elsewhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
