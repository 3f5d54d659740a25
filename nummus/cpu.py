"""What this CPU can run: its SIMD level, read from /proc/cpuinfo (Linux) — for `nummus doctor`
and for the message when a compiled library needs instructions the CPU lacks."""

from __future__ import annotations

import platform
from functools import lru_cache
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")


@lru_cache(maxsize=1)
def flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The feature flags of the first CPU (empty where /proc/cpuinfo is not there)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def simd_level(cpu_flags: frozenset[str] | None = None) -> str:
    """The widest x86-64 vector extension: `AVX-512`, `AVX2`, `AVX`, `SSE4.2`, `none`; on other
    machines the architecture (`aarch64 (NEON)`) or `unknown`."""
    f = flags() if cpu_flags is None else cpu_flags
    if not f:
        return "unknown" if platform.machine() in ("x86_64", "AMD64") else f"{platform.machine()}"
    if "avx512f" in f:
        return "AVX-512"
    if "avx2" in f:
        return "AVX2"
    if "avx" in f:
        return "AVX"
    if "sse4_2" in f:
        return "SSE4.2"
    if "asimd" in f or "neon" in f:
        return f"{platform.machine()} (NEON)"
    return "none"


def describe() -> str:
    """`AMD EPYC … (AVX2, no AVX-512)`: the model and what it has, for doctor and messages."""
    model = ""
    try:
        for line in CPUINFO.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    level = simd_level()
    extra = ", no AVX-512" if level in ("AVX2", "AVX", "SSE4.2") else ""
    return f"{model or platform.processor() or platform.machine()} ({level}{extra})"
