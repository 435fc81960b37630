"""Verification: never attach a record that is not the listed paper."""

from paperenrich.model import Entry, Ids
from paperenrich.overrides import parse_overrides
from paperenrich.verify import choose, from_arxiv, from_s2, verify_id, with_link_hints


def entry(title, year=None, venue=None, ids=Ids()):
    return Entry(line=1, end_line=1, section=(), title=title, year=year, venue=venue, ids=ids)


def s2rec(pid, title, year=None, venue="", doi=None, arxiv=None, cites=0):
    ext = {k: v for k, v in (("DOI", doi), ("ArXiv", arxiv)) if v}
    return {"paperId": pid, "title": title, "year": year, "venue": venue, "externalIds": ext, "citationCount": cites}


def axrec(aid, title, published="2017-06-12", doi=None, journal_ref=None):
    return {"arxiv": aid, "title": title, "authors": ["A. Author"], "published": published, "doi": doi, "journal_ref": journal_ref}


def test_not_all_you_need_is_not_all_you_need():
    e = entry("Attention Is All You Need", 2017)
    choice = choose(e, [from_s2(s2rec("p1", "Attention Is Not All You Need", 2017))])
    assert choice.paper is None and not choice.ambiguous
    choice = choose(entry("Attention Is Not All You Need"), [from_s2(s2rec("p1", "Attention Is All You Need", 2017))])
    assert choice.paper is None


def test_exact_title_wins_over_near_duplicate():
    e = entry("Attention Is All You Need", 2017)
    choice = choose(e, [from_s2(s2rec("p1", "Attention Is Not All You Need", 2020)), from_s2(s2rec("p2", "Attention is all you need.", 2017))])
    assert choice.paper[0].s2_id == "p2"
    assert "year 2017 agrees" in choice.verdict.reasons


def test_same_title_two_years_needs_the_list_year():
    records = [from_s2(s2rec("a", "Orca: A Distributed Serving System", 2019, "HotCloud")),
               from_s2(s2rec("b", "Orca: A Distributed Serving System", 2022, "OSDI"))]
    undecided = choose(entry("Orca: A Distributed Serving System"), records)
    assert undecided.paper is None and undecided.ambiguous
    assert {c.s2_id for c in undecided.candidates} == {"a", "b"}
    decided = choose(entry("Orca: A Distributed Serving System", 2022, "OSDI"), records)
    assert decided.paper[0].s2_id == "b"


def test_year_far_off_rejects_a_title_match():
    choice = choose(entry("Deep Residual Learning for Image Recognition", 2009), [from_s2(s2rec("r", "Deep Residual Learning for Image Recognition", 2016))])
    assert choice.paper is None


def test_nickname_prefix_in_the_list_is_tolerated():
    e = entry("GPT3: Language Models are Few-Shot Learners", 2020)
    choice = choose(e, [from_s2(s2rec("g", "Language Models are Few-Shot Learners", 2020))])
    assert choice.paper is not None


def test_arxiv_and_s2_records_of_one_paper_are_grouped():
    e = entry("Attention Is All You Need", 2017)
    facts = [from_arxiv(axrec("1706.03762", "Attention Is All You Need")), from_s2(s2rec("p", "Attention is All you Need", 2017, arxiv="1706.03762"))]
    choice = choose(e, facts)
    assert {f.source for f in choice.paper} == {"arxiv", "s2"}


def test_rejected_paper_is_never_chosen():
    overrides = parse_overrides('[[reject]]\ntitle = "Attention Is All You Need"\ns2 = "p"\n')
    e = entry("Attention Is All You Need", 2017)
    choice = choose(e, [from_s2(s2rec("p", "Attention Is All You Need", 2017))], overrides.rejected_for(e))
    assert choice.paper is None


def test_id_match_trusted_unless_the_title_is_another_paper():
    e = entry("Efficient Memory Management for Large Language Model Serving with PagedAttention")
    good = verify_id(e, from_arxiv(axrec("2309.06180", "Efficient Memory Management for Large Language Model Serving with PagedAttention")), "arXiv id 2309.06180")
    assert good.accepted
    wrong = verify_id(e, from_arxiv(axrec("2309.06181", "A Survey of Graph Neural Networks")), "arXiv id 2309.06181")
    assert not wrong.accepted and "another paper" in wrong.reasons[0]
    retitled = verify_id(entry("DeltaZip: Multi-Tenant Language Model Serving via Delta Compression"),
                         from_arxiv(axrec("2312.05215", "DeltaZip: Efficient Serving of Multiple Full-Model-Tuned LLMs")), "arXiv id")
    assert retitled.accepted


def test_duplicate_records_of_one_paper_are_not_ambiguous():
    e = entry("Switch Transformers: Scaling to Trillion Parameter Models", 2021, "JMLR")
    records = [from_s2(s2rec("a", "Switch transformers: scaling to trillion parameter models", 2021, "JMLR", cites=5)),
               from_s2(s2rec("b", "Switch Transformers: Scaling to Trillion Parameter Models", 2021, "JMLR", arxiv="2101.03961", cites=900))]
    choice = choose(e, records)
    assert choice.paper[0].s2_id == "b"  # the better documented record
    assert any("records of this paper" in r for r in choice.verdict.reasons)


def test_venue_and_year_hints_from_links():
    e = with_link_hints(entry("Orca", ids=Ids(usenix="osdi22/presentation/yu")))
    assert (e.venue, e.year) == ("OSDI", 2022)
    e = with_link_hints(entry("X", ids=Ids(neurips="2020/hash/1457c0d6bfcb4967418bfb8ac142f64a")))
    assert (e.venue, e.year) == ("NeurIPS", 2020)
