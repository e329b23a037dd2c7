"""Time validate_upload on a generated archive and measure the memory it takes."""

import gzip
import os
import resource
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand

from certportal.upload_streams import CHUNK
from certportal.uploads import UploadPolicy, validate_upload

MB = 1024**2
MEMBER_BYTES = 64 * MB
NESTED_GZ_BYTES = 16 * MB


def random_chunks(total: int) -> Iterator[bytes]:
    """Incompressible bytes, a chunk at a time, so making a big file takes little memory."""
    while total > 0:
        chunk = os.urandom(min(CHUNK, total))
        total -= len(chunk)
        yield chunk


def make_zip(path: Path, total: int) -> None:
    """A zip of about total bytes: deflated data members and a stored nested .gz package."""
    nested = min(NESTED_GZ_BYTES, total // 8)
    with zipfile.ZipFile(path, "w", compresslevel=1) as archive:
        info = zipfile.ZipInfo("packages/nested.gz")
        with (
            archive.open(info, "w") as member,
            gzip.GzipFile(fileobj=member, mode="wb", compresslevel=1, mtime=0) as packed,
        ):
            for chunk in random_chunks(nested):
                packed.write(chunk)
        left, index = total - nested, 0
        while left > 0:
            info = zipfile.ZipInfo(f"data/part-{index:03}.bin")
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                for chunk in random_chunks(min(MEMBER_BYTES, left)):
                    member.write(chunk)
            left, index = left - MEMBER_BYTES, index + 1


def make_gz(path: Path, total: int) -> None:
    """A gzip file of about total bytes."""
    with gzip.open(path, "wb", compresslevel=1) as packed:
        for chunk in random_chunks(total):
            packed.write(chunk)


def proc_status_bytes(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status, or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class PeakMemory:
    """Peak memory above a baseline, by the best method the system allows."""

    def start(self) -> None:
        """Take the baseline; from here on the peak is tracked."""
        self.maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        try:
            # "5" resets the RSS high-water mark (VmHWM) to the current RSS.
            Path("/proc/self/clear_refs").write_text("5")
            self.baseline = proc_status_bytes("VmRSS")
            hwm = proc_status_bytes("VmHWM")
            reset = self.baseline is not None and hwm is not None and hwm <= self.baseline + MB
        except OSError:
            reset = False
        if reset:
            self.method = "VmHWM after reset via /proc/self/clear_refs (whole-process RSS)"
        else:
            self.method = "tracemalloc peak (Python allocations only)"
            tracemalloc.start()
            self.baseline = tracemalloc.get_traced_memory()[0]

    def peak_above_baseline(self) -> int:
        """Bytes the process grew by at its peak since start()."""
        self.maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if tracemalloc.is_tracing():
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            peak = proc_status_bytes("VmHWM")
        return max(0, peak - self.baseline)


class Command(BaseCommand):
    help = (
        "Build a large archive in a temporary directory, validate it with validate_upload "
        "and print the throughput and the peak memory above the baseline."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size-mb", type=int, default=500, help="archive size (MiB)")
        parser.add_argument("--kind", choices=["zip", "gz"], default="zip")

    def handle(self, *args, size_mb: int, kind: str, **options) -> None:
        with tempfile.TemporaryDirectory(prefix="bench_uploads_") as directory:
            path = Path(directory) / f"bench.{kind}"
            started = time.perf_counter()
            (make_zip if kind == "zip" else make_gz)(path, size_mb * MB)
            with path.open("rb") as written:
                # Flushed first, so the kernel's write-back does not compete with the timing.
                os.fsync(written.fileno())
            size = path.stat().st_size
            self.stdout.write(
                f"Created {path.name}: {size / MB:.1f} MiB "
                f"in {time.perf_counter() - started:.1f} s."
            )
            policy = UploadPolicy(
                max_bytes=size,
                allowed_kinds=frozenset({"zip", "gzip"}),
                zip_max_total_uncompressed=max(2 * 1024**3, 2 * size),
            )
            memory = PeakMemory()
            memory.start()
            with path.open("rb") as fileobj:
                started = time.perf_counter()
                report = validate_upload(fileobj, name=path.name, policy=policy)
                seconds = time.perf_counter() - started
            peak = memory.peak_above_baseline()
        throughput = size / MB / seconds
        self.stdout.write(
            f"Report: kind={report.kind} members={report.member_count} "
            f"uncompressed={report.uncompressed_size} sha256={report.sha256}"
        )
        self.stdout.write(f"Memory method: {memory.method}")
        self.stdout.write(
            "ru_maxrss before/after (high-water mark, for reference): "
            f"{memory.maxrss_before / MB:.1f}/{memory.maxrss_after / MB:.1f} MiB"
        )
        verdict = "met" if peak < 64 * MB and throughput >= 100 else "MISSED"
        self.stdout.write(f"Targets (< 64 MiB above baseline, >= 100 MiB/s): {verdict}")
        self.stdout.write(
            f"size_mb={size / MB:.1f} seconds={seconds:.3f} "
            f"throughput_mb_s={throughput:.1f} peak_rss_above_baseline_mb={peak / MB:.1f}"
        )
