"""The benchmark's concurrency rows say what a request costs the machine (CPU per request,
from /proc/stat), not only the rate a possibly busy host reached."""

import os

from seeds.bench_serving import busy_cpu_seconds, cpu_per_request
from seeds.bench_table import table_rows

# /proc/stat's first line: user nice system idle iowait irq softirq steal guest guest_nice
STAT = "cpu  1000 50 300 90000 40 7 3 25 0 0"


def test_busy_time_counts_user_nice_system_and_interrupts_not_idle_wait_or_steal():
    ticks = os.sysconf("SC_CLK_TCK")
    assert busy_cpu_seconds(STAT) == (1000 + 50 + 300 + 7 + 3) / ticks
    assert busy_cpu_seconds("cpu  1 2") is None


def test_busy_time_of_this_machine_only_grows():
    first = busy_cpu_seconds()
    sum(i * i for i in range(200_000))
    second = busy_cpu_seconds()
    if first is None:  # no /proc here
        assert second is None
    else:
        assert second >= first


def test_cost_per_request_and_the_rate_that_fills_every_core():
    cost = cpu_per_request(10.0, 400)  # 10 s of CPU for 400 answers
    assert cost["cpu_ms_per_request"] == 25.0
    assert cost["cores_full_req_per_s"] == round((os.cpu_count() or 1) * 1000 / 25.0, 1)
    assert cpu_per_request(None, 400) == {}
    assert cpu_per_request(1.0, 0) == {}


def test_the_table_prints_the_cost_and_says_when_export_jobs_are_in_it():
    run = {"clients": 10, "req_per_s": 31.25, "p50_ms": 300.0, "p95_ms": 500.0,
           "status": {"200": 312}, "cpu_ms_per_request": 50.0, "cores_full_req_per_s": 40.0}
    rows = table_rows({"concurrency": {
        "department_home": [run],
        "department_home_during_2_city_ledger_jobs": {**run, "clients": 50}}})
    plain, during = rows
    assert plain[2] == 31.2 and plain[3] == "300.0/500.0"
    assert plain[4] == ("≥ 40 req/s {'200': 312}; cpu 50.0 ms/req, all cores ≈ 40.0 req/s")
    assert during[4] == "p95 ≤ 1500 ms {'200': 312}; cpu 50.0 ms/req with the jobs"
    old = {key: value for key, value in run.items() if not key.startswith(("cpu", "cores"))}
    assert table_rows({"concurrency": {"department_home": [old]}})[0][4] == (
        "≥ 40 req/s {'200': 312}")
