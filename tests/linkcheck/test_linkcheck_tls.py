"""HTTPS: the checker verifies certificates and host names, reads pages over TLS, and sends the
GitHub token over HTTPS only, against a local server whose certificate a local authority issued.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys

import pytest

from archkb.linkcheck import Link, State, check_urls_async


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


def by_url(report) -> dict:
    return {r.url: r for r in report.results}


async def test_a_trusted_https_page_is_read_and_its_fragments_judged(tls_server, settings, client_tls):
    ok, present, absent = tls_server.url("/ok"), tls_server.url("/ok#present"), tls_server.url("/ok#absent")
    report = await check_urls_async(links(ok, present, absent), settings, tls=client_tls)
    results = by_url(report)
    assert results[ok].state is State.OK, results[ok].message
    assert results[present].state is State.OK, results[present].message
    assert results[absent].state is State.BROKEN
    assert "fragment #absent is not on the page" in results[absent].message


async def test_a_certificate_no_trusted_authority_issued_is_a_tls_error(tls_server, settings):
    """Without the local authority, the system's trust store refuses the certificate: not ok."""
    report = await check_urls_async(links(tls_server.url("/ok")), settings.replace(retries=0))
    result = report.results[0]
    assert result.state is State.ERROR
    assert result.message.startswith("TLS error") and "certificate verify failed" in result.message
    assert tls_server.state.hits["/ok"] == 0  # no request was sent over the refused connection


async def test_a_certificate_for_another_name_is_a_tls_error(tls_server, settings, client_tls, fake_resolver):
    """The authority is trusted, but the certificate does not name the host asked for."""
    resolver = fake_resolver({"elsewhere.test": "127.0.0.1"})
    url = tls_server.url("/ok", host="elsewhere.test")
    report = await check_urls_async(links(url), settings.replace(retries=0), tls=client_tls, resolver=resolver)
    result = report.results[0]
    assert result.state is State.ERROR
    assert result.message.startswith("TLS error") and "elsewhere.test" in result.message
    assert tls_server.state.hits["/ok"] == 0


async def test_https_to_a_server_that_speaks_plain_http_is_a_tls_error(server, settings, client_tls):
    url = f"https://127.0.0.1:{server.port}/ok"
    report = await check_urls_async(links(url), settings.replace(retries=0), tls=client_tls)
    result = report.results[0]
    assert result.state is State.ERROR
    assert result.message.startswith("TLS error"), result.message


def test_a_context_that_does_not_verify_is_refused(settings):
    lax = ssl.create_default_context()
    lax.check_hostname = False
    lax.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="must verify certificates and host names"):
        asyncio.run(check_urls_async(links("https://127.0.0.1:9/"), settings, tls=lax))


async def test_the_github_token_goes_over_https_and_never_on_a_hop_away_or_down(
    tls_server, server, settings, client_tls, fake_resolver
):
    """By default the token is sent over HTTPS only: to GitHub's host, not after a redirect to
    another host, and not after a redirect from HTTPS down to plain HTTP on GitHub's host itself.
    """
    resolver = fake_resolver({"gh.test": "127.0.0.1", "away.test": "127.0.0.1"})
    away = tls_server.url("/ok", host="away.test")
    down = server.url("/ok", host="gh.test")  # the same name, over plain HTTP
    run = settings.replace(github_token="s3cret-token", github_hosts=["gh.test"])
    assert run.github_https_only
    report = await check_urls_async(
        links(
            tls_server.url("/counted", host="gh.test"),
            tls_server.url(f"/redirect-to?to={away}", host="gh.test"),
            tls_server.url(f"/redirect-to?to={down}&n=2", host="gh.test"),
        ),
        run,
        tls=client_tls,
        resolver=resolver,
    )
    assert [r.state for r in report.results] == [State.OK] * 3, [r.message for r in report.results]
    over_tls = [(host.split(":")[0], path, auth) for host, path, auth in tls_server.state.auth]
    assert ("gh.test", "/counted", "Bearer s3cret-token") in over_tls
    assert [auth for host, path, auth in over_tls if path == "/redirect-to"] == ["Bearer s3cret-token"] * 2
    assert ("away.test", "/ok", None) in over_tls
    assert [auth for _host, _path, auth in server.state.auth] == [None]  # the plain-HTTP hop: no token


async def test_the_command_trusts_the_bundle_that_ssl_cert_file_names(tls_server, tls_ca, tmp_path):
    """The command line verifies with the system's trust store, which SSL_CERT_FILE points elsewhere
    (a company's own authority, say): with it the page is ok, without it a TLS error.
    """
    bundle = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(bundle))
    page = tmp_path / "page.html"
    url = tls_server.url("/ok#present")
    page.write_text(f'<!doctype html><title>t</title><a href="{url}">x</a>', encoding="utf-8")

    async def state(env: dict[str, str]) -> str:
        args = ["check-links", str(page), "--root", str(tmp_path), "--allow-private", "--no-cache",
                "--retries", "0", "--format", "json"]  # fmt: skip
        script = f"import sys; sys.argv = ['archkb', *{args!r}]; from archkb.cli import run; run()"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert out, err.decode()
        results = json.loads(out)["results"]
        return next(r["state"] for r in results if r["url"] == url)

    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")} | {"CI": "true"}
    assert await state({**env, "SSL_CERT_FILE": str(bundle)}) == "ok"
    assert await state(env) == "error"


async def test_a_server_that_leaves_out_its_intermediate_is_a_tls_error_that_says_so(tls_ca, settings, tmp_path):
    """Browsers fetch a missing intermediate certificate themselves, from the address the server's
    certificate names; trustme's names none, so nothing can be fetched, and the error says so
    (test_linkcheck_issuers.py has certificates that name one)."""
    from aiohttp import web

    from .conftest import ServerState, make_app

    intermediate = tls_ca.create_child_ca()
    leaf = intermediate.issue_cert("127.0.0.1")
    leaf_only, key = tmp_path / "leaf.pem", tmp_path / "key.pem"
    leaf.cert_chain_pems[0].write_to_path(str(leaf_only))  # the leaf alone, not the chain
    leaf.private_key_pem.write_to_path(str(key))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(leaf_only), str(key))
    runner = web.AppRunner(make_app(ServerState()), shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        port = site._server.sockets[0].getsockname()[1]
        trusting_root = ssl.create_default_context(cadata=tls_ca.cert_pem.bytes().decode())
        report = await check_urls_async(links(f"https://127.0.0.1:{port}/ok"), settings, tls=trusting_root)
    finally:
        await runner.cleanup()
    (result,) = report.results
    assert result.state is State.ERROR
    assert "unable to get local issuer certificate" in result.message
    assert result.message.endswith(
        "the server may leave out an intermediate certificate, which browsers fetch themselves, "
        "and its certificate names none to fetch"
    )


async def test_configured_headers_are_not_sent_on_a_redirect_down_to_plain_http(
    tls_server, server, settings, client_tls, fake_resolver
):
    """A host's configured headers (an API key, say) go to it over HTTPS, and not to the same name
    over plain HTTP once a redirect has gone down to it: one redirect would put them on the wire in
    clear. A link written as http:// gets them: that is what its configuration asks."""
    from archkb.linkcheck.settings import HostRule

    resolver = fake_resolver({"gh.test": "127.0.0.1"})
    down = server.url("/ok", host="gh.test")
    run = settings.replace(hosts=[HostRule("gh.test", headers={"Authorization": "Basic CFG"})])
    report = await check_urls_async(
        links(tls_server.url(f"/redirect-to?to={down}", host="gh.test"), server.url("/counted", host="gh.test")),
        run,
        tls=client_tls,
        resolver=resolver,
    )
    assert all(r.state in (State.OK, State.REDIRECTED) for r in report.results), [r.message for r in report.results]
    assert [auth for _h, path, auth in tls_server.state.auth if path == "/redirect-to"] == ["Basic CFG"]
    plain = {path: auth for _h, path, auth in server.state.auth}
    assert plain == {"/ok": None, "/counted": "Basic CFG"}
