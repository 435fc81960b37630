"""paperenrich's public Python API: one plain function per command, over lists and Settings.

    from paperenrich import api
    result = api.enrich("README.md")                # or several: ["a.md", "lists/"], or the text itself

A *list* argument is a path, a directory (its *.md files, recursively), a glob, "-" (standard
input), an http(s) URL of a raw Markdown file, a sequence of those, or the Markdown text itself
(a string with a line break). `settings` defaults to `load_settings()` (the config file and the
environment). Every function returns the model's dataclasses (or the text of an export); nothing
is printed. The command line calls only these functions and the renderers.

`resolve_lists` is the one place that reads, scans, resolves (and, if asked, link-checks) lists; `enrich`,
`lint`, `bibtex`, `fix` and `report` also take what `resolve_lists` returned, so one resolution can feed
several outputs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence, Union

from paperenrich.config import Settings, load_settings
from paperenrich.export.bibtex import BibOptions
from paperenrich.export.lint import Finding
from paperenrich.export.markdown import RewriteResult
from paperenrich.export.pipeline import ListState
from paperenrich.model import Entry, LinkResult, LinkTarget, Paper, Place, Resolution, ScanResult

__all__ = [
    # the functions, one per command
    "scan", "enrich", "check", "lint", "bibtex", "fix", "report", "resolve_lists", "links",
    # what they take and return
    "Settings", "load_settings", "BibOptions",
    "ScanResult", "Entry", "Resolution", "Paper", "LinkResult", "LinkTarget", "Place", "CheckReport", "Finding",
    "ListState", "EnrichResult", "FixResult", "RewriteResult",
]

if TYPE_CHECKING:
    from paperenrich.linkcheck.run import CheckReport


def __getattr__(name: str) -> Any:
    # CheckReport comes with the link checker's network stack (httpx, aiohttp): loaded only when
    # asked for, so `scan` and the CLI's start stay light.
    if name == "CheckReport":
        from paperenrich.linkcheck.run import CheckReport

        return CheckReport
    raise AttributeError(f"module 'paperenrich.api' has no attribute {name!r}")


Lists = Union[str, Path, Sequence[Union[str, Path]]]
TEXT_SOURCE = "<text>"


@dataclass(frozen=True)
class EnrichResult:
    """Every entry's resolution, in list order (iterating gives them), per list in `lists`, and the
    run's statistics (`stats.to_dict()`: requests, outcomes, time)."""

    resolutions: list[Resolution]
    lists: tuple[ListState, ...]
    stats: Any

    @property
    def source(self) -> str:
        return self.lists[0].source if self.lists else ""

    def __iter__(self) -> Iterator[Resolution]:
        return iter(self.resolutions)

    def __len__(self) -> int:
        return len(self.resolutions)

    def __getitem__(self, index: int) -> Resolution:
        return self.resolutions[index]


@dataclass(frozen=True)
class FixResult:
    """A list rewritten: the new text, what changed, and the unified diff (`git apply` accepts it)."""

    source: str
    old_text: str
    rewrite: RewriteResult
    diff: str
    findings: list[Finding]

    @property
    def text(self) -> str:
        return self.rewrite.text

    @property
    def changed(self) -> bool:
        return self.rewrite.changed


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else load_settings()


def _is_text(lists: Lists) -> bool:
    """A single string is the list's text when it has a line break, or when it names nothing: not
    "-", a URL, an existing path nor a glob that matches (`enrich("- A Title (OSDI'22)")`).
    Sequences and Paths are always names (the command line passes those: a typo there is exit 4)."""
    if not isinstance(lists, str):
        return False
    if "\n" in lists:
        return True
    import glob

    from paperenrich.listfile import is_list_url

    return not (lists == "-" or is_list_url(lists) or Path(lists).exists() or glob.glob(lists, recursive=True))


def _sources(lists: Lists) -> list[str]:
    from paperenrich.inputs import expand_inputs

    many = [lists] if isinstance(lists, (str, Path)) else list(lists)
    return expand_inputs(many)


def resolve_lists(lists: Lists, settings: Settings | None = None, *, check_links: bool = False,
            show_progress: bool | None = False) -> list[ListState]:
    """Read, scan and resolve the lists in one run (shared batches and pace), and link-check them
    when asked: a ListState per list (its text, scan, resolutions, link results, the run's stats)."""
    from paperenrich.export.pipeline import gather_many, gather_texts

    settings = _settings(settings)
    if _is_text(lists):
        return gather_texts([(str(lists), TEXT_SOURCE)], settings, check_links=check_links, show_progress=show_progress)
    return gather_many(_sources(lists), settings, check_links=check_links, show_progress=show_progress)


def _states(lists: Lists | Sequence[ListState] | ListState, settings: Settings | None, check_links: bool,
            show_progress: bool | None) -> list[ListState]:
    if isinstance(lists, ListState):
        return [lists]
    if isinstance(lists, (list, tuple)) and lists and all(isinstance(s, ListState) for s in lists):
        return list(lists)
    return resolve_lists(lists, settings, check_links=check_links, show_progress=show_progress)  # type: ignore[arg-type]


def scan(lists: Lists, settings: Settings | None = None) -> list[ScanResult]:
    """The paper entries of each list, with no network (except to fetch a list given as a URL)."""
    from paperenrich.export.markdown import strip_additions
    from paperenrich.listfile import is_list_url, read_list_file
    from paperenrich.scanner import scan_text

    if _is_text(lists):
        return [scan_text(strip_additions(str(lists)), source=TEXT_SOURCE)]
    sources = _sources(lists)
    url_settings = _settings(settings) if any(is_list_url(s) for s in sources) else settings
    # Without the blocks `fix --add` wrote (same lines): the entries are what the list itself says.
    return [scan_text(strip_additions(read_list_file(s, url_settings)), source=s) for s in sources]


def enrich(lists: Lists | Sequence[ListState], settings: Settings | None = None, *,
           show_progress: bool | None = False) -> EnrichResult:
    """Resolve every entry against arXiv and Semantic Scholar (cache first)."""
    states = _states(lists, settings, False, show_progress)
    return EnrichResult([r for s in states for r in s.resolutions], tuple(states), states[0].stats if states else None)


def check(lists: Lists, settings: Settings | None = None, *, progress=None) -> "CheckReport":
    """The liveness of every http(s) link of the lists, each distinct URL once, with all its places."""
    from paperenrich.linkcheck.run import check_lists, check_texts

    settings = _settings(settings)
    if _is_text(lists):
        return check_texts({TEXT_SOURCE: str(lists)}, settings, progress=progress)
    return check_lists(_sources(lists), settings, progress=progress)


def links(lists: Lists, settings: Settings | None = None) -> list[LinkTarget]:
    """Every link target `check` would consider, each distinct URL once with its places, in
    first-seen order, and why each skipped one would be (excludes, ignore file, rules); nothing
    is requested (`check --dump`)."""
    import re

    from paperenrich.linkcheck.collect import collect_places
    from paperenrich.linkcheck.engine import precheck, url_filter
    from paperenrich.linkcheck.local import is_relative_path, on_disk
    from paperenrich.listfile import read_list_file

    settings = _settings(settings)
    if _is_text(lists):
        texts = {TEXT_SOURCE: str(lists)}
    else:
        texts = {source: read_list_file(source, settings) for source in _sources(lists)}
    include, exclude = [re.compile(p) for p in settings.include], [re.compile(p) for p in settings.exclude]
    targets = []
    for url, places in collect_places(texts).items():
        if is_relative_path(url) and any(map(on_disk, places)) and url_filter(url, include, exclude) is None:
            skipped = None  # looked for on disk (linkcheck/local.py)
        else:
            skipped = precheck(url, settings, include, exclude)
        targets.append(LinkTarget(url, tuple(places), None if skipped is None else f"{skipped[0]}: {skipped[1]}"))
    return targets


def lint(lists: Lists | Sequence[ListState], settings: Settings | None = None, *, check_links: bool = True,
         show_progress: bool | None = False) -> list[Finding]:
    """The findings of the lists (published versions, venue/year disagreements, duplicates, unresolved
    entries, broken links), each with its list as `source`, in list then line order."""
    from paperenrich.export.lint import lint as lint_one

    states = _states(lists, settings, check_links, show_progress)
    return [dataclasses.replace(f, source=s.source) for s in states for f in lint_one(s.resolutions, s.link_results)]


def bibtex(lists: Lists | Sequence[ListState], settings: Settings | None = None, *,
           options: BibOptions = BibOptions(), show_progress: bool | None = False) -> str:
    """BibTeX of the resolved papers of the lists (one entry per paper, stable keys)."""
    from paperenrich.export.bibtex import to_bibtex

    states = _states(lists, settings, False, show_progress)
    pairs = [(r, s.source) for s in states for r in s.resolutions]
    return to_bibtex([r for r, _ in pairs], options, sources=[source for _, source in pairs])


def fix(lists: Lists | Sequence[ListState], settings: Settings | None = None, *, additions: Sequence[str] = (),
        check_links: bool = True, show_progress: bool | None = False) -> list[FixResult]:
    """Each list rewritten with canonical links and the marked additions (authors, citations, doi, badge)."""
    from paperenrich.export.lint import lint as lint_one
    from paperenrich.export.markdown import rewrite_markdown, unified_diff

    out = []
    for state in _states(lists, settings, check_links, show_progress):
        rewrite = rewrite_markdown(state.text, state.resolutions, state.link_results, additions=tuple(additions))
        diff = unified_diff(state.text, rewrite.text, _patch_path(state.source))
        out.append(FixResult(state.source, state.text, rewrite, diff, lint_one(state.resolutions, state.link_results)))
    return out


def _patch_path(source: str) -> str:
    """A list's name in a diff's headers, so that `git apply` (or `patch -p1`) accepts the diff:
    relative to the root of the git repository holding the list, else to the working directory,
    else (a list elsewhere, outside any repository) its bare name, to apply from its folder."""
    import os

    if source in (TEXT_SOURCE, "-") or "://" in source:
        return "list.md"
    full = Path(source).resolve()
    for folder in full.parents:
        if (folder / ".git").exists():
            return full.relative_to(folder).as_posix()
    cwd = Path.cwd().resolve()
    if full.is_relative_to(cwd):
        return full.relative_to(cwd).as_posix()
    return os.path.basename(full)


def report(lists: Lists | Sequence[ListState], settings: Settings | None = None, *, title: str | None = None,
           check_links: bool = True, show_progress: bool | None = False) -> str:
    """One self-contained HTML report of the lists (several lists: reported together in one page)."""
    from paperenrich.export.lint import lint as lint_one
    from paperenrich.export.report import ReportData, render_report, title_of

    states = _states(lists, settings, check_links, show_progress)
    names = [_display_name(state.source) for state in states]
    return render_report(ReportData(
        title=title or (title_of(states[0].text, names[0]) if len(states) == 1 else f"{len(states)} lists"),
        source=", ".join(names),
        resolutions=[r for state in states for r in state.resolutions],
        link_results=list({r.url: r for state in states for r in state.link_results}.values()),
        findings=[f for state in states for f in lint_one(state.resolutions, state.link_results)],
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        links_checked=all(state.links_checked for state in states),
    ))


def _display_name(source: str) -> str:
    """A list's short name: its file name (a URL's last part)."""
    return source.rstrip("/").rsplit("/", 1)[-1] if "://" in source else Path(source).name
