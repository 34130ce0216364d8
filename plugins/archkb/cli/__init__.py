"""The ``archkb`` command (:mod:`.commands`), with scaffolding (:mod:`.scaffold`) and the generated command docs (:mod:`.docs_fragments`)."""

from __future__ import annotations

from .commands import SCHEMAS, main

__all__ = ["SCHEMAS", "main"]
