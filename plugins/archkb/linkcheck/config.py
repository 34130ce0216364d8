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
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import HostRule, Settings

__all__ = [
    "ConfigFileError",
    "TABLE",
    "KEYS",
    "HOST_KEYS",
    "MAX_CONFIG_BYTES",
    "TableSource",
    "load_table",
    "project_table",
    "apply_table",
]

TABLE = "tool.archkb.link_check"
"""Where the settings live in ``pyproject.toml``."""

KEYS = {
    "exclude": "a list of regular expressions",
    "include": "a list of regular expressions",
    "exclude_path": "a list of regular expressions",
    "remap": 'a list of "REGEX REPLACEMENT" strings (or {pattern, replacement} tables)',
    "accept": "a list of HTTP statuses",
    "headers": "a table of header names and string values",
    "interval": "seconds (a finite number >= 0)",
    "per_host": "an integer >= 1",
    "concurrency": "an integer >= 1",
    "timeout": "seconds (a finite number > 0)",
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
    """The standard library's TOML reader, imported when a settings file is first read."""
    import tomllib

    return tomllib


#: A settings file larger than this is not read: no link-check table needs it, and a mistaken path
#: (a log, a device) would otherwise be read whole.
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class TableSource:
    """Where a link-check table was read: the file, its text, and the keys of the table in it, so
    that a mistake is reported at its line (``pyproject.toml:12: ...``).

    Attributes:
        label: How to name the table where no line is found (``"FILE [tool.archkb.link_check]"``).
        path: The file.
        text: The file's text.
        prefix: The keys of the table in the file (``("tool", "archkb", "link_check")``, or ``()``
            for keys at the top level).
    """

    label: str
    path: Path
    text: str
    prefix: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.label


def _read(path: Path) -> tuple[dict[str, Any], str]:
    """The TOML data of ``path`` and its text; every way it cannot be read is a ConfigFileError."""
    import stat

    toml = _toml()
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # before opening: a FIFO's open would wait for a writer
            raise ConfigFileError(f"{path}: not a regular file (give a TOML file)")
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigFileError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; that is not a settings file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ConfigFileError(
            f"{path}:1: starts with a byte-order mark, which TOML does not allow; save it as UTF-8 without one"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigFileError(f"{path}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); TOML files are UTF-8") from exc
    try:
        return toml.loads(text), text
    except toml.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError as exc:
        raise ConfigFileError(f"{path}: its arrays or tables are nested too deeply to read") from exc


def _nested(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def load_table(path: str | Path) -> tuple[dict[str, Any], TableSource]:
    """Read the link-check settings of a file given with ``--config``.

    Returns:
        The table, and where it was read (its ``str()`` is ``"FILE [tool.archkb.link_check]"``, or
        ``"FILE"`` for keys at the top level).
    """
    path = Path(path)
    data, text = _read(path)
    found = _project_tables(path, data, text)
    if found is not None:
        return found
    if "tool" in data and path.name == "pyproject.toml":
        return {}, TableSource(f"{path} [{TABLE}]", path, text, tuple(TABLE.split(".")))
    return data, TableSource(str(path), path, text)


def project_table(root: str | Path) -> tuple[dict[str, Any], TableSource] | None:
    """The ``[tool.archkb.link_check]`` table of ``ROOT/pyproject.toml``, or None when there is none."""
    path = Path(root) / "pyproject.toml"
    if not path.is_file():
        return None
    return _project_tables(path, *_read(path))


def _project_tables(path: Path, data: dict[str, Any], text: str) -> tuple[dict[str, Any], TableSource] | None:
    """The link-check table of a ``pyproject.toml``'s data, None when there is none; ``[tool.archkb]``
    holds nothing else, so any other key there is a mistake (``link-check``, ``linkcheck``).
    """
    prefix = tuple(TABLE.split("."))
    ours = _nested(data, "tool.archkb")
    if ours is None:
        return None
    whole = TableSource(f"{path} [tool.archkb]", path, text, prefix[:2])
    if not isinstance(ours, dict):
        raise ConfigFileError(_said(whole, (), "[tool.archkb] must be a table"))
    for key in ours:
        if key != prefix[2]:
            raise ConfigFileError(_said(whole, (key,), _unknown_text(key, [prefix[2]])))
    table = ours.get(prefix[2])
    if table is None:
        return None
    source = TableSource(f"{path} [{TABLE}]", path, text, prefix)
    if not isinstance(table, dict):
        raise ConfigFileError(_said(source, (), f"[{TABLE}] must be a table"))
    return table, source


# --- where a mistake is -----------------------------------------------------------------------------

Where = str | TableSource
"""How a table is named in messages: a label (``"mkdocs.yml: plugins.archkb.link_check"``), or
the :class:`TableSource` it was read from, whose mistakes are reported at their line."""


def _said(where: Where, keys: tuple[str, ...], text: str) -> str:
    """A message about the value at ``keys`` (relative to the table) of ``where``.

    ``FILE:LINE: [TABLE] text`` when the file's line is found, else ``LABEL: text`` (with the keys
    of the host table, if the value is in one, after the label).
    """
    table = keys[:-1]
    if isinstance(where, TableSource):
        line = _line_of(where.text, (*where.prefix, *keys))
        if line is not None:
            name = ".".join(_toml_key(k) for k in (*where.prefix, *table))
            return f"{where.path}:{line}: {f'[{name}] ' if name else ''}{text}"
    label = f"{where} {'.'.join(table)}" if table else str(where)
    return f"{label}: {text}"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


_SIMPLE_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = rf"{_SIMPLE_KEY}(?:\s*\.\s*{_SIMPLE_KEY})*"
#: A table's header, ``[a."b c"]`` or ``[[a.b]]`` (a line of an array of arrays is not one).
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED_KEY})\s*\]\]?\s*(?:#.*)?$")
#: A line that sets a key: ``a.b = ...``.
_KEY_LINE = re.compile(rf"^\s*({_DOTTED_KEY})\s*=")
_KEY_PART = re.compile(rf"\s*({_SIMPLE_KEY})\s*(?:\.|$)")


def _dotted(text: str) -> tuple[str, ...]:
    """The keys of a dotted TOML key as written (``a."b.c"`` is ``("a", "b.c")``)."""
    parts = []
    for match in _KEY_PART.finditer(text):
        part = match.group(1)
        if part[:1] == '"':
            part = json.loads(part) if "\\" in part else part[1:-1]
        elif part[:1] == "'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _line_of(text: str, keys: tuple[str, ...]) -> int | None:
    """The line (from 1) where the value at ``keys`` is written in the TOML ``text``: its own line
    (``key = ...`` under its table's header, or its table's ``[header]``), else the line of the
    nearest enclosing key or table that is written (a value inside an inline table); None when
    none of it is written on a line of its own (a table given as part of a longer dotted key, say).
    """
    best: tuple[int, int] | None = None  # (keys matched, line)
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            table = _dotted(header.group(1))
            written = table
        elif key := _KEY_LINE.match(line):
            written = (*table, *_dotted(key.group(1)))
        else:
            continue
        common = 0
        for a, b in zip(written, keys, strict=False):
            if a != b:
                break
            common += 1
        if common == len(written) and (best is None or common > best[0]):
            best = (common, number)
            if common == len(keys):
                return number
    return best[1] if best is not None and best[0] > 0 else None


def _unknown_text(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(sorted(known))}"
    return f"unknown key {key!r}{hint}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(where: Where, keys: tuple[str, ...], value: Any, ok: bool, wanted: str) -> None:
    if not ok:
        raise ConfigFileError(_said(where, keys, f"{keys[-1]} must be {wanted}, got {value!r}"))


def _valid(where: Where, keys: tuple[str, ...], **fields: Any) -> None:
    """Check the values of ``fields`` as the run would (:meth:`.Settings.validate`: ranges,
    finiteness, regular expressions, header names), so that a value out of range is reported at
    its key in the file, not later as if it came from the command line.
    """
    problems = Settings(**fields).validate()
    if problems:
        raise ConfigFileError(_said(where, keys, "; ".join(problems)))


def _statuses(where: Where, keys: tuple[str, ...], value: Any) -> list[int]:
    _check(where, keys, value, isinstance(value, list) and all(_integer(v) for v in value), KEYS["accept"])
    return list(value)


def _headers(where: Where, keys: tuple[str, ...], value: Any) -> dict[str, str]:
    """A headers table; a mistake names the headers, never their values (which may be secrets)."""
    if not isinstance(value, dict):
        _check(where, keys, type(value).__name__, False, KEYS["headers"])
    wrong = [name for name, text in value.items() if not isinstance(text, str)]
    if wrong:
        names = ", ".join(repr(name) for name in wrong)
        raise ConfigFileError(
            _said(where, keys, f"{keys[-1]} must be {KEYS['headers']}: the value of {names} is not a string")
        )
    return dict(value)


def _remaps(where: Where, value: Any, keys: tuple[str, ...] = ("remap",)) -> list[tuple[str, str]]:
    _check(where, keys, value, isinstance(value, list), KEYS["remap"])
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
                _said(
                    where,
                    keys,
                    f'remap entries must be "REGEX REPLACEMENT" strings or {{pattern, replacement}} tables, got {item!r}',
                )
            )
    problems = Settings(rewrites=pairs).validate()
    if problems:
        raise ConfigFileError(_said(where, keys, "; ".join(problems)))
    return pairs


def parse_remap(text: str) -> tuple[str, str]:
    """One ``--remap "REGEX REPLACEMENT"`` value as a pair."""
    return _remaps("--remap", [text])[0]


#: The settings field each scalar key sets.
_SCALARS = {
    "interval": ("interval", _number),
    "timeout": ("timeout", _number),
    "per_host": ("per_host", _integer),
    "concurrency": ("concurrency", _integer),
    "retries": ("retries", _integer),
    "max_redirects": ("max_redirects", _integer),
    "suggest": ("suggest", lambda v: isinstance(v, bool)),
    "require_https": ("require_https", lambda v: isinstance(v, bool)),
}


def apply_table(
    settings: Settings, table: dict[str, Any], where: Where, *, skip: frozenset[str] = frozenset()
) -> Settings:
    """Return ``settings`` with the keys of ``table`` applied (lists are added to, scalars replaced).

    Args:
        settings: The settings to start from.
        table: The link-check table (see the module's docstring).
        where: How to name the table in messages: a label, or the :class:`TableSource` that
            :func:`load_table` and :func:`project_table` give, whose mistakes are reported at their
            line.
        skip: Keys to leave alone (the command's options that were given on the command line).

    Raises:
        ConfigFileError: for an unknown key, a value of the wrong type, or one out of range,
            naming the file (and line, where it is found) and the key.
    """
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigFileError(_said(where, (key,), _unknown_text(key, KEYS)))
        if key not in skip:
            changes |= _replaced(key, value, where) if key in _REPLACED else _added(settings, key, value, where)
    return settings.replace(**changes) if changes else settings


#: The table's keys whose value replaces the settings' (the others add to them).
_REPLACED = frozenset({*_SCALARS, "archive_api", "github_hosts"})


def _replaced(key: str, value: Any, where: Where) -> dict[str, Any]:
    """The setting a key of :data:`_REPLACED` replaces, checked."""
    keys = (key,)
    if key == "archive_api":
        scheme_ok = isinstance(value, str) and value.lower().startswith(("http://", "https://"))
        _check(where, keys, value, scheme_ok, KEYS[key])
        return {key: value}
    if key == "github_hosts":
        _check(where, keys, value, isinstance(value, list) and all(isinstance(v, str) for v in value), KEYS[key])
        return {key: list(value)}
    field_name, kind = _SCALARS[key]
    _check(where, keys, value, kind(value), KEYS[key])
    value = float(value) if key in ("interval", "timeout") else value
    _valid(where, keys, **{field_name: value})
    return {field_name: value}


def _added(settings: Settings, key: str, value: Any, where: Where) -> dict[str, Any]:
    """The setting a list, table or pattern key adds to: patterns, remaps, statuses, headers, host rules."""
    keys = (key,)
    if key in ("exclude", "include", "exclude_path"):
        _check(where, keys, value, isinstance(value, list) and all(isinstance(v, str) for v in value), KEYS[key])
        field_name = f"{key}s"
        _valid(where, keys, **{field_name: list(value)})
        return {field_name: [*getattr(settings, field_name), *value]}
    if key == "remap":
        return {"rewrites": [*settings.rewrites, *_remaps(where, value)]}
    if key == "accept":
        codes = _statuses(where, keys, value)
        _valid(where, keys, accept=codes)
        return {"accept": [*settings.accept, *codes]}
    if key == "headers":
        headers = _headers(where, keys, value)
        _valid(where, keys, headers=headers)
        return {"headers": {**settings.headers, **headers}}
    if key == "hosts":
        return {"hosts": [*settings.hosts, *_host_rules(where, value)]}
    return {}


def _host_rules(where: Where, value: Any) -> list[HostRule]:
    """The ``hosts`` table's rules; two tables for one host, however spelt, are a mistake."""
    _check(where, ("hosts",), value, isinstance(value, dict), KEYS["hosts"])
    rules: list[HostRule] = []
    seen: dict[str, str] = {}
    for host, table in value.items():
        rule = _host_rule(where, host, table)
        pattern = rule.pattern()
        if pattern in seen:
            message = (
                f"hosts.{_toml_key(seen[pattern])} and hosts.{_toml_key(host)} are the same host ({pattern}); "
                "give it one table"
            )
            raise ConfigFileError(_said(where, ("hosts", host), message))
        seen[pattern] = host
        rules.append(rule)
    return rules


def _host_rule(where: Where, host: str, table: Any) -> HostRule:
    at = ("hosts", host)
    _check(where, (*at, "the host"), table, isinstance(table, dict), "a table of " + ", ".join(HOST_KEYS))
    rule = HostRule(host)
    for key, value in table.items():
        keys = (*at, key)
        if key not in HOST_KEYS:
            raise ConfigFileError(_said(where, keys, _unknown_text(key, HOST_KEYS)))
        if key == "accept":
            rule.accept = _statuses(where, keys, value)
        elif key == "headers":
            rule.headers = _headers(where, keys, value)
        elif key == "per_host":
            _check(where, keys, value, _integer(value) and value >= 1, KEYS["per_host"])
            rule.per_host = value
        elif key == "interval":
            _check(where, keys, value, _number(value) and value >= 0 and math.isfinite(value), KEYS["interval"])
            rule.interval = float(value)
        elif key == "require_https":
            _check(where, keys, value, isinstance(value, bool), KEYS[key])
            rule.require_https = value
    problems = rule.problems()
    if problems:
        raise ConfigFileError(_said(where, (*at, "host"), problems[0]))
    return rule
