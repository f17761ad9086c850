"""Token buckets per principal and tenant, on a fake clock so no test waits or races time."""

from __future__ import annotations

import threading
import time

import pytest

from intelgraph.api.graphql.ratelimit import (
    CostExceedsQuota,
    RateLimited,
    RateLimiter,
    RateLimitPolicy,
)
from intelgraph.errors import IntelGraphError

PRINCIPAL = RateLimitPolicy("principal", quota=10, window_seconds=10)  # 1 unit per second
TENANT = RateLimitPolicy("tenant", quota=15, window_seconds=10)  # 1.5 units per second


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        time.sleep(0)  # yield the GIL here, so an unlocked limiter would interleave
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(clock: FakeClock) -> RateLimiter:
    return RateLimiter(PRINCIPAL, TENANT, clock=clock)


def test_burst_up_to_quota_then_refusal(limiter: RateLimiter) -> None:
    decisions = [limiter.charge("alice", "acme", 1) for _ in range(11)]
    assert [d.allowed for d in decisions] == [True] * 10 + [False]
    refused = decisions[-1]
    assert refused.limited_by == "principal"
    assert refused.reason == "quota_exhausted"
    assert refused.retry_after == 1
    assert decisions[0].retry_after == 0
    assert decisions[0].limited_by is None


def test_refill_over_time_is_continuous_and_capped(limiter: RateLimiter, clock: FakeClock) -> None:
    for _ in range(10):
        assert limiter.charge("alice", "acme", 1).allowed
    assert not limiter.charge("alice", "acme", 1).allowed
    clock.advance(3)  # 3 units back at 1 unit/s
    assert [limiter.charge("alice", "acme", 1).allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    clock.advance(10_000)  # refill never exceeds the burst size
    assert sum(limiter.charge("alice", "other", 1).allowed for _ in range(12)) == 10


def test_retry_after_is_exactly_when_the_request_passes(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    assert limiter.charge("alice", "acme", 10).allowed
    refused = limiter.charge("alice", "acme", 4)
    assert not refused.allowed
    assert refused.retry_after == 4
    clock.advance(refused.retry_after - 0.5)
    assert not limiter.charge("alice", "acme", 4).allowed
    clock.advance(0.5)
    assert limiter.charge("alice", "acme", 4).allowed


def test_expensive_request_drains_more(limiter: RateLimiter) -> None:
    assert limiter.charge("alice", "acme", 7).allowed
    assert limiter.charge("alice", "acme", 3).allowed
    assert not limiter.charge("alice", "acme", 1).allowed
    assert limiter.charge("bob", "other", 1).headers["RateLimit"] == '"principal";r=9;t=1'
    assert limiter.charge("carol", "third", 6).headers["RateLimit"] == '"principal";r=4;t=6'


def test_tenant_bucket_is_shared_by_its_principals(limiter: RateLimiter) -> None:
    assert limiter.charge("alice", "acme", 10).allowed
    refused = limiter.charge("bob", "acme", 6)  # bob has 10 of his own, acme only 5 left
    assert not refused.allowed
    assert refused.limited_by == "tenant"
    assert refused.headers["RateLimit"] == '"tenant";r=5;t=1'
    assert limiter.charge("bob", "acme", 5).allowed
    assert not limiter.charge("carol", "acme", 1).allowed


def test_other_tenant_is_unaffected(limiter: RateLimiter) -> None:
    assert limiter.charge("alice", "acme", 10).allowed
    assert limiter.charge("bob", "acme", 5).allowed
    assert not limiter.charge("carol", "acme", 1).allowed
    decision = limiter.charge("dave", "globex", 10)
    assert decision.allowed
    assert decision.headers["RateLimit"] == '"principal";r=0;t=10'


def test_refused_request_debits_neither_bucket(limiter: RateLimiter) -> None:
    assert limiter.charge("alice", "acme", 8).allowed  # alice 2 left, acme 7 left
    refused = limiter.charge("alice", "acme", 5)  # alice cannot pay; acme could
    assert not refused.allowed
    assert refused.limited_by == "principal"
    # acme still holds 7: a fresh principal can spend all of it.
    assert limiter.charge("bob", "acme", 7).allowed
    # alice still holds 2.
    assert limiter.charge("alice", "other", 2).allowed


def test_refused_by_tenant_does_not_debit_principal(limiter: RateLimiter) -> None:
    assert limiter.charge("bob", "acme", 10).allowed  # acme 5 left
    assert not limiter.charge("alice", "acme", 6).allowed
    assert limiter.charge("alice", "globex", 10).allowed  # alice untouched


def test_when_both_refuse_the_longer_wait_rules(limiter: RateLimiter, clock: FakeClock) -> None:
    assert limiter.charge("alice", "acme", 10).allowed
    assert limiter.charge("bob", "acme", 5).allowed  # alice and acme are both empty
    refused = limiter.charge("alice", "acme", 3)  # principal needs 3 s, tenant only 2 s
    assert refused.limited_by == "principal"
    assert refused.retry_after == 3
    assert refused.headers["RateLimit"] == '"principal";r=0;t=3'
    clock.advance(2)
    assert not limiter.charge("alice", "acme", 3).allowed
    clock.advance(1)
    assert limiter.charge("alice", "acme", 3).allowed


def test_cost_above_quota_is_refused_with_its_own_reason(limiter: RateLimiter) -> None:
    decision = limiter.charge("alice", "acme", 11)  # tenant could pay 11, principal never
    assert not decision.allowed
    assert decision.reason == "cost_exceeds_quota"
    assert decision.limited_by == "principal"
    assert decision.retry_after >= 1
    error = decision.error()
    assert isinstance(error, CostExceedsQuota)
    assert isinstance(error, RateLimited)
    assert error.code == "cost_exceeds_quota"
    assert "never" in error.message
    assert error.details["cost"] == 11
    # nothing was debited from either bucket
    assert limiter.charge("alice", "acme", 10).allowed
    assert limiter.charge("bob", "acme", 5).allowed


def test_cost_above_tenant_quota_names_the_tenant(clock: FakeClock) -> None:
    limiter = RateLimiter(
        RateLimitPolicy("user", 100, 60), RateLimitPolicy("org", 50, 60), clock=clock
    )
    decision = limiter.charge("alice", "acme", 51)
    assert decision.reason == "cost_exceeds_quota"
    assert decision.limited_by == "tenant"


def test_invalid_cost_and_policy_are_programming_errors(limiter: RateLimiter) -> None:
    for cost in (0, -1):
        with pytest.raises(ValueError, match="cost"):
            limiter.charge("alice", "acme", cost)
    with pytest.raises(ValueError, match="quota"):
        RateLimitPolicy("p", 0, 60)
    with pytest.raises(ValueError, match="window_seconds"):
        RateLimitPolicy("p", 10, 0)
    with pytest.raises(ValueError, match="name"):
        RateLimitPolicy("bad\nname", 10, 60)


def test_headers_when_admitted_report_the_more_restrictive_policy(
    limiter: RateLimiter,
) -> None:
    first = limiter.charge("alice", "acme", 3)
    assert first.headers == {
        "RateLimit-Policy": '"principal";q=10;w=10, "tenant";q=15;w=10',
        "RateLimit": '"principal";r=7;t=3',
    }
    limiter.charge("bob", "acme", 9)  # acme now 3 left: the tenant is tighter for carol
    third = limiter.charge("carol", "acme", 1)
    assert third.headers["RateLimit"] == '"tenant";r=2;t=9'
    assert "Retry-After" not in third.headers


def test_headers_when_refused(limiter: RateLimiter) -> None:
    limiter.charge("alice", "acme", 9)
    refused = limiter.charge("alice", "acme", 4)
    assert refused.headers == {
        "RateLimit-Policy": '"principal";q=10;w=10, "tenant";q=15;w=10',
        "RateLimit": '"principal";r=1;t=3',
        "Retry-After": "3",
    }


def test_policy_names_are_structured_field_strings(clock: FakeClock) -> None:
    limiter = RateLimiter(
        RateLimitPolicy('per "user"', 600, 60),
        RateLimitPolicy("back\\slash", 6000, 60),
        clock=clock,
    )
    headers = limiter.charge("a", "t", 18).headers
    assert headers["RateLimit-Policy"] == r'"per \"user\"";q=600;w=60, "back\\slash";q=6000;w=60'
    assert headers["RateLimit"] == r'"per \"user\"";r=582;t=2'


def test_rate_limited_error_shape(limiter: RateLimiter) -> None:
    limiter.charge("alice", "acme", 10)
    decision = limiter.charge("bob", "acme", 6)
    error = decision.error()
    assert isinstance(error, RateLimited)
    assert isinstance(error, IntelGraphError)
    assert error.code == "rate_limited"
    assert "tenant" in error.message
    assert error.hint is not None
    assert "1 s" in error.hint
    assert error.to_dict()["details"] == {
        "limit": "tenant",
        "quota": 15,
        "window_seconds": 10,
        "retry_after": 1,
    }
    assert error.headers["Retry-After"] == "1"
    assert limiter.charge("carol", "globex", 1).error() is None


def test_idle_keys_are_evicted_past_max_keys(clock: FakeClock) -> None:
    limiter = RateLimiter(PRINCIPAL, TENANT, clock=clock, max_keys=3)
    for index in range(50):
        limiter.charge(f"user-{index}", f"tenant-{index}", 1)
        counts = limiter.tracked_keys
        assert counts["principal"] <= 3
        assert counts["tenant"] <= 3
    assert limiter.tracked_keys == {"principal": 3, "tenant": 3}


def test_eviction_is_least_recently_used(clock: FakeClock) -> None:
    limiter = RateLimiter(PRINCIPAL, TENANT, clock=clock, max_keys=2)
    assert limiter.charge("hot", "t1", 10).allowed
    assert limiter.charge("cold", "t2", 1).allowed
    assert not limiter.charge("hot", "t1", 1).allowed  # touches "hot" again
    limiter.charge("new", "t3", 1)  # evicts "cold", not "hot"
    assert not limiter.charge("hot", "t4", 1).allowed  # hot's bucket survived, still empty


def test_threads_never_admit_more_than_quota_with_a_frozen_clock() -> None:
    frozen = FakeClock()
    limiter = RateLimiter(
        RateLimitPolicy("principal", 1000, 60), RateLimitPolicy("tenant", 5000, 60), clock=frozen
    )
    admitted: list[int] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        mine = 0
        for _ in range(500):
            if limiter.charge("shared", "acme", 3).allowed:
                mine += 3
        admitted.append(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 8
    assert sum(admitted) == 999  # 333 requests of 3 fit in 1000; never more
