"""The ``archkb`` command (:mod:`.commands`), with scaffolding (:mod:`.scaffold`) and the generated command docs (:mod:`.docs_fragments`)."""

from __future__ import annotations

from .commands import SCHEMAS, main, run

__all__ = ["SCHEMAS", "main", "run"]
