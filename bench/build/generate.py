"""Generate synthetic catalogs in the real archkb format, for the build benchmark.

A generated catalog is a complete project folder that ``mkdocs build`` and
``archkb validate --root`` accept as they are:

* ``patterns/<slug>.md``: N patterns with valid front matter, a body that follows
  the page template, typed relations to other synthetic patterns, internal links
  to them in the body, and inline citations of references they list;
* ``references/topic-XX.yml``: M references (5N by default) split over 20 topic
  files, each cited by at least one pattern;
* ``paths/path-X.yml``: a few reading paths mixing patterns and references;
* ``docs/``: a copy of the project's hand-written pages (the API reference page,
  which needs mkdocstrings, is replaced by a plain page);
* ``mkdocs.yml``: a copy of the project's configuration with mkdocstrings dropped, plus
  the folders it names (theme ``custom_dir``, ``hooks``).

:func:`generate_baseline` writes the comparison project: the same hand-written
pages and the same pattern files copied into ``docs/patterns/`` as plain pages,
built by plain Material with the site's other plugins (search and Material's tags) but not
archkb, and no nav entries for them: the difference is what the archkb plugin costs.

Run ``python bench/build/generate.py --help`` for the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml_env_tag

__all__ = [
    "REPO",
    "DROPPED_PLUGINS",
    "BASELINE_PLUGINS",
    "GENERATED_PAGE_STUBS",
    "GeneratedCatalog",
    "generate_catalog",
    "generate_project_catalog",
    "generate_baseline",
    "site_config",
    "baseline_config",
    "pattern_slug",
    "reference_id",
    "main",
]

REPO = Path(__file__).resolve().parents[2]
"""The project checkout whose ``mkdocs.yml`` and ``docs/`` the generated sites copy."""

DROPPED_PLUGINS = frozenset({"mkdocstrings"})
"""Plugins removed from both sides: they document the Python package, not the catalog."""

GENERATED_PAGE_STUBS = {
    "patterns/index.md": "Patterns",
    "map.md": "Pattern map",
    "paths/index.md": "Reading paths",
    "reading-list.md": "Reading list",
    "link-health.md": "Link health",
}
"""Pages the archkb plugin generates that the site's nav lists: the baseline has a one-line stub for
each, so that both sides render the same nav on every page and the hand-written pages' links to them
resolve. (Until 2026-12-01 the baseline dropped them from its nav, so every one of its pages rendered
a smaller nav than the site's, and its build logged a warning for each link to them.)"""

BASELINE_PLUGINS = ("search", "tags")
"""The baseline's plugins: the site's own, without archkb (and without mkdocstrings, dropped from both).
Material's tags plugin renders the tags every pattern's front matter carries, on both sides; until
2026-12-01 the baseline left it out, which counted its cost (about 0.1 s at N = 1,000) as archkb's."""


RELATION_NAMES = (
    "uses",
    "used-by",
    "refines",
    "refined-by",
    "leads-to",
    "follows-from",
    "alternative-to",
    "conflicts-with",
    "complements",
)
"""The relation vocabulary (kept in step with ``archkb.relations.RELATION_TYPES`` by a test)."""

TOPIC_COUNT = 20
"""How many ``references/*.yml`` files the references are split over."""

PATH_COUNT = 5
"""How many reading paths a catalog gets."""

_TAGS = (
    "messaging",
    "resilience",
    "scaling",
    "data",
    "deployment",
    "observability",
    "security",
    "integration",
    "caching",
    "storage",
    "networking",
    "testing",
    "migration",
    "consistency",
    "performance",
    "cost",
    "organisation",
    "api-design",
    "concurrency",
    "operations",
)
_ADJECTIVES = (
    "adaptive",
    "bounded",
    "buffered",
    "cached",
    "durable",
    "elastic",
    "federated",
    "gated",
    "layered",
    "leased",
    "partitioned",
    "pooled",
    "queued",
    "replicated",
    "sharded",
    "staged",
    "throttled",
    "versioned",
    "windowed",
    "zoned",
)
_NOUNS = (
    "gateway",
    "ledger",
    "broker",
    "router",
    "worker",
    "registry",
    "journal",
    "mirror",
    "relay",
    "scheduler",
    "sidecar",
    "snapshot",
    "splitter",
    "store",
    "tracker",
    "valve",
    "vault",
    "window",
    "index",
    "outbox",
)
_WORDS = [
    "service",
    "team",
    "request",
    "queue",
    "message",
    "worker",
    "database",
    "cache",
    "replica",
    "shard",
    "partition",
    "deadline",
    "latency",
    "throughput",
    "failure",
    "retry",
    "timeout",
    "contract",
    "schema",
    "version",
    "deployment",
    "rollout",
    "traffic",
    "capacity",
    "budget",
    "owner",
    "boundary",
    "consumer",
    "producer",
    "event",
    "stream",
    "batch",
    "lease",
    "lock",
    "quorum",
    "leader",
    "follower",
    "snapshot",
    "checkpoint",
    "backlog",
    "signal",
    "metric",
    "trace",
    "incident",
    "operator",
    "client",
    "server",
    "region",
    "zone",
    "network",
    "payload",
    "record",
    "table",
    "index",
    "cursor",
    "window",
]
_VERBS = [
    "absorbs",
    "bounds",
    "buffers",
    "carries",
    "checks",
    "decouples",
    "defers",
    "drains",
    "exposes",
    "fences",
    "groups",
    "hides",
    "isolates",
    "limits",
    "moves",
    "orders",
    "protects",
    "records",
    "replays",
    "routes",
    "serialises",
    "sheds",
    "splits",
    "tracks",
]
_SURNAMES = (
    "Abbott",
    "Baker",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kumar",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
)
_GIVEN = ("Ada", "Ben", "Chiara", "Dev", "Elif", "Farid", "Greta", "Hana", "Ines", "Jon", "Kofi", "Lena")
_KINDS = ("article", "blog", "book", "paper", "talk", "docs", "whitepaper", "video")
_DATE = dt.date(2026, 11, 29)


@dataclass(frozen=True)
class GeneratedCatalog:
    """What :func:`generate_catalog` wrote.

    Attributes:
        root: The project folder (holding ``mkdocs.yml``).
        patterns: How many pattern files.
        references: How many references in all.
        topics: How many reference files.
        paths: How many reading paths.
        relations: How many relations were declared in front matter.
    """

    root: Path
    patterns: int
    references: int
    topics: int
    paths: int
    relations: int

    @property
    def slugs(self) -> list[str]:
        """The pattern slugs, in generation order."""
        return [pattern_slug(i) for i in range(self.patterns)]


def pattern_slug(index: int) -> str:
    """The slug of synthetic pattern number ``index``."""
    return f"{_ADJECTIVES[index % len(_ADJECTIVES)]}-{_NOUNS[(index // len(_ADJECTIVES)) % len(_NOUNS)]}-{index}"


def _pattern_title(index: int) -> str:
    adjective = _ADJECTIVES[index % len(_ADJECTIVES)]
    noun = _NOUNS[(index // len(_ADJECTIVES)) % len(_NOUNS)]
    return f"{adjective.capitalize()} {noun} {index}"


def reference_id(index: int) -> str:
    """The id of synthetic reference number ``index``."""
    surname = _SURNAMES[index % len(_SURNAMES)].lower()
    return f"{surname}-{1990 + index % 35}-{_WORDS[index % len(_WORDS)]}-{index}"


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    picked.insert(min(2, words), rng.choice(_VERBS))
    return " ".join(picked).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(10, 18)) for _ in range(sentences))


def _wrap(text: str, width: int = 100) -> str:
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return "\n".join(lines)


def _pattern_text(
    index: int,
    n: int,
    rng: random.Random,
    cites: list[str],
    related: list[dict[str, str]],
    inline_citations: bool = True,
) -> str:
    """Front matter and a template-complete body of one synthetic pattern (its references cited
    inline in the body, or only listed in the front matter when ``inline_citations`` is false).
    """
    tags = [_TAGS[index % len(_TAGS)]] + rng.sample([t for t in _TAGS if t != _TAGS[index % len(_TAGS)]], 2)
    meta: dict[str, Any] = {
        "title": _pattern_title(index),
        "summary": f"The {_pattern_title(index).lower()} {rng.choice(_VERBS)} {rng.choice(_WORDS)} "
        f"{rng.choice(_WORDS)} work so that a {rng.choice(_WORDS)} keeps serving under load.",
        "tags": tags,
        "aliases": [f"{rng.choice(_WORDS).capitalize()} {rng.choice(_NOUNS)}"],
        "related": related,
        "references": cites,
        "status": "published",
        "added": _DATE,
        "updated": _DATE,
    }
    links = [f"[{_pattern_title(int(r['pattern'].rsplit('-', 1)[1]))}]({r['pattern']}.md)" for r in related]

    def cite(k: int) -> str:
        return f"[@{cites[k % len(cites)]}]" if cites and inline_citations else "(no citation)"

    def para(sentences: int, extra: str = "") -> str:
        return _wrap(_paragraph(rng, sentences) + (f" {extra}" if extra else ""))

    def bullets(count: int) -> str:
        return "\n".join(f"- {_sentence(rng, rng.randint(8, 14))}" for _ in range(count))

    body = [
        "## Context",
        "",
        para(4, f"The problem was described early on {cite(0)}."),
        "",
        para(3),
        "",
        "## Problem",
        "",
        para(2),
        "",
        "## Forces",
        "",
        bullets(5),
        "",
        "## Solution",
        "",
        para(4, f"It works best next to {links[0]} {cite(1)}." if links else ""),
        "",
        "\n".join(f"{k}. **{rng.choice(_WORDS).capitalize()}.** {_sentence(rng, 14)}" for k in range(1, 5)),
        "",
        para(3, f"See also {', '.join(links[1:])}." if len(links) > 1 else ""),
        "",
        "## Consequences",
        "",
        "### Benefits",
        "",
        bullets(4),
        "",
        "### Liabilities",
        "",
        bullets(4),
        "",
        "## When not to use it",
        "",
        para(4),
        "",
        "## Known uses",
        "",
        "\n".join(f"- {_sentence(rng, 12)[:-1]} {cite(k)}." for k in range(2, 5)),
        "",
    ]
    front = _dump(meta)
    return f"---\n{front}---\n\n" + "\n".join(body)


def _relations(index: int, n: int, rng: random.Random, count: int | None = None) -> list[dict[str, str]]:
    """``count`` (default three or four) typed relations to other patterns (none when the catalog
    is a single pattern)."""
    if n < 2:
        return []
    count = min(rng.randint(3, 4) if count is None else count, n - 1)
    others = set()
    while len(others) < count:
        other = rng.randrange(n)
        if other != index:
            others.add(other)
    out = []
    for other in sorted(others):
        relation = {"pattern": pattern_slug(other), "type": rng.choice(RELATION_NAMES)}
        if rng.random() < 0.5:
            relation["note"] = _sentence(rng, 8)[:-1]
        out.append(relation)
    return out


def _reference(index: int, topic: int, rng: random.Random) -> dict[str, Any]:
    authors = [f"{rng.choice(_GIVEN)} {_SURNAMES[(index + k) % len(_SURNAMES)]}" for k in range(rng.randint(1, 3))]
    entry: dict[str, Any] = {
        "id": reference_id(index),
        "title": f"{rng.choice(_WORDS).capitalize()} and {rng.choice(_WORDS)}: notes on the "
        f"{rng.choice(_NOUNS)} ({index})",
        "authors": authors,
        "year": 1990 + index % 35,
        "kind": _KINDS[index % len(_KINDS)],
        "url": f"https://example.com/topic-{topic:02d}/{reference_id(index)}",
        "summary": _paragraph(rng, 3),
        "tags": rng.sample(_TAGS, 2),
    }
    if index % 3 == 0:
        entry["publisher"] = f"{rng.choice(_SURNAMES)} Press"
    if index % 11 == 0:
        entry["unverified"] = ["url"]
    return entry


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def _copy_docs(target: Path, repo: Path) -> None:
    """Copy the project's hand-written pages; replace the mkdocstrings page by a plain one."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(repo / "docs", target)
    api = target / "reference" / "api.md"
    if api.exists():
        api.write_text(
            "# API reference\n\nThe API reference needs mkdocstrings, which the benchmark leaves out.\n",
            encoding="utf-8",
        )
    for study in (target / "case-studies").glob("*.md"):  # they link to the real catalog's patterns
        study.write_text(
            "# Case study\n\nA case study of the real catalog, left out of the benchmark.\n", encoding="utf-8"
        )


def _real_config(repo: Path) -> dict[str, Any]:
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - unknown tags are kept as text, never run


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that keeps ``!!python/name:...`` tags as :class:`_Tagged` values."""


class _Tagged(str):
    """A scalar with a tag the benchmark does not interpret; dumped back unchanged."""

    tag = ""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    value = _Tagged(loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else "")
    value.tag = node.tag
    return value


_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_TolerantLoader.add_multi_constructor("!", _construct_tagged)


class _Env(list):  # type: ignore[type-arg]
    """An ``!ENV [NAME, ..., default]`` value, kept as written: MkDocs resolves it when it builds,
    so the benchmark's builds follow the environment as the project's do (``ARCHKB_BOOK``)."""


def _construct_env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return _Env(loader.construct_sequence(node))
    return yaml_env_tag.construct_env_tag(loader, node)


_TolerantLoader.add_constructor("!ENV", _construct_env)


class _Dumper(yaml.SafeDumper):
    """A safe dumper that never writes aliases (archkb refuses them) and keeps :class:`_Tagged` tags."""

    def ignore_aliases(self, data: Any) -> bool:
        """Write every value out in full."""
        return True


_Dumper.add_representer(_Tagged, lambda dumper, value: dumper.represent_scalar(value.tag, str(value)))
_Dumper.add_representer(_Env, lambda dumper, value: dumper.represent_sequence("!ENV", list(value), flow_style=True))


def _plugin_name(item: Any) -> str:
    return next(iter(item)) if isinstance(item, dict) else str(item)


def site_config(repo: Path = REPO) -> dict[str, Any]:
    """The project's ``mkdocs.yml`` with the plugins in :data:`DROPPED_PLUGINS` removed."""
    config = _real_config(repo)
    config["plugins"] = [p for p in config.get("plugins", []) if _plugin_name(p) not in DROPPED_PLUGINS]
    config.pop("site_dir", None)
    config["docs_dir"] = "docs"
    return config


def _filter_nav(nav: Any, keep: Any) -> Any:
    """Drop nav entries whose target fails ``keep``; drop sections left empty."""
    if isinstance(nav, list):
        out = [item for item in (_filter_nav(item, keep) for item in nav) if item is not None]
        return out or None
    if isinstance(nav, dict):
        out = {}
        for title, value in nav.items():
            kept = _filter_nav(value, keep)
            if kept is not None:
                out[title] = kept
        return out or None
    if isinstance(nav, str):
        return nav if keep(nav) else None
    return nav


def baseline_config(repo: Path = REPO) -> dict[str, Any]:
    """The baseline's ``mkdocs.yml``: same theme and extensions, plain MkDocs plugins, no pattern nav."""
    config = site_config(repo)
    config["plugins"] = list(BASELINE_PLUGINS)
    # Without the archkb plugin nothing drops the edit path when there is no repository (REPO_URL
    # unset), and MkDocs would log a warning on every page: a cost the site's own build never pays.
    config.pop("edit_uri", None)
    if "nav" in config:
        # The pages the archkb plugin generates are stubs there (GENERATED_PAGE_STUBS); keep what exists.
        config["nav"] = (
            _filter_nav(
                config["nav"],
                lambda target: "://" in target or target in GENERATED_PAGE_STUBS or (repo / "docs" / target).is_file(),
            )
            or []
        )
    config["not_in_nav"] = "/patterns/"
    return config


def _copy_config_dirs(root: Path, config: dict[str, Any], repo: Path) -> None:
    """Copy the folders the configuration names relative to the project (theme overrides, hooks)."""
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if isinstance(custom, str):
        target = root / custom
        if target.exists():
            shutil.rmtree(target)
        if (repo / custom).is_dir():
            shutil.copytree(repo / custom, target)
        else:
            del theme["custom_dir"]
    for hook in config.get("hooks", []) or []:
        if isinstance(hook, str) and (repo / hook).is_file():
            (root / hook).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo / hook, root / hook)


def _write_config(path: Path, config: dict[str, Any], repo: Path) -> None:
    _copy_config_dirs(path.parent, config, repo)
    path.write_text(
        yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )


def generate_catalog(
    root: Path | str,
    patterns: int,
    references: int | None = None,
    *,
    topics: int = TOPIC_COUNT,
    paths: int = PATH_COUNT,
    seed: int = 0,
    repo: Path = REPO,
) -> GeneratedCatalog:
    """Write a synthetic catalog project into ``root`` (replacing what was there).

    Args:
        root: The project folder to write.
        patterns: How many patterns (N).
        references: How many references (M); default ``5 * patterns``.
        topics: How many reference files to split the references over.
        paths: How many reading paths.
        seed: Seed of the random choices; the same arguments give the same files.
        repo: The checkout whose ``mkdocs.yml`` and ``docs/`` are copied.

    Returns:
        A summary of what was written.
    """
    if patterns < 1:
        raise ValueError("a catalog needs at least one pattern")
    root = Path(root)
    references = 5 * patterns if references is None else references
    topics = max(1, min(topics, references)) if references else 0
    rng = random.Random(seed)
    for sub in ("patterns", "references", "paths"):
        if (root / sub).exists():
            shutil.rmtree(root / sub)
        (root / sub).mkdir(parents=True)
    _copy_docs(root / "docs", repo)
    _write_config(root / "mkdocs.yml", site_config(repo), repo)

    ref_ids = [reference_id(i) for i in range(references)]
    relation_count = 0
    for index in range(patterns):
        # Each reference is cited at least once: pattern i cites its own block of ids, plus a few at random.
        own = [ref_ids[j] for j in range(index, references, patterns)] if references else []
        extra = rng.sample(ref_ids, min(2, references)) if references else []
        cites = list(dict.fromkeys(own + extra))
        related = _relations(index, patterns, rng)
        relation_count += len(related)
        text = _pattern_text(index, patterns, rng, cites, related)
        (root / "patterns" / f"{pattern_slug(index)}.md").write_text(text, encoding="utf-8")

    for topic in range(topics):
        entries = [_reference(i, topic, rng) for i in range(topic, references, topics)]
        data = {
            "topic": f"Topic {topic + 1}: {_TAGS[topic % len(_TAGS)].replace('-', ' ')}",
            "description": f"Synthetic references about {_TAGS[topic % len(_TAGS)].replace('-', ' ')}.",
            "references": entries,
        }
        (root / "references" / f"topic-{topic + 1:02d}.yml").write_text(_dump(data), encoding="utf-8")

    for number in range(paths):
        steps = []
        for k in range(8):
            if k % 3 == 2 and references:
                steps.append(
                    {
                        "reference": ref_ids[rng.randrange(references)],
                        "why": _sentence(rng, 10),
                        "minutes": rng.randint(5, 60),
                    }
                )
            else:
                steps.append(
                    {
                        "pattern": pattern_slug(rng.randrange(patterns)),
                        "why": _sentence(rng, 10),
                        "minutes": rng.randint(5, 20),
                    }
                )
        data = {
            "title": f"Reading path {number + 1}",
            "summary": f"A synthetic path through {len(steps)} stops of the catalog.",
            "steps": steps,
        }
        (root / "paths" / f"path-{number + 1}.yml").write_text(_dump(data), encoding="utf-8")

    return GeneratedCatalog(root, patterns, references, topics, paths, relation_count)


def generate_project_catalog(
    root: Path | str,
    patterns: int,
    *,
    relations: int = 3,
    references: int = 4,
    topics: int = 10,
    seed: int = 0,
    repo: Path = REPO,
) -> GeneratedCatalog:
    """Write the real project with ``patterns`` synthetic patterns added (the second catalog shape).

    The project's own patterns, references and reading paths are copied as they are; each
    synthetic pattern declares exactly ``relations`` relations to other synthetic patterns and
    lists ``references`` references, drawn from a pool of as many synthetic references as there
    are synthetic patterns (each cited ``references`` times), with no inline citation in its body.

    Returns:
        A summary of what was written (the real catalog's files included in the counts).
    """
    if patterns < 2:
        raise ValueError("the second shape needs at least two synthetic patterns")
    root = Path(root)
    rng = random.Random(seed)
    for sub in ("patterns", "references", "paths"):
        if (root / sub).exists():
            shutil.rmtree(root / sub)
        shutil.copytree(repo / sub, root / sub)
    _copy_docs(root / "docs", repo)
    _write_config(root / "mkdocs.yml", site_config(repo), repo)
    pool = [f"synthetic-{reference_id(i)}" for i in range(patterns)]
    relation_count = 0
    for index in range(patterns):
        cites = [pool[(index + k * (patterns // references or 1)) % patterns] for k in range(references)]
        related = _relations(index, patterns, rng, count=relations)
        relation_count += len(related)
        text = _pattern_text(index, patterns, rng, list(dict.fromkeys(cites)), related, inline_citations=False)
        (root / "patterns" / f"{pattern_slug(index)}.md").write_text(text, encoding="utf-8")
    for topic in range(topics):
        entries = []
        for i in range(topic, patterns, topics):
            entry = _reference(i, topic, rng)
            entry["id"] = pool[i]
            entries.append(entry)
        data = {"topic": f"Synthetic topic {topic + 1}", "description": "Synthetic references.", "references": entries}
        (root / "references" / f"synthetic-{topic + 1:02d}.yml").write_text(_dump(data), encoding="utf-8")
    real_patterns = len(list((repo / "patterns").glob("*.md")))
    real_refs = sum(
        text.count("\n  - id: ") + text.count("\n- id: ")
        for text in (f.read_text(encoding="utf-8") for f in (repo / "references").glob("*.yml"))
    )
    return GeneratedCatalog(
        root,
        real_patterns + patterns,
        real_refs + patterns,
        len(list((root / "references").glob("*.yml"))),
        len(list((root / "paths").glob("*.yml"))),
        relation_count,
    )


def generate_baseline(root: Path | str, catalog_root: Path | str, *, repo: Path = REPO) -> int:
    """Write the baseline project: the catalog's pattern files as plain pages, no plugin.

    Args:
        root: The baseline project folder to write (replacing what was there).
        catalog_root: A folder written by :func:`generate_catalog`.
        repo: The checkout whose ``mkdocs.yml`` and ``docs/`` are copied.

    Returns:
        How many pattern pages were copied.
    """
    root, catalog_root = Path(root), Path(catalog_root)
    root.mkdir(parents=True, exist_ok=True)
    _copy_docs(root / "docs", repo)
    target = root / "docs" / "patterns"
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for source in sorted((catalog_root / "patterns").glob("*.md")):
        shutil.copyfile(source, target / source.name)
        count += 1
    for uri, title in GENERATED_PAGE_STUBS.items():
        stub = root / "docs" / uri
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(
            f"# {title}\n\nThe archkb plugin generates this page on the site; a stub here.\n", encoding="utf-8"
        )
    _write_config(root / "mkdocs.yml", baseline_config(repo), repo)
    return count


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate.py OUT --patterns N [--references M] [--baseline DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="project folder to write the catalog into")
    parser.add_argument("--patterns", "-n", type=int, default=1000, help="number of patterns (default 1000)")
    parser.add_argument("--references", "-m", type=int, default=None, help="number of references (default 5N)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="also write the plain-Material baseline project into this folder"
    )
    args = parser.parse_args(argv)
    if args.patterns < 1:
        parser.error("--patterns must be at least 1")
    if args.references is not None and args.references < 0:
        parser.error("--references must not be negative")
    made = generate_catalog(args.out, args.patterns, args.references, seed=args.seed)
    print(
        f"{made.root}: {made.patterns} patterns, {made.references} references in {made.topics} files, "
        f"{made.paths} reading paths, {made.relations} relations"
    )
    if args.baseline is not None:
        copied = generate_baseline(args.baseline, args.out)
        print(f"{args.baseline}: baseline with {copied} plain pattern pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
