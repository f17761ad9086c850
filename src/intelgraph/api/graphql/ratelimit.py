"""Cost-weighted token buckets per principal and per tenant.

A GraphQL request can cost anything from one field to a deep traversal, so we meter
*cost units* rather than requests. Each request must fit in two buckets at once: the
caller's own (so one script cannot starve its colleagues) and its tenant's (so one tenant
cannot starve the server). Buckets refill continuously, which avoids the thundering herd
that fixed windows cause at each window edge.

Headers follow draft-ietf-httpapi-ratelimit-headers (revision 11): ``RateLimit-Policy``
and ``RateLimit`` as Structured Field lists, e.g. ``"principal";q=600;w=60``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from intelgraph.errors import IntelGraphError

Limit = Literal["principal", "tenant"]

# Float refill can land a hair below an integer it reached exactly in real arithmetic.
_EPSILON = 1e-9


@dataclass(frozen=True)
class RateLimitPolicy:
    """``quota`` cost units per ``window_seconds``; the bucket holds at most ``quota``."""

    name: str
    quota: int
    window_seconds: int

    def __post_init__(self) -> None:
        # The name is emitted as a Structured Field string: printable ASCII only.
        if not self.name or any(not 0x20 <= ord(ch) <= 0x7E for ch in self.name):
            raise ValueError(f"policy name must be non-empty printable ASCII: {self.name!r}")
        for attr in ("quota", "window_seconds"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{attr} must be an integer >= 1, got {value!r}")

    @property
    def rate(self) -> float:
        """Units restored per second."""
        return self.quota / self.window_seconds

    def header_item(self) -> str:
        """This policy as a ``RateLimit-Policy`` list member."""
        return f"{_sf_string(self.name)};q={self.quota};w={self.window_seconds}"


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one charge, with the response headers to send either way."""

    allowed: bool
    retry_after: int
    headers: dict[str, str]
    limited_by: Limit | None
    # Why a refusal happened: "quota_exhausted" (wait) or "cost_exceeds_quota" (never fits).
    reason: str | None = None
    cost: int = 0
    policy: RateLimitPolicy | None = field(default=None, repr=False)

    def error(self) -> RateLimited | None:
        """The error to raise for a refusal, or None when the request was admitted."""
        if self.allowed or self.limited_by is None or self.policy is None:
            return None
        if self.reason == "cost_exceeds_quota":
            return CostExceedsQuota(
                self.limited_by, self.policy, self.retry_after, cost=self.cost, headers=self.headers
            )
        return RateLimited(self.limited_by, self.policy, self.retry_after, headers=self.headers)


class RateLimited(IntelGraphError):
    """A principal or tenant has spent its quota; the request may pass after ``retry_after``."""

    code = "rate_limited"

    def __init__(
        self,
        limit: Limit,
        policy: RateLimitPolicy,
        retry_after: int,
        *,
        headers: Mapping[str, str] | None = None,
        message: str | None = None,
        hint: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            message
            or (
                f"The {limit} rate limit is exhausted "
                f"({policy.quota} cost units per {policy.window_seconds} s)."
            ),
            hint=hint or f"Retry after {retry_after} s; the Retry-After header says the same.",
            details={
                "limit": limit,
                "quota": policy.quota,
                "window_seconds": policy.window_seconds,
                "retry_after": retry_after,
                **(extra or {}),
            },
        )
        self.limit = limit
        self.retry_after = retry_after
        # Kept for the HTTP layer, which must send them with the 429.
        self.headers: dict[str, str] = dict(headers or {})


class CostExceedsQuota(RateLimited):
    """The request costs more than a whole bucket holds, so waiting would never help."""

    code = "cost_exceeds_quota"

    def __init__(
        self,
        limit: Limit,
        policy: RateLimitPolicy,
        retry_after: int,
        *,
        cost: int,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            limit,
            policy,
            retry_after,
            headers=headers,
            message=(
                f"The request costs {cost} units, more than the whole {limit} quota of "
                f"{policy.quota} per {policy.window_seconds} s; it can never be admitted."
            ),
            hint="Make the query cheaper: select fewer fields, lower page sizes or depth.",
            extra={"cost": cost},
        )


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class RateLimiter:
    """Admits a request only if both its principal's and its tenant's buckets can pay."""

    def __init__(
        self,
        principal: RateLimitPolicy,
        tenant: RateLimitPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be >= 1, got {max_keys}")
        self.principal_policy = principal
        self.tenant_policy = tenant
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._principals: OrderedDict[str, _Bucket] = OrderedDict()
        self._tenants: OrderedDict[str, _Bucket] = OrderedDict()
        self._policy_header = f"{principal.header_item()}, {tenant.header_item()}"

    @property
    def tracked_keys(self) -> dict[str, int]:
        """How many buckets are held per kind (bounded by ``max_keys`` each)."""
        with self._lock:
            return {"principal": len(self._principals), "tenant": len(self._tenants)}

    def charge(self, principal_id: str, tenant: str, cost: int) -> RateDecision:
        """Debit ``cost`` from both buckets if both can pay; otherwise debit neither."""
        if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
            raise ValueError(f"cost must be an integer >= 1, got {cost!r}")
        with self._lock:
            now = self._clock()
            sides: list[tuple[Limit, RateLimitPolicy, _Bucket]] = [
                ("principal", self.principal_policy, self._bucket(self._principals, principal_id)),
                ("tenant", self.tenant_policy, self._bucket(self._tenants, tenant)),
            ]
            for _, policy, bucket in sides:
                _refill(bucket, policy, now)

            too_big = [side for side in sides if cost > side[1].quota]
            if too_big:
                limit, policy, bucket = too_big[0]
                # A cheaper follow-up gets the whole quota once the bucket is full again.
                wait = max(1, _ceil((policy.quota - bucket.tokens) / policy.rate))
                return self._refuse(limit, policy, bucket, wait, cost, "cost_exceeds_quota")

            short = [side for side in sides if _short(side[2], cost)]
            if short:
                waits = [(_ceil((cost - b.tokens) / p.rate), lim, p, b) for lim, p, b in short]
                # The request passes only once every bucket can pay: the longest wait rules.
                wait, limit, policy, bucket = max(waits, key=lambda w: w[0])
                return self._refuse(limit, policy, bucket, max(1, wait), cost, "quota_exhausted")

            for _, _, bucket in sides:
                bucket.tokens = max(0.0, bucket.tokens - cost)
            # The more restrictive policy is the one with fewer units left.
            limit, policy, bucket = min(sides, key=lambda s: math.floor(s[2].tokens + _EPSILON))
            full_in = _ceil((policy.quota - bucket.tokens) / policy.rate)
            headers = {
                "RateLimit-Policy": self._policy_header,
                "RateLimit": _service_limit(policy, bucket.tokens, full_in),
            }
            return RateDecision(allowed=True, retry_after=0, headers=headers, limited_by=None)

    def _refuse(
        self,
        limit: Limit,
        policy: RateLimitPolicy,
        bucket: _Bucket,
        wait: int,
        cost: int,
        reason: str,
    ) -> RateDecision:
        headers = {
            "RateLimit-Policy": self._policy_header,
            "RateLimit": _service_limit(policy, bucket.tokens, wait),
            "Retry-After": str(wait),
        }
        return RateDecision(
            allowed=False,
            retry_after=wait,
            headers=headers,
            limited_by=limit,
            reason=reason,
            cost=cost,
            policy=policy,
        )

    def _bucket(self, table: OrderedDict[str, _Bucket], key: str) -> _Bucket:
        bucket = table.get(key)
        if bucket is not None:
            table.move_to_end(key)
            return bucket
        policy = self.principal_policy if table is self._principals else self.tenant_policy
        bucket = table[key] = _Bucket(float(policy.quota), self._clock())
        # Least recently used first: a bucket idle for a whole window is full, so forgetting
        # it changes nothing; only a flood of fresh keys can evict a partly spent one.
        while len(table) > self._max_keys:
            table.popitem(last=False)
        return bucket


def _short(bucket: _Bucket, cost: int) -> bool:
    """True when ``bucket`` cannot pay ``cost`` now."""
    return bucket.tokens + _EPSILON < cost


def _refill(bucket: _Bucket, policy: RateLimitPolicy, now: float) -> None:
    elapsed = max(0.0, now - bucket.updated)  # a clock that steps back must not drain
    bucket.tokens = min(float(policy.quota), bucket.tokens + elapsed * policy.rate)
    bucket.updated = now


def _ceil(seconds: float) -> int:
    return max(0, math.ceil(seconds - _EPSILON))


def _service_limit(policy: RateLimitPolicy, tokens: float, seconds: int) -> str:
    remaining = max(0, math.floor(tokens + _EPSILON))
    return f"{_sf_string(policy.name)};r={remaining};t={seconds}"


def _sf_string(value: str) -> str:
    """Serialise a Structured Field string (RFC 9651 section 4.1.6)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


__all__ = [
    "CostExceedsQuota",
    "RateDecision",
    "RateLimitPolicy",
    "RateLimited",
    "RateLimiter",
]
