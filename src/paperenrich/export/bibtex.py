"""Resolutions -> BibTeX: one entry per paper (duplicates merged), stable unique keys.

Entry types:
    @inproceedings  a paper published at a conference (booktitle = the venue)
    @article        a journal paper (journal = the venue)
    @misc           an arXiv-only preprint, in the arXiv style biblatex and natbib both read:
                    eprint = {2309.06180}, archivePrefix = {arXiv}, primaryClass = {cs.DC}
    @misc           an unresolved entry, from what the list says, with a `note` saying so
                    (left out with include_unresolved=False)

Citation keys follow a pattern (default "{author}{year}{title}" -> "kwon2023efficient"):
    {author}  the first author's last name          {year}   the year
    {title}   the first significant title word      {title2} the first two, joined
    {venue}   the short venue name ("sosp")
Keys are lower-case ASCII; a key already taken gets "a", "b", ... appended, in list order, so
the same list gives the same keys on every run.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import latexcodec  # noqa: F401  (registers the "ulatex" codec used for --ascii output)

from paperenrich.escape import one_line, output_doi
from paperenrich.export.papers import is_preprint_venue, paper_keys, same_paper_groups
from paperenrich.model import Entry, Paper, Resolution

DEFAULT_KEY_PATTERN = "{author}{year}{title}"

# Words skipped when taking the "significant" title word for a key (as BibDesk/JabRef do).
_STOP_WORDS = frozenset(
    "a an the on of in for to and or with via from by at is are do does can towards toward "
    "into over under using when what why how not your our we you".split()
)
_PLACEHOLDERS = ("author", "year", "title", "title2", "venue")

# LaTeX's special characters, and how to write each in running text.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    # Not \{ and \}: BibTeX counts braces without looking at backslashes, so one unbalanced brace
    # in a title from a service would swallow the rest of the file.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIALS_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))

_JOURNAL_HINTS = re.compile(r"\b(journal|transactions|letters|magazine|review|proceedings of the vldb|pvldb|jmlr|tmlr)\b", re.I)


@dataclass(frozen=True)
class BibOptions:
    key_pattern: str = DEFAULT_KEY_PATTERN
    include_unresolved: bool = True
    # Default: LaTeX-safe ASCII that pdflatex + classic BibTeX accept ({\"u}, {$\lambda$}).
    # utf8=True keeps the characters as they are, for biber/biblatex or XeLaTeX/LuaLaTeX users.
    utf8: bool = False
    ascii: bool = False  # kept for callers of the old option: ASCII is now the default

    @property
    def ascii_only(self) -> bool:
        return self.ascii or not self.utf8


def check_key_pattern(pattern: str) -> None:
    """Raise ValueError with a readable reason if the pattern has unknown placeholders."""
    names = re.findall(r"\{([^{}]*)\}", pattern)
    unknown = [n for n in names if n not in _PLACEHOLDERS]
    if unknown or not names:
        raise ValueError(
            f"bad key pattern {pattern!r}: use placeholders among "
            + ", ".join("{" + p + "}" for p in _PLACEHOLDERS)
        )


# --- text ------------------------------------------------------------------------------------


# Typographic ligatures (PDF-extracted titles: "Eﬃcient") are letters to LaTeX: "ffi", not a glyph it lacks.
_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}


def escape_latex(text: str, ascii_only: bool = False) -> str:
    """Escape LaTeX special characters; with ascii_only, non-ASCII letters become {\\"u}-style commands."""
    text = text.translate(_LIGATURES)
    text = _LATEX_SPECIALS_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], text)
    if ascii_only:
        text = "".join(_ascii_char(c) for c in text)
    return text


def _ascii_char(char: str) -> str:
    if ord(char) < 128:
        return char
    try:
        latex = codecs.encode(char, "ulatex").strip()
    except UnicodeEncodeError:
        # No LaTeX spelling (CJK, emoji): the letters it decomposes to, else a visible "?" rather
        # than a character pdflatex refuses ("Unicode character ... not set up for use with LaTeX").
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        return escape_latex(plain) if plain else "?"
    # Braces keep accents attached, keep a command from swallowing the next letter ({\ldots}x), and
    # stop BibTeX from changing the case of a command or a formula ({$\Sigma$}).
    return "{" + latex + "}" if latex.startswith(("\\", "$")) else latex


def _needs_protection(word: str) -> bool:
    """Acronyms and names whose case a BibTeX style must not change: GPipe, LLaMA, GPU, vLLM, GPT-3, T5.

    Each hyphen part is judged alone, so a title-cased "Transformer-Based" is left to the style.
    """
    for part in word.split("-"):
        letters = [c for c in part if c.isalpha()]
        if not letters:
            continue
        has_upper = any(c.isupper() for c in letters)
        if any(c.isupper() for c in letters[1:]) or (has_upper and not letters[0].isupper()):
            return True
        if has_upper and any(c.isdigit() for c in part):
            return True
    return False


_WORD_RE = re.compile(r"[^\s()\[\]:;,.!?\"]+(?:\.[^\s()\[\]:;,.!?\"]+)*")


def protect_title(title: str, ascii_only: bool = False) -> str:
    """Escape a title and wrap case-sensitive words in braces: "{GPipe}: Efficient ..."."""
    out: list[str] = []
    pos = 0
    for match in _WORD_RE.finditer(title):
        out.append(escape_latex(title[pos : match.start()], ascii_only))
        word = match.group()
        escaped = escape_latex(word, ascii_only)
        out.append("{" + escaped + "}" if _needs_protection(word) else escaped)
        pos = match.end()
    out.append(escape_latex(title[pos:], ascii_only))
    return "".join(out)


def _ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only ("Müller" -> "muller")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())


def _last_name(author: str) -> str:
    if "," in author:  # "Kwon, Woosuk"
        return author.split(",")[0]
    parts = author.split()
    return parts[-1] if parts else ""


def _title_words(title: str) -> list[str]:
    words = [_ascii_slug(w) for w in re.split(r"[\s\-:/]+", title)]
    significant = [w for w in words if w and w not in _STOP_WORDS]
    return significant or [w for w in words if w]


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BibRecord:
    """One BibTeX entry before formatting: type, key and (field, raw value) pairs."""

    entry_type: str
    key: str
    fields: tuple[tuple[str, str], ...]
    lines: tuple[int, ...]  # list lines this record came from
    origins: tuple[str, ...] = ()  # "LIST.md:12" for each list entry it came from, when the lists are named


def _is_preprint_venue(venue: str | None) -> bool:
    return not venue or is_preprint_venue(venue)


def _paper_venue(paper: Paper) -> tuple[str | None, int | None]:
    """The venue and year to cite: the published version's if any, else the paper's own."""
    venue, year = paper.venue, paper.year
    if _is_preprint_venue(venue) and paper.published_version and paper.published_version.venue:
        venue = paper.published_version.venue
        year = paper.published_version.year or year
    return (None if _is_preprint_venue(venue) else venue), year


def _entry_type(paper: Paper, venue: str | None) -> str:
    if venue is None:
        return "misc"
    types = set(paper.publication_types)
    if "JournalArticle" in types and "Conference" not in types:
        return "article"
    if "Conference" in types:
        return "inproceedings"
    return "article" if _JOURNAL_HINTS.search(venue) else "inproceedings"


def _paper_fields(paper: Paper, entry: Entry) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    venue, year = _paper_venue(paper)
    entry_type = _entry_type(paper, venue)
    fields: list[tuple[str, str]] = [("title", paper.title)]
    if paper.authors:
        fields.append(("author", " and ".join(paper.authors)))
    else:
        fields.append(("key", paper.title))  # no author: BibTeX styles sort and label by `key` instead
    if entry_type == "inproceedings":
        fields.append(("booktitle", venue or ""))
    elif entry_type == "article":
        fields.append(("journal", venue or ""))
    if year:
        fields.append(("year", str(year)))
    doi = output_doi(paper.doi or (paper.published_version.doi if paper.published_version else None))
    if doi:
        fields.append(("doi", doi))
    url = paper.canonical_url or (f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else None)
    if not url and not doi and entry.links:
        url = entry.links[0].url
    if url:
        fields.append(("url", url))
    if paper.arxiv:
        fields.append(("eprint", paper.arxiv))
        fields.append(("archivePrefix", "arXiv"))
        if paper.primary_category:
            fields.append(("primaryClass", paper.primary_category))
    key_parts = {
        "author": _ascii_slug(_last_name(paper.authors[0])) if paper.authors else "anon",
        "year": str(year or ""),
        "title": "".join(_title_words(paper.title)[:1]),
        "title2": "".join(_title_words(paper.title)[:2]),
        "venue": _ascii_slug(paper.venue_short or "") if venue else "arxiv" if paper.arxiv else "",
    }
    return entry_type, fields, key_parts


def _unresolved_fields(resolution: Resolution) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    entry = resolution.entry
    fields: list[tuple[str, str]] = [("title", entry.title)]
    if entry.venue and not _is_preprint_venue(entry.venue):
        fields.append(("howpublished", entry.venue))
    if entry.year:
        fields.append(("year", str(entry.year)))
    if entry.links:
        fields.append(("url", entry.links[0].url))
    if entry.ids.arxiv:
        fields += [("eprint", entry.ids.arxiv), ("archivePrefix", "arXiv")]
    if output_doi(entry.ids.doi):
        fields.append(("doi", entry.ids.doi))
    reason = resolution.reason or "not found"
    fields.append(("note", f"Not resolved by paperenrich ({reason}); details from the list, line {entry.line}"))
    fields.append(("key", entry.title))  # no author: BibTeX styles sort and label by `key` instead
    key_parts = {
        "author": "anon",
        "year": str(entry.year or ""),
        "title": "".join(_title_words(entry.title)[:1]),
        "title2": "".join(_title_words(entry.title)[:2]),
        "venue": _ascii_slug(entry.venue or ""),
    }
    return "misc", fields, key_parts


def _identity(resolution: Resolution) -> list[str]:
    """Tokens that name the same paper: any shared token merges two entries."""
    paper = resolution.paper
    if paper is None:
        ids = resolution.entry.ids
        tokens = [f"arxiv:{ids.arxiv}"] if ids.arxiv else []
        tokens += [f"doi:{ids.doi}"] if ids.doi else []
        return tokens or [f"line:{resolution.entry.line}"]
    return list(paper_keys(paper))


def _unique_key(base: str, taken: set[str]) -> str:
    base = base or "paper"
    if base not in taken:
        return base
    suffix = 0
    while True:
        # a, b, ..., z, aa, ab, ...
        letters, n = "", suffix
        while True:
            letters = chr(ord("a") + n % 26) + letters
            n = n // 26 - 1
            if n < 0:
                break
        if base + letters not in taken:
            return base + letters
        suffix += 1


def build_records(resolutions: list[Resolution], options: BibOptions = BibOptions(),
                  sources: Sequence[str] | None = None) -> list[BibRecord]:
    """One record per distinct paper, in list order, with unique keys. `sources`, parallel to
    `resolutions`, names the list each came from (several lists in one run)."""
    check_key_pattern(options.key_pattern)
    source_of = {id(r): s for r, s in zip(resolutions, sources)} if sources is not None else {}
    records: list[BibRecord] = []
    taken: set[str] = set()
    for group in same_paper_groups(resolutions, _identity):
        resolved = next((r for r in group if r.paper is not None), None)
        if resolved is not None:
            entry_type, fields, key_parts = _paper_fields(resolved.paper, resolved.entry)  # type: ignore[arg-type]
        elif options.include_unresolved:
            entry_type, fields, key_parts = _unresolved_fields(group[0])
        else:
            continue
        base = _ascii_slug(options.key_pattern.format(**key_parts))
        key = _unique_key(base, taken)
        taken.add(key)
        origins = tuple(f"{source_of[id(r)]}:{r.entry.line}" for r in group if id(r) in source_of)
        records.append(BibRecord(entry_type, key, tuple(fields), tuple(r.entry.line for r in group), origins))
    return records


_VERBATIM_FIELDS = {"url", "doi", "eprint"}


def _format_value(name: str, value: str, ascii_only: bool) -> str:
    value = one_line(value)  # a line break from a service must not start an entry of its own
    if name == "title":
        return protect_title(value, ascii_only)
    if name in _VERBATIM_FIELDS:
        # URLs are written as-is (the url package reads them verbatim); only braces must not appear.
        return value.replace("{", "%7B").replace("}", "%7D")
    return escape_latex(value, ascii_only)


def format_record(record: BibRecord, ascii_only: bool = False) -> str:
    width = max(len(name) for name, _ in record.fields)
    body = ",\n".join(
        f"  {name.ljust(width)} = {{{_format_value(name, value, ascii_only)}}}" for name, value in record.fields
    )
    origin = f"% from {_comment_text(', '.join(record.origins))}\n" if record.origins else ""
    return f"{origin}@{record.entry_type}{{{record.key},\n{body}\n}}\n"


def _comment_text(text: str) -> str:
    """Text for a line outside the entries, which BibTeX skips: one line, and no "@" (it would open an entry)."""
    return one_line(text).replace("@", "(at)")


def to_bibtex(resolutions: list[Resolution], options: BibOptions = BibOptions(),
              sources: Sequence[str] | None = None) -> str:
    """The BibTeX text of the resolutions (empty string when there is nothing to cite); with `sources`
    (the list of each resolution), every entry is preceded by a `% from LIST.md:LINE` comment."""
    records = build_records(resolutions, options, sources)
    return "\n".join(format_record(r, options.ascii_only) for r in records)
