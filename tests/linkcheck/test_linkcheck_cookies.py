"""Cookies within one check: a page that redirects to set a cookie and back works, as it does in a
browser; cookies go only to the host that set them, and no check sees another's."""

from __future__ import annotations

from archkb.linkcheck import Link, State, check_urls_async


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


async def test_a_redirect_to_set_a_cookie_and_back_is_no_loop(server, settings):
    (result,) = (await check_urls_async(links(server.url("/cookie-gate")), settings)).results
    assert result.state is State.OK, result.message
    gate = [
        h for h, (_, path) in zip(server.state.headers, server.state.methods, strict=True) if path == "/cookie-gate"
    ]
    assert [h.get("cookie") for h in gate] == [None, "seen=1"]  # the second visit carried it


async def test_the_same_cookie_every_time_is_still_a_loop(server, settings):
    (result,) = (await check_urls_async(links(server.url("/cookie-loop")), settings)).results
    assert result.state is State.ERROR
    assert result.message.startswith("redirect loop at ")


async def test_a_cookie_goes_only_to_the_host_that_set_it(server, settings, fake_resolver):
    resolver = fake_resolver({"first.test": "127.0.0.1", "other.test": "127.0.0.1"})
    url = f"http://first.test:{server.port}/cookie-then-away"
    (result,) = (await check_urls_async(links(url), settings, resolver=resolver)).results
    assert result.state is State.OK, result.message
    (landed,) = [h for h, (_, path) in zip(server.state.headers, server.state.methods, strict=True) if path == "/ok"]
    assert landed["host"].startswith("other.test")
    assert "cookie" not in landed


async def test_no_check_sees_the_cookies_of_another(server, settings):
    urls = [server.url("/sets-cookie/1"), server.url("/sets-cookie/2"), server.url("/sets-cookie/1#present")]
    report = await check_urls_async(links(*urls), settings.replace(per_host=1))
    assert {r.state for r in report.results} == {State.OK}
    assert [h.get("cookie") for h in server.state.headers] == [None] * len(server.state.headers)
