"""Title matching: one title written two ways matches; a generic rest, a substituted word or a weak
listed title never produces a wrong match (issue 13's misses and traps)."""

from __future__ import annotations

import pytest

from paperenrich.model import Entry, Ids, Link
from paperenrich.title_match import is_weak_title, match_similarity, variants
from paperenrich.verify import TITLE_MIN, choose, from_arxiv, from_s2, verify_id


def entry(title, year=None, venue=None, ids=Ids()):
    return Entry(line=1, end_line=1, section=(), title=title, year=year, venue=venue, ids=ids)


def s2rec(pid, title, year=None, venue="", arxiv=None):
    return {"paperId": pid, "title": title, "year": year, "venue": venue,
            "externalIds": {"ArXiv": arxiv} if arxiv else {}, "citationCount": 1}


def axrec(aid, title, published="2025-08-01"):
    return {"arxiv": aid, "title": title, "authors": ["A. Author"], "published": published}


# The six seed entries the live services know under another spelling (list title, record title).
SPELLINGS = [
    ("Blink: Fast and Generic Collectives for Distributed ML", "Blink: Fast & Generic Collectives for Distributed ML"),
    ("Chimera: Collaborative Preemption for Multitasking on a Shared GPU", "Chimera: Collaborative Preemption for Multitasking on a Shared GPU."),
    ("JABAS: Joint Adaptive Batching and Automatic Scaling for DNN Training on Heterogeneous GPUs (to appear)",
     "JABAS: Joint Adaptive Batching and Automatic Scaling for DNN Training on Heterogeneous GPUs"),
    ("GPT: Improving Language Understanding by Generative Pre-Training", "Improving Language Understanding by Generative Pretraining"),
    ("Improving Language Understanding by Generative Pretraining", "Improving Language Understanding by Generative Pre-Training"),
    ("Optimus-CC: Efficient Large NLP Model Training with 3D Parallelism Aware Communication Compression",
     "Optimus-CC: Efficient Large NLP Model Training with 3D Parallelism Aware Communication Compression（ASPLOS'23)"),
]


@pytest.mark.parametrize("listed, record", SPELLINGS)
def test_one_title_written_two_ways_is_a_match(listed, record):
    assert match_similarity(listed, record) >= TITLE_MIN
    assert match_similarity(record, listed) >= TITLE_MIN
    choice = choose(entry(listed), [from_s2(s2rec("p", record, 2023))])
    assert choice.paper is not None and choice.paper[0].s2_id == "p"


def test_variants_drop_tags_and_venue_annotations_only_at_their_place():
    assert "Strata" in variants("Strata (to appear)")
    assert "Training at Scale" in variants("Training at Scale [OSDI 2022]")
    # A year inside a title is part of it.
    assert all("2022" in v for v in variants("The 2022 Census of Transformers"))


def test_one_substituted_word_in_a_long_title_is_another_paper():
    listed = "Hyperscale FPGA-as-a-Service Architecture for Large-Scale Distributed Graph Neural Network"
    record = "Hyperscale FPGA-as-a-Service Architecture for Small-Scale Distributed Graph Neural Network"
    assert match_similarity(listed, record) < TITLE_MIN
    assert choose(entry(listed, 2022, "ISCA"), [from_s2(s2rec("s", record, 2022, "ISCA"))]).paper is None
    # Spelling variants of one word are not substitutions.
    assert match_similarity("Optimisation of Deep Neural Networks for Mobile Inference at the Edge",
                            "Optimization of Deep Neural Networks for Mobile Inference at the Edge") >= TITLE_MIN
    assert match_similarity("Scaling Laws for Neural Language Model", "Scaling Laws for Neural Language Models") >= TITLE_MIN


def test_a_generic_rest_alone_is_not_enough():
    record = from_s2(s2rec("g", "An Incremental Improvement", 2005, "Journal of Applied Statistics"))
    assert choose(entry("YOLOv3: An Incremental Improvement", 2018), [record]).paper is None
    assert choose(entry("YOLOv3: An Incremental Improvement"), [record]).paper is None
    # The nickname on both sides agrees: a match.
    real = from_s2(s2rec("y", "YOLOv3: An Incremental Improvement", 2018))
    assert choose(entry("YOLOv3: An Incremental Improvement", 2018), [record, real]).paper[0].s2_id == "y"
    # The list's year and venue both agree with the rest-only record: enough.
    survey = from_s2(s2rec("s", "A Survey of Large Language Models", 2023, "ACM Computing Surveys"))
    assert choose(entry("LLMSurvey: A Survey of Large Language Models", 2023), [survey]).paper is not None  # a long rest
    short = from_s2(s2rec("t", "An Incremental Improvement", 2018, "Computer Vision and Pattern Recognition"))
    assert choose(entry("YOLOv3: An Incremental Improvement", 2018, "CVPR"), [short]).paper is not None
    assert choose(entry("YOLOv3: An Incremental Improvement", 2018, "ICCV"), [short]).paper is None


@pytest.mark.parametrize("listed", ["Strata", "Star", "paper", "[PDF]", "arXiv", ""])
def test_a_weak_listed_title_does_not_outvote_the_linked_id(listed):
    record = from_arxiv(axrec("2508.99301", "Strata: Hierarchical Context Caching for Long-Context LLM Serving"))
    verdict = verify_id(entry(listed), record, "arXiv id 2508.99301")
    assert verdict.accepted, verdict.reasons


def test_a_strong_listed_title_still_catches_a_link_to_another_paper():
    record = from_arxiv(axrec("2508.99301", "Strata: Hierarchical Context Caching for Long-Context LLM Serving"))
    verdict = verify_id(entry("Attention Is All You Need"), record, "arXiv id 2508.99301")
    assert not verdict.accepted and "another paper" in verdict.reasons[0]
    assert not is_weak_title("Deep Residual Learning for Image Recognition", record.titles)


def test_a_weak_title_that_labels_another_link_speaks_against_the_id():
    # keon__awesome-nlp.md:410 "- [BPE](https://arxiv.org/abs/1508.07909) and [Unigram LM](https://arxiv.org/abs/1804.10959)"
    # made one entry: the second link's label as its title, the first link's id.
    links = (Link("https://arxiv.org/abs/1508.07909", "BPE"), Link("https://arxiv.org/abs/1804.10959v2", "Unigram LM"))
    record = from_arxiv(axrec("1508.07909", "Neural Machine Translation of Rare Words with Subword Units"))
    mixed = Entry(line=1, end_line=1, section=(), title="Unigram LM", links=links, ids=Ids(arxiv="1508.07909"))
    verdict = verify_id(mixed, record, "arXiv id 1508.07909")
    assert not verdict.accepted and "text of a link to arXiv 1804.10959" in verdict.reasons[0]
    # The label of the id's own link, or a label no link carries, still lets the id decide.
    for title, own in (("BPE", links), ("Unigram LM", links[:1])):
        one = Entry(line=1, end_line=1, section=(), title=title, links=own, ids=Ids(arxiv="1508.07909"))
        assert verify_id(one, record, "arXiv id 1508.07909").accepted
    # An old-style id written with its subject class is the record's own id, not another paper's.
    old = from_arxiv(axrec("math/0309136", "Some Theorem on Knots"))
    named = Entry(line=1, end_line=1, section=(), title="Knots", links=(Link("https://arxiv.org/abs/math.GT/0309136", "Knots"),),
                  ids=Ids(arxiv="math.GT/0309136"))
    assert verify_id(named, old, "arXiv id math/0309136").accepted


STRATA_LIST = """# Serving
- [Strata](https://arxiv.org/abs/2508.99301) (arXiv'25)
- [Star](https://arxiv.org/abs/2508.99301) [![Star](https://img.shields.io/github/stars/x/y)](https://github.com/x/y)
- YOLOv3: An Incremental Improvement (arXiv'18)
- Hyperscale FPGA-as-a-Service Architecture for Large-Scale Distributed Graph Neural Network (ISCA'22)
- Attention Is All You Need [pdf](https://arxiv.org/abs/2508.99301)
"""


def test_traps_in_the_world_end_with_no_wrong_match(scholar_world, scholar_settings):
    from paperenrich.resolve import enrich_list

    result = enrich_list(STRATA_LIST, scholar_settings, show_progress=False)
    strata, star, yolo, hyperscale, attention = result.resolutions
    assert strata.paper is not None and strata.paper.arxiv == "2508.99301" and strata.paper.match.method == "id"
    assert star.paper is not None and star.paper.arxiv == "2508.99301"
    # Absent from the world: only the traps resemble them.
    assert yolo.paper is None and hyperscale.paper is None
    # A strong title linked to another paper: the link is refused, the title finds the real paper.
    assert attention.paper is not None and attention.paper.arxiv == "1706.03762" and attention.paper.match.method == "title"


def test_distinctive_words_leave_out_what_another_spelling_may_change():
    from paperenrich.sources.s2 import word_groups, words_query
    from paperenrich.title_match import distinctive_words

    # Stopwords and `&`, the parts of a hyphenated compound, tags and a trailing venue note go.
    assert distinctive_words("Blink: Fast & Generic Collectives for Distributed ML (to appear)") == [
        "blink", "fast", "generic", "collectives", "distributed", "ml"]
    assert distinctive_words("Generative Pre-Training of Large-Scale Models（ASPLOS'23)") == ["generative", "models"]
    # Two halves: a word the record writes otherwise breaks one of them only.
    assert word_groups("Modeling and Optimizing Training of Largescale Dynamic Pretrained Models") == [
        ["modeling", "optimizing", "training"], ["largescale", "dynamic", "pretrained", "models"]]
    # Fewer than 6 distinctive words: halves of 2 would hold too many papers.
    assert word_groups("Improving Language Understanding by Generative Pretraining") == []
    assert word_groups("Deep learning") == [] and word_groups("A Survey of Graph Models") == []
    assert words_query([["improving", "language"], ["gpus", "ml"]]) == "(improving* language*) | (gpus* ml)"


def test_a_description_naming_the_records_author_keeps_the_linked_id():
    # keon__awesome-nlp.md:416 "[Byte-Pair Encoding (Sennrich et al.)](https://arxiv.org/abs/1508.07909)"
    record = from_arxiv({**axrec("1508.07909", "Neural Machine Translation of Rare Words with Subword Units"),
                         "authors": ["Rico Sennrich", "Barry Haddow", "Alexandra Birch"]})
    for listed in ("Byte-Pair Encoding (Sennrich et al.)", "Byte-Pair Encoding (Birch)", "Sennrich et al. on Byte-Pair Encoding"):
        verdict = verify_id(entry(listed), record, "arXiv id 1508.07909")
        assert verdict.accepted and any("author" in r for r in verdict.reasons), listed
    # Another name, an acronym, or no name at all: the description says another paper.
    for listed in ("Byte-Pair Encoding (Kudo et al.)", "Locating and Editing Factual Associations in GPT (ROME)", "Byte-Pair Encoding"):
        assert not verify_id(entry(listed), record, "arXiv id 1508.07909").accepted, listed


def test_a_title_holds_a_word_group_as_the_words_query_matches_it():
    from paperenrich.sources.s2 import holds_a_group

    groups = [["improving", "language"], ["understanding", "generative", "pretraining"]]
    assert holds_a_group("improving language understanding by generative pre training".split(), groups)
    assert holds_a_group("improved languages".split(), groups) is False  # "improving*" is not "improved"
    assert holds_a_group("generative pretrainings understanding".split(), groups)  # a prefix: plural too
    assert not holds_a_group("improving vision understanding".split(), groups)
    assert holds_a_group("ml for gpus".split(), [["gpus", "ml"]]) and not holds_a_group("mlp for gpus".split(), [["gpus", "ml"]])
