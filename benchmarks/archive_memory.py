"""How much memory docker_claims.archives needs for a big image: it must stay flat.

Builds, in a temp dir, a `docker save` (legacy layout) tar whose bottom layer holds one
`--size-mib` file, then spools it from a chunk iterator (as the engine streams it) and reads it
back. For each step it prints the time, the peak of Python allocations (tracemalloc) and the
process's peak RSS so far (ru_maxrss). Usage: python benchmarks/archive_memory.py [--size-mib N]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import resource
import sys
import tarfile
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docker_claims.engine import archives

MIB = 1 << 20


class _Pattern(io.RawIOBase):
    """`size` bytes of a repeated random MiB, produced as read: never held whole."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._block = hashlib.sha256(b"seed").digest() * (MIB // 32)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        count = min(len(buffer), self._left, MIB)
        buffer[:count] = self._block[:count]
        self._left -= count
        return count


def _layer(path: Path, members: list[tuple[tarfile.TarInfo, io.RawIOBase]]) -> str:
    """Write a layer tar; return its diff id, hashed while streaming it back."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BufferedReader(data, MIB) if info.size else None)
    digest = hashlib.sha256()
    with path.open("rb") as layer:
        while chunk := layer.read(MIB):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def _member(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.mode = size, kind, 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info


def build_save(directory: Path, size_mib: int) -> Path:
    """A two-layer save tar: a big file and a small one, then a layer deleting the small one."""
    big, small = directory / "big.tar", directory / "small.tar"
    diff_ids = [
        _layer(
            big,
            [
                (_member("data", kind=tarfile.DIRTYPE), io.BytesIO()),
                (_member("data/big.bin", size_mib * MIB), _Pattern(size_mib * MIB)),
                (_member("data/small.txt", 5), io.BytesIO(b"small")),
            ],
        ),
        _layer(small, [(_member("data/.wh.small.txt"), io.BytesIO())]),
    ]
    config = json.dumps(
        {
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created_by": "big"}, {"created_by": "delete"}],
            "config": {},
        }
    ).encode()
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    manifest = [
        {"Config": config_name, "RepoTags": ["bench:1"], "Layers": ["0/layer.tar", "1/layer.tar"]}
    ]
    saved = directory / "save.tar"
    with tarfile.open(saved, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in ((config_name, config), ("manifest.json", json.dumps(manifest).encode())):
            tar.addfile(_member(name, len(data)), io.BytesIO(data))
        tar.add(big, "0/layer.tar")
        tar.add(small, "1/layer.tar")
    big.unlink()
    small.unlink()
    return saved


def _chunks(path: Path) -> Iterator[bytes]:
    """The archive as the engine's stream hands it out (`image.save()` yields 2 MiB chunks)."""
    with path.open("rb") as stream:
        while chunk := stream.read(2 * MIB):
            yield chunk


def _rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB else


def measure(step: str, action: Callable[[], object]) -> object:
    tracemalloc.reset_peak()
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / MIB
    print(f"{step:<18} {seconds:8.2f} s {peak:12.2f} MB {_rss_mib():14.1f} MB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the big file")
    parser.add_argument("--tmpdir", help="where to build the archives (default: system temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmpdir, prefix="archive-memory-") as tmp:
        directory = Path(tmp)
        print(f"{'step':<18} {'time':>10} {'tracemalloc peak':>15} {'peak RSS so far':>17}")
        print(f"{'(start)':<18} {'':>10} {'':>15} {_rss_mib():14.1f} MB")
        tracemalloc.start()
        saved = measure("build archive", lambda: build_save(directory, args.size_mib))
        size = saved.stat().st_size
        spooled = measure("spool", lambda: archives.spool(_chunks(saved), directory))
        saved.unlink()
        with measure("open_save", lambda: archives.open_save(spooled)) as archive:
            layers = archive.images[0].layers
            measure("compute_diff_id", lambda: [layer.compute_diff_id() for layer in layers])
            measure("entries", lambda: [list(layer.entries()) for layer in layers])
            view = measure("merged_view", lambda: archives.merged_view(layers))
        tracemalloc.stop()
        assert sorted(view) == ["data", "data/big.bin"], view
        print(f"archive: {size / MIB:.0f} MiB, temp files removed with {directory}")


if __name__ == "__main__":
    main()
