"""NLU speed: parse latency over HTTP to a real Rasa server (p50/p95), triage throughput
(messages per second, in-process, no network) and triage's worst case on hostile messages
(tests/bench/bench_triage_worst.py). Without a Rasa build the triage part still runs.

    make bench      (or: python -m tests.bench.bench_nlu --parses 200)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import time

from nlu.client import NluClient
from nlu.server import NluUnavailable, build, rasa_command, rasa_environment
from nlu.triage import assess
from tests.bench import bench_triage_worst
from tests.bench.bench_updates import machine
from tests.nlu.configured import THRESHOLDS
from tests.nlu.conftest import _free_port, _wait_ready

TEXTS = [
    "我想约明天上午九点看王医生",
    "每天早上8点提醒我吃二甲双胍",
    "血压一百四十五，九十",
    "我胸口有点闷，要不要紧",
    "帮我把预约改到下周三下午",
    "有哪些服务包，多少钱",
    "I want to book an appointment tomorrow",
    "谢谢医生",
]


async def parse_latencies(url: str, count: int) -> list[float]:
    client = NluClient(url, timeout=10)
    latencies: list[float] = []
    try:
        for i in range(count):
            started = time.perf_counter()
            reading = await client.parse(TEXTS[i % len(TEXTS)])
            latencies.append(time.perf_counter() - started)
            assert reading is not None
    finally:
        await client.close()
    return latencies


def triage_rate(count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        assess(TEXTS[i % len(TEXTS)], THRESHOLDS)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parses", type=int, default=200)
    parser.add_argument("--triages", type=int, default=20_000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    try:
        p50, p95 = parse_percentiles(args.parses)
        print(f"parse over HTTP:   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({args.parses} parses)")
    except NluUnavailable as exc:
        print(f"parse over HTTP:   skipped, no Rasa build ({exc})")
    print(f"triage in-process: {triage_rate(args.triages):8.0f} messages/s")
    bench_triage_worst.report()


def parse_percentiles(parses: int) -> tuple[float, float]:
    """p50 and p95 parse latency in ms, against a Rasa server started for the purpose."""
    built = build()
    url = f"http://127.0.0.1:{_free_port()}"
    server = subprocess.Popen(rasa_command(built, url), env=rasa_environment(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        if not asyncio.run(_wait_ready(url, server)):
            raise SystemExit("Rasa did not start")
        asyncio.run(parse_latencies(url, 20))  # warm-up
        latencies = sorted(asyncio.run(parse_latencies(url, parses)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    return p50, p95


if __name__ == "__main__":
    main()
