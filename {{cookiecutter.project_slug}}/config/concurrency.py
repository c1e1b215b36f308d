"""How many CPUs this process may really use: the base of gunicorn's default worker count.

``os.cpu_count()`` counts the host's cores. A container limited to 2 CPUs on a 64-core
node would start 129 workers, slowed down by the quota and all holding memory and
database connections. The cgroup CPU quota and the CPU affinity mask say what the
process may really use.
"""

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_cpu_quota(cgroup_root=CGROUP_ROOT):
    """CPUs granted by the cgroup quota (v2 ``cpu.max``, else v1 CFS), or None if unlimited."""
    cgroup_root = Path(cgroup_root)
    v2 = cgroup_root / "cpu.max"
    if v2.is_file():
        quota, period = v2.read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota_file = cgroup_root / folder / "cpu.cfs_quota_us"
        if quota_file.is_file():
            quota = int(quota_file.read_text())
            period = int((cgroup_root / folder / "cpu.cfs_period_us").read_text())
            return None if quota <= 0 else quota / period
    return None


def cpus_in_affinity():
    """CPUs the scheduler may run this process on (taskset, cpusets)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def usable_cpus(cgroup_root=CGROUP_ROOT):
    """Whole CPUs this process may use: the affinity mask, capped by the quota (rounded up)."""
    available = cpus_in_affinity()
    quota = cgroup_cpu_quota(cgroup_root)
    if quota is not None:
        available = min(available, math.ceil(quota))
    return max(1, available)


def default_workers(cgroup_root=CGROUP_ROOT):
    """gunicorn's rule of thumb, 2 x CPUs + 1, on the CPUs that are really there."""
    return 2 * usable_cpus(cgroup_root) + 1
