"""gunicorn's default worker count follows the CPUs the process may use, not the host's."""

import os
import sys

import pytest

from config.concurrency import cgroup_cpu_quota, cpus_in_affinity, default_workers, usable_cpus

GUNICORN_WORKERS = "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])"


def write_cgroup_v2(root, cpu_max):
    (root / "cpu.max").write_text(f"{cpu_max}\n")
    return root


def write_cgroup_v1(root, quota, period=100000):
    folder = root / "cpu,cpuacct"
    folder.mkdir()
    (folder / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (folder / "cpu.cfs_period_us").write_text(f"{period}\n")
    return root


def run_pinned_to_one_cpu(django_process, code, **variables):
    """Run Python under ``taskset -c <one CPU we may use>``: a real affinity mask of one CPU."""
    cpu = min(os.sched_getaffinity(0))
    command = ["taskset", "-c", str(cpu), sys.executable, "-c", code]
    return django_process.run(command, settings=None, **variables)


def test_a_cgroup_v2_quota_caps_the_cpus(tmp_path):
    root = write_cgroup_v2(tmp_path, "150000 100000")

    assert cgroup_cpu_quota(root) == 1.5
    assert usable_cpus(root) == min(cpus_in_affinity(), 2)


def test_a_fraction_of_a_cpu_still_counts_as_one(tmp_path):
    root = write_cgroup_v2(tmp_path, "50000 100000")

    assert usable_cpus(root) == 1
    assert default_workers(root) == 3


def test_no_cgroup_v2_quota_leaves_the_affinity(tmp_path):
    root = write_cgroup_v2(tmp_path, "max 100000")

    assert cgroup_cpu_quota(root) is None
    assert usable_cpus(root) == cpus_in_affinity()


@pytest.mark.parametrize(("quota", "expected"), [(100000, 1.0), (-1, None)])
def test_a_cgroup_v1_cfs_quota_is_read_too(tmp_path, quota, expected):
    root = write_cgroup_v1(tmp_path, quota)

    assert cgroup_cpu_quota(root) == expected


def test_without_any_cgroup_file_the_affinity_decides(tmp_path):
    assert cgroup_cpu_quota(tmp_path) is None
    assert usable_cpus(tmp_path) == len(os.sched_getaffinity(0))


def test_a_process_pinned_to_one_cpu_counts_one(django_process):
    result = run_pinned_to_one_cpu(
        django_process, "from config.concurrency import usable_cpus; print(usable_cpus())"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_gunicorn_starts_three_workers_on_one_usable_cpu(django_process):
    result = run_pinned_to_one_cpu(django_process, GUNICORN_WORKERS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"


def test_web_concurrency_and_gunicorn_workers_override_the_cpu_count(django_process):
    alone = run_pinned_to_one_cpu(django_process, GUNICORN_WORKERS, WEB_CONCURRENCY="4")
    assert alone.stdout.strip() == "4"
    both = run_pinned_to_one_cpu(
        django_process, GUNICORN_WORKERS, WEB_CONCURRENCY="4", GUNICORN_WORKERS="6"
    )
    assert both.stdout.strip() == "6"


def test_a_malformed_web_concurrency_stops_start_up_naming_it(django_process):
    result = run_pinned_to_one_cpu(django_process, GUNICORN_WORKERS, WEB_CONCURRENCY="lots")

    assert result.returncode != 0
    assert "WEB_CONCURRENCY" in result.stderr
