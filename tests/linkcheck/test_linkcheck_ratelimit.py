"""Rate limits: a host that says no requests are left is paused until its reset (or, past the cap,
asked nothing more in the run), GitHub's 403 for its limit is retried like a 429, and the headers
servers send for it are read in each of their forms.
"""

from __future__ import annotations

import pytest

from archkb.linkcheck import Link, State, check_urls_async
from archkb.linkcheck.client import rate_limit_wait

NOW = 1_800_000_000.0  # a fixed clock for the epoch form


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(NOW + 42)}, 42.0),  # GitHub, GitLab: an epoch time
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "30"}, 30.0),  # seconds from now
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "1.5", "x-ratelimit-reset": "9"}, 1.5),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(NOW - 5)}, 0.0),  # already past
        ({"x-ratelimit-remaining": "3", "x-ratelimit-reset": "30"}, None),  # requests left
        ({"x-ratelimit-remaining": "0"}, None),  # no reset given: nothing to wait for
        ({"ratelimit-remaining": "0", "ratelimit-reset": "7"}, 7.0),  # the IETF draft's first form
        ({"ratelimit": '"default";r=0;t=12'}, 12.0),  # its later form
        ({"ratelimit": '"default";r=5;t=12'}, None),
        ({"ratelimit": "limit=100, remaining=0, reset=20"}, 20.0),  # an early draft's
        ({"x-ratelimit-remaining": "soon", "x-ratelimit-reset": "30"}, None),
        ({}, None),
    ],
)
def test_the_headers_that_say_when_a_limit_resets(headers, wait):
    assert rate_limit_wait(headers, now=NOW) == wait


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


async def test_a_host_with_no_requests_left_is_paused_until_its_reset(server, settings):
    """Two pages whose answers each say none are left for a second: the second request waits."""
    urls = [server.url("/spent/1"), server.url("/spent/2")]
    report = await check_urls_async(links(*urls), settings.replace(per_host=1))
    assert [r.state for r in report.results] == [State.OK, State.OK]
    first, second = sorted(server.state.starts)
    assert second - first >= 0.95


async def test_githubs_403_for_its_rate_limit_is_retried_after_the_reset(server, settings):
    (result,) = (await check_urls_async(links(server.url("/github-limit-once")), settings)).results
    assert result.state is State.OK, result.message
    times = server.state.hit_times["/github-limit-once"]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.9  # the reset is 1 to 2 s ahead, in whole seconds


async def test_a_429_that_says_when_its_limit_resets_is_retried_then(server, settings):
    (result,) = (await check_urls_async(links(server.url("/limited-429-once")), settings)).results
    assert result.state is State.OK, result.message
    first, second = server.state.hit_times["/limited-429-once"]
    assert second - first >= 0.95


async def test_a_limit_past_the_cap_stops_the_host_and_nothing_more_is_sent(server, settings):
    urls = [server.url(f"/limited-for-an-hour/{n}") for n in range(4)]
    report = await check_urls_async(links(*urls), settings.replace(per_host=1))
    assert [r.state for r in report.results] == [State.BLOCKED] * 4
    messages = sorted(r.message for r in report.results)
    assert messages[0] == "HTTP 429 Too Many Requests persisted (its rate limit resets in 3600s exceeds the 5s cap)"
    assert all(m.startswith("not tried: 127.0.0.1 asked for no requests for 3") for m in messages[1:])
    assert all(m.endswith("s more, past the 5s a run waits") for m in messages[1:])
    assert len(server.state.starts) == 1  # one request told us; the other three were never sent


async def test_a_403_that_is_not_a_rate_limit_is_still_blocked_at_once(server, settings):
    (result,) = (await check_urls_async(links(server.url("/status/403")), settings)).results
    assert result.state is State.BLOCKED
    assert result.message == "HTTP 403: refused to us, not necessarily dead"
    assert server.state.hits["/status/403"] == 2  # HEAD, then GET: no retry


async def test_a_retry_after_past_the_cap_is_named_as_such(server, settings):
    (result,) = (await check_urls_async(links(server.url("/retry-after-an-hour")), settings)).results
    assert result.state is State.BLOCKED
    assert result.message == "HTTP 429 Too Many Requests persisted (Retry-After 3600s exceeds the 5s cap)"
    assert server.state.hits["/retry-after-an-hour"] == 1


async def test_githubs_403_with_retry_after_is_retried_after_it(server, settings):
    (result,) = (await check_urls_async(links(server.url("/github-secondary-once")), settings)).results
    assert result.state is State.OK, result.message
    first, second = server.state.hit_times["/github-secondary-once"]
    assert second - first >= 0.95
