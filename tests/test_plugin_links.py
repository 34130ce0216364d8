"""Link checking inside the MkDocs build: strict fails on broken links only, serve stays offline."""

from __future__ import annotations

import json

from conftest import MKDOCS_YML, REFERENCES

#: The plugin's options for a build that checks links now, against the local server.
ONLINE = {
    "external": True,
    "allow_private": True,
    "timeout": 2,
    "cache": ".cache/links.json",
    "report": ".cache/report.json",
}


def configure(site, httpserver, **options):
    ok_url = httpserver.url_for("/fine")
    dead_url = httpserver.url_for("/gone")
    down_url = httpserver.url_for("/down")
    refs = REFERENCES.replace("https://example.com/a", ok_url).replace("https://example.com/b", dead_url)
    refs += f"""\
  - id: ref-c
    title: Down today
    authors: [Someone Else]
    year: 2001
    kind: blog
    url: {down_url}
    summary: A host having a bad day.
"""
    site.write("references/testing.yml", refs)
    lines = "".join(f"        {k}: {json.dumps(v)}\n" for k, v in options.items())
    cfg = MKDOCS_YML.replace("  - archkb\n", "  - archkb:\n      link_check:\n" + lines)
    site.write("mkdocs.yml", cfg)
    httpserver.expect_request("/fine").respond_with_data("ok")
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    return ok_url, dead_url, down_url


def test_strict_build_fails_on_broken_but_not_on_error(site, httpserver):
    ok_url, dead_url, down_url = configure(
        site,
        httpserver,
        **ONLINE,
    )
    result = site.build(strict=True)
    assert not result.ok
    broken = [w for w in result.warnings if "broken link" in w]
    assert broken and all(dead_url in w for w in broken)
    assert any(w.startswith("archkb: references/testing.yml:12: broken link") for w in broken), broken
    assert not any(down_url in w for w in result.warnings)  # 5xx is 'error': never fails the build

    plain = site.build(strict=False)
    assert plain.ok
    report = json.loads((plain.site_dir / "link-report.json").read_text())
    states = {r["url"]: r["state"] for r in report["results"]}
    assert states[ok_url] == "ok" and states[dead_url] == "broken" and states[down_url] == "error"
    assert report["summary"]["broken"] == 1
    assert json.loads((site.root / ".cache/report.json").read_text())["summary"]["broken"] == 1


def test_builds_without_external_reuse_the_latest_report_and_send_nothing(site, httpserver):
    configure(
        site,
        httpserver,
        **ONLINE,
    )
    site.build(strict=False)
    sent = len(httpserver.log)
    assert sent >= 3
    configure(
        site, httpserver, external=False, allow_private=True, cache=".cache/links.json", report=".cache/report.json"
    )
    result = site.build(strict=True)
    assert len(httpserver.log) == sent  # no request at all
    assert result.ok, result.warnings  # a stale report never fails a build
    report = json.loads((result.site_dir / "link-report.json").read_text())
    assert report["summary"]["broken"] == 1


def test_serve_never_checks_online_by_default(site, httpserver):
    configure(site, httpserver, **{**ONLINE, "timeout": 10})
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"))
    cfg.plugins.on_startup(command="serve", dirty=False)
    build(cfg, serve_url="http://127.0.0.1:8000/")
    assert len(httpserver.log) == 0
    report = json.loads((site.root / "site/link-report.json").read_text())
    assert report["results"] == []


def test_the_build_asks_for_archived_copies_and_shows_them(site, httpserver):
    from werkzeug import Response

    asked = []
    snapshot = "https://web.archive.org/web/20190704120000/" + httpserver.url_for("/gone")

    def availability(request):
        asked.append(request.args["url"])
        closest = {"available": True, "url": snapshot, "status": "200", "timestamp": "20190704120000"}
        return Response(json.dumps({"archived_snapshots": {"closest": closest}}), content_type="application/json")

    httpserver.expect_request("/wayback/available").respond_with_handler(availability)
    ok_url, dead_url, _down_url = configure(
        site,
        httpserver,
        **ONLINE,
        suggest=True,
        archive_api=httpserver.url_for("/wayback/available"),
        hosts={"127.0.0.1": {"per_host": 1}},
    )
    result = site.build(strict=False)
    assert result.ok, result.warnings
    assert asked == [dead_url]  # the broken link only
    report = json.loads((result.site_dir / "link-report.json").read_text())
    suggestions = {r["url"]: r["suggestion"] for r in report["results"]}
    assert suggestions[dead_url] == snapshot and suggestions[ok_url] is None
    reading_list = (result.site_dir / "reading-list" / "index.html").read_text(encoding="utf-8")
    assert f'href="{snapshot}"' in reading_list
    assert 'archived copy from <time datetime="2019-07-04">2019-07-04</time>' in reading_list


def test_a_link_check_settings_mistake_fails_the_build_with_its_key(site, httpserver):
    configure(site, httpserver, hosts={"127.0.0.1": {"intervall": 1}})
    result = site.build(strict=False)
    assert not result.ok
    text = "\n".join(result.warnings) + str(result.error)
    assert "unknown key 'intervall' (did you mean 'interval'?)" in text
