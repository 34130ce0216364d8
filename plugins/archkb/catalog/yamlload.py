"""Safe YAML loading that remembers where every value came from.

Contributors' YAML is parsed with PyYAML's safe machinery, but composed into nodes
first, so that:

* every mapping key and sequence item keeps its line number, for ``path:line`` errors;
* aliases are refused outright, so "billion laughs" alias bombs cost nothing;
* Python object tags and other unknown tags are refused, never constructed;
* front matter is split from the Markdown body without guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from sys import intern
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["YamlError", "LoadedYaml", "load_yaml", "FrontMatter", "split_front_matter"]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAX_DEPTH = 64


class YamlError(Exception):
    """YAML that cannot be loaded safely.

    Attributes:
        line: The 1-based line of the problem in the file.
        message: A readable explanation.
    """

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class _NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses aliases instead of following them."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
            raise YamlError(
                event.start_mark.line + 1,
                f"YAML aliases ('*{event.anchor}') are not allowed; write the value out in full",
            )
        return super().compose_node(parent, index)


@dataclass
class LoadedYaml:
    """The plain data of a YAML document, plus the line of each value.

    Attributes:
        data: The loaded document (dicts, lists and scalars only).
        lines: Maps a location (a tuple of keys and indexes) to its 1-based line.
    """

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[Any, ...] | list[Any], default: int = 1) -> int:
        """Return the line of the deepest known prefix of ``loc``."""
        loc = tuple(loc)
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return default


_STR_TAG = "tag:yaml.org,2002:str"
_CLoader = getattr(yaml, "CSafeLoader", None)


if _CLoader is not None:

    class _FastLoader(_CLoader):  # type: ignore[valid-type, misc]
        """libyaml's composer, with the tag resolution it calls back into Python for made cheap.

        A plain scalar whose first character opens none of the implicit resolvers (no
        digit, sign, ``~``, ``y``/``n``/``t``/``f``/``o``...) and every quoted scalar is a
        string; the rest go through PyYAML's resolver as before. There are no path
        resolvers to track.
        """

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is ScalarNode and not self.yaml_path_resolvers:
                resolvers = self.yaml_implicit_resolvers
                if not implicit[0] or (value and value[0] not in resolvers and None not in resolvers):
                    return _STR_TAG
            return str(super().resolve(kind, value, implicit))

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            if self.yaml_path_resolvers:
                super().descend_resolver(current_node, current_index)

        def ascend_resolver(self) -> None:
            if self.yaml_path_resolvers:
                super().ascend_resolver()
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None  # type: ignore[assignment,misc]  # checked for None where it is used
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s,\[\]{}]")


class _Builder:
    def __init__(self, offset: int, *, check_aliases: bool = True) -> None:
        self.offset = offset
        self.lines: dict[tuple[Any, ...], int] = {}
        self.constructor = SafeConstructor()
        # Only a document with an anchor ('&') can hold an alias; without one there is
        # nothing to look for, and no node identities to remember.
        self.seen: set[int] | None = set() if check_aliases else None

    def line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def _alias_check(self, node: Node) -> None:
        if self.seen is None:
            return
        if id(node) in self.seen:
            # The C composer resolves an alias to the anchored node itself.
            raise YamlError(self.line(node), "YAML aliases are not allowed; write the value out in full")
        self.seen.add(id(node))

    def build(self, node: Node, loc: tuple[Any, ...], depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise YamlError(self.line(node), f"nesting deeper than {_MAX_DEPTH} levels")
        self.lines.setdefault(loc, self.line(node))
        self._alias_check(node)
        if isinstance(node, ScalarNode):
            return node.value if node.tag == _STR_TAG else self._scalar(node)
        if isinstance(node, SequenceNode):
            return self._sequence(node, loc, depth)
        if isinstance(node, MappingNode):
            return self._mapping(node, loc, depth)
        raise YamlError(self.line(node), "unsupported YAML node")  # pragma: no cover

    def _scalar(self, node: ScalarNode) -> Any:
        """A scalar with a tag other than a string's: a number, a boolean, null, a date..."""
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            raise YamlError(self.line(node), _tag_message(node.tag)) from exc
        except (ValueError, TypeError, OverflowError) as exc:
            raise YamlError(self.line(node), f"cannot read value {node.value!r}: {exc}") from exc

    def _sequence(self, node: SequenceNode, loc: tuple[Any, ...], depth: int) -> list[Any]:
        if node.tag != _SEQ_TAG:
            raise YamlError(self.line(node), _tag_message(node.tag))
        items: list[Any] = []
        lines, offset, check = self.lines, self.offset + 1, self.seen is not None
        for i, item in enumerate(node.value):
            if not check and type(item) is ScalarNode and item.tag == _STR_TAG:  # a plain string
                lines[loc + (i,)] = item.start_mark.line + offset
                items.append(item.value)
            else:
                items.append(self.build(item, loc + (i,), depth + 1))
        return items

    def _mapping(self, node: MappingNode, loc: tuple[Any, ...], depth: int) -> dict[Any, Any]:
        if node.tag != _MAP_TAG:
            raise YamlError(self.line(node), _tag_message(node.tag))
        result: dict[Any, Any] = {}
        lines, offset, check = self.lines, self.offset + 1, self.seen is not None
        for key_node, value_node in node.value:
            key = self._key(key_node, loc, depth)
            if key in result:
                raise YamlError(self.line(key_node), f"duplicate key '{key}'")
            key_loc = loc + (key,)
            lines[key_loc] = key_node.start_mark.line + offset
            if not check and type(value_node) is ScalarNode and value_node.tag == _STR_TAG:
                result[key] = value_node.value  # a plain string: its line is the key's
            else:
                result[key] = self.build(value_node, key_loc, depth + 1)
        return result

    def _key(self, key_node: Node, loc: tuple[Any, ...], depth: int) -> Any:
        """A mapping key: a plain, hashable value, and never the merge key."""
        if not isinstance(key_node, ScalarNode):
            raise YamlError(self.line(key_node), "a mapping key must be a plain value")
        if key_node.tag == _STR_TAG:  # the common case, without a detour through build()
            self._alias_check(key_node)
            key: Any = intern(key_node.value)  # interned: the same few keys recur in every entry
        else:
            key = self.build(key_node, loc + ("<key>",), depth + 1)
            self.lines.pop(loc + ("<key>",), None)
            try:
                hash(key)
            except TypeError:
                raise YamlError(self.line(key_node), "a mapping key must be a plain value") from None
        if key == "<<":
            raise YamlError(self.line(key_node), "YAML merge keys ('<<') are not allowed")
        return key


def _tag_message(tag: str) -> str:
    return f"the YAML tag '{tag}' is not allowed; use plain strings, numbers, lists and mappings"


def load_yaml(text: str, *, line_offset: int = 0) -> LoadedYaml:
    """Load one YAML document safely, recording the line of every value.

    Args:
        text: The YAML source.
        line_offset: Added to every line number (for front matter that starts
            below line 1 of its file).

    Returns:
        The loaded data and its line map. An empty document loads as ``None``.

    Raises:
        YamlError: On malformed YAML, aliases, merge keys, duplicate keys or
            tags other than the standard safe ones.
    """
    # libyaml composes fast; documents with anchors take the pure-Python path, which
    # refuses each alias at its own line before following it.
    fast = _FastLoader is not None and (
        "&" not in text or not _ANCHOR.search(text)
    )  # a substring test first: the regex has no literal prefix
    loader = _FastLoader(text) if fast else _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
    except YamlError as exc:
        raise YamlError(exc.line + line_offset, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise YamlError(line, f"invalid YAML: {problem}{context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(1 + line_offset, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(1 + line_offset, "invalid YAML: nesting is too deep") from None
    finally:
        loader.dispose()
    if node is None:
        return LoadedYaml(None, {(): 1 + line_offset})
    builder = _Builder(line_offset, check_aliases=not fast or "&" in text)
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise YamlError(1 + line_offset, "invalid YAML: nesting is too deep") from None
    return LoadedYaml(data, builder.lines)


@dataclass
class FrontMatter:
    """A Markdown file split into front matter and body.

    Attributes:
        yaml_text: The front matter source, or ``None`` when the file has none.
        yaml_line: The file line on which the front matter's first line sits.
        body: The Markdown after the front matter.
        body_line: The file line on which the body starts.
    """

    yaml_text: str | None
    yaml_line: int
    body: str
    body_line: int


def split_front_matter(text: str) -> FrontMatter:
    """Split ``---``-delimited YAML front matter from a Markdown document.

    Raises:
        YamlError: When the front matter is opened with ``---`` but never closed.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter(None, 1, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return FrontMatter("".join(lines[1:index]), 2, "".join(lines[index + 1 :]), index + 2)
    raise YamlError(
        1, "the front matter opened with '---' on line 1 is never closed; add a line with '---' after the last field"
    )
