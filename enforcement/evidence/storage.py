"""Where evidence bytes live: a storage interface with a local-disk implementation.

Files are stored under server-generated keys outside any served folder. A file written during
an action is deleted again if the action's transaction rolls back, so a failed action leaves
no file behind (see :func:`track_new_file`). An S3-compatible store for several app servers
implements the same four methods.
"""
import hashlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

CHUNK = 1024 * 1024


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
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        partial = path.with_suffix(".part")
        with open(partial, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
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
