import pytest
from hypothesis import given, settings, strategies as st

from paperenrich.titles import normalize_title, title_similarity
from paperenrich.venues import normalize_venue, parse_venue_year


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("FlashAttention: Fast and Memory-Eﬃcient Exact Attention", "flashattention fast and memory efficient exact attention"),
        ("PanGu-$\\Sigma$: Towards Trillion Parameter", "pangu sigma towards trillion parameter"),
        ("PanGu-Σ: Towards Trillion Parameter", "pangu sigma towards trillion parameter"),
        ("Alpa: Automating Inter- and {Intra-Operator} Parallelism", "alpa automating inter and intra operator parallelism"),
        ("[**Deja Vu**](https://x.org): Contextual *Sparsity*", "deja vu contextual sparsity"),
        ("Optimus-CC: Compression（ASPLOS'23)", "optimus cc compression asplos 23"),
        ("Café <b>Résumé</b>", "cafe resume"),
        ("", ""),
    ],
)
def test_normalize_title(raw, expected):
    assert normalize_title(raw) == expected


def test_negation_keeps_titles_apart():
    assert title_similarity("Attention Is Not All You Need", "Attention Is All You Need") <= 0.5
    assert title_similarity("Attention Is All You Need", "Attention is all you need.") == 1.0


def test_numbers_keep_titles_apart():
    assert title_similarity("GPT-2 Language Models", "GPT-3 Language Models") <= 0.5


def test_same_paper_written_differently_scores_high():
    a = "ZeRO: memory optimizations toward training trillion parameter models."
    b = "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models"
    assert title_similarity(a, b) == 1.0
    # a nickname prefix as seed 001 writes it
    assert title_similarity("GPT3: Language Models are Few-Shot Learners", "Language Models are Few-Shot Learners") >= 0.9


def test_different_papers_score_low():
    assert title_similarity("Llama 2: Open Foundation and Fine-Tuned Chat Models",
                            "LLaMA: Open and Efficient Foundation Language Models") < 0.8
    assert title_similarity("", "x") == 0.0


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_property_similarity_is_bounded_and_symmetric_on_equal(a, b):
    s = title_similarity(a, b)
    assert 0.0 <= s <= 1.0
    if normalize_title(a):
        assert title_similarity(a, a) == 1.0


@pytest.mark.parametrize(
    "raw,venue,year",
    [
        ("SOSP'23", "SOSP", 2023),
        ("ICML 2023", "ICML", 2023),
        ("arXiv 2305.05920", "arXiv", 2023),
        ("NeurIPS'22 Workshop WBRC", "NeurIPS Workshop", 2022),
        ("arxiv'25", "arXiv", 2025),
        ("NSDI'25 (to appear)", "NSDI", 2025),
        ("PML4LRS @ ICLR2024", "ICLR Workshop", 2024),
        ("arxiv, 2022", "arXiv", 2022),
        ("ACM CSUR'19", "CSUR", 2019),
        ("USENIX ATC'23", "ATC", 2023),
        ("KDD'20 Tutorial", "KDD Tutorial", 2020),
        ("HotInfra'24", "HotInfra", 2024),
        ("preprint'23", None, 2023),
        ("*Under Review*", None, None),
        ("Survey :mag:", None, None),
        ("link to paper", None, None),
        ("ICLR'98", "ICLR", 1998),
    ],
)
def test_parse_venue_year(raw, venue, year):
    assert parse_venue_year(raw) == (venue, year)


@pytest.mark.parametrize(
    "raw,short",
    [
        ("NIPS", "NeurIPS"),
        ("NeuraIPS", "NeurIPS"),
        ("Advances in Neural Information Processing Systems", "NeurIPS"),
        ("Proceedings of the 29th Symposium on Operating Systems Principles", "SOSP"),
        ("16th USENIX Symposium on Operating Systems Design and Implementation (OSDI 22)", "OSDI"),
        ("USENIX Annual Technical Conference", "ATC"),
        ("International Conference on Machine Learning", "ICML"),
        ("SC20: International Conference for High Performance Computing, Networking, Storage and Analysis", "SC"),
        ("Proc. VLDB Endow.", "VLDB"),
        ("ArXiv", "arXiv"),
        ("J. Mach. Learn. Res.", "JMLR"),
        ("Some Unknown Venue Of Things", None),
    ],
)
def test_normalize_venue(raw, short):
    assert normalize_venue(raw) == short


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_venue_parsing_never_raises(text):
    venue, year = parse_venue_year(text)
    assert year is None or 1900 <= year <= 2099
    normalize_venue(text)
