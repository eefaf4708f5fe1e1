"""Where evidence bytes live: a storage interface with a local-disk implementation.

Files are stored under server-generated keys outside any served folder. A file written during
an action is deleted again if the action's transaction rolls back, so a failed action leaves
no file behind (see :func:`track_new_file`). A write that fails half-way (the volume full)
removes its partial file and raises :class:`StorageFull`, which users see as a refusal of the
upload, never as a row pointing at a missing or truncated file. An S3-compatible store for
several app servers implements the same four methods.
"""
import errno
import hashlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from enforcement.errors import Invalid

CHUNK = 1024 * 1024
#: a write that fails with one of these found no room: the upload is refused, not a crash
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class StorageFull(Invalid):
    """The storage volume has no room for the file: nothing of it was kept (HTTP 507).

    An ``Invalid`` so that every form that takes files answers it like its other upload
    refusals (the form again, with what was typed); the message tells the user it is not
    their file."""

    status = 507
    code = "storage_full"

    def __init__(self, field: str = "_form"):
        super().__init__({field: [self.message()]})

    def message(self):
        return _("服务器存储空间不足，文件未能保存，本次提交未生效。请稍后重试，或联系系统管理员。")


class Storage(Protocol):
    def put(self, stream: BinaryIO) -> tuple[str, int, str]:
        """Store a stream; return (key, size, sha256)."""

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files under ``root/ab/cdef…``; written to a temporary name, fsynced, then renamed."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours; never a path from outside
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def put(self, stream: BinaryIO) -> tuple[str, int, str]:
        key = secrets.token_hex(20)
        path = self._path(key)
        digest, size = hashlib.sha256(), 0
        partial = path.with_suffix(".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except BaseException as exc:
            # never leave half a file: the caller's transaction does not know this key yet
            partial.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno in NO_ROOM:
                raise StorageFull() from exc
            raise
        return key, size, digest.hexdigest()

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def get_storage() -> Storage:
    return LocalStorage(current_app.config["STORAGE_DIR"])


def track_new_file(session: Session, key: str) -> None:
    """Delete the stored file if the session's transaction rolls back instead of committing."""
    session.info.setdefault("new_storage_keys", []).append(key)


@event.listens_for(Session, "after_commit")
def _keep_files(session):
    session.info.pop("new_storage_keys", None)


@event.listens_for(Session, "after_soft_rollback")
def _discard_files(session, previous_transaction):
    keys = session.info.pop("new_storage_keys", None)
    if keys:
        storage = get_storage()
        for key in keys:
            storage.delete(key)
