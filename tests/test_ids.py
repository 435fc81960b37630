"""Each pattern of ids.PATTERNS, with URLs taken from the seed lists and from real publisher sites."""

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from paperenrich.ids import KINDS, PATTERNS, canonical_url, extract_ids, ids_from_links
from paperenrich.model import Ids, Link
from paperenrich.urls import clean_url

CASES = [
    # arXiv: hosts, versions, .pdf, double slash, old style
    ("https://arxiv.org/abs/2309.06180", "arxiv", "2309.06180"),
    ("https://arxiv.org/pdf/2109.10465.pdf", "arxiv", "2109.10465"),
    ("https://arxiv.org/pdf/2212.14034", "arxiv", "2212.14034"),
    ("https://arxiv.org/abs//2307.02628", "arxiv", "2307.02628"),
    ("https://browse.arxiv.org/abs/2309.08125", "arxiv", "2309.08125"),
    ("https://export.arxiv.org/abs/2501.12407v2", "arxiv", "2501.12407"),
    ("https://www.arxiv.org/abs/2408.03505", "arxiv", "2408.03505"),
    ("https://arxiv.org/html/2402.01234v3", "arxiv", "2402.01234"),
    ("http://arxiv.org/abs/hep-th/9901001v2", "arxiv", "hep-th/9901001"),
    ("https://arxiv.org/pdf/2205.01068.pdf?fbclid=IwAR1_0YiQKgxIsy8unzoLv", "arxiv", "2205.01068"),
    ("https://doi.org/10.48550/arXiv.2309.06180", "arxiv", "2309.06180"),
    # DOIs
    ("https://doi.org/10.1145/3600006.3613165", "doi", "10.1145/3600006.3613165"),
    ("http://dx.doi.org/10.1109/SC41405.2020.00024", "doi", "10.1109/sc41405.2020.00024"),
    ("https://dl.acm.org/doi/abs/10.1145/3600006.3613152", "doi", "10.1145/3600006.3613152"),
    ("https://dl.acm.org/doi/10.1145/3600006.3613145", "doi", "10.1145/3600006.3613145"),
    ("https://dl.acm.org/doi/pdf/10.1145/3458817.3476209?casa_token=u0SaPFr_xwsAAAAA:UdIVbVvd", "doi", "10.1145/3458817.3476209"),
    ("https://dl.acm.org/doi/fullHtml/10.1145/3492321.3519584", "doi", "10.1145/3492321.3519584"),
    ("https://dl.acm.org/doi/epdf/10.1145/3575693.3575703", "doi", "10.1145/3575693.3575703"),
    ("https://link.springer.com/article/10.1007/s10994-021-06001-1", "doi", "10.1007/s10994-021-06001-1"),
    ("https://onlinelibrary.wiley.com/doi/full/10.1002/cpe.7000", "doi", "10.1002/cpe.7000"),
    # OpenReview, including the double-encoded form of seed 003
    ("https://openreview.net/forum?id=gEZrGCozdqR", "openreview", "gEZrGCozdqR"),
    ("https://openreview.net/pdf?id=Ls_NTjgWXZV", "openreview", "Ls_NTjgWXZV"),
    ("https://openreview.net/forum?id%253DPgtn4l6eKjv", "openreview", "Pgtn4l6eKjv"),
    ("https://openreview.net/forum?id%253Df-fVCElZ-G1", "openreview", "f-fVCElZ-G1"),
    # PMLR
    ("https://proceedings.mlr.press/v202/liu23am.html", "pmlr", "v202/liu23am"),
    ("https://proceedings.mlr.press/v162/rajbhandari22a/rajbhandari22a.pdf", "pmlr", "v162/rajbhandari22a"),
    ("http://proceedings.mlr.press/v139/he21a/he21a.pdf", "pmlr", "v139/he21a"),
    # ACL Anthology
    ("https://aclanthology.org/2020.acl-main.463.pdf", "acl", "2020.acl-main.463"),
    ("https://aclanthology.org/2023.emnlp-main.1/", "acl", "2023.emnlp-main.1"),
    ("https://www.aclweb.org/anthology/P19-1001", "acl", "P19-1001"),
    # NeurIPS / NIPS proceedings
    ("https://papers.nips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf", "neurips", "2020/hash/1457c0d6bfcb4967418bfb8ac142f64a"),
    ("https://proceedings.neurips.cc/paper_files/paper/2022/file/67d57c32e20fd0a7a302cb81d36e40d5-Paper-Conference.pdf", "neurips", "2022/hash/67d57c32e20fd0a7a302cb81d36e40d5"),
    ("https://proceedings.neurips.cc/paper/2020/hash/a1140a3d0df1c81e24ae954d935e8926-Abstract.html", "neurips", "2020/hash/a1140a3d0df1c81e24ae954d935e8926"),
    # MLSys
    ("https://proceedings.mlsys.org/paper_files/paper/2023/hash/523f87e9d08e6071a3bbd150e6da40fb-Abstract-mlsys2023.html", "mlsys", "2023/hash/523f87e9d08e6071a3bbd150e6da40fb"),
    ("https://proceedings.mlsys.org/paper_files/paper/2024/file/45c1f6a8cbf2da59ebf2c802b4f742cd-Paper-Conference.pdf", "mlsys", "2024/hash/45c1f6a8cbf2da59ebf2c802b4f742cd"),
    # USENIX
    ("https://www.usenix.org/conference/osdi22/presentation/yu", "usenix", "osdi22/presentation/yu"),
    ("https://www.usenix.org/conference/atc21/presentation/ren-jie", "usenix", "atc21/presentation/ren-jie"),
    # IEEE Xplore
    ("https://ieeexplore.ieee.org/document/10106313", "ieee", "10106313"),
    ("https://ieeexplore.ieee.org/abstract/document/9355301", "ieee", "9355301"),
    ("https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=10046070&casa_token=Y7UD4u5ej2AAAAAA:sxe5", "ieee", "10046070"),
    # VLDB
    ("https://www.vldb.org/pvldb/vol17/p863-kim.pdf", "vldb", "vol17/p863-kim"),
    ("https://www.vldb.org/pvldb/vol16/p3848-huang.pdf", "vldb", "vol16/p3848-huang"),
]


@pytest.mark.parametrize("url,kind,expected", CASES)
def test_each_pattern(url, kind, expected):
    assert getattr(extract_ids(url), kind) == expected


def test_every_kind_of_the_table_is_covered_by_a_case():
    assert {kind for _, kind, _ in CASES} == set(KINDS)
    assert set(KINDS) <= set(Ids.__dataclass_fields__)


@pytest.mark.parametrize(
    "url",
    [
        "https://dl.acm.org/doi/abs/10.5555/3571885.3571946",  # ACM placeholder prefix: no registered DOI
        "https://www.usenix.org/system/files/atc22-zhou-zhe.pdf",
        "https://github.com/vllm-project/vllm",
        "https://www.cs.cmu.edu/~zhihaoj2/papers/specinfer.pdf",
        "../../reading-notes/conference/osdi-2022/",
        "#inference",
        "",
        "not a url at all",
    ],
)
def test_links_without_ids(url):
    assert extract_ids(url).is_empty()


def test_arxiv_doi_is_never_a_doi():
    ids = extract_ids("https://doi.org/10.48550/arXiv.2309.06180")
    assert ids.doi is None and ids.arxiv == "2309.06180"


def test_ids_from_links_merges_and_first_wins():
    links = [
        Link("https://dl.acm.org/doi/abs/10.1145/3600006.3613152", "Paper"),
        Link("https://browse.arxiv.org/abs/2309.08125", "arXiv"),
        Link("https://arxiv.org/abs/2000.00001", "other"),
        Link("https://github.com/SymbioticLab/Oobleck", "Code"),
    ]
    ids = ids_from_links(links)
    assert ids.doi == "10.1145/3600006.3613152"
    assert ids.arxiv == "2309.08125"


@pytest.mark.parametrize("url,kind,expected", CASES)
def test_round_trip_through_canonical_url(url, kind, expected):
    assert getattr(extract_ids(canonical_url(kind, expected)), kind) == expected


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        canonical_url("isbn", "123")


# Property tests -------------------------------------------------------------------------------

_new_arxiv = st.builds(lambda y, m, n: f"{y:02d}{m:02d}.{n:05d}", st.integers(7, 30), st.integers(1, 12), st.integers(0, 99999))
_old_arxiv = st.builds(lambda a, n: f"{a}/{n:07d}", st.sampled_from(["hep-th", "cs", "math.AG", "cond-mat", "astro-ph"]), st.integers(0, 9_999_999))
_alnum = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
_hex32 = st.text("0123456789abcdef", min_size=32, max_size=32)

ID_VALUES = {
    "arxiv": st.one_of(_new_arxiv, _old_arxiv),
    "doi": st.builds(lambda r, s: f"10.{r}/{s.lower()}", st.integers(1000, 99999), _alnum.filter(lambda s: not s.lower().endswith("pdf"))).filter(lambda d: not d.startswith(("10.5555/", "10.48550/"))),
    "openreview": st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=6, max_size=12),
    "pmlr": st.builds(lambda v, name, yy, suf: f"v{v}/{name}{yy:02d}{suf}", st.integers(1, 300), st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10), st.integers(0, 99), st.sampled_from(["a", "b", "am", ""])),
    "acl": st.builds(lambda y, v, n: f"{y}.{v}.{n}", st.integers(2016, 2030), st.sampled_from(["acl-main", "emnlp-main", "naacl-long", "findings-acl"]), st.integers(1, 999)),
    "neurips": st.builds(lambda y, h: f"{y}/hash/{h}", st.integers(1987, 2030), _hex32),
    "mlsys": st.builds(lambda y, h: f"{y}/hash/{h}", st.integers(2019, 2030), _hex32),
    "usenix": st.builds(lambda c, y, n: f"{c}{y:02d}/presentation/{n}", st.sampled_from(["osdi", "nsdi", "atc", "fast"]), st.integers(0, 99), st.text("abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=15).filter(lambda s: s[0] != "-")),
    "ieee": st.integers(1, 10**9).map(str),
    "vldb": st.builds(lambda v, p, n: f"vol{v}/p{p}-{n}", st.integers(1, 20), st.integers(1, 5000), st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)),
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(ID_VALUES)).flatmap(lambda k: st.tuples(st.just(k), ID_VALUES[k])))
def test_property_ids_survive_canonical_round_trip(kind_value):
    kind, value = kind_value
    assert getattr(extract_ids(canonical_url(kind, value)), kind) == value


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_no_exception_on_arbitrary_text(text):
    extract_ids(text)
    extract_ids("https://arxiv.org/abs/" + text)
    extract_ids("https://openreview.net/forum?id=" + text)
    extract_ids("https://dl.acm.org/doi/" + text)


# extract_ids tries a URL only against the patterns of its host: it must find exactly what trying
# every pattern of the table on the cleaned URL finds.

def _every_pattern(url: str) -> dict[str, str]:
    url = clean_url(url)
    found: dict[str, str] = {}
    if url.lower().startswith(("http://", "https://")):
        for pattern in PATTERNS:
            if pattern.kind not in found and (m := pattern.regex.search(url)) and (value := pattern.value(m)):
                found[pattern.kind] = value
    return found


def test_each_case_host_is_listed_by_its_pattern():
    for url, kind, _ in CASES:
        host = urlsplit(clean_url(url)).netloc
        assert any(host in p.hosts and p.regex.search(clean_url(url)) for p in PATTERNS if p.kind == kind), url


_HOSTS = sorted({h for p in PATTERNS for h in p.hosts} | {"github.com", "arxiv.org.example.com", "user@arxiv.org",
                                                          "arxiv.org:443", "Dl.ACM.org", "xarxiv.org"})
_PATHS = ["/abs/2101.00001", "//pdf/2101.00001v2.pdf", "/doi/10.1145/1.2", "/10.1145/3.4?casa_token=x",
          "/forum?id=abc", "?id%253Dabc", "/pdf?id%253DPg", "/v202/liu23am.html", "/2020.acl-main.1.pdf",
          "/paper/2020/hash/" + "a" * 32 + "-Abstract.html", "/conference/osdi22/presentation/yu", "/document/123",
          "/pvldb/vol1/p1-x.pdf", "/articles/s41586-1", "/proceedings/papers/v1/a11.pdf", "/anthology/P19-1001",
          "#x", "%252F", "\t", "\n", " ", "/", "", "/ABS/2101.00001", "/Doi/10.1145/5.6", "\u00a0", "\u2003x",
          "/abs/2101.00001\u00a0", "/forum?id=A_b-C"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", "", " https://", "\x01https://"]),
       st.sampled_from(_HOSTS), st.lists(st.sampled_from(_PATHS), max_size=3), st.text(max_size=4))
def test_property_host_dispatch_finds_what_the_whole_table_finds(scheme, host, path, noise):
    url = scheme + host + "".join(path) + noise
    assert extract_ids(url).to_dict() == _every_pattern(url)


def test_ids_read_off_urls_are_ordinary_ids():
    # extract_ids builds its Ids without the dataclass __init__ (speed): it must still be the same value.
    import pickle

    found = extract_ids("https://arxiv.org/abs/2309.06180v2")
    made = Ids(arxiv="2309.06180")
    assert found == made and hash(found) == hash(made) and repr(found) == repr(made)
    assert pickle.loads(pickle.dumps(found)) == made and found.to_dict() == {"arxiv": "2309.06180"}
    both = ids_from_links(["https://arxiv.org/abs/2309.06180", "https://doi.org/10.1145/3600006.3613165"])
    assert both == Ids(arxiv="2309.06180", doi="10.1145/3600006.3613165") and not both.is_empty()
    assert ids_from_links(["https://github.com/a/b"]) == Ids() and ids_from_links([]).is_empty()
