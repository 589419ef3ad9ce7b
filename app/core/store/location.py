"""Where the store keeps model files, staging folders and the manifest."""

from __future__ import annotations

import errno
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.core.paths import user_dirs

# Never fill a disk to the last byte: downloads and the fit check keep this much free.
DISK_MARGIN = 256 * 2**20
# The errors that mean "no room": a full disk, a file too large, a quota reached.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})

STAGING = ".partial"


@dataclass(frozen=True)
class StoreLocation:
    """The models folder and the manifest file (both under the user data dir by default)."""

    models: Path
    manifest_file: Path

    @classmethod
    def default(cls) -> StoreLocation:
        """The user's data dir, or `ENCLAVE_HOME` in portable mode."""
        dirs = user_dirs()
        return cls(models=dirs.models, manifest_file=dirs.manifest_file)

    def model_dir(self, model_id: str) -> Path:
        """The folder an installed model's files live in."""
        return self.models / model_id

    def staging(self, model_id: str) -> Path:
        """Where a download of `model_id` is assembled (and resumed from) before it is installed."""
        return self.models / STAGING / model_id

    def owns(self, path: Path) -> bool:
        """Whether `path` lies inside the models folder (and may be deleted by `remove`)."""
        try:
            Path(path).absolute().relative_to(self.models.absolute())
        except ValueError:
            return False
        return True

    def free_disk(self) -> int:
        """Free bytes on the disk that holds the models folder."""
        folder = self.models
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return shutil.disk_usage(folder).free
