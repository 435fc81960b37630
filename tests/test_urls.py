import pytest
from hypothesis import given, settings, strategies as st

from paperenrich.urls import arxiv_abs_url, clean_url, host_of, is_double_encoded, upgrade_https


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://dl.acm.org/doi/pdf/10.1145/3458817.3476209?casa_token=u0SaPFr_xwsAAAAA:UdIVb",
         "https://dl.acm.org/doi/pdf/10.1145/3458817.3476209"),
        ("https://arxiv.org/pdf/2205.01068.pdf?fbclid=IwAR1_0YiQKgxIsy8unzoLv", "https://arxiv.org/pdf/2205.01068.pdf"),
        ("https://example.org/p?utm_source=transaction&utm_medium=email&id=7", "https://example.org/p?id=7"),
        ("https://example.org/p?gclid=abc", "https://example.org/p"),
        ("https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=7446078&casa_token=vxsr7&tag=1",
         "https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=7446078&tag=1"),
        ("https://openreview.net/forum?id%253DPgtn4l6eKjv", "https://openreview.net/forum?id=Pgtn4l6eKjv"),
        ("https://openreview.net/forum?id=Pgtn4l6eKjv", "https://openreview.net/forum?id=Pgtn4l6eKjv"),
        ("  https://arxiv.org/abs/2309.06180  ", "https://arxiv.org/abs/2309.06180"),
        ("../../reading-notes/conference/osdi-2022/", "../../reading-notes/conference/osdi-2022/"),
        ("#training", "#training"),
        # Scheme and host are case-insensitive, the path is not (the plain-URL fast path).
        ("HTTPS://ArXiv.ORG/Abs/2309.06180", "https://arxiv.org/Abs/2309.06180"),
        ("https://Example.org/A%252FB", "https://example.org/A%2FB"),  # decoded once
        ("https://example.org/a/b#", "https://example.org/a/b"),
        ("https:///no-host/path", "https:///no-host/path"),
    ],
)
def test_clean_url(url, expected):
    assert clean_url(url) == expected


def test_clean_url_keeps_signed_query_params():
    # A CDN signature is not tracking: dropping it would break the link.
    url = "https://scontent-atl3-1.xx.fbcdn.net/v/t39.8562-6/x.pdf?_nc_cat=108&oh=00_AfBW&oe=64216DE2"
    assert clean_url(url) == url


def test_is_double_encoded():
    assert is_double_encoded("https://openreview.net/forum?id%253DJpZ5du_Kdh")
    assert not is_double_encoded("https://openreview.net/forum?id=JpZ5du_Kdh")
    assert not is_double_encoded("https://scholar.google.com/scholar?q=GLaM%3A+Efficient")


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://arxiv.org/pdf/2309.06180.pdf", "https://arxiv.org/abs/2309.06180"),
        ("https://arxiv.org/pdf/2309.06180v2", "https://arxiv.org/abs/2309.06180"),
        ("https://arxiv.org/html/2402.01234v3", "https://arxiv.org/abs/2402.01234"),
        ("http://browse.arxiv.org/abs/2309.08125", "https://arxiv.org/abs/2309.08125"),
        ("https://github.com/vllm-project/vllm", None),
    ],
)
def test_arxiv_abs_url(url, expected):
    assert arxiv_abs_url(url) == expected


def test_upgrade_https_only_for_known_hosts():
    assert upgrade_https("http://arxiv.org/abs/1706.03762") == "https://arxiv.org/abs/1706.03762"
    assert upgrade_https("http://proceedings.mlr.press/v139/he21a/he21a.pdf").startswith("https://")
    assert upgrade_https("http://example.org/x") == "http://example.org/x"
    assert upgrade_https("https://arxiv.org/abs/1") == "https://arxiv.org/abs/1"


def test_host_of():
    assert host_of("https://WWW.Usenix.org/conference/x") == "www.usenix.org"
    assert host_of("relative/path") == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_no_exception(text):
    for u in (text, "https://example.org/?" + text, "http://" + text):
        clean_url(u)
        is_double_encoded(u)
        upgrade_https(u)
        arxiv_abs_url(u)
        host_of(u)


_URL_PART = st.text(alphabet="aZ09-._~/?#&=%+;:@[]!$'()*, \tutmfbclidgsrc_", max_size=30)


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http", "https", "HTTPS", "ftp", ""]), host=st.sampled_from(
    ["arxiv.org", "OpenReview.net", "a.b", "", "[::1]", "x@y.org"]), rest=_URL_PART, tracking=st.sampled_from(
    ["", "utm_source=x", "fbclid=1", "UTM_x=2", "gclid", "a=1&spm=2", "ref_src"]))
def test_clean_url_fast_paths_agree_with_the_general_path(scheme, host, rest, tracking):
    # clean_url answers plain URLs (with or without a query) without splitting them: the answer
    # must be the one the general path (split, repair, filter, join) gives.
    from paperenrich.urls import _clean_url_parts

    for url in (f"{scheme}://{host}/{rest}", f"{scheme}://{host}/p?{tracking}{rest}", f"{scheme}://{host}/p?{rest}{tracking}"):
        assert clean_url.__wrapped__(url) == _clean_url_parts(url.strip()), url


@pytest.mark.parametrize("url", [
    "https://openreview.net/forum?id=Pgtn4l6eKjv",
    "https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=7446078&tag=1",
    "https://example.org/p?a=1&",
    "https://example.org/p?utm_source=x&id=7",
    "https://example.org/p?q=a+b&UTM_medium=y",
])
def test_clean_url_query_fast_path_examples(url):
    from paperenrich.urls import _clean_url_parts

    assert clean_url(url) == _clean_url_parts(url)
