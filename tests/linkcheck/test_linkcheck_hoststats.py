"""``--host-stats``: what each host was asked in a run, and how it answered."""

from __future__ import annotations

import json
import socket

from click.testing import CliRunner

from archkb.linkcheck import Link, check_urls_async
from archkb.linkcheck.command import check_links
from archkb.linkcheck.report import HostStats, render_host_stats


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


async def test_each_host_counts_its_requests_answers_and_pauses(server, settings):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    closed.close()
    urls = [server.url("/ok"), server.url("/status/404"), server.url("/429-once"), server.url("/hang"), refused]
    report = await check_urls_async(links(*urls), settings.replace(timeout=0.5, retries=1))
    hosts = {h.host: h for h in report.hosts}
    here = hosts[f"127.0.0.1:{server.port}"]
    assert here.requests == sum(server.state.hits.values())  # every request the server saw, and no other
    assert here.answers == {"2xx": 2, "4xx": 3, "timeout": 2}  # ok; 404 to HEAD and GET; 429, then 200; /hang twice
    assert here.pauses == 1  # the 429's Retry-After
    assert here.median_ms is not None and here.slowest_ms >= here.median_ms
    gone = hosts[refused.split("/")[2]]
    assert gone.answers == {"no answer": 1}  # a refused connection is not retried
    assert (gone.median_ms, gone.slowest_ms) == (None, None)


def test_the_table_puts_the_busiest_host_first():
    busy = HostStats("github.com:443", 12, {"2xx": 10, "4xx": 1, "timeout": 1}, 120.4, 910.0, pauses=1)
    quiet = HostStats("example.org:443", 1, {"no answer": 1}, closed=True)
    unused = HostStats("never.example:443")
    assert render_host_stats([quiet, unused, busy]).splitlines() == [
        "Per host (2 hosts, 13 requests):",
        "host                      requests  median ms  slowest ms  2xx  3xx  4xx  5xx  timeout  no answer  pauses",
        "github.com:443                  12        120         910   10    0    1    0        1          0       1",
        "example.org:443 (closed)         1          -           -    0    0    0    0        0          1       0",
    ]


def test_a_hostile_host_name_is_shown_escaped():
    text = render_host_stats([HostStats("evil\x1b[2J.example:80", 1, {"2xx": 1}, 1.0, 1.0)])
    assert "\x1b" not in text and "evil\\x1b[2J.example:80" in text


def test_the_command_prints_them_to_standard_error(tmp_path, httpserver):
    httpserver.expect_request("/ok").respond_with_data("<html></html>", content_type="text/html")
    page = tmp_path / "page.md"
    page.write_text(f"[a]({httpserver.url_for('/ok')})\n", encoding="utf-8")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json", "--host-stats"]
    result = CliRunner().invoke(check_links, args, env={"CI": "true"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["state"] == "ok"  # standard output stays the report
    assert "Per host (1 host, 1 request):" in result.stderr
    assert f"127.0.0.1:{httpserver.port}" in result.stderr


def test_in_a_markdown_report_they_are_a_section_with_host_names_as_code():
    hosts = [HostStats("a|b`*x*.example:443", 2, {"2xx": 1, "5xx": 1}, 10.0, 20.0)]
    assert render_host_stats(hosts, "markdown").splitlines() == [
        "## Per host (1 host, 2 requests)",
        "",
        "| host | requests | median ms | slowest ms | 2xx | 3xx | 4xx | 5xx | timeout | no answer | pauses |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| ``a\\|b`*x*.example:443`` | 2 | 10 | 20 | 1 | 0 | 0 | 1 | 0 | 0 | 0 |",
    ]


def test_the_command_appends_them_to_a_markdown_report(tmp_path, httpserver):
    httpserver.expect_request("/ok").respond_with_data("<html></html>", content_type="text/html")
    page = tmp_path / "page.md"
    page.write_text(f"[a]({httpserver.url_for('/ok')})\n", encoding="utf-8")
    out = tmp_path / "report.md"
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "markdown"]
    result = CliRunner().invoke(
        check_links, [*args, "--output", str(out), "--host-stats"], env={"CI": "true"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Link check\n")
    assert "\n## Per host (1 host, 1 request)\n" in text
    assert "Per host" not in result.stderr
