"""Citation previews: what a citation link tells a reader before they follow it.

Each ``[@id]`` citation becomes a link to the reference's reading-list entry whose
``title`` is a one-line preview: the reference's title, its authors as cited, its year
(or the date a living document was read) and the state of its link at the last check.
Browsers show the ``title`` on hover; with Material's ``content.tooltips`` the theme
shows it as a tooltip on hover and on keyboard focus. The link itself stays a plain
link, so the preview costs nothing without JavaScript.

The preview is plain text: whoever writes it into a page escapes it for where it lands
(an attribute value; see :func:`archkb.site.pattern_page.link_citations`).
"""

from __future__ import annotations

from ..catalog.model import Reference
from .health import LinkHealth, LinkStatus
from .text import date_label, short_authors

__all__ = ["link_state_text", "citation_preview"]


def link_state_text(ref: Reference, health: LinkHealth | None) -> str:
    """The state of a reference's link at the last check, as plain text.

    The same facts as :func:`archkb.site.health.render_link_state` shows next to each
    reference, without the links: "Link verified 2026-12-01", "Link not checked yet"...
    """
    status = health.status(ref.url) if health is not None else LinkStatus(ref.url)
    state, day = status.state, status.date
    checked = f" (checked {day})" if day else ""
    if state == "ok":
        return f"Link verified {day}" if day else "Link verified"
    if state == "redirected":
        return f"Link moved{checked}"
    if state == "broken":
        return f"Link broken{checked}; the reading list links an archived copy"
    if state in ("error", "blocked"):
        reason = "the site refused the checker" if state == "blocked" else "the check failed"
        return f"Link not verified{' on ' + day if day else ''}: {reason}"
    if state == "skipped":
        return "Link not checked (excluded from checks)"
    return "Link not checked yet"


def citation_preview(ref: Reference, health: LinkHealth | None = None) -> str:
    """A citation's one-line preview, e.g. "Microservices · Lewis & Fowler · 2014 · Link verified 2026-12-01"."""
    return " · ".join((ref.title, short_authors(ref.authors), date_label(ref), link_state_text(ref, health)))
