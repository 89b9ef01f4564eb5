"""Streaming, hostile-input-safe readers of the tars the engine hands out.

Claims C02, C09, C11 and C13 are proven from the contents of `docker save` and `docker export`
tars. Those can weigh gigabytes and come from an engine we do not control, so nothing here holds
an archive in memory (the engine's stream is spooled to disk, then read with random access in
bounded chunks), every member path is checked before use, and every way a tar can be broken
ends in ArchiveError naming the archive and the member.
"""

from docker_claims.engine.archives.save import SavedArchive, SavedImage, SavedLayer, open_save
from docker_claims.engine.archives.tar import (
    ArchiveError,
    ExportArchive,
    merged_view,
    open_export,
    spool,
)

__all__ = ["ArchiveError", "ExportArchive", "SavedArchive", "SavedImage", "SavedLayer",
           "merged_view", "open_export", "open_save", "spool"]
