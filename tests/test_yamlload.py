"""Safe YAML loading: line maps and refusals."""

from __future__ import annotations

import time

import pytest

from archkb.catalog.yamlload import YamlError, load_yaml, split_front_matter


def test_lines_are_recorded_for_keys_and_items():
    loaded = load_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert loaded.data == {"a": 1, "b": ["x", {"c": 2}]}
    assert loaded.line_of(("b", 1, "c")) == 4
    assert loaded.line_of(("b", 0)) == 3
    assert loaded.line_of(("nope", 3)) == 1


def test_line_offset_shifts_every_line():
    loaded = load_yaml("a: 1\nb: 2\n", line_offset=10)
    assert loaded.line_of(("b",)) == 12


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a: &x [1]\nb: *x\n", 2, "aliases"),
        ("a: !!python/object/apply:os.system ['echo hi']\n", 1, "not allowed"),
        ("a: !!python/name:os.system\n", 1, "not allowed"),
        ("a: [1\n", 2, "invalid YAML"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", 3, "aliases"),
        ("x: " + "[" * 200 + "]" * 200 + "\n", 1, "nest"),
        ("a: b: c\n", 1, "invalid YAML"),
        ("\tkey: value\n", 1, "invalid YAML"),
    ],
)
def test_refusals_are_located(text, line, fragment):
    with pytest.raises(YamlError) as info:
        load_yaml(text)
    assert info.value.line == line
    assert fragment in info.value.message


def test_alias_bomb_costs_nothing():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    start = time.perf_counter()
    with pytest.raises(YamlError):
        load_yaml(bomb)
    assert time.perf_counter() - start < 1.0


def test_front_matter_split_and_unclosed():
    parts = split_front_matter("---\ntitle: x\n---\nbody\n")
    assert parts.yaml_text == "title: x\n" and parts.body == "body\n" and parts.body_line == 4
    assert split_front_matter("no front matter\n").yaml_text is None
    with pytest.raises(YamlError) as info:
        split_front_matter("---\ntitle: x\nbody\n")
    assert "never closed" in info.value.message


def test_fast_tag_resolution_matches_pyyaml():
    import yaml
    from yaml.nodes import MappingNode, ScalarNode

    from archkb.catalog.yamlload import _FastLoader

    doc = (
        "title: Plain words\nyear: 2014\nneg: -3\nfloat: 1.5e3\nbool: yes\nnone: ~\nnull2: null\n"
        "date: 2020-01-02\nquoted: '2014'\ndq: \"true\"\nempty:\nlist: [a, 1, No, off, .inf, Ok]\n"
        "text: |\n  block 12\nstar: '*x'\nurl: https://example.org/a\n"
    )

    def tags(node):
        if isinstance(node, ScalarNode):
            return (node.tag, node.value)
        if isinstance(node, MappingNode):
            return (node.tag, [(tags(k), tags(v)) for k, v in node.value])
        return (node.tag, [tags(item) for item in node.value])

    assert tags(_FastLoader(doc).get_single_node()) == tags(yaml.CSafeLoader(doc).get_single_node())
    assert load_yaml(doc).data == yaml.safe_load(doc)
