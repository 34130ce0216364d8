"""Validation: turn model errors and cross-file mistakes into located problems.

Two layers:

* :func:`validate_model` checks one YAML mapping against one pydantic model and
  reports each error as ``path:line: message``, with "did you mean" hints.
* :func:`cross_check` checks what no single file can: unknown slugs and reference
  ids, relations to the pattern itself, duplicate relations, template sections.
"""

from __future__ import annotations

import re
import types
import typing
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .model import CONSEQUENCE_SUBSECTIONS, TEMPLATE_SECTIONS
from .problems import Problem, closest, did_you_mean
from .yamlload import LoadedYaml

if TYPE_CHECKING:
    from .graph import Catalog

__all__ = ["validate_model", "cross_check", "CITATION_RE"]

M = TypeVar("M", bound=BaseModel)

CITATION_RE = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")
"""Inline citations in pattern bodies: ``[@reference-id]``."""

_TYPE_NAMES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true/false",
    type(None): "empty",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _unwrap(annotation: Any) -> list[Any]:
    """Flatten Optional/Union/Annotated/list into the inner types."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple):
        out: list[Any] = []
        for arg in get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the model that validates the mapping found at ``loc``."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        inner = [
            t
            for t in _unwrap(current.model_fields[part].annotation)
            if isinstance(t, type) and issubclass(t, BaseModel)
        ]
        current = inner[0] if inner else None
    return current


def _annotation_at(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """Return the annotation of the field named by the last name in ``loc``."""
    names = [i for i, part in enumerate(loc) if isinstance(part, str)]
    if not names:
        return None
    last = names[-1]
    owner = _model_at(model, loc[:last])
    if owner is None or loc[last] not in owner.model_fields:
        return None
    return owner.model_fields[loc[last]].annotation


def _literal_choices(annotation: Any) -> list[str]:
    for inner in _unwrap(annotation):
        if get_origin(inner) is Literal:
            return [str(a) for a in get_args(inner)]
    return []


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_model(
    model: type[M],
    data: Any,
    loaded: LoadedYaml,
    path: str,
    *,
    what: str,
    loc_prefix: tuple[Any, ...] = (),
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` against ``model``, reporting located problems.

    Args:
        model: The pydantic model.
        data: The loaded YAML value.
        loaded: The document's line map.
        path: The file, relative to the project root.
        what: What the value is, for messages ("front matter", "reference entry").
        loc_prefix: Where ``data`` sits inside ``loaded`` (for line lookups).

    Returns:
        The model instance (or ``None`` when invalid) and the problems found.
    """
    if not isinstance(data, dict):
        line = loaded.line_of(loc_prefix)
        if data is None:
            return None, [
                Problem(path, line, f"the {what} is empty; it needs at least: " + ", ".join(_required(model)))
            ]
        return None, [
            Problem(path, line, f"the {what} must be a mapping of 'field: value' lines, not {_type_name(data)}")
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [_problem_from_error(model, err, data, loaded, path, what, loc_prefix) for err in exc.errors()]
        return None, problems


def _required(model: type[BaseModel]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


def _problem_from_error(
    model: type[BaseModel], err: Any, data: Any, loaded: LoadedYaml, path: str, what: str, prefix: tuple[Any, ...]
) -> Problem:
    loc = tuple(err["loc"])
    return Problem(path, loaded.line_of(prefix + loc), _error_message(model, err, loc, data, what))


def _error_message(model: type[BaseModel], err: Any, loc: tuple[Any, ...], data: Any, what: str) -> str:
    """What a pydantic error means, said for the person who wrote the file."""
    kind, name, value = err["type"], _dotted(loc), err.get("input")
    if kind == "extra_forbidden":
        return _unknown_field(model, loc)
    if kind == "missing":
        return _missing_field(loc, data, what)
    if kind == "literal_error":
        choices = _literal_choices(_annotation_at(model, loc))
        label = "relation type" if loc and loc[-1] == "type" else f"value for '{name}'"
        return f"unknown {label} '{value}'{did_you_mean(str(value), choices)}; expected one of: {', '.join(choices)}"
    typed = _type_message(kind, name, value)
    if typed is not None:
        return typed
    message = err["msg"].removeprefix("Value error, ")
    target = f"'{name}'" if name else f"the {what}"
    return f"{target} {message[0].lower()}{message[1:]}" if message else f"{target} is invalid"


def _unknown_field(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    owner = _model_at(model, loc[:-1]) or model
    allowed = list(owner.model_fields)
    field = str(loc[-1])
    where = f" in {_dotted(loc[:-1])}" if len(loc) > 1 else ""
    hint = did_you_mean(field, allowed) or "; allowed fields: " + ", ".join(allowed)
    return f"unknown field '{field}'{where}{hint}"


def _missing_field(loc: tuple[Any, ...], data: Any, what: str) -> str:
    where = f" in {_dotted(loc[:-1])}" if len(loc) > 1 else f" in the {what}"
    parent = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            parent = None
            break
    near = closest(str(loc[-1]), [str(k) for k in parent]) if isinstance(parent, dict) else None
    hint = f"; found '{near}', which looks like a misspelling" if near else ""
    return f"missing required field '{loc[-1]}'{where}{hint}"


def _type_message(kind: str, name: str, value: Any) -> str | None:
    """The message for a value of the wrong type or shape, or None for another kind of error."""
    if kind == "string_pattern_mismatch":
        return f"'{name}' is '{value}', but must be lowercase words joined by hyphens, such as 'queue-decoupling'"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"'{name}' must be a mapping of 'field: value' lines, not {_type_name(value)}"
    if kind == "list_type":
        return f"'{name}' must be a list (one '- item' per line, or [a, b]), not {_type_name(value)}"
    if kind == "string_type":
        return f"'{name}' must be text, not {_type_name(value)}" + (" (quote it)" if value is not None else "")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"'{name}' must be a whole number, not {value!r}"
    return None


def cross_check(catalog: Catalog) -> list[Problem]:
    """Check the links between files: slugs, reference ids, relations, template.

    Args:
        catalog: A loaded catalog whose per-file problems are already known.

    Returns:
        The problems found, each located in the file that holds the mistake.
    """
    problems: list[Problem] = []
    for entry in catalog.patterns.values():
        if entry.meta is None:
            continue
        problems += _relation_problems(entry, catalog)
        problems += _reference_problems(entry, catalog)
        if entry.meta.status == "published":
            problems += _template_problems(entry)
    for path_entry in catalog.paths.values():
        if path_entry.data is not None:
            problems += _step_problems(path_entry, catalog)
    return problems


def _relation_problems(entry: Any, catalog: Catalog) -> list[Problem]:
    """A pattern's relations: to itself, to an unknown pattern, or listed twice."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for index, relation in enumerate(entry.meta.related):
        line = entry.line_of(("related", index))
        if relation.pattern == entry.slug:
            message = f"relation '{relation.type}' points at the pattern itself ('{entry.slug}')"
        elif relation.pattern not in catalog.patterns:
            message = (
                f"unknown pattern '{relation.pattern}' in related{did_you_mean(relation.pattern, catalog.patterns)}"
            )
        elif (relation.pattern, relation.type) in seen:
            message = f"duplicate relation '{relation.type}' to '{relation.pattern}'"
        else:
            seen.add((relation.pattern, relation.type))
            continue
        problems.append(Problem(entry.path, line, message))
    return problems


def _reference_problems(entry: Any, catalog: Catalog) -> list[Problem]:
    """A pattern's reference ids (unknown or listed twice) and its citations (unknown, or not listed)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, ref_id in enumerate(entry.meta.references):
        line = entry.line_of(("references", index))
        if ref_id in seen:
            problems.append(Problem(entry.path, line, f"reference '{ref_id}' is listed twice"))
        seen.add(ref_id)
        if ref_id not in catalog.references:
            hint = did_you_mean(ref_id, catalog.references)
            problems.append(Problem(entry.path, line, f"unknown reference id '{ref_id}'{hint}"))
    for line, ref_id in entry.citations():
        if ref_id not in catalog.references:
            hint = did_you_mean(ref_id, catalog.references)
            message = f"unknown reference id '{ref_id}' in the citation [@{ref_id}]{hint}"
        elif ref_id not in seen:
            message = f"the citation [@{ref_id}] is not listed in the front matter; add '{ref_id}' to 'references'"
        else:
            continue
        problems.append(Problem(entry.path, line, message))
    return problems


def _step_problems(path_entry: Any, catalog: Catalog) -> list[Problem]:
    """A reading path's steps that name an unknown pattern or reference."""
    problems: list[Problem] = []
    for index, step in enumerate(path_entry.data.steps):
        line = path_entry.line_of(("steps", index))
        if step.pattern is not None and step.pattern not in catalog.patterns:
            hint = did_you_mean(step.pattern, catalog.patterns)
            problems.append(
                Problem(path_entry.path, line, f"unknown pattern '{step.pattern}' in step {index + 1}{hint}")
            )
        if step.reference is not None and step.reference not in catalog.references:
            hint = did_you_mean(step.reference, catalog.references)
            message = f"unknown reference id '{step.reference}' in step {index + 1}{hint}"
            problems.append(Problem(path_entry.path, line, message))
    return problems


def _template_problems(entry: Any) -> list[Problem]:
    """Check that a published pattern's body follows the page template."""
    found = entry.headings()
    h2 = [(line, text) for line, level, text in found if level == 2]
    names = [text for _, text in h2]
    problems = []
    missing = [s for s in TEMPLATE_SECTIONS if s not in names]
    if missing:
        problems.append(
            Problem(
                entry.path,
                entry.body_line,
                "missing template section"
                + ("s" if len(missing) > 1 else "")
                + ": "
                + ", ".join(f"'## {m}'" for m in missing)
                + " (or set 'status: draft' until the page is complete)",
            )
        )
    else:
        order = [n for n in names if n in TEMPLATE_SECTIONS]
        if order != list(TEMPLATE_SECTIONS):
            problems.append(
                Problem(
                    entry.path,
                    entry.body_line,
                    "template sections are out of order; expected: " + ", ".join(TEMPLATE_SECTIONS),
                )
            )
    for line, level, text in found:
        if level == 1:
            problems.append(
                Problem(
                    entry.path,
                    line,
                    f"level-one heading '# {text}' in the body; the title comes from the front matter, start at '##'",
                )
            )
    if "Consequences" in names:
        start = {text: line for line, text in h2}["Consequences"]
        section = _subsections(found, start)
        problems += [
            Problem(entry.path, start, f"'## Consequences' needs a '### {sub}' subsection")
            for sub in CONSEQUENCE_SUBSECTIONS
            if sub not in section
        ]
    return problems


def _subsections(headings: list[tuple[int, int, str]], start: int) -> list[str]:
    """The level-three headings of the section whose heading is at line ``start``."""
    section: list[str] = []
    for line, level, text in headings:
        if line <= start:
            continue
        if level <= 2:
            break
        if level == 3:
            section.append(text)
    return section
