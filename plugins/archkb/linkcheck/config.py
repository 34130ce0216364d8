r"""Link-check settings from a file: ``[tool.archkb.link_check]`` in ``pyproject.toml``, or ``--config FILE``.

The same keys are read from the MkDocs plugin's ``link_check`` options, so one vocabulary serves the
command, the build and CI::

    [tool.archkb.link_check]
    exclude = ["^https://example\\.com/private/"]      # regular expressions (re.search)
    include = []                                        # when any: only what they match (wins over exclude)
    exclude_path = ["^vendor/", "CHANGELOG\\.md$"]       # source files whose links are not checked
    remap = ["^https://old\\.example\\.org/ https://new.example.org/"]  # "REGEX REPLACEMENT", before the cache key
    accept = [429]                                      # extra statuses that count as ok, every host
    headers = { "Accept-Language" = "en" }              # sent to every host
    interval = 0.0                                      # seconds between two requests to one host
    suggest = true                                      # ask the Wayback Machine about broken links
    require_https = true                                # an http:// link that works over HTTPS too is moved
    archive_api = "https://archive.org/wayback/available"

    [tool.archkb.link_check.hosts."docs.example.org"]  # one host ("*.example.org": every host under it)
    accept = [403]
    headers = { "Accept" = "text/html" }
    per_host = 2                                        # requests in flight to it at most
    interval = 0.5                                      # seconds between two requests to it
    require_https = false                               # its http:// links may stay

A file given with ``--config`` may be a ``pyproject.toml`` (the table above) or hold the keys at its
top level. Every mistake names the file and the key, and says what would be right.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

from .settings import HostRule, Settings

__all__ = ["ConfigFileError", "TABLE", "KEYS", "HOST_KEYS", "load_table", "project_table", "apply_table"]

TABLE = "tool.archkb.link_check"
"""Where the settings live in ``pyproject.toml``."""

KEYS = {
    "exclude": "a list of regular expressions",
    "include": "a list of regular expressions",
    "exclude_path": "a list of regular expressions",
    "remap": 'a list of "REGEX REPLACEMENT" strings (or {pattern, replacement} tables)',
    "accept": "a list of HTTP statuses",
    "headers": "a table of header names and string values",
    "interval": "seconds (a number >= 0)",
    "per_host": "an integer >= 1",
    "concurrency": "an integer >= 1",
    "timeout": "seconds (a number > 0)",
    "retries": "an integer >= 0",
    "max_redirects": "an integer >= 0",
    "suggest": "true or false",
    "require_https": "true or false",
    "archive_api": "an http(s) URL",
    "github_hosts": "a list of host names",
    "hosts": "a table of host names, each a table of accept, headers, per_host, interval, require_https",
}
"""The keys of the table and what each takes."""

HOST_KEYS = ("accept", "headers", "per_host", "interval", "require_https")
"""The keys of one host's table."""


class ConfigFileError(ValueError):
    """A settings file cannot be used (unreadable, not TOML, an unknown key, a wrong type)."""


def _toml() -> Any:
    """The TOML reader: the standard library's from Python 3.11, the ``tomli`` package before."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.10
        import tomli  # optional, and only on Python 3.10
    except ModuleNotFoundError as exc:  # pragma: no cover
        raise ConfigFileError("reading TOML settings needs Python 3.11+ or the 'tomli' package") from exc
    return tomli


def _read(path: Path) -> dict[str, Any]:
    toml = _toml()
    try:
        with path.open("rb") as handle:
            return toml.load(handle)
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    except toml.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML ({exc})") from exc


def _nested(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def load_table(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read the link-check settings of a file given with ``--config``.

    Returns:
        The table, and how to name it in messages (``"FILE [tool.archkb.link_check]"`` or ``"FILE"``).
    """
    path = Path(path)
    data = _read(path)
    table = _nested(data, TABLE)
    if table is not None:
        if not isinstance(table, dict):
            raise ConfigFileError(f"{path}: [{TABLE}] must be a table")
        return table, f"{path} [{TABLE}]"
    if "tool" in data and path.name == "pyproject.toml":
        return {}, f"{path} [{TABLE}]"
    return data, str(path)


def project_table(root: str | Path) -> tuple[dict[str, Any], str] | None:
    """The ``[tool.archkb.link_check]`` table of ``ROOT/pyproject.toml``, or None when there is none."""
    path = Path(root) / "pyproject.toml"
    if not path.is_file():
        return None
    table = _nested(_read(path), TABLE)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigFileError(f"{path}: [{TABLE}] must be a table")
    return table, f"{path} [{TABLE}]"


def _unknown(key: str, known: Any, where: str) -> ConfigFileError:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(sorted(known))}"
    return ConfigFileError(f"{where}: unknown key {key!r}{hint}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(where: str, key: str, value: Any, ok: bool, wanted: str) -> None:
    if not ok:
        raise ConfigFileError(f"{where}: {key} must be {wanted}, got {value!r}")


def _statuses(where: str, key: str, value: Any) -> list[int]:
    _check(
        where,
        key,
        value,
        isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value),
        KEYS["accept"],
    )
    return list(value)


def _headers(where: str, key: str, value: Any) -> dict[str, str]:
    _check(
        where, key, value, isinstance(value, dict) and all(isinstance(v, str) for v in value.values()), KEYS["headers"]
    )
    return dict(value)


def _remaps(where: str, value: Any) -> list[tuple[str, str]]:
    _check(where, "remap", value, isinstance(value, list), KEYS["remap"])
    pairs = []
    for item in value:
        if isinstance(item, str) and len(item.split(None, 1)) == 2:
            pattern, replacement = item.split(None, 1)
            pairs.append((pattern, replacement.strip()))
        elif (
            isinstance(item, dict)
            and isinstance(item.get("pattern"), str)
            and isinstance(item.get("replacement"), str)
            and set(item) == {"pattern", "replacement"}
        ):
            pairs.append((item["pattern"], item["replacement"]))
        else:
            raise ConfigFileError(
                f'{where}: remap entries must be "REGEX REPLACEMENT" strings or '
                f"{{pattern, replacement}} tables, got {item!r}"
            )
    problems = Settings(rewrites=pairs).validate()
    if problems:
        raise ConfigFileError(f"{where}: {'; '.join(problems)}")
    return pairs


def parse_remap(text: str) -> tuple[str, str]:
    """One ``--remap "REGEX REPLACEMENT"`` value as a pair."""
    return _remaps("--remap", [text])[0]


def apply_table(
    settings: Settings, table: dict[str, Any], where: str, *, skip: frozenset[str] = frozenset()
) -> Settings:
    """Return ``settings`` with the keys of ``table`` applied (lists are added to, scalars replaced).

    Args:
        settings: The settings to start from.
        table: The link-check table (see the module's docstring).
        where: How to name the table in messages.
        skip: Keys to leave alone (the command's options that were given on the command line).

    Raises:
        ConfigFileError: for an unknown key or a value of the wrong type, naming ``where`` and the key.
    """
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise _unknown(key, KEYS, where)
        if key in skip:
            continue
        if key in ("exclude", "include", "exclude_path"):
            _check(where, key, value, isinstance(value, list) and all(isinstance(v, str) for v in value), KEYS[key])
            field_name = f"{key}s"
            changes[field_name] = [*getattr(settings, field_name), *value]
        elif key == "remap":
            changes["rewrites"] = [*settings.rewrites, *_remaps(where, value)]
        elif key == "accept":
            changes["accept"] = [*settings.accept, *_statuses(where, key, value)]
        elif key == "headers":
            changes["headers"] = {**settings.headers, **_headers(where, key, value)}
        elif key in ("interval", "timeout"):
            _check(where, key, value, _number(value), KEYS[key])
            changes[key] = float(value)
        elif key in ("per_host", "concurrency", "retries", "max_redirects"):
            _check(where, key, value, isinstance(value, int) and not isinstance(value, bool), KEYS[key])
            changes[key] = value
        elif key in ("suggest", "require_https"):
            _check(where, key, value, isinstance(value, bool), KEYS[key])
            changes[key] = value
        elif key == "archive_api":
            _check(
                where,
                key,
                value,
                isinstance(value, str) and value.lower().startswith(("http://", "https://")),
                KEYS[key],
            )
            changes[key] = value
        elif key == "github_hosts":
            _check(where, key, value, isinstance(value, list) and all(isinstance(v, str) for v in value), KEYS[key])
            changes[key] = list(value)
        elif key == "hosts":
            _check(where, key, value, isinstance(value, dict), KEYS[key])
            changes["hosts"] = [
                *settings.hosts,
                *(_host_rule(f"{where} hosts.{host}", host, rule) for host, rule in value.items()),
            ]
    return settings.replace(**changes) if changes else settings


def _host_rule(where: str, host: str, table: Any) -> HostRule:
    _check(where, "the host", table, isinstance(table, dict), "a table of " + ", ".join(HOST_KEYS))
    rule = HostRule(host)
    for key, value in table.items():
        if key not in HOST_KEYS:
            raise _unknown(key, HOST_KEYS, where)
        if key == "accept":
            rule.accept = _statuses(where, key, value)
        elif key == "headers":
            rule.headers = _headers(where, key, value)
        elif key == "per_host":
            _check(
                where,
                key,
                value,
                isinstance(value, int) and not isinstance(value, bool) and value >= 1,
                KEYS["per_host"],
            )
            rule.per_host = value
        elif key == "interval":
            _check(where, key, value, _number(value) and value >= 0, KEYS["interval"])
            rule.interval = float(value)
        elif key == "require_https":
            _check(where, key, value, isinstance(value, bool), KEYS[key])
            rule.require_https = value
    problems = rule.problems()
    if problems:
        raise ConfigFileError(f"{where}: {problems[0]}")
    return rule
