"""Canonical URLs: tracking variants collapse to one URL, nothing that names content is lost."""

import pytest

from apps.news.canonical import canonicalize_url, host_of

STORY = "https://www.example.com/2025/04/08/irs-ice-deal/"


@pytest.mark.parametrize(
    "variant",
    [
        STORY,
        STORY + "?utm_source=twitter&utm_medium=social&utm_campaign=spring",
        STORY + "?utm_content=a&utm_term=b&utm_id=7&UTM_Source=Feed",
        STORY + "?fbclid=IwAR0abc",
        STORY + "?gclid=xyz&dclid=1&msclkid=2&yclid=3&gbraid=4&wbraid=5",
        STORY + "?mc_cid=abc&mc_eid=def",
        STORY + "?igshid=MzRlODBi&_ga=2.1234&_gl=1*abc",
        STORY + "?ref_src=twsrc%5Etfw&cmpid=rss&ncid=txtlnkusaolp&ocid=msedgntp",
        STORY + "?smid=tw-share&s_cid=email&sr_share=facebook",
        STORY + "?at_medium=RSS&at_campaign=KARANGA&CMP=share_btn_tw&INTCMP=x",
        STORY + "#comments",
        STORY + "?utm_source=rss#section-2",
        "HTTPS://WWW.EXAMPLE.COM/2025/04/08/irs-ice-deal/",
        "https://www.example.com:443/2025/04/08/irs-ice-deal/",
        "https://www.example.com./2025/04/08/irs-ice-deal/",
        "  https://www.example.com/2025/04/08/irs-ice-deal/  ",
        "https://www.example.com/2025/04/./08/irs-ice-deal/",
        "https://www.example.com/2025/04/xx/../08/irs-ice-deal/",
    ],
)
def test_tracking_and_formatting_variants_collapse_to_one_url(variant):
    assert canonicalize_url(variant) == STORY


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/view?id=123",
        "https://news.example/?p=42",
        "https://news.example/index.php?story=irs-ice",
        "https://news.example/read?article=987",
        "https://news.example/story/1?page=2",
        "https://news.example/search?q=irs&ref=nav&source=home",
    ],
)
def test_content_identifying_parameters_are_kept(url):
    assert canonicalize_url(url) == url


def test_different_content_parameters_stay_different_urls():
    assert canonicalize_url("https://news.example/view?id=1") != canonicalize_url(
        "https://news.example/view?id=2"
    )


def test_kept_parameters_are_sorted_by_name():
    assert (
        canonicalize_url("https://news.example/a?z=1&utm_source=x&b=2&a=3")
        == "https://news.example/a?a=3&b=2&z=1"
    )


def test_sorting_keeps_the_order_of_repeated_parameters():
    assert (
        canonicalize_url("https://news.example/a?tag=b&id=1&tag=a")
        == "https://news.example/a?id=1&tag=b&tag=a"
    )


def test_default_ports_are_dropped_and_others_kept():
    assert canonicalize_url("http://news.example:80/a") == "http://news.example/a"
    assert canonicalize_url("https://news.example:443/a") == "https://news.example/a"
    assert canonicalize_url("http://news.example:443/a") == "http://news.example:443/a"
    assert canonicalize_url("https://news.example:8443/a") == "https://news.example:8443/a"


def test_scheme_is_not_changed():
    assert canonicalize_url("http://news.example/a") == "http://news.example/a"


def test_path_case_is_kept():
    assert canonicalize_url("https://NEWS.example/Politics/IRS-Deal") == (
        "https://news.example/Politics/IRS-Deal"
    )


def test_empty_path_becomes_slash():
    assert canonicalize_url("https://news.example") == "https://news.example/"
    assert canonicalize_url("https://news.example?id=3") == "https://news.example/?id=3"


def test_repeated_and_trailing_slashes_are_kept():
    assert canonicalize_url("https://news.example//a//b") == "https://news.example//a//b"
    assert canonicalize_url("https://news.example/a/") != canonicalize_url("https://news.example/a")


def test_query_emptied_by_tracking_removal_leaves_no_question_mark():
    assert canonicalize_url("https://news.example/a?utm_source=x&&") == "https://news.example/a"


def test_internationalised_host_is_idna_encoded():
    assert canonicalize_url("https://Bücher.example/a") == "https://xn--bcher-kva.example/a"
    assert canonicalize_url("https://xn--bcher-kva.example/a") == (
        "https://xn--bcher-kva.example/a"
    )


def test_percent_escapes_are_normalised():
    assert canonicalize_url("https://news.example/%7euser/caf%c3%a9?q=%2f") == (
        "https://news.example/~user/caf%C3%A9?q=%2F"
    )
    assert canonicalize_url("https://news.example/café") == "https://news.example/caf%C3%A9"


def test_ipv6_host_keeps_its_brackets():
    assert canonicalize_url("http://[::1]:80/a") == "http://[::1]/a"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example/a",
        "javascript:alert(1)",
        "mailto:editor@news.example",
        "file:///etc/passwd",
        "news.example/a",
        "/relative/path",
        "",
        "http://",
        "https://exa mple.com/a",
        "https://news.example:99999/a",
        "https://news.example:port/a",
    ],
)
def test_non_http_or_unparseable_urls_raise(url):
    with pytest.raises(ValueError, match="URL"):
        canonicalize_url(url)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.Example.com/a", "example.com"),
        ("https://example.com:8443/a", "example.com"),
        ("https://news.example.co.uk/a", "news.example.co.uk"),
        ("https://www2.example.com/a", "www2.example.com"),
        ("https://wwwexample.com/a", "wwwexample.com"),
    ],
)
def test_host_of_drops_only_a_leading_www(url, host):
    assert host_of(url) == host


def test_host_of_refuses_non_http_urls():
    with pytest.raises(ValueError):
        host_of("ftp://www.example.com/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Not a URL: empty value."),
        ("   ", "Not a URL: empty value."),
        ("http://./a", "URL has no host: 'http://./a'."),
        ("http://a..b.com/", "URL has an invalid host name: 'http://a..b.com/'."),
        ("http://a_b!.com/", "URL has an invalid host name: 'http://a_b!.com/'."),
    ],
)
def test_refused_url_says_why_and_quotes_the_url(url, message):
    with pytest.raises(ValueError) as caught:
        canonicalize_url(url)

    assert str(caught.value) == message


def test_invalid_international_host_names_the_url():
    with pytest.raises(ValueError, match=r"^URL has an invalid host name: 'http://xn--a\.\w+/' "):
        canonicalize_url("http://xn--a.ünï/")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://alice@Example.com/x", "http://alice@example.com/x"),
        ("http://alice:secret@Example.com/x", "http://alice:secret@example.com/x"),
        ("http://a@b@example.com/x", "http://a@b@example.com/x"),
    ],
)
def test_user_part_is_kept_whole(url, canonical):
    # Credentials select what the server returns; dropping them could merge different pages.
    assert canonicalize_url(url) == canonical


def test_full_width_host_maps_to_its_ascii_form():
    assert canonicalize_url("https://ｅｘａｍｐｌｅ.com/a") == "https://example.com/a"


def test_empty_query_pairs_are_dropped_and_the_rest_kept():
    assert canonicalize_url("https://example.com/?b=2&&a=1&") == "https://example.com/?a=1&b=2"


def test_parameter_name_ends_at_the_first_equals_sign():
    assert canonicalize_url("https://example.com/?q=a=b&gclid=x=y") == "https://example.com/?q=a=b"


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/a/../b", "/b"),
        ("/a/./b", "/a/b"),
        ("/../a", "/a"),
        ("/..", "/"),
    ],
)
def test_dot_segments_resolve_as_a_browser_does(path, resolved):
    assert canonicalize_url("https://example.com" + path) == "https://example.com" + resolved
