"""The build benchmark's catalog generator writes catalogs that the real tools accept."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from archkb.catalog.loader import load_catalog
from archkb.catalog.relations import RELATION_TYPES
from archkb.cli import main as archkb_main

REPO = Path(__file__).resolve().parent.parent


def _load_generator():
    path = REPO / "bench" / "build" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_build_generate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalog")
    gen.generate_catalog(root, 24)
    return root


def test_generated_catalog_validates_with_the_cli(catalog_dir: Path) -> None:
    result = CliRunner().invoke(archkb_main, ["validate", "--root", str(catalog_dir)])
    assert result.exit_code == 0, result.output
    assert "24 patterns, 120 references, 5 reading paths: no problems" in result.output


def test_generated_catalog_has_the_requested_shape(catalog_dir: Path) -> None:
    catalog = load_catalog(catalog_dir)
    assert len(catalog.patterns) == 24
    assert len(catalog.references) == 120
    assert len(catalog.topics) == gen.TOPIC_COUNT
    assert len(catalog.paths) == gen.PATH_COUNT
    # Every reference is cited by some pattern, and every pattern has relations and inline links.
    assert all(catalog.cited_by[ref_id] for ref_id in catalog.references)
    assert all(catalog.links[slug] for slug in catalog.patterns)
    for entry in catalog.patterns.values():
        assert "](" in entry.body and ".md)" in entry.body
        assert entry.citations()


def test_relation_vocabulary_matches_the_package() -> None:
    assert set(gen.RELATION_NAMES) == set(RELATION_TYPES)


def test_generation_is_deterministic(tmp_path: Path) -> None:
    gen.generate_catalog(tmp_path / "a", 6, 10, seed=3)
    gen.generate_catalog(tmp_path / "b", 6, 10, seed=3)
    for sub in ("patterns", "references", "paths"):
        names = sorted(p.name for p in (tmp_path / "a" / sub).iterdir())
        assert names == sorted(p.name for p in (tmp_path / "b" / sub).iterdir())
        for name in names:
            assert (tmp_path / "a" / sub / name).read_bytes() == (tmp_path / "b" / sub / name).read_bytes()


def test_site_config_drops_mkdocstrings_and_keeps_the_rest() -> None:
    from mkdocs.utils.yaml import get_yaml_loader

    # mkdocs.yml takes its addresses from the environment (`!ENV`): read it as MkDocs does.
    real = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=get_yaml_loader(yaml.SafeLoader))  # noqa: S506
    config = gen.site_config()
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert "mkdocstrings" not in names
    assert "archkb" in names
    assert config["theme"] == real["theme"]
    assert config["markdown_extensions"] == real["markdown_extensions"]
    # The book follows ARCHKB_BOOK at build time, as the project's own builds do.
    assert gen._dump(config["plugins"]).count("book: !ENV [ARCHKB_BOOK, false]") == 1


def test_baseline_has_plain_pages_and_no_plugin(catalog_dir: Path, tmp_path: Path) -> None:
    from mkdocs.utils.yaml import get_yaml_loader

    copied = gen.generate_baseline(tmp_path / "base", catalog_dir)
    assert copied == 24
    # Its `!ENV` values stay as written (MkDocs resolves them when it builds): read it as MkDocs does.
    text = (tmp_path / "base" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_url: !ENV [SITE_URL, " in text
    config = yaml.load(text, Loader=get_yaml_loader(yaml.SafeLoader))  # noqa: S506
    assert config["plugins"] == ["search", "tags"]
    # The same nav as the site's: the pages the plugin generates are one-line stubs there.
    assert config["nav"] == gen.site_config()["nav"]
    for uri in gen.GENERATED_PAGE_STUBS:
        assert "a stub here" in (tmp_path / "base" / "docs" / uri).read_text(encoding="utf-8")
    slug = gen.pattern_slug(0)
    assert (tmp_path / "base" / "docs" / "patterns" / f"{slug}.md").read_bytes() == (
        catalog_dir / "patterns" / f"{slug}.md"
    ).read_bytes()


def test_generated_site_builds_without_warnings(catalog_dir: Path, tmp_path: Path) -> None:
    from conftest import Site

    root = tmp_path / "site"
    gen.generate_catalog(root, 5, 12)
    result = Site(root).build(strict=True)
    assert result.ok, result.warnings
    assert result.warnings == []
    assert (result.site_dir / "patterns" / gen.pattern_slug(0) / "index.html").is_file()


def _load(name: str):
    path = REPO / "bench" / "build" / f"{name}.py"
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_build_{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def test_serve_rebuild_reparses_only_the_edited_pattern(tmp_path: Path) -> None:
    incremental = _load("incremental")
    root = tmp_path / "cat"
    gen.generate_catalog(root, 6, 12)
    edited = root / "patterns" / f"{gen.pattern_slug(2)}.md"
    result = incremental.measure_rebuild(root, edited)
    first, after_edit, no_edit = (result[k] for k in ("first_build", "rebuild_after_edit", "rebuild_no_edit"))
    # 6 patterns, 12 reference files (12 references over at most 20 topics) and 5 reading paths.
    assert (first["cache_misses"], first["cache_hits"]) == (6 + 12 + gen.PATH_COUNT, 0)
    assert after_edit["cache_misses"] == 1
    assert after_edit["cache_hits"] == first["cache_misses"] - 1
    assert no_edit["cache_misses"] == 0
    assert "files" in after_edit["plugin"]["events"]
    assert "An edited sentence for the rebuild benchmark." in edited.read_text(encoding="utf-8")


def test_runner_measures_both_variants_and_writes_results(tmp_path: Path) -> None:
    run = _load("run")
    site, base = tmp_path / "site", tmp_path / "base"
    gen.generate_catalog(site, 4, 8)
    gen.generate_baseline(base, site)
    runs = [run.timed_build(site, "archkb", 4), run.timed_build(base, "baseline", 4)]
    assert all(r.returncode == 0 and r.wall_s > 0 and r.max_rss_mb > 10 for r in runs)
    assert runs[0].warnings == 0, runs[0].first_warnings
    results = {
        "command": "test",
        "machine": "test",
        "repeat": 1,
        "references_per_pattern": 2,
        "finished": "now",
        "summary": run.summarise(runs),
    }
    assert set(results["summary"]["sizes"]["4"]["ratio"]) >= {"wall_s", "cpu_s", "max_rss_mb"}
    run.write_markdown(tmp_path / "results.md", results)
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| 4 |" in text and "archkb" in text and "baseline" in text
