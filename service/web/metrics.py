"""Prometheus metrics in the text exposition format, without a client library."""

from __future__ import annotations

import bisect
import itertools
import threading
from collections import defaultdict
from dataclasses import dataclass, field

# Upper bounds of the request-duration histogram, in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, float("inf"))


@dataclass
class Metrics:
    """Request counters and duration histograms, keyed by route and status."""

    requests: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    buckets: dict[str, list[int]] = field(default_factory=dict)  # per bucket; summed up when rendered
    sums: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counters: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    gauges: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one request and add its duration to the route's histogram."""
        with self.lock:
            self.requests[(route, method, status)] += 1
            counts = self.buckets.setdefault(route, [0] * len(BUCKETS))
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1  # the smallest bound >= seconds
            self.sums[route] += seconds

    def inc(self, name: str, amount: float = 1.0) -> None:
        """Increase a named counter (e.g. ``sparql_timeouts_total``)."""
        with self.lock:
            self.counters[name] += amount

    def set(self, name: str, value: float) -> None:
        """Set a named gauge."""
        with self.lock:
            self.gauges[name] = value

    def render(self) -> str:
        """The metrics in Prometheus text format 0.0.4."""
        lines = [
            "# HELP supplygraph_http_requests_total HTTP requests by route, method and status.",
            "# TYPE supplygraph_http_requests_total counter",
        ]
        with self.lock:
            for (route, method, status), n in sorted(self.requests.items()):
                lines.append(
                    f'supplygraph_http_requests_total{{route="{route}",method="{method}",status="{status}"}} {n}'
                )
            lines.append("# HELP supplygraph_http_request_duration_seconds Request duration by route.")
            lines.append("# TYPE supplygraph_http_request_duration_seconds histogram")
            for route, per_bucket in sorted(self.buckets.items()):
                counts = list(itertools.accumulate(per_bucket))  # Prometheus buckets count everything below them
                for bound, n in zip(BUCKETS, counts, strict=True):
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    lines.append(f'supplygraph_http_request_duration_seconds_bucket{{route="{route}",le="{le}"}} {n}')
                lines.append(f'supplygraph_http_request_duration_seconds_sum{{route="{route}"}} {self.sums[route]}')
                lines.append(f'supplygraph_http_request_duration_seconds_count{{route="{route}"}} {counts[-1]}')
            for name, value in sorted(self.counters.items()):
                lines.append(f"# TYPE supplygraph_{name} counter")
                lines.append(f"supplygraph_{name} {value}")
            for name, value in sorted(self.gauges.items()):
                lines.append(f"# TYPE supplygraph_{name} gauge")
                lines.append(f"supplygraph_{name} {value}")
        return "\n".join(lines) + "\n"
