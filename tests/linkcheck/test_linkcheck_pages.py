"""Pages given as URLs: fetched once through the same guard, their links resolved as a browser does."""

from __future__ import annotations

import gzip
import json
import struct
import zlib

import pytest
from click.testing import CliRunner

from archkb.linkcheck.command import check_links

PAGE = """<!doctype html>
<html><head><title>Docs</title></head>
<body>
<h1 id="top">Docs</h1>
<a href="/ok">root-relative</a>
<a href="sub/page">relative</a>
<a href="#top">here</a>
<a href="#missing">not here</a>
<a href="/gone">gone</a>
<a href="mailto:someone@example.org">mail</a>
</body></html>
"""


def run(args: list[str], env: dict | None = None):
    return CliRunner().invoke(check_links, args, env=env or {"CI": "true"}, catch_exceptions=False)


def online(tmp_path, *given: str) -> list[str]:
    """check-links arguments for pages on the local server: ``given`` (inputs and options), JSON out."""
    return [*given, "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json"]


def results_of(result) -> list[dict]:
    return json.loads(result.stdout)["results"]


def test_a_page_given_as_a_url_has_its_links_checked_where_they_are_written(tmp_path, httpserver):
    httpserver.expect_request("/docs/index.html").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/ok").respond_with_data("ok", content_type="text/html")
    httpserver.expect_request("/docs/sub/page").respond_with_data("sub", content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    page = httpserver.url_for("/docs/index.html")
    result = run(online(tmp_path, page))
    assert result.exit_code == 2, result.output
    states = {r["url"]: (r["state"], r["sources"]) for r in results_of(result)}
    assert states[httpserver.url_for("/ok")] == ("ok", [f"{page}:5"])
    assert states[httpserver.url_for("/docs/sub/page")] == ("ok", [f"{page}:6"])  # against the page's folder
    assert states[f"{page}#top"][0] == "ok"
    assert states[f"{page}#missing"][0] == "broken"
    assert states[httpserver.url_for("/gone")] == ("broken", [f"{page}:9"])
    assert states["mailto:someone@example.org"][0] == "skipped"


def test_links_resolve_against_the_pages_final_address_and_its_base(tmp_path, httpserver):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new/index.html")}
    )
    body = '<html><head><base href="/assets/"></head><body><a href="a.css">a</a></body></html>'
    httpserver.expect_request("/new/index.html").respond_with_data(body, content_type="text/html")
    httpserver.expect_request("/assets/a.css").respond_with_data("css")
    result = run([httpserver.url_for("/moved"), "--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert result.exit_code == 0, result.output
    [link] = results_of(result)
    assert link["url"] == httpserver.url_for("/assets/a.css") and link["state"] == "ok"


def test_a_page_that_cannot_be_read_is_a_result_of_its_own(tmp_path, httpserver):
    httpserver.expect_request("/plain.txt").respond_with_data("text", content_type="text/plain")
    missing, plain = httpserver.url_for("/nothing"), httpserver.url_for("/plain.txt")
    httpserver.expect_request("/nothing").respond_with_data("no", status=404)
    result = run([missing, plain, "--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert result.exit_code == 2, result.output
    states = {r["url"]: (r["state"], r["message"], r["sources"]) for r in results_of(result)}
    assert states[missing] == ("broken", "HTTP 404", ["(input)"])
    assert states[plain] == ("error", "not an HTML page: its links cannot be read", ["(input)"])


def test_a_page_given_as_a_url_is_refused_by_the_private_address_policy(tmp_path, httpserver):
    httpserver.expect_request("/docs").respond_with_data(PAGE, content_type="text/html")
    result = run([httpserver.url_for("/docs"), "--root", str(tmp_path), "--format", "json"])
    [entry] = results_of(result)
    assert entry["state"] == "skipped" and "--allow-private" in entry["message"]
    assert len(httpserver.log) == 0  # nothing was sent to the loopback address


def test_urls_mix_with_files_and_are_refused_offline_and_by_dump(tmp_path, httpserver):
    httpserver.expect_request("/docs").respond_with_data('<a href="/ok">x</a>', content_type="text/html")
    httpserver.expect_request("/ok").respond_with_data("ok")
    md = tmp_path / "a.md"
    md.write_text(f"[ok]({httpserver.url_for('/ok')})\n", encoding="utf-8")
    both = run([str(md), httpserver.url_for("/docs"), "--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert both.exit_code == 0, both.output
    [entry] = json.loads(both.stdout)["results"]
    assert entry["sources"] == ["a.md:1", f"{httpserver.url_for('/docs')}:1"]
    offline = run([httpserver.url_for("/docs"), "--root", str(tmp_path), "--offline"])
    assert offline.exit_code == 3 and "--offline sends nothing" in offline.output
    dump = run([httpserver.url_for("/docs"), "--root", str(tmp_path), "--dump"])
    assert dump.exit_code == 3 and "cannot read a page given as a URL" in dump.output
    missing = run([str(tmp_path / "no-such.md")])
    assert missing.exit_code == 3 and "does not exist" in missing.output


def test_a_page_url_with_credentials_is_fetched_without_them_and_named_without_them(tmp_path, httpserver):
    httpserver.expect_request("/docs").respond_with_data('<a href="/gone">x</a>', content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    given = httpserver.url_for("/docs").replace("http://", "http://reader:s3cret@")
    result = run(online(tmp_path, given))
    assert result.exit_code == 2, result.output
    assert "s3cret" not in result.output
    [entry] = results_of(result)
    assert entry["url"] == httpserver.url_for("/gone")  # resolved against the page without its userinfo
    assert entry["sources"] == [given.replace("reader:s3cret", "***") + ":1"]
    assert all("Authorization" not in request.headers for request, _ in httpserver.log)


SITE = {
    "/docs/index.html": '<a href="guide.html">g</a>\n<a href="sub/">s</a>\n<a href="/outside.html">o</a>\n'
    '<img src="logo.png">\n<a href="guide.html#intro">i</a>\n<a href="guide.html#nope">n</a>\n',
    "/docs/guide.html": '<h2 id="intro">Intro</h2>\n<a href="index.html">home</a>\n<a href="gone.html">gone</a>\n',
    "/docs/sub/": '<a href="../guide.html">up</a>\n',
    "/outside.html": '<a href="/docs/secret.html">never read</a>\n',
}


@pytest.fixture
def site(httpserver):
    for path, body in SITE.items():
        httpserver.expect_request(path).respond_with_data(body, content_type="text/html")
    httpserver.expect_request("/docs/logo.png").respond_with_data("png", content_type="image/png")
    httpserver.expect_request("/docs/gone.html").respond_with_data("no", status=404)
    httpserver.expect_request("/robots.txt").respond_with_data("no rules", status=404)  # RFC 9309: no rules
    return httpserver


def asked(server) -> dict[str, list[str]]:
    methods: dict[str, list[str]] = {}
    for request, _response in server.log:
        methods.setdefault(request.path, []).append(request.method)
    return methods


def test_recursive_crawls_the_pages_under_the_folder_once_each(tmp_path, site):
    start = site.url_for("/docs/index.html")
    args = online(tmp_path, start, "--recursive")
    result = run(args)
    assert result.exit_code == 2, result.output
    states = {r["url"]: (r["state"], r["sources"]) for r in results_of(result)}
    guide = site.url_for("/docs/guide.html")
    assert states[guide][0] == "ok" and sorted(states[guide][1]) == sorted(
        [f"{start}:1", f"{site.url_for('/docs/sub/')}:1"]
    )
    assert states[f"{guide}#intro"][0] == "ok"
    assert states[f"{guide}#nope"][0] == "broken"  # judged from the crawled page
    assert states[site.url_for("/docs/gone.html")] == ("broken", [f"{guide}:3"])  # a crawled page's link
    assert states[site.url_for("/outside.html")][0] == "ok"  # checked, not crawled: outside /docs/
    methods = asked(site)
    assert methods["/docs/guide.html"] == ["GET"]  # fetched once, for the crawl, and not asked again
    assert methods["/docs/index.html"] == ["GET"] and methods["/docs/sub/"] == ["GET"]
    assert "/docs/secret.html" not in methods  # the outside page's links were not read
    assert methods["/docs/logo.png"][0] == "HEAD"  # an image is checked, not crawled


def test_max_pages_and_excludes_bound_the_crawl(tmp_path, site):
    start = site.url_for("/docs/index.html")
    base = online(tmp_path, start, "--recursive")
    run([*base, "--max-pages", "2"])
    fetched = [r.path for r, _ in site.log if r.method == "GET" and r.path in SITE]
    assert len(fetched) == 2 and fetched[0] == "/docs/index.html"
    site.clear_log()
    result = run([*base, "--exclude", "/sub/"])
    states = {r["url"]: r["state"] for r in results_of(result)}
    assert states[site.url_for("/docs/sub/")] == "skipped"
    assert "/docs/sub/" not in asked(site)


def test_recursive_needs_a_page_given_as_a_url(tmp_path):
    md = tmp_path / "a.md"
    md.write_text("# A\n", encoding="utf-8")
    result = run([str(md), "--recursive"])
    assert result.exit_code == 3 and "--recursive follows pages given as URLs" in result.output


def test_the_crawls_folder_is_where_the_given_page_ended_up(tmp_path, site):
    site.expect_request("/docs").respond_with_data("", status=301, headers={"Location": site.url_for("/docs/")})
    site.expect_request("/docs/").respond_with_data(SITE["/docs/index.html"], content_type="text/html")
    run([site.url_for("/docs"), "--recursive", "--root", str(tmp_path), "--allow-private", "--no-cache"])
    methods = asked(site)
    assert methods["/docs/guide.html"] == ["GET"]  # under /docs/: crawled
    assert methods["/outside.html"] == ["HEAD"]  # not under /docs/, though /docs is under /: checked only
    assert "/docs/secret.html" not in methods


def test_a_sitemap_given_as_a_url_stands_for_the_pages_it_lists(tmp_path, httpserver):
    base = httpserver.url_for("").rstrip("/")
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap>
</sitemapindex>
"""
    pages = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{base}/a.html?x=1&amp;y=2</loc></url>
  <url><loc>{base}/gone.html</loc></url>
  <url><loc>https://elsewhere.example/page.html</loc></url>
</urlset>
"""
    httpserver.expect_request("/sitemap.xml").respond_with_data(index, content_type="application/xml")
    httpserver.expect_request("/sitemap-pages.xml").respond_with_data(pages, content_type="text/xml")
    httpserver.expect_request("/a.html").respond_with_data('<a href="/b.html">b</a>', content_type="text/html")
    httpserver.expect_request("/b.html").respond_with_data("b", content_type="text/html")
    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    sitemap = httpserver.url_for("/sitemap.xml")
    result = run(online(tmp_path, sitemap))
    assert result.exit_code == 2, result.output
    states = {r["url"]: (r["state"], r["sources"]) for r in results_of(result)}
    listed = f"{base}/sitemap-pages.xml"
    assert states[listed] == ("ok", [f"{sitemap}:3"])
    assert states[f"{base}/a.html?x=1&y=2"] == ("ok", [f"{listed}:3"])  # the entity read as XML reads it
    assert states[f"{base}/gone.html"] == ("broken", [f"{listed}:4"])
    assert states[f"{base}/b.html"] == ("ok", [f"{base}/a.html?x=1&y=2:1"])  # a listed page's own links
    assert not any("elsewhere.example" in url for url in states)  # another host's address is not the sitemap's
    assert asked(httpserver)["/a.html"] == ["GET"]  # read once, and judged from that


def _urlset(*locs: str, padding: int = 0) -> bytes:
    entries = "".join(f"  <url><loc>{loc}</loc></url>\n" for loc in locs[:1])
    rest = "".join(f"  <url><loc>{loc}</loc></url>\n" for loc in locs[1:])
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    return (head + entries).encode() + b" " * padding + (rest + "</urlset>\n").encode()


@pytest.mark.parametrize("ctype", ["application/gzip", "application/x-gzip"])
def test_a_gzip_sitemap_stands_for_the_pages_it_lists(tmp_path, httpserver, ctype):
    base = httpserver.url_for("").rstrip("/")
    body = gzip.compress(_urlset(f"{base}/a.html", f"{base}/gone.html"))
    httpserver.expect_request("/sitemap.xml.gz").respond_with_data(body, content_type=ctype)
    httpserver.expect_request("/a.html").respond_with_data('<a href="/b.html">b</a>', content_type="text/html")
    httpserver.expect_request("/b.html").respond_with_data("b", content_type="text/html")
    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    sitemap = httpserver.url_for("/sitemap.xml.gz")
    result = run(online(tmp_path, sitemap))
    assert result.exit_code == 2, result.output
    states = {r["url"]: (r["state"], r["sources"]) for r in results_of(result)}
    assert states[f"{base}/a.html"] == ("ok", [f"{sitemap}:3"])  # lines counted in what it holds
    assert states[f"{base}/gone.html"] == ("broken", [f"{sitemap}:4"])
    assert states[f"{base}/b.html"] == ("ok", [f"{base}/a.html:1"])


def test_a_sitemap_index_may_list_gzip_sitemaps_served_as_octet_streams(tmp_path, httpserver):
    base = httpserver.url_for("").rstrip("/")
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/pages.xml.gz</loc></sitemap>
</sitemapindex>
"""
    httpserver.expect_request("/sitemap.xml").respond_with_data(index, content_type="application/xml")
    pages = gzip.compress(_urlset(f"{base}/a.html"))
    httpserver.expect_request("/pages.xml.gz").respond_with_data(pages, content_type="application/octet-stream")
    httpserver.expect_request("/a.html").respond_with_data("a", content_type="text/html")
    result = run(online(tmp_path, httpserver.url_for("/sitemap.xml")))
    assert result.exit_code == 0, result.output
    states = {r["url"]: (r["state"], r["sources"]) for r in results_of(result)}
    assert states[f"{base}/a.html"] == ("ok", [f"{base}/pages.xml.gz:3"])


def test_a_gzip_sitemap_is_inflated_no_further_than_the_body_cap(tmp_path, httpserver):
    """6 MiB of white space gzip to a few kilobytes: what lies past the 5 MiB a body is read to is
    not inflated, so the page listed there is not read, and the one before it is.
    """
    base = httpserver.url_for("").rstrip("/")
    body = gzip.compress(_urlset(f"{base}/first.html", f"{base}/past-the-cap.html", padding=6 * 1024 * 1024))
    assert len(body) < 64 * 1024
    httpserver.expect_request("/sitemap.xml.gz").respond_with_data(body, content_type="application/gzip")
    httpserver.expect_request("/first.html").respond_with_data("a", content_type="text/html")
    result = run(online(tmp_path, httpserver.url_for("/sitemap.xml.gz")))
    assert result.exit_code == 0, result.output
    assert [r["url"] for r in results_of(result)] == [f"{base}/first.html"]
    assert "/past-the-cap.html" not in asked(httpserver)


def _padded_gzip(content: bytes, name_bytes: int) -> bytes:
    """A gzip member whose header carries a file name of ``name_bytes`` bytes before ``content``."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = deflate.compress(content) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(content), len(content))
    return b"\x1f\x8b\x08\x08\0\0\0\0\0\xff" + b"a" * name_bytes + b"\0" + data + trailer


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64),
        b"not gzip at all",
        gzip.compress(b"<urlset>")[:12],
        _padded_gzip(_urlset("http://127.0.0.1/listed.html"), 200_000),
    ],
    ids=["an archive", "not gzip", "cut short", "a padded header"],
)
def test_a_gzip_file_that_holds_no_xml_is_not_an_html_page(tmp_path, httpserver, body):
    httpserver.expect_request("/data.gz").respond_with_data(body, content_type="application/gzip")
    result = run(online(tmp_path, httpserver.url_for("/data.gz")))
    [entry] = results_of(result)
    assert entry["state"] == "error" and entry["message"] == "not an HTML page: its links cannot be read"


def test_gzip_xml_is_read_only_as_far_as_it_takes_to_tell():
    from archkb.linkcheck.client import _gunzip, _holds_xml

    sitemap = gzip.compress(_urlset("https://example.org/a", "https://example.org/b"))
    assert _holds_xml(sitemap[:5]) is None  # the gzip header alone: too little to tell
    assert _holds_xml(sitemap) is True
    assert _holds_xml(gzip.compress(b"PK\x03\x04 an archive")) is False
    assert _holds_xml(b"<urlset>") is True  # not gzip: inflated already (Content-Encoding: gzip), judged as it is
    assert _holds_xml(b"PK\x03\x04 an archive") is False
    inflated, whole = _gunzip(sitemap, 10**6)
    assert whole and inflated == _urlset("https://example.org/a", "https://example.org/b")
    part, whole = _gunzip(sitemap, 100)
    assert not whole and part == inflated[:100]


def test_xml_that_is_no_sitemap_is_not_an_html_page(tmp_path, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("<feed><entry/></feed>", content_type="application/xml")
    result = run([httpserver.url_for("/feed.xml"), "--root", str(tmp_path), "--allow-private", "--format", "json"])
    [entry] = results_of(result)
    assert entry["state"] == "error" and entry["message"] == "not an HTML page: its links cannot be read"


def test_a_crawl_reads_no_page_that_robots_txt_keeps_crawlers_out_of(tmp_path, site):
    site.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /docs/sub/\n", content_type="text/plain"
    )
    start = site.url_for("/docs/index.html")
    args = online(tmp_path, start, "--recursive")
    result = run(args)
    methods = asked(site)
    assert methods["/docs/sub/"] == ["HEAD"]  # checked as a link, not read
    assert methods["/robots.txt"] == ["GET"]  # asked once for the host
    assert methods["/docs/guide.html"] == ["GET"]  # allowed: read
    assert "robots.txt keeps crawlers out of 1 of the pages found" in result.stderr
    site.clear_log()
    run([*args, "--ignore-robots"])
    assert asked(site)["/docs/sub/"] == ["GET"] and "/robots.txt" not in asked(site)


def test_a_robots_txt_that_fails_keeps_the_crawl_to_the_pages_given(tmp_path, site):
    site.expect_oneshot_request("/robots.txt").respond_with_data("down", status=503)
    start = site.url_for("/docs/index.html")
    run([start, "--recursive", "--root", str(tmp_path), "--allow-private", "--no-cache", "--retries", "0"])
    methods = asked(site)
    # RFC 9309: a server error means nothing is to be read. The given page is read; its links are
    # checked (HEAD, or GET where a fragment is to be judged), and no page's own links are read.
    assert methods["/docs/index.html"] == ["GET"] and methods["/docs/sub/"] == ["HEAD"]
    assert "/docs/gone.html" not in methods  # linked only from guide.html, which was not read


def test_a_page_that_redirects_out_of_the_crawls_folder_is_checked_not_read(tmp_path, site):
    site.expect_request("/docs/jump.html").respond_with_data(
        "", status=302, headers={"Location": site.url_for("/outside.html")}
    )
    site.expect_request("/docs/start.html").respond_with_data('<a href="jump.html">j</a>', content_type="text/html")
    start = site.url_for("/docs/start.html")
    result = run(online(tmp_path, start, "--recursive"))
    assert result.exit_code == 0, result.output
    [entry] = results_of(result)
    assert entry["url"] == site.url_for("/docs/jump.html") and entry["state"] == "ok"  # judged: it works
    assert "/docs/secret.html" not in asked(site)  # the page it lands on, outside /docs/, was not read


# --- a red-team pass of pages given as URLs, crawls and sitemaps ---------------------------------------


def test_a_gzip_sitemap_the_server_inflated_already_is_read(tmp_path, httpserver):
    """An object store serving sitemap.xml.gz with Content-Encoding: gzip: the client inflates it,
    and what arrives under the gzip type is the XML itself."""
    base = httpserver.url_for("").rstrip("/")
    body = gzip.compress(_urlset(f"{base}/gone.html"))
    headers = {"Content-Encoding": "gzip"}
    httpserver.expect_request("/sitemap.xml.gz").respond_with_data(
        body, content_type="application/x-gzip", headers=headers
    )
    httpserver.expect_request("/gone.html").respond_with_data("no", status=404)
    result = run(online(tmp_path, httpserver.url_for("/sitemap.xml.gz")))
    assert result.exit_code == 2, result.output
    assert {r["url"]: r["state"] for r in results_of(result)}[f"{base}/gone.html"] == "broken"


def test_percent_encoded_dots_do_not_climb_out_of_the_crawl_or_past_robots(tmp_path, httpserver):
    """The client removes dot segments, percent-encoded ones too: /docs/%2e%2e/secret.html asks for
    /secret.html. The crawl's folder and robots.txt are judged by the path that is sent."""
    page = '<a href="%2e%2e/secret.html">s</a> <a href="x/%2e%2e/private/p.html">p</a>'
    httpserver.expect_request("/docs/").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /docs/private/\n")
    for path in ("/secret.html", "/docs/private/p.html"):
        httpserver.expect_request(path).respond_with_data('<a href="/never-read.html">n</a>', content_type="text/html")
    result = run(online(tmp_path, httpserver.url_for("/docs/"), "--recursive"))
    urls = {r["url"] for r in results_of(result)}
    assert not any("never-read" in url for url in urls), urls  # neither page was read, only checked


def test_a_javascript_base_is_passed_over(tmp_path, httpserver):
    """<base href="javascript:..."> made every relative link "not an absolute URL" and hid a 404."""
    httpserver.expect_request("/page.html").respond_with_data(
        '<base href="javascript:void(0)//"><a href="missing.html">m</a>', content_type="text/html"
    )
    httpserver.expect_request("/missing.html").respond_with_data("no", status=404)
    result = run(online(tmp_path, httpserver.url_for("/page.html")))
    assert result.exit_code == 2, result.output
    assert {r["url"]: r["state"] for r in results_of(result)}[httpserver.url_for("/missing.html")] == "broken"


def test_a_sitemap_loc_that_never_closes_is_read_in_linear_time():
    """A lazy pattern took cubic time on <loc> and white space with no closing tag (65 s for 4,000
    spaces); the count of steps is what this bounds, not the clock."""
    from archkb.linkcheck.sources import _LOC

    assert _LOC.pattern.count("*?") == 0  # nothing lazy to backtrack through
    assert [m.group(1).strip() for m in _LOC.finditer("<loc>\n  https://a.example/x \n</loc>")] == [
        "https://a.example/x"
    ]
    assert list(_LOC.finditer("<loc>" + " " * 100_000)) == []


def test_the_run_budget_ends_the_fetching_of_pages_too(tmp_path, httpserver):
    """--budget bounded the checking, not the fetching of pages given as URLs: a slow page held
    the run past it. What is not read when it ends is a result (a page given) and a warning."""
    import time

    def slow(_request):
        from werkzeug import Response

        time.sleep(3)
        return Response("<a href='/x'>x</a>", content_type="text/html")

    httpserver.expect_request("/slow.html").respond_with_handler(slow)
    result = run(online(tmp_path, httpserver.url_for("/slow.html"), "--budget", "1", "--timeout", "10"))
    assert "the run budget (1 s, --budget) ended before 1 of the pages were read" in result.output
    [late] = results_of(result)
    assert (late["state"], late["message"]) == ("error", "not read: the run budget ended first")


@pytest.fixture
def own_server():
    """A threaded server of this test's own: another test's slow handler, still sleeping on the
    shared one, cannot delay its answers."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_the_pages_and_the_check_of_their_links_share_one_budget(tmp_path, own_server):
    """The pages had --budget, and then the check of their links had it all again: a run could take
    twice what it was given. Now the check has what the pages left: a page read after 1 s of a 2.5 s
    budget leaves 1.5 s, too little for a link that answers after 2 s (which a fresh 2.5 s allowed)."""
    import time

    def page(_request):
        from werkzeug import Response

        time.sleep(1)
        return Response("<a href='/slow-link'>x</a>", content_type="text/html")

    def slow_link(_request):
        from werkzeug import Response

        time.sleep(2)
        return Response("ok", content_type="text/html")

    own_server.expect_request("/page.html").respond_with_handler(page)
    own_server.expect_request("/slow-link").respond_with_handler(slow_link)
    result = run(online(tmp_path, own_server.url_for("/page.html"), "--budget", "2.5", "--timeout", "10"))
    [link] = results_of(result)
    assert link["url"] == own_server.url_for("/slow-link")
    assert (link["state"], link["message"]) == ("error", "not checked within the run budget of 2.5s")
