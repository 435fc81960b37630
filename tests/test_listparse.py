"""Formats beyond the seeds, not-papers, duplicates, and property tests of the parser."""

from pathlib import Path

from hypothesis import given, settings, strategies as st

from paperenrich.scanner import scan_text

FORMATS = Path(__file__).parent / "data" / "scan_formats.md"


def _by_title(result):
    return {e.title: e for e in result.entries}


def test_real_world_formats():
    r = scan_text(FORMATS.read_text(encoding="utf-8"))
    got = _by_title(r)
    # Each expected title/venue/year below is written in tests/data/scan_formats.md.
    expected = {
        "Attention Is All You Need": ("NeurIPS", 2017, "numbered", 5),
        "Deep Residual Learning for Image Recognition": ("CVPR", 2016, "numbered", 6),  # bold + authors
        "Language Models are Few-Shot Learners": ("NeurIPS", 2020, "paragraph", 10),  # bold, authors line
        "Denoising Diffusion Probabilistic Models": ("NeurIPS", 2020, "bullet", 13),
        "LoRA: Low-Rank Adaptation of Large Language Models": ("ICLR", 2022, "bullet", 19),  # inside <details>
        "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness": ("NeurIPS", 2022, "bullet", 25),  # <a href>
        "Efficient Memory Management for Large Language Model Serving with PagedAttention": ("SOSP", 2023, "bullet", 31),  # badge first
        "Efficiently Scaling Transformer Inference": ("MLSys", 2023, "bullet", 32),  # links before the title
        "GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism": ("NeurIPS", 2019, "table", 36),  # <br> authors
        "Megatron-LM": ("arXiv", 2019, "table", 37),
    }
    assert set(got) == set(expected)
    for title, (venue, year, kind, line) in expected.items():
        e = got[title]
        assert (e.venue, e.year, e.kind, e.line) == (venue, year, kind, line), title
    assert got["Attention Is All You Need"].ids.arxiv == "1706.03762"
    assert got["Efficient Memory Management for Large Language Model Serving with PagedAttention"].ids.arxiv == "2309.06180"
    # badge images are not links; the badge's link is
    assert all("img.shields.io" not in link.url for e in r.entries for link in e.links)
    reasons = {s.line: s.reason for s in r.skipped}
    assert "course" in reasons[41]  # a YouTube lecture
    assert 42 in reasons  # a repository in a "Videos" section


def test_bullet_styles_and_annotations():
    text = "\n".join(
        [
            "# L",
            "- Title One: A Study (OSDI'22) [link to paper](https://arxiv.org/abs/2201.00001)",
            "- [SOSP'23] [Title Two: Systems](https://dl.acm.org/doi/10.1145/1.2)",
            "- [NSDI'24] Title Three Without Link (`T3`)",
            "- [arxiv version](https://arxiv.org/abs/2201.00009)",
            "* Title Four ([ICML 2023](../notes/icml.md)) \\[[Paper](https://proceedings.mlr.press/v202/x23a.html)] \\[[Code](https://github.com/a/b)]",
            "  * Some Lab & Other Lab",
            "  * [slides](https://example.org/s.pdf)",
        ]
    )
    r = scan_text(text)
    titles = [e.title for e in r.entries]
    assert titles == ["Title One: A Study", "Title Two: Systems", "Title Three Without Link", "Title Four"]
    one, two, three, four = r.entries
    assert (one.venue, one.year, one.ids.arxiv) == ("OSDI", 2022, "2201.00001")
    assert (two.venue, two.year, two.ids.doi) == ("SOSP", 2023, "10.1145/1.2")
    assert three.ids.arxiv == "2201.00009"  # from the note bullet right after it
    assert (four.venue, four.year, four.ids.pmlr) == ("ICML", 2023, "v202/x23a")
    assert "https://example.org/s.pdf" in [link.url for link in four.links]
    assert four.end_line == 8


def test_not_papers():
    text = "\n".join(
        [
            "# List",
            "- [Intro](#intro)",
            "- [Papers](#papers)",
            "## Papers",
            "- Real Paper Title (NeurIPS'21) [pdf](https://arxiv.org/abs/2101.00001)",
            "## Acronyms",
            "- GPU: Graphics Processing Unit",
            "## Tools",
            "- [vLLM](https://github.com/vllm-project/vllm)",
            "- [A course on ML systems](https://www.youtube.com/watch?v=1)",
            "",
            "| Title | Link |",
            "|---|---|",
            "| Title1 | [paper](https://example.org) |",
        ]
    )
    r = scan_text(text)
    assert [e.title for e in r.entries] == ["Real Paper Title"]
    assert len(r.skipped) == 6
    assert all(s.reason for s in r.skipped)


def test_duplicates_by_title_and_by_id():
    text = "\n".join(
        [
            "- A Paper About Things (ICML'20) [pdf](https://arxiv.org/abs/2001.00001)",
            "- Another Title For It (arXiv'20) [pdf](https://arxiv.org/pdf/2001.00001v2.pdf)",
            "- A paper about things. (ICML 2020)",
            "- A Paper About Things, Not Really (ICML'20)",
        ]
    )
    r = scan_text(text)
    assert [e.duplicate_of for e in r.entries] == [None, 1, 1, None]


def test_reference_style_links_and_crlf():
    text = "# L\r\n\r\n- [Ref Paper Title][p] (ICLR 2021)\r\n\r\n[p]: https://openreview.net/forum?id=abcDEF123\r\n"
    r = scan_text(text)
    assert len(r.entries) == 1
    assert r.entries[0].ids.openreview == "abcDEF123"
    assert r.entries[0].line == 3


def test_large_input_is_chunked_without_losing_entries():
    lines = ["# Big", ""]
    for i in range(9000):
        if i % 1000 == 0:
            lines += [f"## Part {i}", ""]
        lines.append(f"- [OSDI'22] [Paper number {i} about scheduling](https://arxiv.org/abs/2201.{i:05d})")
    r = scan_text("\n".join(lines))
    assert len(r.entries) == 9000
    assert r.entries[-1].line == len(lines)
    assert r.entries[4321].section == ("Big", "Part 4000")


def test_chunks_never_cut_inside_a_fenced_block(monkeypatch):
    # CommonMark: "```python" does not close a fence, nor does a run shorter than the opening one,
    # nor one indented 4 spaces; a chunk cut at the "- [...]" lines after them would read code as entries.
    import paperenrich.scanner.parse as parse

    code = ["```python", "", "- [Not an entry, code: Scheduling Paper](https://arxiv.org/abs/2101.00002) (OSDI 2021)", ""]
    lines = ["# L", "", "- [A real paper about scheduling](https://arxiv.org/abs/2101.00001) (OSDI 2021)", "",
             "````", *code, "```", "", *code, "    ````", "", *code, "````", "",
             "```", *code, "```", "",
             "- [Another real paper about serving](https://arxiv.org/abs/2101.00003) (SOSP 2021)", ""]
    text = "\n".join(lines * 3)
    whole = scan_text(text)
    monkeypatch.setattr(parse, "CHUNK_LINES", 2)
    chunked = scan_text(text)
    assert [e.title for e in whole.entries] == ["A real paper about scheduling", "Another real paper about serving"] * 3
    assert [(e.line, e.title) for e in chunked.entries] == [(e.line, e.title) for e in whole.entries]


def test_a_backtick_line_with_backticks_after_it_opens_no_fence():
    from paperenrich.scanner.parse import _chunks
    import paperenrich.scanner.parse as parse

    # "```x``` is code" is an inline code span, not a fence: the chunks go on being cut after it.
    lines = ["```x``` is inline code", ""] + [f"- [Paper {i} about things](https://arxiv.org/abs/2101.{i:05d})" for i in range(20)]
    old, parse.CHUNK_LINES = parse.CHUNK_LINES, 5
    try:
        assert len(list(_chunks(lines))) > 1
    finally:
        parse.CHUNK_LINES = old


def test_to_dict_contract():
    r = scan_text("- T Title Here (SOSP'23) [link to paper](https://arxiv.org/abs/2309.06180)", source="x.md")
    d = r.to_dict()
    assert d["source"] == "x.md"
    e = d["entries"][0]
    for key in ("line", "end_line", "section", "title", "venue", "year", "links", "ids", "duplicate_of"):
        assert key in e
    assert e["links"] == [{"url": "https://arxiv.org/abs/2309.06180", "text": "link to paper"}]
    assert e["ids"] == {"arxiv": "2309.06180"}


_md_alphabet = st.sampled_from(list("-*+1.|[]()!<>`_#\\ \n\t'\"abcXYZ09:/@&") + ["http://", "](", "<br>", "<a href=\"", "</a>", "<details>", "```", "SOSP'23", "\n- ", "\n| a | b |\n|---|---|\n"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_md_alphabet, max_size=80).map("".join))
def test_property_no_exception_on_markdownish_text(text):
    r = scan_text(text)
    n_lines = text.count("\n") + 1 + text.count("\r")
    for e in r.entries:
        assert 1 <= e.line <= e.end_line <= n_lines + 1
        assert e.title


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_property_no_exception_on_arbitrary_text(text):
    scan_text(text)


def test_title_link_that_looks_like_a_venue_is_a_title():
    # "Cluster" is a venue (IEEE Cluster) and "1908" reads as a year, but nothing follows the link:
    # it is the title (the bench's generated list lost this row once).
    text = "\n".join([
        "| Year | Publisher | Title |",
        "|:-:|:-:|:--|",
        "| 2019 | MLSys | [Cluster1908: distributed scalable efficient cache](https://openreview.net/forum?id=133541626) |",
        "- [NSDI 2023](https://www.usenix.org/conference/nsdi23) Title After A Venue Link",
    ])
    r = scan_text(text)
    assert [(e.title, e.venue, e.year, e.line) for e in r.entries] == [
        ("Cluster1908: distributed scalable efficient cache", "MLSys", 2019, 3),
        ("Title After A Venue Link", "NSDI", 2023, 4),
    ]
    assert r.entries[0].ids.openreview == "133541626"


def test_link_targets_are_kept_as_written():
    text = "\n".join([
        "- Title One (OSDI'22) [pdf](https://openreview.net/forum?id%253DPgtn4l6eKjv) [home](https://exämple.org/ü?q=a%20b)",
        "- Title Two (SOSP'23) [paper][two] <https://x.org/a%41>",
        "",
        "[two]: https://x.org/p%20q.pdf",
    ])
    r = scan_text(text)
    one, two = r.entries
    assert [link.url for link in one.links] == ["https://openreview.net/forum?id%253DPgtn4l6eKjv",
                                                "https://exämple.org/ü?q=a%20b"]
    assert [link.url for link in two.links] == ["https://x.org/p%20q.pdf", "https://x.org/a%41"]


def test_unclosed_backtick_inside_brackets():
    # markdown-it.rs 0.6 panics on "[x `" when code spans are parsed: backticks are plain text here.
    text = "- [x ` Title Three (OSDI'22) [pdf](https://arxiv.org/abs/2201.00001)\n- [`"
    r = scan_text(text)
    assert r.entries[0].ids.arxiv == "2201.00001"
    assert r.entries[0].line == 1


def test_absurd_nesting_is_parsed_without_crashing():
    # The Rust parser recurses once per nesting level; deep lines are left out, deep inline
    # nesting gets a big enough stack. A crash here would kill the test process.
    deep_quote = "> " * 100_000 + "x"
    deep_list = "- " * 50_000 + "x"
    paper = "- Real Paper Title (OSDI'22) [pdf](https://arxiv.org/abs/2201.00001)"
    r = scan_text("\n".join([deep_quote, "", paper, "", deep_list]))
    assert [(e.title, e.line) for e in r.entries] == [("Real Paper Title", 3)]
    assert {s.line: s.reason for s in r.skipped}[1] == "nested too deeply to parse"
    emphasis = "*a " * 200_000 + "b*" * 200_000  # a 1 MB line of unclosed emphasis
    r = scan_text(paper + "\n\n" + emphasis + "\n")
    assert [e.line for e in r.entries] == [1]
    images = "![" * 100_000 + "a" + "](u)" * 100_000
    assert [e.line for e in scan_text(paper + "\n\n" + images).entries] == [1]


def test_long_heading_that_ends_on_a_kind_of_thing_is_not_a_paper_section():
    # A heading longer than three words names what its items are only when it ends on the kind
    # ("Selected Posts and Essays", mostafatouny line 397); "Image and Video Classification" is a topic.
    text = "\n".join(
        [
            "## Selected Posts and Essays",
            "- [Omer Reingold. TOC: a Personal Perspective](https://theorydish.blog/2021/04/15/toc/)",
            "## Image and Video Classification",
            "- [Rethinking the Trigger of Backdoor Attack](https://example.org/paper/rethinking)",
        ]
    )
    r = scan_text(text)
    assert [e.title for e in r.entries] == ["Rethinking the Trigger of Backdoor Attack"]
    assert any("Selected Posts and Essays" in s.reason for s in r.skipped)


def test_an_item_naming_two_papers_gives_two_entries():
    # keon's awesome-nlp lines 410 and 592 (verbatim): two arXiv papers joined by "and" are two
    # entries, each with its own link; a code link joined to a paper leaves one entry, the paper.
    text = "\n".join([
        "- [BPE](https://arxiv.org/abs/1508.07909) and [Unigram LM](https://arxiv.org/abs/1804.10959)"
        " - the two dominant subword schemes.",
        "- [BGE](https://github.com/FlagOpen/FlagEmbedding) and [BGE-M3](https://arxiv.org/abs/2402.03216) (2024)"
        " - multilingual, multi-functionality embeddings; top of MTEB across languages.",
    ])
    r = scan_text(text)
    got = [(e.line, e.title, e.ids.arxiv, e.year) for e in r.entries]
    assert got == [(1, "BPE", "1508.07909", None), (1, "Unigram LM", "1804.10959", None),
                   (2, "BGE-M3", "2402.03216", 2024)]
    assert [link.url for link in r.entries[0].links] == ["https://arxiv.org/abs/1508.07909"]
    assert "https://github.com/FlagOpen/FlagEmbedding" in [link.url for link in r.entries[2].links]


def test_a_named_release_linked_to_its_code_or_site_is_not_a_paper():
    # keon's awesome-nlp lines 633, 1049, 722 (a model, a corpus, a benchmark site, dated by a
    # release year or an organisation); a publication venue keeps a paper linked to its code
    # (transferlearning line 1819).
    text = "\n".join([
        "- [Dolma](https://github.com/allenai/dolma) (AI2, 2023-2024) - 3T-token open pretraining corpus with"
        " documented filtering pipeline.",
        "- [OpenHathi](https://huggingface.co/sarvamai/OpenHathi-7B-Hi-v0.1-Base) (Sarvam AI, 2023) - bilingual"
        " Hindi-English LLaMA continuation.",
        "- [Jamba](https://arxiv.org/abs/2403.19887) (2024) - hybrid Mamba-Transformer-MoE architecture.",
        "- 20180428 CVPR-18 相互协同学习：[Deep Mutual Learning](https://github.com/YingZhangDUT/Deep-Mutual-Learning)",
    ])
    r = scan_text(text)
    assert [(e.line, e.title, e.venue, e.year) for e in r.entries] == [
        (3, "Jamba", None, 2024), (4, "Deep Mutual Learning", "CVPR", 2018)]
    assert {s.line for s in r.skipped if s.reason.startswith("a release")} == {1, 2}


def test_papers_in_the_sub_items_of_a_category_item():
    # transferlearning lines 71-75 (a category with several papers under it: each is an entry, the
    # title link a shared file) and 794-797 (a name with one paper under it: the item is that paper).
    text = "\n".join([
        "- Survey on applications - 应用导向的综述：",
        "\t- 视觉domain adaptation综述：[Visual Domain Adaptation: A Survey of Recent Advances](https://pan.baidu.com/s/1o8BR7Vc)",
        "\t- 迁移学习应用于行为识别综述：[Transfer Learning for Activity Recognition: A Survey](https://pan.baidu.com/s/1kVABOYr)",
        "",
        "- 迁移成分分析方法(Transfer component analysis, TCA)",
        "\t- [Domain adaptation via tranfer component analysis](https://mega.nz/#!JTwElLrL!j5-TanhHCMESsGBNvY6I_hX6uspsrTxyopw8bPQ2azU)",
        "\t- 发表在IEEE Trans. Neural Network期刊上（现改名为IEEE trans. Neural Network and Learning System），前作会议文章发在AAAI-09上",
        "\t- [我的解读](https://zhuanlan.zhihu.com/p/26764147?group_id=844611188275965952)",
    ])
    r = scan_text(text)
    assert [(e.line, e.end_line, e.title) for e in r.entries] == [
        (2, 2, "Visual Domain Adaptation: A Survey of Recent Advances"),
        (3, 3, "Transfer Learning for Activity Recognition: A Survey"),
        (5, 8, "Domain adaptation via tranfer component analysis"),
    ]
    assert [link.url for link in r.entries[2].links] == [
        "https://mega.nz/#!JTwElLrL!j5-TanhHCMESsGBNvY6I_hX6uspsrTxyopw8bPQ2azU",
        "https://zhuanlan.zhihu.com/p/26764147?group_id=844611188275965952"]
    assert {s.line: s.reason for s in r.skipped}[1].startswith("no link, venue or year")


def test_books_talks_and_dated_reading_sections_are_not_papers():
    # mostafatouny's theoretical-CS list (lines 121, 267, 173-174, 324-325, 360-365, verbatim but
    # for long descriptions cut): a book link, a talk's slides, a course under "### Books" and
    # notes under "#### Lecture Notes" dated by their edition; the papers under "## Papers" stay,
    # their link text without the authors' names (a JSTOR stable URL is an article).
    text = "\n".join([
        "### Puzzles and Problem Sets",
        "- [Zhu & Ko. Problem Solving in Automata, Languages, and Complexity](https://onlinelibrary.wiley.com/doi/book/"
        "10.1002/0471224642) - A problem-set text for automata, languages, and complexity.",
        "## Other",
        "- [Blum. Intro Machine Learning Theory](https://www.cs.cmu.edu/~avrim/Talks/mlt.pdf).",
        "### Books",
        "- Structure and Interpretation of Computer Programs - [MIT OCW](https://ocw.mit.edu/courses/"
        "6-001-structure-and-interpretation-of-computer-programs-spring-2005/pages/syllabus/)",
        "#### Lecture Notes",
        "- [Aspnes. Notes on Discrete Mathematics](https://www.cs.yale.edu/homes/aspnes/classes/202/notes.pdf) - Fall 2017"
        " of the Yale course CPSC 202a, Mathematical Tools for Computer Science.",
        "## Papers",
        "- [Aharonov & Vazirani, Is Quantum Mechanics Falsifiable? A Computational Perspective on the Foundations of"
        " Quantum Mechanics](https://www.researchgate.net/publication/227171743_Is_Quantum_Mechanics_Falsifiable)",
        "- [Philip Davis. Toward a Philosophy of Computation](https://www.jstor.org/stable/40247755) - Philosophical"
        " implication of mathematization and computerization of the world.",
    ])
    r = scan_text(text)
    assert [(e.line, e.title) for e in r.entries] == [
        (10, "Is Quantum Mechanics Falsifiable? A Computational Perspective on the Foundations of Quantum Mechanics"),
        (11, "Toward a Philosophy of Computation")]
    reasons = {s.line: s.reason for s in r.skipped}
    assert reasons[2] == "a book"
    assert reasons[4].startswith("course, video")
    assert reasons[6] == "not a paper section (Books)" and reasons[8] == "not a paper section (Lecture Notes)"


def test_under_a_papers_heading_a_linked_title_on_a_web_page_is_a_paper():
    # mostafatouny lines 364, 367-368, 370-371 (descriptions cut): under "# Surveys & Monographs" a
    # survey on its author's web page is a paper; an encyclopedia's entry, a book by its ISBN path
    # and a book by its "/book/" path are not; a site under a topic heading is still a site.
    text = "\n".join([
        "## Papers",
        "- [Stanford Encyclopedia of Philosophy. Computational Complexity Theory](https://plato.stanford.edu/entries/"
        "computational-complexity/) - The foundations of complexity theory.",
        "# Surveys & Monographs",
        "- [Sommaruga & Strahm. Turing\u2019s Revolution: The Impact of His Ideas about Computability]"
        "(https://link.springer.com/book/10.1007/978-3-319-22156-4) - A collection of papers.",
        "- [Harry Lewis. Ideas That Created the Future: Classic Papers of Computer Science ](https://mitpress.mit.edu/"
        "9780262045308/ideas-that-created-the-future/) - Classic papers by thinkers.",
        "- [Goldreich. Providing Sound Foundations for Cryptography: On the Work of Shafi Goldwasser and Silvio Micali]"
        "(http://www.wisdom.weizmann.ac.il/~oded/sst.html) - It explains the remarkable work of Shafi and Silvio.",
        "## Machine Learning",
        "- [Simons Institute. Foundations of Deep Learning Program](https://simons.berkeley.edu/programs/dl2019)",
    ])
    r = scan_text(text)
    assert [(e.line, e.title) for e in r.entries] == [
        (6, "Providing Sound Foundations for Cryptography: On the Work of Shafi Goldwasser and Silvio Micali")]
    reasons = {s.line: s.reason for s in r.skipped}
    assert reasons[2].startswith("course, video") and reasons[4] == reasons[5] == "a book"
    assert reasons[8] == "link to a web site, not to a paper"


def test_headings_that_only_mention_papers_keep_their_web_pages_out():
    # Headings that hold posts, tools, calls and other lists, not papers (a review's cases): their
    # undated titled links to web pages stay "a web site"; a "## Survey" heading's survey is a paper
    # (transferlearning line 53).
    text = "\n".join([
        "## Articles",
        "- [How Discord Stores Billions of Messages Today](https://discord.com/engineering/how-discord-stores)",
        "## Paper Writing Tools",
        "- [Zotero Reference Manager For Researchers](https://www.zotero.org/)",
        "## Call for Papers",
        "- [Workshop on Machine Learning Systems 2025](https://mlsys-workshop.org/)",
        "## Other Paper Lists",
        "- [Papers With Code State of the Art](https://paperswithcode.com/sota)",
        "## Survey",
        "- 2021 Vision-based activity recognition: [A Survey of Vision-Based Transfer Learning in Human Activity "
        "Recognition](https://www.mdpi.com/2079-9292/10/19/2412)",
    ])
    r = scan_text(text)
    assert [(e.line, e.title) for e in r.entries] == [
        (10, "A Survey of Vision-Based Transfer Learning in Human Activity Recognition")]
    assert {s.line: s.reason for s in r.skipped} == {line: "link to a web site, not to a paper" for line in (2, 4, 6, 8)}


def test_a_dated_paper_under_a_tools_heading_stays_a_paper():
    # lonng's db-papers line 133: "Optimizer Framework" is the papers' topic, not what they are
    text = "\n".join([
        "### Optimizer Framework",
        "- [The Cascades Framework For Query Optimization](papers/optimizer-framework/"
        "the-cascades-framework-for-query-optimization.pdf) (1995) - Graefe, Goetz.",
    ])
    assert [(e.title, e.year) for e in scan_text(text).entries] == [("The Cascades Framework For Query Optimization", 1995)]


def test_slides_and_handbooks_dated_by_an_organisation_are_not_papers():
    # wzhe06's Reco-papers lines 59, 82, 94, 57 (PDF links shortened): the curator's "[tag]" and
    # "(Org Year)" date every item; a tag or a title that names slides or a handbook is not a
    # paper, and a topic tag ("[Recsys Intro]") is not a venue.
    pdf = "https://github.com/wzhe06/Reco-papers/blob/master/Classic%20Recommender%20System/x.pdf"
    text = "\n".join([
        f"* [[Recsys Intro] Recommender Systems Handbook (FRicci 2011)]({pdf}) <br />",
        f"* [[Baidu slides] DNN in Baidu Ads (Baidu 2017)]({pdf}) <br />",
        f"* [[TS Intro] Thompson Sampling Slides (Berkeley 2010)]({pdf}) <br />",
        f"* [[MF] Matrix Factorization Techniques for Recommender Systems (Yahoo 2009)]({pdf}) <br />",
    ])
    r = scan_text(text)
    assert [(e.line, e.title, e.year) for e in r.entries] == [
        (4, "Matrix Factorization Techniques for Recommender Systems", 2009)]
    assert {s.line for s in r.skipped if s.reason.startswith("course, video")} == {1, 2, 3}


def test_blog_posts_and_talks_with_a_paper_link():
    # eugeneyan's applied-ml lines 134, 157, 241, 367, 657 (verbatim): a blog post's or talk's title
    # with a "([Paper](url))" link is an entry for that paper; a blog post, a press page or a news
    # article without one is not, even when it links arXiv papers as "(Part 1)"; a journal's
    # /articles/ path with an identifier is a paper (yangkky line 1011).
    text = "\n".join([
        "11. [Using ML to Subtype Patients Receiving Digital Mental Health Interventions](https://www.microsoft.com/"
        "en-us/research/blog/a-path-to-personalization-using-ml-to-subtype-patients-receiving-digital-mental-health-"
        "interventions/) ([Paper](https://jamanetwork.com/journals/jamanetworkopen/fullarticle/2768347)) `Microsoft` `2020`",
        "7. [Automatic Forecasting using Prophet, Databricks, Delta Lake and MLflow](https://www.youtube.com/watch?v="
        "TkcpjnLh690) ([Paper](https://peerj.com/preprints/3190.pdf), [Code](https://github.com/facebook/prophet)) "
        "`Atlassian` `2020`",
        "70. [How We Built: An Early-Stage Machine Learning Model for Recommendations](https://www.onepeloton.com/press/"
        "articles/how-we-built-machine-learning) `Peloton` `2022`",
        "28. [Textless NLP: Generating expressive speech from raw audio](https://ai.facebook.com/blog/textless-nlp-"
        "generating-expressive-speech-from-raw-audio/) [(Part 1)](https://arxiv.org/abs/2102.01192) [(Part 2)]"
        "(https://arxiv.org/abs/2104.00355) `Facebook` `2021`",
        "5. [A British AI Tool to Predict Violent Crime Is Too Flawed to Use](https://www.wired.co.uk/article/police-"
        "violence-prediction-ndas) `United Kingdom` `2020`",
        "6. [Leveraging implicit knowledge in neural networks for functional dissection and engineering of proteins]"
        "(https://www.nature.com/articles/s42256-019-0049-9)",
    ])
    r = scan_text(text)
    assert [e.line for e in r.entries] == [1, 2, 6]
    assert r.entries[0].title == "Using ML to Subtype Patients Receiving Digital Mental Health Interventions"
    reasons = {s.line: s.reason for s in r.skipped}
    assert reasons[3] == reasons[4] == "blog post or press page"
    assert reasons[5] == "link to a web site, not to a paper"


def test_paper_links_beside_resource_labels_and_venue_prefixes():
    # keon's awesome-nlp lines 390, 156, 102, 677, 747 (verbatim) and transferlearning line 582: a
    # paper's PDF keeps the title over "[explainer blog]"; "[arXiv: Title](pdf)" is a paper, not a
    # note; paperswithcode.com is not a /paper path; named releases with versions are not papers;
    # an ACM citation page is a paper's page.
    text = "\n".join([
        "- [word2vec](https://papers.nips.cc/paper/5021-distributed-representations-of-words-and-phrases-and-their-"
        "compositionality.pdf) - [implementation](https://code.google.com/archive/p/word2vec/) - [explainer blog]"
        "(http://colah.github.io/posts/2014-07-NLP-RNNs-Representations/)",
        "* [arXiv: Natural Language Processing (Almost) from Scratch](https://arxiv.org/pdf/1103.0398.pdf)",
        "* [Papers With Code: NLP](https://paperswithcode.com/area/natural-language-processing) - papers, benchmarks,"
        " and leaderboards for NLP tasks.",
        "- [Qwen 2.5 / Qwen 3](https://qwenlm.github.io/) (Alibaba, 2024-2025) - strong multilingual coverage,"
        " especially Chinese; often top open model on multilingual benchmarks.",
        "- [OpenAI o1 / o3](https://openai.com/index/learning-to-reason-with-llms/) (2024-2025) - test-time-compute"
        " reasoning systems.",
        "- 传递迁移学习的第一篇文章，来自杨强团队，发表在KDD-15上：[Transitive Transfer Learning]"
        "(http://dl.acm.org/citation.cfm?id=2783295)",
    ])
    r = scan_text(text)
    assert [(e.line, e.title) for e in r.entries] == [
        (1, "word2vec"), (2, "arXiv: Natural Language Processing (Almost) from Scratch"),
        (6, "Transitive Transfer Learning")]
    reasons = {s.line: s.reason for s in r.skipped}
    assert reasons[3] == "link to a web site, not to a paper"
    assert reasons[4].startswith("a release") and reasons[5].startswith("a release")


def test_titles_after_symbols_and_before_venue_phrases():
    # BradyFU line 11-12 (a bold title after an emoji, its venue on the next line), zjunlp line 109
    # (", EMNLP 2023 Main Conference Paper" after the title), hzysvilla line 50 (broken link syntax)
    text = "\n".join([
        "- 🌟 **MME-Survey: A Comprehensive Survey on Evaluation of Multimodal LLMs**  ",
        "arXiv 2025, [Paper](https://arxiv.org/pdf/2411.15296.pdf), [Project](https://github.com/BradyFU/"
        "Awesome-Multimodal-Large-Language-Models/tree/Benchmarks)",
        "",
        "- **Editing Large Language Models: Problems, Methods, and Opportunities, EMNLP 2023 Main Conference Paper**"
        " [[paper](https://arxiv.org/abs/2305.13172)]",
        "* [security] [A Liveness Attack to Ethereum PoS with No Additional Cost().",
    ])
    got = [(e.line, e.title, e.venue, e.year) for e in scan_text("## 2025\n" + text).entries]
    assert got == [
        (2, "MME-Survey: A Comprehensive Survey on Evaluation of Multimodal LLMs", "arXiv", 2025),
        (5, "Editing Large Language Models: Problems, Methods, and Opportunities", "EMNLP", 2023),
        (6, "A Liveness Attack to Ethereum PoS with No Additional Cost", None, 2025),
    ]


def test_a_title_under_a_paper_header_with_a_broken_link_is_a_paper():
    # ASAudio lines 170-190, 194-198 and 208-212 (verbatim; the colgroup and the rows between left out): the
    # "Paper" column names what its cells are, so a row whose link is a broken relative href, or a
    # journal's page with no paper path, is still a paper.
    rows = [
        '<table style="width: 100%; table-layout: fixed;">',
        "    <thead>",
        "        <tr>",
        "            <th> Paper </th>",
        "            <th> URL </th>",
        "            <th> Code/Dataset </th>",
        "        </tr>",
        "    </thead>",
        "    <tbody>",
        "        <tr>",
        '            <td style="overflow-wrap: break-word; hyphens: auto;" lang="en">HRTF personalization based on ear'
        " morphology</td>",
        '            <td><a href="https://research.facebook.com/publications/hrtf-personalization-based-on-ear-morphology/">'
        "<center>Link</center></a></td>",
        '            <td style="text-align: center;">-</td>',
        "        </tr>",
        "        <tr>",
        '            <td style="overflow-wrap: break-word; hyphens: auto;" lang="en">Modeling individual head-related'
        " transfer functions from sparse measurements using a convolutional neural network</td>",
        '            <td><a href="8/2873496/Modeling-individual-head-related-transfer?redirectedFrom=fulltext"><center>'
        "Link</center></a></td>",
        '           <td style="text-align: center;">-</td> ',
        "        </tr>",
        "        <tr>",
        '            <td style="overflow-wrap: break-word; hyphens: auto;" lang="en">Magnitude modeling of personalized'
        " HRTF based on ear images and anthropometric measurements</td>",
        '            <td><a href="https://www.mdpi.com/2076-3417/12/16/8155"><center>Link</center></a></td>',
        '            <td style="text-align: center;">-</td>',
        "        </tr>",
        "    </tbody>",
        "</table>",
    ]
    r = scan_text("\n".join(rows))
    assert [(e.line, e.title) for e in r.entries] == [
        (10, "HRTF personalization based on ear morphology"),
        (15, "Modeling individual head-related transfer functions from sparse measurements using a convolutional neural network"),
        (20, "Magnitude modeling of personalized HRTF based on ear images and anthropometric measurements")]
    assert [link.url for link in r.entries[1].links] == [
        "8/2873496/Modeling-individual-head-related-transfer?redirectedFrom=fulltext"]


def test_a_list_items_fence_ended_by_the_item_does_not_turn_a_later_fence_inside_out(monkeypatch):
    # (a review's case) "  ```" under a list item is the item's fence, which the next line at column 0
    # ends (CommonMark); read as a top-level fence, the later "```" would close it, and the code
    # after it would be cut into chunks of its own and read as entries.
    import paperenrich.scanner.parse as parse

    code = ["", "- [Not an entry, code: Scheduling Paper](https://arxiv.org/abs/2101.00002) (OSDI 2021)", ""]
    lines = ["# L", "", "- [A real paper about scheduling](https://arxiv.org/abs/2101.00001) (OSDI 2021)",
             "  ```", "  pip install x", "", "Some text at column 0.", "",
             "```", *code, *code, "```", "",
             "- [Another real paper about serving](https://arxiv.org/abs/2101.00003) (SOSP 2021)", ""]
    text = "\n".join(lines * 3)
    whole = scan_text(text)
    monkeypatch.setattr(parse, "CHUNK_LINES", 2)
    assert [e.title for e in whole.entries] == ["A real paper about scheduling", "Another real paper about serving"] * 3
    assert [(e.line, e.title) for e in scan_text(text).entries] == [(e.line, e.title) for e in whole.entries]
