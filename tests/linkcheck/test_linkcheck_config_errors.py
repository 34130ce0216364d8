"""Bad link-check settings files: each mistake is refused with exit 3, named by file and line.

A review found settings files that gave a traceback (not UTF-8, nested too deeply), never ended (a
FIFO, ``/dev/zero``), were silently ignored (``[tool.archkb.link-check]``), or whose values were
reported as if given on the command line; and values the run then misused (``nan``, ``inf``, a
header name with a tab, a host written in fullwidth digits that never matched).
"""

from __future__ import annotations

import math
import os

import pytest

from archkb.linkcheck.config import MAX_CONFIG_BYTES, ConfigFileError, apply_table, load_table, project_table
from archkb.linkcheck.settings import HostRule, Settings

from .test_linkcheck_cli import run


def _check(tmp_path, config_text: str | bytes, *extra: str):
    """``check-links --dump --config FILE`` over a one-link page; the result."""
    config = tmp_path / "links.toml"
    if isinstance(config_text, bytes):
        config.write_bytes(config_text)
    else:
        config.write_text(config_text, encoding="utf-8")
    page = tmp_path / "links.md"
    page.write_text("[a](https://example.com/)\n", encoding="utf-8")
    return run([str(page), "--root", str(tmp_path), "--dump", "--config", str(config), *extra])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'exclude = ["a"]\naccept = ["\xff"]\n', "links.toml:2: not UTF-8 (byte 0xff)"),
        (b'\xef\xbb\xbfexclude = ["a"]\n', "links.toml:1: starts with a byte-order mark"),
        ("exclude = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply to read"),
        ("headers = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply to read"),
        ("concurrency = 0\n", "links.toml:1: concurrency must be >= 1, got 0"),
        ("# c\n\ninterval = nan\n", "links.toml:3: interval must be a finite number of seconds >= 0, got nan"),
        ("timeout = inf\n", "links.toml:1: timeout must be a finite number of seconds > 0, got inf"),
        ('exclude = ["(unclosed"]\n', "links.toml:1: exclude '(unclosed' is not a valid regular expression"),
        ("accept = [99]\n", "links.toml:1: accept must list HTTP statuses (100-999), got 99"),
        ('headers = { "X\\tBad" = "v" }\n', "header 'X\\tBad' is not a header name"),
        ('headers = { "X(A)" = "v" }\n', "header 'X(A)' is not a header name"),
        ('headers = { "X-A" = "v\\u0000w" }\n', "header 'X-A' has a control character in its value"),
        ('[hosts."*"]\naccept = [403]\n', "links.toml:1: [hosts.\"*\"] host '*': give a bare host name"),
        ('[hosts."example.*"]\n', "give a bare host name"),
        ('[hosts."a.test"]\n\ninterval = inf\n', 'links.toml:3: [hosts."a.test"] interval must be seconds'),
        (
            '[hosts.LOCALHOST]\nper_host = 1\n[hosts."localhost."]\nper_host = 2\n',
            'links.toml:3: [hosts] hosts.LOCALHOST and hosts."localhost." are the same host (localhost)',
        ),
        ("retries = -1\n", "links.toml:1: retries must be >= 0, got -1"),
    ],
)
def test_a_bad_settings_file_is_refused_at_its_line(tmp_path, text, message):
    result = _check(tmp_path, text)
    assert result.exit_code == 3, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_what_cannot_be_a_settings_file_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    page = tmp_path / "links.md"
    page.write_text("[a](https://example.com/)\n", encoding="utf-8")
    for config in (fifo, "/dev/zero"):
        result = run([str(page), "--root", str(tmp_path), "--dump", "--config", str(config)])
        assert result.exit_code == 3
        assert f"{config}: not a regular file" in result.output
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * MAX_CONFIG_BYTES + "\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match="larger than 1024 KiB"):
        load_table(huge)


@pytest.mark.parametrize("name", ["link-check", "linkcheck", "link_checks"])
def test_a_misspelt_table_in_pyproject_is_reported_not_ignored(tmp_path, name):
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n\n[tool.archkb.{name}]\nexclude = ["x"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigFileError) as caught:
        project_table(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'pyproject.toml'}:4: [tool.archkb] unknown key {name!r} (did you mean 'link_check'?)"
    )
    page = tmp_path / "links.md"
    page.write_text("[a](https://example.com/)\n", encoding="utf-8")
    assert run([str(page), "--root", str(tmp_path), "--dump"]).exit_code == 3


def test_a_key_in_an_inline_table_is_reported_at_the_line_that_holds_it(tmp_path):
    text = '[tool.archkb.link_check]\nsuggest = true\nhosts = { "a.test" = { per_host = 0 } }\n'
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    table, source = project_table(tmp_path)
    with pytest.raises(ConfigFileError, match=r"pyproject\.toml:3: .*per_host must be an integer >= 1, got 0"):
        apply_table(Settings(), table, source)
    # A table named by a label alone (the MkDocs plugin's options) is named by it, as before.
    with pytest.raises(ConfigFileError, match=r"^mkdocs\.yml: x hosts\.a\.test: per_host must be"):
        apply_table(Settings(), table, "mkdocs.yml: x")


def test_nan_and_infinity_from_the_command_line_are_refused(tmp_path):
    for option in (["--interval", "nan"], ["--interval", "inf"], ["--timeout", "inf"], ["--max-age", "nan"]):
        result = _check(tmp_path, "", *option)
        assert result.exit_code == 3, (option, result.output)
        assert "must be a finite number" in result.output


def test_a_header_name_that_is_no_token_is_refused_from_the_command_line(tmp_path):
    result = _check(tmp_path, "", "--header", "X\tB: v")
    assert result.exit_code == 3
    assert "is not a header name" in result.output


def test_an_empty_files_from_list_still_checks_the_settings(tmp_path):
    listed = tmp_path / "none.txt"
    listed.write_text("# nothing changed\n", encoding="utf-8")
    (tmp_path / "links.toml").write_text("exlude = ['x']\n", encoding="utf-8")
    args = ["--root", str(tmp_path), "--files-from", str(listed)]
    result = run([*args, "--config", str(tmp_path / "links.toml")])
    assert result.exit_code == 3
    assert "unknown key 'exlude'" in result.output
    good = run(args)
    assert good.exit_code == 0
    assert "no inputs listed; nothing checked" in good.output


@pytest.mark.parametrize(
    ("written", "host"),
    [
        ("１２７.０.０.１", "127.0.0.1"),
        ("Bücher.example.", "xn--bcher-kva.example"),
        ("*.EXAMPLE.org.", "docs.example.org"),
    ],
)
def test_a_host_rule_matches_the_host_however_it_is_written(written, host):
    assert HostRule(written).matches(host)
    assert Settings(hosts=[HostRule(written, accept=[403])]).rule_for(host).accept == [403]


def test_the_checks_of_seconds_are_finite():
    problems = Settings(interval=math.nan, run_budget=math.inf, max_age_days=-math.inf).validate()
    assert len(problems) == 3
    assert all("finite" in problem for problem in problems)


def test_a_files_from_list_that_is_not_utf8_is_named_at_its_line(tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_bytes(b"a.md\n# a comment\n\xff.md\n")
    result = run(["--files-from", str(listed), "--dump", "--root", str(tmp_path)])
    assert result.exit_code == 3
    assert f"{listed}:3: the list of inputs is not UTF-8" in result.output


def test_an_ipv6_host_is_named_in_brackets():
    rule = HostRule("[::1]", accept=[403])
    assert rule.problems() == []
    assert Settings(hosts=[rule]).rule_for("::1").accept == [403]
    assert HostRule("[not-an-address]").problems() and HostRule("::1").problems()
