"""Each vocabulary is defined once, and every entry is complete (issue #13).

A relation type without a map style vanished from the map without a word; a reference
kind without a heading fell back to its raw name. These tests fail when an entry lacks
any of what the outputs need.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from archkb.catalog.model import KIND_HEADINGS, REFERENCE_KIND_VOCABULARY, REFERENCE_KINDS, Reference
from archkb.catalog.relations import ACTIVE_TYPES, RELATION_TYPES
from archkb.exports.bibtex import entry_type
from archkb.map.layout import EDGE_STYLES, canonical_edge

CSS = resources.files("archkb").joinpath("assets/archkb.css").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(RELATION_TYPES))
def test_every_relation_type_is_complete(name):
    rel = RELATION_TYPES[name]
    inverse = RELATION_TYPES[rel.inverse]  # the inverse is in the vocabulary...
    assert inverse.inverse == name  # ...and its inverse is this type
    assert rel.heading and rel.description and inverse.heading  # worded both ways
    # Exactly one direction of each pair is drawn; symmetric types are drawn as themselves.
    assert (rel.map_style is not None) != (inverse.map_style is not None) or rel.symmetric
    drawn = name if rel.map_style is not None else rel.inverse
    assert drawn in EDGE_STYLES and EDGE_STYLES[drawn].label
    source, forward, target = canonical_edge("a", name, "b")
    assert forward == drawn and (source, target) == (("a", "b") if drawn == name else ("b", "a"))
    # The stylesheet colours every drawn type in the map, lines and arrowheads.
    assert f".archkb-rel--{drawn} {{ stroke:" in CSS, drawn
    assert f"--archkb-rel-{drawn}:" in CSS, drawn


def test_active_types_are_the_drawn_ones_and_no_style_is_shared():
    assert set(ACTIVE_TYPES) == set(EDGE_STYLES)
    dashes = [(s.dash, s.arrow) for s in EDGE_STYLES.values()]
    assert len(set(dashes)) >= len(dashes) - 1  # at most one pair shares a line (told apart by colour and legend)


@pytest.mark.parametrize("kind", REFERENCE_KINDS)
def test_every_reference_kind_is_complete(kind):
    info = REFERENCE_KIND_VOCABULARY[kind]
    assert info.name == kind and info.heading and info.label
    assert KIND_HEADINGS[kind] == info.heading
    ref = Reference(
        id="x", title="X", authors=["Ann Lee"], year=2020, kind=kind, url="https://example.org/x", summary="S."
    )
    assert re.fullmatch(r"[a-z]+", entry_type(ref))


def test_reference_kinds_are_one_tuple_in_reading_list_order():
    assert tuple(KIND_HEADINGS) == REFERENCE_KINDS == tuple(REFERENCE_KIND_VOCABULARY)
    literal = Reference.model_json_schema()["properties"]["kind"]["enum"]
    assert tuple(literal) == REFERENCE_KINDS


def test_every_link_state_is_complete():
    from archkb.linkcheck.states import STATE_INFO, STATE_ORDER, State
    from archkb.mkdocs.config import LinkCheckConfig
    from archkb.site.health import PROBLEM_STATES, STATE_LABELS, render_link_state

    assert set(STATE_INFO) == set(State) == set(STATE_ORDER)
    for state, info in STATE_INFO.items():
        assert info.label and STATE_LABELS[state.value] == info.label
        assert info.css_class == f"archkb-link-state--{state.value}"
    # Only broken links fail the command; only broken and moved links may fail a build.
    assert [s for s, i in STATE_INFO.items() if i.exit_broken] == [State.BROKEN]
    assert set(LinkCheckConfig.fail_on.option_type.choices) == {"redirected", "broken"}
    assert PROBLEM_STATES == ("broken", "redirected", "error", "blocked")
    ref = Reference(
        id="x", title="X", authors=["Ann Lee"], year=2020, kind="docs", url="https://example.org/x", summary="S."
    )
    assert 'class="archkb-link-state archkb-link-state--unchecked"' in render_link_state(ref, None)
    for state in ("ok", "redirected", "broken"):  # the states readers see coloured and marked
        assert f".archkb-link-state--{state}" in CSS
