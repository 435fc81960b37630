"""Resolutions + link results + lint findings -> ONE self-contained HTML report.

Everything is inline (CSS, a little JavaScript, an SVG chart); a Content-Security-Policy
forbids loading anything from elsewhere, so the file views the same offline, and allows no script
but the report's own (by its hash): a title, author or year a service sent with markup in it is
escaped for where it goes (`_e` for text and quoted attributes, `_href` for links), and would stay
inert even if one slipped through. Sections, each
with a stable id: summary, coverage, links, citations, findings, entries. The entries table
sorts by any column (click its header) and filters by text and status; the page also reads
`#q=TEXT&status=S&sort=COLUMN&desc=1` from its address, so a view can be shared as a link.
"""

from __future__ import annotations

import base64
import hashlib
import base64
import hashlib
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from paperenrich.export.lint import Finding
from paperenrich.export.papers import paper_keys, same_paper_groups
from paperenrich.model import LinkResult, LinkStatus, Paper, Resolution
from paperenrich.urls import host_of

SECTIONS = ("summary", "coverage", "links", "citations", "findings", "entries")


def _e(value: object) -> str:
    """Text or a quoted attribute value, escaped: every value from a list or a service goes through here."""
    return html.escape("" if value is None else str(value), quote=True)


def _int(value: object) -> int | None:
    """A count or year as an int (None if it is not one): numbers go into sort keys and bar widths."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _href(url: str | None) -> str | None:
    """Only http(s) links become clickable (never javascript: or data: from a list)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _link(url: str | None, text: str) -> str:
    href = _href(url)
    return f'<a href="{_e(href)}" rel="noopener noreferrer">{_e(text)}</a>' if href else _e(text)


@dataclass(frozen=True)
class ReportData:
    title: str
    source: str
    resolutions: Sequence[Resolution]
    link_results: Sequence[LinkResult] = ()
    findings: Sequence[Finding] = ()
    generated: str | None = None  # shown in the footer when given (kept out by default: stable output)
    links_checked: bool = True


def title_of(text: str, fallback: str) -> str:
    """The list's first top-level heading as plain text (badges and link syntax dropped), else fallback."""
    match = re.search(r"^#[ \t]+(.+?)[ \t#]*$", text, re.M)
    if not match:
        return fallback
    heading = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", match.group(1))  # badges
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # [text](url) -> text
    return " ".join(heading.split()) or fallback


# --- sections ------------------------------------------------------------------------------------


def _distinct(papers: Iterable[Paper]) -> list[Paper]:
    """Each paper once (the first record of it), however many entries list it."""
    return [group[0] for group in same_paper_groups(papers, paper_keys)]


def _figure(label: str, value: object, note: str = "") -> str:
    note_html = f'<span class="note">{_e(note)}</span>' if note else ""
    return f'<div class="figure"><span class="value">{_e(value)}</span><span class="label">{_e(label)}</span>{note_html}</div>'


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def _summary(data: ReportData) -> str:
    res = data.resolutions
    resolved = [r for r in res if r.paper is not None]
    papers = _distinct(r.paper for r in resolved)
    citations = sum(_int(p.citation_count) or 0 for p in papers)  # each paper once, however often listed
    broken = sum(1 for l in data.link_results if l.status.is_broken)
    figures = [
        _figure("entries", len(res)),
        _figure("resolved", len(resolved), _pct(len(resolved), len(res))),
        _figure("distinct papers", len(papers)),
        _figure("citations (sum)", f"{citations:,}"),
        _figure("links checked", len(data.link_results) if data.links_checked else "not checked"),
        _figure("broken links", broken if data.links_checked else "–"),
        _figure("findings", len(data.findings)),
    ]
    return f'<section id="summary"><h2>Summary</h2><div class="figures">{"".join(figures)}</div></section>'


def _bar(parts: Sequence[tuple[str, int]], total: int) -> str:
    """A stacked horizontal bar of divs: (css class, count) parts."""
    if not total:
        return '<div class="bar empty"></div>'
    segs = "".join(
        f'<span class="seg {cls}" style="width:{100 * n / total:.2f}%" title="{_e(cls)}: {n}"></span>' for cls, n in parts if n
    )
    return f'<div class="bar">{segs}</div>'


def _coverage(data: ReportData) -> str:
    res = data.resolutions
    resolved = sum(1 for r in res if r.paper)
    by_section: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    # A heading every entry shares (the list's own title) says nothing: group by the next level.
    depth = 1 if len({r.entry.section[:1] for r in res}) == 1 and any(len(r.entry.section) > 1 for r in res) else 0
    for r in res:
        name = r.entry.section[depth] if len(r.entry.section) > depth else "(no heading)"
        by_section[name][0] += 1
        by_section[name][1] += 1 if r.paper else 0
    methods = Counter((r.paper.match.method if r.paper and r.paper.match else "unknown") for r in res if r.paper)
    reasons = Counter((r.reason or "not found").split(":")[0] for r in res if r.paper is None)
    rows = "".join(
        f"<tr><td>{_e(name)}</td><td class=num>{n}</td><td class=num>{ok}</td><td class=num>{_pct(ok, n)}</td>"
        f"<td class=barcell>{_bar([('ok', ok), ('broken', n - ok)], n)}</td></tr>"
        for name, (n, ok) in by_section.items()
    )
    chips = "".join(f'<span class="chip">matched by {_e(m)}: {n}</span>' for m, n in methods.most_common())
    chips += "".join(f'<span class="chip bad">{_e(k)}: {n}</span>' for k, n in reasons.most_common())
    return (
        '<section id="coverage"><h2>Resolution coverage</h2>'
        f'<p>{resolved} of {len(res)} entries resolved ({_pct(resolved, len(res))}).</p>'
        f'{_bar([("ok", resolved), ("broken", len(res) - resolved)], len(res))}'
        f'<p class="chips">{chips}</p>'
        '<table class="plain"><thead><tr><th>Section</th><th>entries</th><th>resolved</th><th>%</th><th></th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


# What each colour of the link-health bars stands for: `check`'s statuses, grouped.
LINK_LEGEND = (("ok", "ok: answered 2xx"), ("redirected", "redirected: answered after redirects"),
               ("broken", "broken: 404, 410, other 4xx, DNS or connection failure (as check counts it)"),
               ("other", "other: soft 404, invalid, blocked, rate limited, timed out, server error, skipped"))


def _legend() -> str:
    items = "".join(f'<span class="key"><span class="swatch seg {cls}"></span>{_e(text)}</span>' for cls, text in LINK_LEGEND)
    return f'<p class="legend">{items}</p>'


def _links(data: ReportData) -> str:
    if not data.links_checked:
        return '<section id="links"><h2>Link health by host</h2><p>Links were not checked for this report.</p></section>'
    per_host: dict[str, Counter[str]] = defaultdict(Counter)
    for result in data.link_results:
        per_host[host_of(result.url) or "(no host)"][result.status.group] += 1
    hosts = sorted(per_host.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    rows = "".join(
        f"<tr><td>{_e(host)}</td>"
        + "".join(f"<td class=num>{c[k]}</td>" for k in ("ok", "redirected", "broken", "other"))
        + f"<td class=barcell>{_bar([(k, c[k]) for k in ('ok', 'redirected', 'broken', 'other')], sum(c.values()))}</td></tr>"
        for host, c in hosts
    )
    return (
        '<section id="links"><h2>Link health by host</h2>'
        f"<p>{len(data.link_results)} distinct links on {len(per_host)} hosts.</p>{_legend()}"
        '<table class="plain"><thead><tr><th>Host</th><th>ok</th><th>redirected</th><th>broken</th><th>other</th><th></th></tr>'
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


def citations_svg(resolutions: Iterable[Resolution], top: int = 20) -> str:
    """A horizontal bar chart (inline SVG) of the most cited papers of the list."""
    counted = [p for p in _distinct(r.paper for r in resolutions if r.paper) if _int(p.citation_count) is not None]
    bars = sorted(((str(p.title), p.citation_count) for p in counted), key=lambda tc: (-tc[1], tc[0]))[:top]
    if not bars:
        return '<p class="muted">No citation counts known.</p>'
    label_w, bar_w, row_h = 380, 480, 22
    peak = max(count for _, count in bars) or 1
    height = row_h * len(bars) + 8
    rows = []
    for i, (title, count) in enumerate(bars):
        y = 4 + i * row_h
        width = max(1.0, bar_w * count / peak)
        short = title if len(title) <= 56 else title[:54] + "…"
        rows.append(
            f'<g class="row"><title>{_e(title)}: {count:,} citations</title>'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" rx="3"></rect>'
            f'<text class="val" x="{label_w + width + 6:.1f}" y="{y + 15}">{count:,}</text></g>'
        )
    return (
        f'<svg class="chart" role="img" aria-label="Citations of the most cited papers" '
        f'viewBox="0 0 {label_w + bar_w + 80} {height}" width="{label_w + bar_w + 80}">{"".join(rows)}</svg>'
    )


def _citations(data: ReportData) -> str:
    return f'<section id="citations"><h2>Citations</h2>{citations_svg(data.resolutions)}</section>'


def _findings(data: ReportData) -> str:
    if not data.findings:
        return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    counts = Counter(f.kind for f in data.findings)
    chips = "".join(f'<span class="chip k-{_e(k)}">{_e(k)}: {n}</span>' for k, n in counts.most_common())
    items = "".join(
        f'<li><span class="kind k-{_e(f.kind)}">{_e(f.kind)}</span> <span class="line">line {_e(f.line)}</span> '
        f"{_e(f.message)}{' — ' + _e(f.title) if f.title else ''}{' — ' + _link(f.url, f.url) if f.url else ''}</li>"
        for f in data.findings
    )
    return f'<section id="findings"><h2>Findings</h2><p class="chips">{chips}</p><ul class="findings">{items}</ul></section>'


def _entry_status(r: Resolution, results: dict[str, LinkResult]) -> tuple[str, list[LinkResult]]:
    checked = [results[link.url] for link in r.entry.links if link.url in results]
    worst = max(checked, key=lambda lr: lr.status.severity, default=None)
    return (worst.status if worst else "unchecked"), checked


def _entries(data: ReportData) -> str:
    results = {lr.url: lr for lr in data.link_results}
    finding_lines = Counter(f.line for f in data.findings)
    rows = []
    for r in sorted(data.resolutions, key=lambda r: r.entry.line):
        p = r.paper
        status, checked = _entry_status(r, results)
        group = status.group if isinstance(status, LinkStatus) else "unchecked"
        listed = " ".join(x for x in (r.entry.venue or "", str(r.entry.year or "")) if x)
        venue = (p.venue_short or p.venue or "") if p else ""
        authors = ", ".join(p.authors[:3]) + (" et al." if p and len(p.authors) > 3 else "") if p else ""
        ids = []
        if p and p.doi:
            ids.append(_link(f"https://doi.org/{p.doi}", "DOI"))
        if p and p.arxiv:
            ids.append(_link(f"https://arxiv.org/abs/{p.arxiv}", f"arXiv:{p.arxiv}"))
        title = p.title if p else r.entry.title
        target = p.canonical_url if p else (r.entry.links[0].url if r.entry.links else None)
        reason = "" if p else f"<div class=muted>{_e(r.reason or 'not resolved')}</div>"
        year = (_int(p.year) if p else None) or 0
        cites = _int(p.citation_count) if p else None
        link_rank = status.severity if isinstance(status, LinkStatus) else -1
        link_title = "; ".join(f"{lr.status}: {lr.url}" for lr in checked)
        cells = [
            f'<td class=num data-v="{_e(r.entry.line)}">{_e(r.entry.line)}</td>',
            f'<td data-v="{_e(title.lower())}">{_link(target, title)}{reason}</td>',
            f"<td>{_e(listed)}</td>",
            f"<td>{_e(venue)}</td>",
            f'<td class=num data-v="{year}">{year or ""}</td>',
            f"<td>{_e(authors)}</td>",
            f'<td class=num data-v="{-1 if cites is None else cites}">{"" if cites is None else f"{cites:,}"}</td>',
            f'<td>{" ".join(ids)}</td>',
            f'<td data-v="{link_rank}"><span class="status s-{_e(group)}" title="{_e(link_title)}">{_e(status)}</span></td>',
        ]
        attrs = f'data-resolved="{"yes" if p else "no"}" data-links="{_e(group)}" data-findings="{_e(finding_lines[r.entry.line])}"'
        rows.append(f"<tr {attrs}>{''.join(cells)}</tr>")
    head = "".join(
        f'<th data-col="{i}" data-type="{t}" tabindex="0">{name}</th>'
        for i, (name, t) in enumerate(
            [("Line", "num"), ("Title", "text"), ("Listed as", "text"), ("Venue", "text"), ("Year", "num"),
             ("Authors", "text"), ("Citations", "num"), ("Ids", "text"), ("Links", "num")]
        )
    )
    return (
        '<section id="entries"><h2>Entries</h2>'
        '<div class="controls"><input id="q" type="search" placeholder="Filter by any text…" aria-label="Filter">'
        '<select id="status" aria-label="Show"><option value="">all entries</option><option value="resolved">resolved</option>'
        '<option value="unresolved">unresolved</option><option value="broken">broken links</option>'
        '<option value="findings">with findings</option></select> <span id="count"></span></div>'
        f'<table id="entries-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


_CSS = """
:root{--fg:#1d2330;--muted:#6b7280;--line:#e5e7eb;--ok:#16a34a;--redir:#2563eb;--bad:#dc2626;--other:#d97706;--bg:#f8fafc;--accent:#4f46e5}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#111827;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#cbd5e1}
nav{display:flex;gap:14px;padding:8px 28px;background:#fff;border-bottom:1px solid var(--line);position:sticky;top:0;z-index:2}
nav a{color:var(--accent);text-decoration:none}main{padding:8px 28px 40px;max-width:1400px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:16px 0}
h2{margin:0 0 10px;font-size:17px}.figures{display:flex;flex-wrap:wrap;gap:12px}
.figure{min-width:130px;padding:10px 14px;border:1px solid var(--line);border-radius:8px;display:flex;flex-direction:column}
.figure .value{font-size:24px;font-weight:650}.figure .label{color:var(--muted)}.figure .note{color:var(--ok);font-weight:600}
.bar{display:flex;height:12px;border-radius:6px;overflow:hidden;background:var(--line);min-width:120px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.9em}.key{display:inline-flex;align-items:center;gap:6px}.swatch{display:inline-block;width:12px;height:12px;border-radius:3px}.seg.ok{background:var(--ok)}.seg.redirected{background:var(--redir)}.seg.broken{background:var(--bad)}.seg.other{background:var(--other)}
table{border-collapse:collapse;width:100%}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.barcell{width:30%}table.plain{margin-top:8px}
#entries-table th{cursor:pointer;user-select:none;background:#f1f5f9;position:sticky;top:37px}
#entries-table th.asc::after{content:" ▲"}#entries-table th.desc::after{content:" ▼"}
.controls{display:flex;gap:10px;align-items:center;margin-bottom:8px}.controls input{flex:0 1 340px;padding:6px 8px;border:1px solid #cbd5e1;border-radius:6px}
.controls select{padding:6px;border:1px solid #cbd5e1;border-radius:6px}#count{color:var(--muted)}
.chips{display:flex;flex-wrap:wrap;gap:6px}.chip{background:#eef2ff;border-radius:12px;padding:2px 10px}.chip.bad{background:#fee2e2}
.status{border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}.s-ok{background:#dcfce7}.s-redirected{background:#dbeafe}
.s-broken{background:#fee2e2}.s-other{background:#fef3c7}.s-unchecked{background:#f3f4f6;color:var(--muted)}
.muted{color:var(--muted);font-size:12px}.findings{margin:0;padding-left:18px}.findings li{margin:3px 0}
.kind{font-weight:600;border-radius:4px;padding:0 6px;background:#f3f4f6}.k-broken,.k-unresolved{background:#fee2e2}.k-published{background:#dcfce7}
.line{color:var(--muted)}svg.chart{max-width:100%;height:auto}svg.chart text{font-size:12px;fill:var(--fg)}svg.chart rect{fill:var(--accent)}svg.chart .val{fill:var(--muted)}
a{color:var(--accent)}footer{color:var(--muted);padding:0 28px 24px}
"""

# Sorting and filtering; reads an optional "#q=..&status=..&sort=N&desc=1" so a view can be linked.
_JS = """
(function(){
  const table=document.getElementById('entries-table');const tbody=table.tBodies[0];
  const rows=Array.from(tbody.rows);const q=document.getElementById('q');const st=document.getElementById('status');
  const count=document.getElementById('count');let sortCol=-1,desc=false;
  function val(row,col,type){const c=row.cells[col];const v=c.dataset.v!==undefined?c.dataset.v:c.textContent.trim().toLowerCase();
    return type==='num'?parseFloat(v)||0:v;}
  function apply(){const needle=q.value.trim().toLowerCase();const want=st.value;let shown=0;
    for(const r of rows){let ok=!needle||r.textContent.toLowerCase().includes(needle);
      if(want==='resolved')ok=ok&&r.dataset.resolved==='yes';
      if(want==='unresolved')ok=ok&&r.dataset.resolved==='no';
      if(want==='broken')ok=ok&&r.dataset.links==='broken';
      if(want==='findings')ok=ok&&r.dataset.findings!=='0';
      r.hidden=!ok;if(ok)shown++;}
    count.textContent='showing '+shown+' of '+rows.length;}
  function sortBy(col,descending){const th=table.tHead.rows[0].cells[col];const type=th.dataset.type;
    const sorted=rows.slice().sort((a,b)=>{const x=val(a,col,type),y=val(b,col,type);
      const c=x<y?-1:x>y?1:0;return (descending?-c:c)||(val(a,0,'num')-val(b,0,'num'));});
    for(const r of sorted)tbody.appendChild(r);
    for(const h of table.tHead.rows[0].cells)h.classList.remove('asc','desc');th.classList.add(descending?'desc':'asc');
    sortCol=col;desc=descending;}
  for(const th of table.tHead.rows[0].cells){const go=()=>{const col=+th.dataset.col;sortBy(col,col===sortCol?!desc:th.dataset.type==='num');};
    th.addEventListener('click',go);th.addEventListener('keydown',e=>{if(e.key==='Enter')go();});}
  q.addEventListener('input',apply);st.addEventListener('change',apply);
  const params=new URLSearchParams(location.hash.slice(1));
  if(params.get('q'))q.value=params.get('q');if(params.get('status'))st.value=params.get('status');
  if(params.get('sort')!==null&&params.get('sort')!=='')sortBy(+params.get('sort'),params.get('desc')==='1');
  apply();document.body.dataset.ready='1';
})();
"""

# No inline script runs but ours, named by its hash (an injected handler or <script> is refused even
# if escaping missed it); styles stay inline (the bar widths are style attributes, computed numbers).
_JS_HASH = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
_CSP = (f"default-src 'none'; script-src 'sha256-{_JS_HASH}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


def render_report(data: ReportData) -> str:
    """The whole HTML document, as one string."""
    nav = "".join(f'<a href="#{s}">{s.capitalize()}</a>' for s in SECTIONS)
    footer = f"Generated by paperenrich{' on ' + _e(data.generated) if data.generated else ''} from {_e(data.source)}."
    body = "".join(
        part(data) for part in (_summary, _coverage, _links, _citations, _findings, _entries)
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{_e(data.title)} · paperenrich report</title><style>{_CSS}</style></head>\n"
        f"<body><header><h1>{_e(data.title)}</h1><p>paperenrich report of {_e(data.source)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main><footer>{footer}</footer>"
        f"<script>{_JS}</script></body></html>\n"
    )

