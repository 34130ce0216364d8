"""Publishing: the addresses come from the environment, pages link to their source, nothing phones home.

The Pages workflow builds with SITE_URL (from actions/configure-pages), REPO_URL and EDIT_URI (from the
GitHub context). These tests build the real site the same way, with made-up addresses, and check what
readers get: canonical links under SITE_URL, "edit this page" buttons that open the file a contributor
actually edits, and a repository link that does not ask api.github.com for stars on every page load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SITE_URL = "https://kb.example.org/archkb/"
REPO_URL = "https://github.com/example-org/archkb"
BRANCH = "main"
ADDRESS_VARIABLES = ("SITE_URL", "REPO_URL", "EDIT_URI")


@pytest.fixture
def no_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ADDRESS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_local_defaults_serve_under_archkb_with_no_repository(no_addresses):
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(REPO / "mkdocs.yml"), strict=True)
    assert cfg.site_url == "http://127.0.0.1:8000/archkb/"  # where `mkdocs serve` serves it
    assert cfg.repo_url is None  # no repository link, no api.github.com
    cfg.plugins.on_config(cfg)  # the plugin drops the edit path: nothing to edit without a repository
    assert not cfg.edit_uri


def test_repo_url_alone_gives_every_pattern_page_its_edit_button(no_addresses, tmp_path, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("SITE_URL", SITE_URL)
    monkeypatch.setenv("REPO_URL", REPO_URL)
    cfg = load_config(config_file=str(REPO / "mkdocs.yml"), strict=True, site_dir=str(tmp_path / "site"))
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        build(cfg)  # strict: any warning aborts
    finally:
        cfg.plugins.on_shutdown()
    for page in sorted((tmp_path / "site/patterns").glob("*/index.html")):
        assert f'href="{REPO_URL}/edit/main/patterns/{page.parent.name}.md"' in page.read_text(encoding="utf-8"), page


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strict as the Pages workflow builds it."""
    from mkdocs.commands.build import build

    site_dir = tmp_path_factory.mktemp("published") / "site"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITE_URL", SITE_URL.rstrip("/"))  # configure-pages gives base_url without the slash
        env.setenv("REPO_URL", REPO_URL)
        env.setenv("EDIT_URI", f"edit/{BRANCH}/docs/")
        from mkdocs.config import load_config

        cfg = load_config(config_file=str(REPO / "mkdocs.yml"), strict=True, site_dir=str(site_dir))
        assert cfg.site_url == SITE_URL and cfg.repo_url == REPO_URL
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)  # strict: any warning aborts
        finally:
            cfg.plugins.on_shutdown()
    return site_dir


def _html(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("index.html", ""),
        ("patterns/monolith-first/index.html", "patterns/monolith-first/"),
        ("guide/relations/index.html", "guide/relations/"),
        ("reading-list/index.html", "reading-list/"),
    ],
)
def test_canonical_links_are_under_site_url(published, page, url):
    assert f'<link rel="canonical" href="{SITE_URL}{url}">' in _html(published, page)


def test_every_page_has_its_canonical_link_under_site_url(published):
    pages = [p for p in published.rglob("*.html") if p.name == "index.html"]
    assert len(pages) > 50
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if 'rel="canonical"' in text:
            assert f'rel="canonical" href="{SITE_URL}' in text, page.relative_to(published)


def test_pattern_pages_edit_their_file_in_patterns(published):
    html = _html(published, "patterns/monolith-first/index.html")
    assert f'href="{REPO_URL}/edit/{BRANCH}/patterns/monolith-first.md"' in html
    assert "/docs/../" not in html and "/docs/patterns/" not in html


def test_hand_written_pages_edit_their_file_in_docs(published):
    assert f'href="{REPO_URL}/edit/{BRANCH}/docs/guide/relations.md"' in _html(published, "guide/relations/index.html")
    assert f'href="{REPO_URL}/edit/{BRANCH}/docs/index.md"' in _html(published, "index.html")


def test_reading_paths_edit_their_yaml(published):
    assert f'href="{REPO_URL}/edit/{BRANCH}/paths/from-monolith-to-services.yml"' in _html(
        published, "paths/from-monolith-to-services/index.html"
    )


def test_repository_link_is_plain_and_nothing_asks_the_github_api(published):
    home = _html(published, "index.html")
    assert f'<a href="{REPO_URL}" title="Go to repository" class="md-source">' in home
    for page in published.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        # Material's script fetches stars and forks for any element marked as the "source" component.
        assert 'data-md-component="source"' not in text, page.relative_to(published)
        assert "//api.github.com" not in text, page.relative_to(published)  # nor a URL of it (prose may name it)


def test_every_page_footer_shows_both_licences(published):
    for rel in ("index.html", "patterns/monolith-first/index.html", "reading-list/index.html"):
        footer = _html(published, rel).split('<div class="md-copyright__highlight">', 1)[1].split("</div>", 1)[0]
        assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in footer, rel
        assert '<a href="https://opensource.org/license/mit" rel="license">MIT</a>' in footer, rel
