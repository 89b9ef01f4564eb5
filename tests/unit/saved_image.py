"""An image built here: its layers and config, as a save tar holds them, and its record."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

from docker_claims.engine.records import ImageRecord


def tar_bytes(files: dict[str, bytes | None]) -> bytes:
    """A tar of files (None: a directory)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


LOWER = tar_bytes({"bin": None, "bin/sh": b"shell", "claims": None,
                   "claims/shadowed.txt": b"lower", "claims/deleted.txt": b"doomed"})
UPPER = tar_bytes({"claims": None, "claims/shadowed.txt": b"upper version",
                   "claims/.wh.deleted.txt": b""})
CONFIG = json.dumps({
    "config": {"Cmd": ["sh"], "Env": ["A=1"], "WorkingDir": "", "Entrypoint": None},
    "rootfs": {"type": "layers", "diff_ids": [digest(LOWER), digest(UPPER)]},
    "history": [{"created": "1970-01-01T00:00:01Z", "created_by": "COPY lower"},
                {"created": "1970-01-01T00:00:02.123456789Z", "created_by": "COPY upper",
                 "comment": "c"}],
}).encode()
IMAGE_ID = digest(CONFIG)


def record(**changes) -> ImageRecord:
    base = {"id": IMAGE_ID, "layers": [digest(LOWER), digest(UPPER)], "tags": ["app:1"],
            "config": {"Cmd": ["sh"], "Env": ["A=1"], "WorkingDir": "", "Labels": None},
            "history": [
                {"Id": IMAGE_ID, "Created": 2, "CreatedBy": "COPY upper", "Comment": "c",
                 "Size": 13, "Tags": ["app:1"]},
                {"Id": "sha256:" + "1" * 64, "Created": 1, "CreatedBy": "COPY lower",
                 "Comment": "", "Size": 11, "Tags": None}]}
    base.update(changes)
    base.setdefault("name", "app:1")
    base.setdefault("history_by_name", base["history"])
    return ImageRecord(**base)
