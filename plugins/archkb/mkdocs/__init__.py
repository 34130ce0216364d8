"""The MkDocs (and ProperDocs) adapter: the only code that imports ``mkdocs`` or Python-Markdown.

:mod:`.plugin` is the thin glue from MkDocs events to the engine-independent core, :mod:`.config` its
typed configuration, :mod:`.deferred` the MkDocs-only speed-up that keeps bulky generated HTML out of
Markdown conversion, and :mod:`.markdown` renders contributed Markdown with the site's own settings
outside a build.
"""
