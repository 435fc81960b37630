"""Titles, venues and years of the entry forms issue 9 lists (the expected values are read off each
input line): the title candidate scorer must pick the paper's title, not a name, badge or author list."""

from paperenrich.scanner import scan_text


def _one(line: str):
    [entry] = scan_text("# Papers\n\n" + line + "\n").entries
    return entry.title, entry.venue, entry.year


def test_name_link_joined_with_the_rest_of_the_title():
    assert _one("- [Perseus](https://arxiv.org/abs/2312.06902): Removing Energy Bloat from Large Model Training | SOSP' 24") == (
        "Perseus: Removing Energy Bloat from Large Model Training", "SOSP", 2024)
    # an affiliation after the pipe is not a venue
    assert _one("- [Perseus](https://arxiv.org/abs/2312.06902): Removing Energy Bloat from Large Model Training | Google") == (
        "Perseus: Removing Energy Bloat from Large Model Training", None, None)


def test_citation_styles():
    assert _one('- Kumar, Adarsh, et al. "Accelerating deep learning inference via freezing." HotCloud 2019. '
                "[pdf](https://www.usenix.org/system/files/hotcloud19-paper-kumar.pdf)") == (
        "Accelerating deep learning inference via freezing", "HotCloud", 2019)
    title, _, year = _one("- Kishore Papineni, Salim Roukos, Todd Ward, and Wei-Jing Zhu. 2002. [BLEU: a Method for "
                          "Automatic Evaluation of Machine Translation](http://aclweb.org/anthology/P02-1040). In *Proceedings of ACL 2002*.")
    assert (title, year) == ("BLEU: a Method for Automatic Evaluation of Machine Translation", 2002)
    title, _, year = _one("- Norman, D. A. (1986). Cognitive engineering. In D. A. Norman & S. W. Draper (Eds.), "
                          "User centered system design (pp. 31-61). [pdf](https://example.org/norman.pdf)")
    assert (title, year) == ("Cognitive engineering", 1986)


def test_bold_name_then_quoted_title():
    assert _one('* **TidyBot**: "Personalized Robot Assistance with Large Language Models", *arXiv, May 2023*. '
                "[[Paper](https://arxiv.org/abs/2305.05658)]")[::2] == ("Personalized Robot Assistance with Large Language Models", 2023)


def test_bibtex_braces_tags_and_symbols_dropped():
    assert _one("- [{PRETZEL}: Opening the Black Box of Machine Learning Prediction Serving Systems]"
                "(https://www.usenix.org/conference/osdi18/presentation/lee) (OSDI 2018)") == (
        "PRETZEL: Opening the Black Box of Machine Learning Prediction Serving Systems", "OSDI", 2018)
    assert _one("* [[DCN] Deep & Cross Network for Ad Click Predictions (Stanford 2017)](https://example.org/dcn.pdf) <br />")[0] == (
        "Deep & Cross Network for Ad Click Predictions")


def test_author_line_under_a_paper_is_a_note():
    text = ("# Papers\n\n- Dynamic Backdoors with Global Average Pooling.\n  [[pdf]](https://arxiv.org/pdf/2203.02079.pdf)\n"
            "  - Stefanos Koffas, Stjepan Picek, and Mauro Conti. *AICAS*, 2022.\n")
    [entry] = scan_text(text).entries
    assert (entry.title, entry.year, entry.line, entry.end_line) == ("Dynamic Backdoors with Global Average Pooling", 2022, 3, 5)


def test_bold_title_paragraph_takes_the_links_listed_after_it():
    text = ("# Best Paper\n\n**GIRAFFE: Representing Scenes as Compositional Generative Neural Feature Fields**\n\n"
            "- Homepage: https://m-niemeyer.github.io/project-pages/giraffe/index.html\n"
            "- Paper(Oral): https://arxiv.org/abs/2011.12100\n\n- Code: https://github.com/autonomousvision/giraffe\n\n"
            "**Just a bold line here**\n\nSome prose after it.\n")
    [entry] = scan_text(text).entries
    assert entry.title == "GIRAFFE: Representing Scenes as Compositional Generative Neural Feature Fields"
    assert entry.ids.arxiv == "2011.12100" and (entry.line, entry.end_line) == (3, 8)


def test_table_of_contents_heading_over_the_content():
    text = ("Table of Contents\n=================\n\n* [Graph Structure](#graph-structure)\n\n## Graph Structure\n\n"
            "- [KDD'2020-Pro-GNN] Graph structure learning for robust graph neural networks. "
            "[[paper]](https://dl.acm.org/doi/pdf/10.1145/3394486.3403049)\n")
    [entry] = scan_text(text).entries
    assert entry.title == "Graph structure learning for robust graph neural networks"
