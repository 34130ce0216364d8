"""The committed JSON Schemas match the models, agree with them on real files, and are wired for editors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from archkb.catalog.model import PatternMeta, ReadingPath, Reference, ReferenceFile
from archkb.catalog.yamlload import load_yaml, split_front_matter
from archkb.cli import SCHEMAS, main

REPO = Path(__file__).resolve().parent.parent
COMMITTED = {
    "pattern": "schema/pattern.schema.json",
    "references": "schema/references.schema.json",
    "path": "schema/reading-path.schema.json",
}
REGENERATE = "archkb schema --kind {kind} -o {path}"


def committed(kind: str) -> dict:
    return json.loads((REPO / COMMITTED[kind]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", sorted(COMMITTED))
def test_committed_schema_matches_the_model(kind):
    assert committed(kind) == SCHEMAS[kind](), (
        f"{COMMITTED[kind]} has drifted from the model; regenerate it: "
        + REGENERATE.format(kind=kind, path=COMMITTED[kind])
    )
    jsonschema.Draft202012Validator.check_schema(committed(kind))


@pytest.mark.parametrize("kind", sorted(COMMITTED))
def test_cli_prints_the_committed_schema(kind):
    result = CliRunner().invoke(main, ["schema", "--kind", kind])
    assert result.exit_code == 0
    assert result.output == (REPO / COMMITTED[kind]).read_text(encoding="utf-8")


def _plain(data):
    """YAML dates become strings, as they would in JSON."""
    return json.loads(json.dumps(data, default=str))


def _schema_ok(kind: str, data) -> bool:
    return jsonschema.Draft202012Validator(committed(kind)).is_valid(_plain(data))


def _model_ok(model, data) -> bool:
    try:
        model.model_validate(data)
    except Exception:  # noqa: BLE001 - any validation error means "not valid"
        return False
    return True


def _real_documents():
    for path in sorted((REPO / "patterns").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts = split_front_matter(text)
        yield "pattern", path.name, load_yaml(parts.yaml_text or "").data
    for path in sorted((REPO / "references").glob("*.yml")):
        yield "references", path.name, load_yaml(path.read_text(encoding="utf-8")).data
    for path in sorted((REPO / "paths").glob("*.yml")):
        yield "path", path.name, load_yaml(path.read_text(encoding="utf-8")).data


def _model_ok_for(kind: str, data) -> bool:
    if kind == "pattern":
        return _model_ok(PatternMeta, data)
    if kind == "path":
        return _model_ok(ReadingPath, data)
    return _model_ok(ReferenceFile, data) and all(_model_ok(Reference, r) for r in data.get("references", []))


def test_schema_and_model_agree_on_every_real_file():
    documents = list(_real_documents())
    assert {kind for kind, _, _ in documents} == {"pattern", "references", "path"}
    for kind, name, data in documents:
        assert _schema_ok(kind, data) == _model_ok_for(kind, data), name


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("pattern", {"title": "T", "summary": "S.", "sumary": "typo"}),
        ("pattern", {"title": "T", "summary": "S.", "related": [{"pattern": "x", "type": "depends-on"}]}),
        ("pattern", {"title": "T", "summary": "S.", "tags": ["Not A Slug"]}),
        ("pattern", {"title": "T", "summary": "S.", "status": "done"}),
        (
            "references",
            {
                "topic": "T",
                "references": [
                    {
                        "id": "a",
                        "title": "A",
                        "authors": [],
                        "year": 2020,
                        "kind": "book",
                        "url": "https://e.org",
                        "summary": "S.",
                    }
                ],
            },
        ),
        (
            "references",
            {
                "topic": "T",
                "references": [
                    {
                        "id": "a",
                        "title": "A",
                        "authors": ["X"],
                        "year": 2020,
                        "kind": "novel",
                        "url": "https://e.org",
                        "summary": "S.",
                    }
                ],
            },
        ),
        (
            "path",
            {"title": "T", "summary": "S.", "steps": [{"pattern": "a", "reference": "b", "why": "W", "minutes": 5}]},
        ),
        ("path", {"title": "T", "summary": "S.", "steps": [{"why": "W", "minutes": 5}]}),
        ("path", {"title": "T", "summary": "S.", "steps": []}),
    ],
)
def test_schema_rejects_what_the_model_rejects(kind, data):
    assert not _model_ok_for(kind, data)
    assert not _schema_ok(kind, data)


def test_vscode_maps_the_yaml_files_to_the_committed_schemas():
    settings = json.loads((REPO / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    globs = {glob for globs in mapping.values() for glob in ([globs] if isinstance(globs, str) else globs)}
    assert {"references/*.yml", "paths/*.yml"} <= globs
    for schema_path in mapping:
        assert (REPO / schema_path).resolve().is_file(), schema_path
    assert mapping["./" + COMMITTED["references"]] and mapping["./" + COMMITTED["path"]]
