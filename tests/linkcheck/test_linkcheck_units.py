"""Small pure pieces: URL normalization, the address policy, Retry-After, settings, report formats."""

from __future__ import annotations

import codecs
import email.utils
import time

import pytest

from archkb.linkcheck import Report, Result, Settings, State, render
from archkb.linkcheck.client import parse_retry_after
from archkb.linkcheck.extract import decode_html
from archkb.linkcheck.guard import BlockedAddressError, check_host_literal, is_forbidden_address
from archkb.linkcheck.urls import fragment_is_checkable, host_key, normalize_url, split_fragment


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("HTTPS://Example.ORG", "https://example.org/"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org/%7euser/%2f", "https://example.org/~user/%2F"),
        ("https://example.org/a?b=%26&c", "https://example.org/a?b=%26&c"),
        ("https://example.org/a#Frag", "https://example.org/a#Frag"),
    ],
)
def test_normalize_url(raw, normal):
    assert normalize_url(raw) == normal


def test_fragments_and_hosts():
    assert split_fragment("https://x.org/p#a%20b") == ("https://x.org/p", "a b")
    assert split_fragment("https://x.org/p") == ("https://x.org/p", "")
    assert host_key("https://X.org/p") == "x.org:443"
    assert host_key("http://x.org:81/") == "x.org:81"
    for fragment in ("intro", "section-3.2"):
        assert fragment_is_checkable(fragment)
    for fragment in ("", ":~:text=x", "!/route", "/route", "page=2", "L10", "L10-L20", "L3C5-L4C1"):
        assert not fragment_is_checkable(fragment)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address the guard refuses, not one bound to
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "224.0.0.1",
        "not-an-ip",
    ],
)
def test_forbidden_addresses(address):
    assert is_forbidden_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses(address):
    assert not is_forbidden_address(address)


def test_host_literals():
    with pytest.raises(BlockedAddressError):
        check_host_literal("127.0.0.1")
    with pytest.raises(BlockedAddressError):
        check_host_literal("[::1]")
    check_host_literal("example.org")  # names are the resolver's job
    check_host_literal("127.0.0.1", allow_hosts=["127.0.0.1"])


def test_retry_after():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= parse_retry_after(date, now=now) <= 31
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_settings_validation_and_fingerprint():
    assert Settings().validate() == []
    problems = Settings(timeout=0, concurrency=0, excludes=["("]).validate()
    assert len(problems) == 3
    base = Settings()
    assert base.fingerprint() == base.replace(timeout=1, per_host=1, concurrency=2).fingerprint()
    assert base.fingerprint() != base.replace(allow_private=True).fingerprint()
    assert base.timeout == 10 and base.retries == 1 and base.per_host == 4  # ~20 s for a dead URL
    assert "archkb-linkcheck" in base.user_agent


def test_text_and_markdown_rendering():
    report = Report(
        results=[
            Result("https://a.example/", State.BROKEN, 404, None, ["a.md:1", "b.md:2"], "HTTP 404", "t"),
            Result("https://b.example/", State.REDIRECTED, 200, "https://c.example/", ["a.md:3"], "", "t"),
            Result("https://d.example/|x", State.OK, 200, None, ["a.md:4"], "", "t"),
        ]
    )
    text = render(report, "text")
    assert "BROKEN     https://a.example/" in text and "in b.md:2" in text
    assert "now https://c.example/" in text
    assert "https://d.example" not in text  # ok results are not listed
    assert text.rstrip().endswith("1 broken, 0 error, 0 blocked, 1 redirected, 1 ok, 0 skipped")
    markdown = render(report, "markdown")
    assert "| broken | 1 |" in markdown and "<https://a.example/>" in markdown
    with pytest.raises(ValueError, match="unknown format"):
        render(report, "yaml")


def test_no_rendering_passes_on_control_characters_or_markdown_from_a_link():
    """What links and servers send is escaped for each place it lands: the terminal (no escape
    sequences), JUnit (still well-formed XML) and Markdown (no markup, mention or extra cell).
    """
    import xml.etree.ElementTree as ET

    hostile = "https://e.org/a\x1b]0;owned\x07b\x01\u202ec"
    message = "permanent redirect to https://e.org/x @maintainer ![p](https://evil.example/p.png) | extra"
    report = Report(
        results=[
            Result(hostile, State.BROKEN, 404, None, ["a\x1b[2J.md:1"], "HTTP 404\x1b[31m", "t"),
            Result("https://ok.example/", State.REDIRECTED, 200, "https://e.org/x", ["b.md:2"], message, "t"),
        ]
    )
    text = render(report, "text")
    assert "\x1b" not in text and "\x07" not in text and "\x01" not in text and "\u202e" not in text
    assert "https://e.org/a\\x1b]0;owned\\x07b\\x01\\u202ec" in text  # shown, not sent to the terminal
    junit = ET.fromstring(render(report, "junit"))  # well-formed
    assert junit.find(".//testcase").get("name") == "https://e.org/a\\x1b]0;owned\\x07b\\x01\\u202ec"
    rows = [
        row for row in render(report, "markdown").splitlines() if row.startswith(("| broken | <", "| redirected | <"))
    ]
    assert rows[0].startswith("| broken | <https://e.org/a%1B]0;owned%07b%01%E2%80%AEc> | `404; HTTP 404\\x1b[31m` |")
    assert rows[1] == (
        "| redirected | <https://ok.example/> | `200; permanent redirect to https://e.org/x @maintainer "
        "![p](https://evil.example/p.png) \\| extra` | `b.md:2` |"
    )


def test_a_report_is_shown_as_a_summary_however_many_results_it_holds():
    # asyncio formats the finished main task, result included, on its way out of asyncio.run:
    # the full form of 2,000 results cost milliseconds there.
    many = Report([Result(f"https://example.org/{n}", State.OK if n % 10 else State.BROKEN) for n in range(2000)])
    shown = repr(many)
    assert shown == "<Report: 2000 results (200 broken, 1800 ok), 0 warnings>"
    assert repr(Report()) == "<Report: 0 results (none), 0 warnings>"


# --- the encoding of a fetched page (for its ids) --------------------------------------------------------

_CAFE_1252 = "<h2 id='café'>“x”</h2>".encode("cp1252")


@pytest.mark.parametrize(
    ("body", "charset", "text"),
    [
        (_CAFE_1252, "windows-1252", "<h2 id='café'>“x”</h2>"),  # the header names it
        (_CAFE_1252, "ISO-8859-1", "<h2 id='café'>“x”</h2>"),  # read as windows-1252, as browsers do
        (b'<meta charset="windows-1252">' + _CAFE_1252, None, "<h2 id='café'>“x”</h2>"),
        (b"<meta charset=latin1>" + _CAFE_1252, "no-such-codec", "<h2 id='café'>“x”</h2>"),  # unknown: passed over
        (b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">' + _CAFE_1252, None, "“x”"),
        (b"<meta charset='utf-16'>caf\xc3\xa9", None, "café"),  # a <meta> that can be read is not UTF-16
        (codecs.BOM_UTF8 + "café".encode(), "windows-1252", "café"),  # the byte-order mark wins
        ("\ufeffcafé".encode("utf-16-le"), None, "café"),
        (b"caf\xc3\xa9", None, "café"),  # nothing named: UTF-8
        (b"caf\xe9", None, "caf\ufffd"),  # and what is not UTF-8 is replaced, not an error
    ],
)
def test_a_page_is_decoded_in_the_encoding_a_browser_would_choose(body, charset, text):
    assert text in decode_html(body, charset)


def test_a_meta_charset_past_the_first_1024_bytes_is_not_read():
    body = b"<!--" + b"x" * 1100 + b'--><meta charset="windows-1252">' + _CAFE_1252
    assert "caf\ufffd" in decode_html(body)
