"""``printable``: what text from outside may not carry as it is, shown as escapes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from archkb.safety.chars import printable


def test_what_xml_and_utf8_cannot_hold_is_shown_as_an_escape():
    shown = printable("a\ud800b\udfffc\ufffed\uffffe\x1bf\u202eg")
    assert shown == "a\\ud800b\\udfffc\\ufffed\\uffffe\\x1bf\\u202eg"
    shown.encode("utf-8")  # no lone surrogate left
    ET.fromstring(f"<m>{shown}</m>")  # well-formed XML


def test_ordinary_text_is_left_as_it_is():
    assert printable("Café – naïve 東京 🙂") == "Café – naïve 東京 🙂"
