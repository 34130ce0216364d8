"""`archkb new reference`: an entry is validated before it is written, and appended without disturbing the file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from archkb.catalog.loader import load_catalog
from archkb.catalog.yamlload import load_yaml
from archkb.cli import main
from archkb.cli.scaffold import ReferenceRejected, add_reference, reference_id, render_reference_entry

GOOD = [
    "--title",
    "Designing Data-Intensive Applications",
    "--author",
    "Martin Kleppmann",
    "--year",
    "2017",
    "--kind",
    "book",
    "--url",
    "https://dataintensive.net/",
    "--publisher",
    "O'Reilly Media",
    "--tag",
    "data",
    "--tag",
    "distributed-systems",
    "--summary",
    "A careful tour of the data systems underneath modern applications: storage engines, "
    "replication, partitioning, and what each consistency model costs the people who build on it.",
]


#: A valid reading-list entry (its id comes out as ``d-2021-u``).
ENTRY_U = {
    "title": "U",
    "authors": ["C D"],
    "year": 2021,
    "kind": "book",
    "url": "https://example.org/u",
    "summary": "S.",
}


def run(*args: str, input: str | None = None):  # noqa: A002 - the name CliRunner.invoke gives it
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_appends_a_valid_entry_and_keeps_the_existing_text(site):
    path = site.root / "references/testing.yml"
    before = path.read_text()
    result = run("new", "reference", "--file", "references/testing.yml", "--no-input", "--root", str(site.root), *GOOD)
    assert result.exit_code == 0, result.output
    ref_id = "kleppmann-2017-designing-data-intensive-applications"
    after = path.read_text()
    assert after.startswith(before)
    line = after.splitlines().index(f"  - id: {ref_id}") + 1
    assert f"references/testing.yml:{line}: added reference '{ref_id}'" in result.stdout
    # House style: flow lists, a folded summary, nothing else changed.
    assert "    authors: [Martin Kleppmann]\n" in after
    assert "    tags: [data, distributed-systems]\n" in after
    assert "    summary: >-\n" in after
    catalog = load_catalog(site.root)
    assert catalog.problems == []
    ref = catalog.references[ref_id].data
    assert ref.publisher == "O'Reilly Media" and ref.year == 2017
    assert ref.summary.startswith("A careful tour") and ref.summary.endswith("build on it.")
    assert run("validate", "--root", str(site.root)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1066"], "'year' input should be greater than or equal to 1800"),
        (["--url", "ftp://example.com/x"], "'url' must be an absolute http:// or https:// URL"),
        (["--id", "Not_A_Slug"], "'id' is 'Not_A_Slug', but must be lowercase words joined by hyphens"),
        (["--summary", "See <script>alert(1)</script>."], "summary:"),
        (["--id", "ref-a"], "the id 'ref-a' is already used at references/testing.yml:4"),
        (["--url", "https://example.com/b/"], "the URL is already the reference 'ref-b'"),
    ],
)
def test_invalid_entries_are_reported_and_nothing_is_written(site, args, message):
    path = site.root / "references/testing.yml"
    before = path.read_bytes()
    result = run(
        "new", "reference", "--file", "references/testing.yml", "--no-input", "--root", str(site.root), *GOOD, *args
    )
    assert result.exit_code == 1
    assert message in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


def test_missing_required_fields_without_input(site):
    result = run(
        "new",
        "reference",
        "--file",
        "references/testing.yml",
        "--no-input",
        "--root",
        str(site.root),
        "--title",
        "Only a title",
    )
    assert result.exit_code == 1
    for name in ("authors", "kind", "url", "summary"):
        assert f"missing required field '{name}'" in result.stderr


def test_prompts_for_missing_fields_and_creates_a_new_file(site):
    answers = (
        "Release It!\nMichael T. Nygard\n2018\nbook\nhttps://pragprog.com/titles/mnee2/release-it-second-edition/\n"
        "Stability patterns for production systems.\n\n"
    )  # the last answer accepts the suggested id
    result = run(
        "new",
        "reference",
        "--file",
        "references/resilience.yml",
        "--topic",
        "Resilience",
        "--root",
        str(site.root),
        input=answers,
    )
    assert result.exit_code == 0, result.output
    assert "Id [nygard-2018-release-it]:" in result.output
    text = (site.root / "references/resilience.yml").read_text()
    assert text.startswith("topic: Resilience\nreferences:\n  - id: nygard-2018-release-it\n")
    catalog = load_catalog(site.root)
    assert catalog.problems == []
    assert catalog.topics["resilience"].title == "Resilience"
    assert catalog.references["nygard-2018-release-it"].data.title == "Release It!"


def test_rejects_files_outside_the_references_folder(site):
    result = run("new", "reference", "--file", "patterns/alpha.yml", "--no-input", "--root", str(site.root), *GOOD)
    assert result.exit_code == 1
    assert "references live in references/<topic>.yml" in result.stderr
    assert not (site.root / "patterns/alpha.yml").exists()


def test_a_broken_file_is_reported_with_its_line_and_left_alone(site):
    path = site.write("references/broken.yml", "topic: Broken\nreferences:\n  - id: x\n    title: [unclosed\n")
    before = path.read_bytes()
    with pytest.raises(ReferenceRejected) as info:
        add_reference(
            site.root,
            "references/broken.yml",
            {
                "title": "T",
                "authors": ["A B"],
                "year": 2020,
                "kind": "book",
                "url": "https://example.org/t",
                "summary": "S.",
            },
        )
    assert info.value.problems[0].startswith("references/broken.yml:")
    assert "fix the file first" in info.value.problems[0]
    assert path.read_bytes() == before


def test_a_key_after_references_is_refused_rather_than_corrupted(site):
    path = site.write(
        "references/odd.yml",
        "topic: Odd\nreferences:\n  - id: odd-one\n    title: T\n"
        "    authors: [A B]\n    year: 2020\n    kind: book\n    url: https://example.org/odd\n"
        "    summary: S.\ndescription: Written last.\n",
    )
    before = path.read_bytes()
    with pytest.raises(ReferenceRejected, match="move 'references:' to the end"):
        add_reference(
            site.root,
            "odd",
            ENTRY_U,
        )
    assert path.read_bytes() == before


def test_empty_flow_list_and_bare_topic_name(site):
    site.write("references/empty.yml", "topic: Empty\nreferences: []  # none yet\n")
    added = add_reference(
        site.root,
        "empty",
        ENTRY_U,
    )
    assert added.path == "references/empty.yml" and added.id == "d-2021-u" and added.line == 3
    assert load_catalog(site.root).references["d-2021-u"].line == 3


def test_reference_id_suggestion():
    assert reference_id(["Martin Fowler"], 2015, "Monolith First") == "fowler-2015-monolith-first"
    assert (
        reference_id(["Gregor Hohpe", "Bobby Woolf"], 2003, "Enterprise Integration Patterns: Designing, Building")
        == "hohpe-2003-enterprise-integration-patterns"
    )
    assert reference_id(["José Müller"], 2020, "The Art of the Thing") == "muller-2020-art-thing"


@pytest.mark.parametrize(
    "value",
    [
        "plain text",
        "yes",
        "2017",
        "a: colon",
        "# not a comment",
        "quote ' and \" both",
        "ünïcödé – dash",
        "- leading dash",
        "@at",
        "trailing colon:",
        "x" * 150 + " " + "y" * 20,
    ],
)
def test_rendered_entries_load_back_exactly(value):
    fields = {"id": "a-b", "title": value, "authors": [value, "B"], "year": 2020, "summary": value, "note": value}
    text = render_reference_entry(fields)
    assert load_yaml(text).data == [fields]
