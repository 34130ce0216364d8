"""``archkb check-links --dump``: every link found and what a check would do with it, nothing sent."""

from __future__ import annotations

import json

from click.testing import CliRunner

from archkb.linkcheck import Link
from archkb.linkcheck.command import check_links
from archkb.linkcheck.plan import ACTIONS, dump_links, render_dump

from .test_linkcheck_cli import write_site

PAGE = """# Page

[ok](http://127.0.0.1:{port}/ok) and [again](http://127.0.0.1:{port}/ok)
[mail](mailto:someone@example.org)
[login](http://user:secret@127.0.0.1:{port}/private)
[cdn](//cdn.example/lib.js)
[spaced](http://exa mple.org/)
[old](https://old.example/paper.pdf)
"""


def run(args: list[str]):
    return CliRunner().invoke(check_links, args, env={"CI": "true"}, catch_exceptions=False)


def test_dump_lists_each_link_with_what_a_check_would_do_and_sends_nothing(tmp_path, httpserver):
    httpserver.expect_request("/ok").respond_with_data("ok")
    page = tmp_path / "page.md"
    page.write_text(PAGE.format(port=httpserver.port), encoding="utf-8")
    cache = tmp_path / "cache.json"
    args = [str(page), "--root", str(tmp_path), "--cache", str(cache), "--dump", "--exclude", "cdn\\."]
    result = run([*args, "--remap", r"^https://old\.example/ https://new.example/"])
    assert result.exit_code == 0, result.output
    base = f"http://127.0.0.1:{httpserver.port}"
    assert result.stdout.splitlines() == [
        f"check    {base}/ok  (page.md:3)",
        "skip     mailto:someone@example.org  (page.md:4)  not an HTTP(S) link (mailto:)",
        f"check    http://***@127.0.0.1:{httpserver.port}/private -> {base}/private  (page.md:5)",
        "skip     //cdn.example/lib.js -> https://cdn.example/lib.js  (page.md:6)  excluded by 'cdn\\\\.'",
        "broken   http://exa mple.org/  (page.md:7)  malformed URL: the host 'exa mple.org' has characters "
        "a host name cannot have",
        "check    https://old.example/paper.pdf -> https://new.example/paper.pdf  (page.md:8)",
    ]
    assert "secret" not in result.output
    assert httpserver.log == []  # nothing was asked
    assert not cache.exists()
    assert not (tmp_path / ".cache").exists()  # and no report was written


def test_dump_as_json_with_a_site_lists_its_internal_links_too(tmp_path):
    site = write_site(tmp_path, "https://example.org")
    out = tmp_path / "dump.json"
    result = run([str(site), "--root", str(tmp_path), "--dump", "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    links = json.loads(out.read_text(encoding="utf-8"))["links"]
    by_url = {entry["url"]: entry for entry in links}
    assert by_url["https://example.org/ok"] == {
        "url": "https://example.org/ok",
        "action": "check",
        "target": None,
        "reason": "",
        "sources": ["site/index.html:2"],
    }
    assert by_url["mailto:x@example.org"]["action"] == "skip"
    internal = {url for url, entry in by_url.items() if entry["action"] == "internal"}
    assert internal == {"other/", "other/#part", "#here", "../", "../index.html#here"}
    assert by_url["other/#part"]["sources"] == ["site/index.html:5"]
    assert result.stderr == "8 links: 2 check, 5 internal, 1 skip; nothing sent\n"


def test_dump_shows_a_hostile_link_escaped():
    planned = dump_links([Link("https://example.org/\x1b[2Jx\u202egnp.exe", "page.md:1")])
    text = render_dump(planned, "text")
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[2Jx\\u202egnp.exe" in text


def test_a_bad_remap_in_the_config_file_names_the_file(tmp_path):
    (tmp_path / "page.md").write_text("[a](https://example.org/x)\n", encoding="utf-8")
    config = tmp_path / "links.toml"
    config.write_text('[tool.archkb.link_check]\nremap = ["(x) \\\\9"]\n', encoding="utf-8")
    for extra in (["--dump"], ["--offline"]):
        result = run([str(tmp_path / "page.md"), "--root", str(tmp_path), "--config", str(config), *extra])
        assert result.exit_code == 3, result.output
        assert (
            "links.toml:2: [tool.archkb.link_check] remap '(x)': its replacement (\\9) cannot be used" in result.output
        )
        assert "Traceback" not in result.output


def test_every_action_is_one_a_dump_can_give():
    planned = dump_links(
        [Link("https://example.org/", "a:1"), Link("ftp://example.org/", "a:2"), Link("http://a b/", "a:3")],
        [Link("#top", "a:4")],
    )
    assert [p.action for p in planned] == ["check", "skip", "broken", "internal"]
    assert set(ACTIONS) == {p.action for p in planned}
