"""``check-links`` options that lychee's users reach for: --include, --accept, --header, --user-agent."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archkb.linkcheck import Link, State, check_urls_async, dump_links
from archkb.linkcheck.command import check_links


def run(args: list[str]):
    return CliRunner().invoke(check_links, args, env={"CI": "true"}, catch_exceptions=False)


@pytest.fixture
def origin(httpserver):
    """A threaded local server: ``/docs/a``, ``/docs/b``, ``/other`` (200), ``/forbidden`` (403)."""
    for path in ("/docs/a", "/docs/b", "/other"):
        httpserver.expect_request(path).respond_with_data("<html></html>", content_type="text/html")
    httpserver.expect_request("/forbidden").respond_with_data("no", status=403)
    return httpserver


def page_linking(tmp_path, base: str, *paths: str):
    page = tmp_path / "page.md"
    page.write_text("".join(f"[{n}]({base}{p})\n" for n, p in enumerate(paths)), encoding="utf-8")
    return page


def results(result) -> dict[str, dict]:
    return {r["url"]: r for r in json.loads(result.stdout)["results"]}


def test_include_checks_only_what_it_matches_and_wins_over_exclude(tmp_path, origin):
    base = origin.url_for("").rstrip("/")
    page = page_linking(tmp_path, base, "/docs/a", "/docs/b", "/other")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json"]
    result = run([*args, "--include", "/docs/", "--exclude", "/docs/b"])
    assert result.exit_code == 0, result.output
    found = results(result)
    assert found[f"{base}/docs/a"]["state"] == found[f"{base}/docs/b"]["state"] == "ok"
    assert found[f"{base}/other"]["state"] == "skipped"
    assert found[f"{base}/other"]["message"] == "not included (no --include matches it)"
    assert sorted(request.path for request, _ in origin.log) == ["/docs/a", "/docs/b"]


def test_include_from_the_config_file_and_in_a_dump(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.archkb.link_check]\ninclude = ["^https://kept\\\\."]\n')
    page = page_linking(tmp_path, "https://", "kept.example/x", "dropped.example/y")
    result = run([str(page), "--root", str(tmp_path), "--dump"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "check    https://kept.example/x  (page.md:1)",
        "skip     https://dropped.example/y  (page.md:2)  not included (no --include matches it)",
    ]


def test_accept_takes_codes_and_ranges(tmp_path, origin):
    base = origin.url_for("").rstrip("/")
    page = page_linking(tmp_path, base, "/forbidden")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json"]
    blocked = run(args)
    assert results(blocked)[f"{base}/forbidden"]["state"] == "blocked"
    for accepted in ("403", "401-403,429"):
        result = run([*args, "--accept", accepted])
        assert result.exit_code == 0, result.output
        found = results(result)[f"{base}/forbidden"]
        assert (found["state"], found["message"]) == ("ok", "HTTP 403, accepted for this host")


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--accept", "forbidden", "is not a status or a range of them"),
        ("--accept", "99", "statuses run from 100 to 999"),
        ("--accept", "403-401", "the lower first"),
        ("--header", "no colon here", "is not 'Name: value' on one line"),
        ("--header", "Bad Name: x", "is not 'Name: value' on one line"),
    ],
)
def test_bad_option_values_exit_3_and_say_why(tmp_path, option, value, says):
    page = page_linking(tmp_path, "https://", "example.org/")
    result = run([str(page), "--root", str(tmp_path), "--offline", option, value])
    assert result.exit_code == 3, result.output
    assert says in result.output
    assert "Traceback" not in result.output


async def test_headers_and_the_user_agent_are_sent(server, settings):
    settings = settings.replace(headers={"X-Archkb-Test": "1"}, user_agent="Mozilla/5.0 (compatible; test)")
    (result,) = (await check_urls_async([Link(server.url("/ok"), "p.md:1")], settings)).results
    assert result.state is State.OK
    (seen,) = server.state.headers
    assert seen["x-archkb-test"] == "1"
    assert seen["user-agent"] == "Mozilla/5.0 (compatible; test)"


def test_the_command_sends_its_header_and_user_agent_options(tmp_path, origin):
    base = origin.url_for("").rstrip("/")
    page = page_linking(tmp_path, base, "/other")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archkb.link_check]\nheaders = { "X-Lang" = "de", "X-Keep" = "1" }\n'
    )
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache"]
    result = run([*args, "--header", "X-Lang: en", "--user-agent", "Mozilla/5.0 (compatible; test)"])
    assert result.exit_code == 0, result.output
    (request, _), *_ = origin.log
    assert request.headers["X-Lang"] == "en"  # the command line wins over the file
    assert request.headers["X-Keep"] == "1"
    assert request.headers["User-Agent"] == "Mozilla/5.0 (compatible; test)"


def test_dump_links_takes_includes():
    planned = dump_links([Link("https://a.example/", "p:1"), Link("https://b.example/", "p:2")], includes=["a\\."])
    assert [(p.url, p.action) for p in planned] == [("https://a.example/", "check"), ("https://b.example/", "skip")]


def test_max_redirects_from_the_option_and_the_config_file(tmp_path, httpserver):
    for hop in range(3):
        httpserver.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": httpserver.url_for(f"/r{hop + 1}")}
        )
    httpserver.expect_request("/r3").respond_with_data("<html></html>", content_type="text/html")
    page = page_linking(tmp_path, httpserver.url_for("").rstrip("/"), "/r0")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json"]
    followed = results(run(args))[httpserver.url_for("/r0")]
    assert followed["state"] == "ok" and followed["final_url"] == httpserver.url_for("/r3")
    capped = results(run([*args, "--max-redirects", "2"]))[httpserver.url_for("/r0")]
    assert capped["state"] == "error" and capped["message"] == "more than 2 redirects"
    (tmp_path / "pyproject.toml").write_text("[tool.archkb.link_check]\nmax_redirects = 1\n", encoding="utf-8")
    assert results(run(args))[httpserver.url_for("/r0")]["message"] == "more than 1 redirect"
    assert results(run([*args, "--max-redirects", "5"]))[httpserver.url_for("/r0")]["state"] == "ok"  # the option wins


def test_require_https_from_the_option_and_the_config_file(tmp_path, origin):
    """The local server speaks no TLS, so each https:// form asked for is one more request that
    fails (and the link stays ok): the count shows whether the setting reached the run."""
    page = page_linking(tmp_path, origin.url_for("").rstrip("/"), "/docs/a")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--retries", "0", "--format", "json"]

    def requests(extra: list[str]) -> int:
        result = run([*args, *extra])
        assert results(result)[origin.url_for("/docs/a")]["state"] == "ok"
        return int(result.stderr.split("; ")[1].split(" requests")[0])

    assert requests([]) == 1
    assert requests(["--require-https"]) == 2
    (tmp_path / "pyproject.toml").write_text("[tool.archkb.link_check]\nrequire_https = true\n", encoding="utf-8")
    assert requests([]) == 2
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archkb.link_check]\nrequire_https = true\n[tool.archkb.link_check.hosts."127.0.0.1"]\n'
        "require_https = false\n",
        encoding="utf-8",
    )
    assert requests([]) == 1
