"""Read and check a GGUF file in Python before llama.cpp ever opens it.

A crash in native code takes the whole app down, so every check that can be done on the
bytes is done here: magic, version, metadata, architecture, and that every tensor's data
lies inside the file. Large arrays (the vocabulary) are skipped, not decoded.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
_SMALL_ARRAY = 64  # arrays up to this length are decoded; longer ones are only measured
_MAX_DIMS = 8

# (value type id) -> struct format for scalars
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9

# ggml tensor type -> (elements per block, bytes per block)
GGML_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110),
    22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
    29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
}  # fmt: skip


@dataclass(frozen=True)
class ArrayInfo:
    """A metadata array too long to decode: its element type and length."""

    item_type: int
    count: int


@dataclass(frozen=True)
class TensorInfo:
    """One tensor's header entry."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    nbytes: int | None  # None: a tensor type this reader does not know the size of


@dataclass(frozen=True)
class GGUFInfo:
    """What Enclave needs to know about a model file before loading it."""

    path: Path
    version: int
    file_size: int
    metadata: dict[str, Any]
    tensors: tuple[TensorInfo, ...] = field(repr=False)
    data_offset: int = 0

    @property
    def architecture(self) -> str:
        """The `general.architecture` value, e.g. `qwen3`."""
        return str(self.metadata.get("general.architecture", ""))

    @property
    def name(self) -> str:
        """The model's display name, falling back to the file name."""
        return str(self.metadata.get("general.name") or self.path.stem)

    def arch_value(self, key: str, default: Any = None) -> Any:
        """Read an architecture-scoped key such as `block_count`."""
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def chat_template(self) -> str | None:
        """The Jinja chat template stored in the file, if any."""
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) else None

    @property
    def n_ctx_train(self) -> int:
        """The context length the model was trained with."""
        return int(self.arch_value("context_length", 0) or 0)

    @property
    def tensor_bytes(self) -> int:
        """Bytes of tensor data (the weights llama.cpp maps into memory)."""
        return sum(t.nbytes or 0 for t in self.tensors)


class _Cursor:
    def __init__(self, buf: mmap.mmap | bytes, size: int, path: Path) -> None:
        self.buf, self.size, self.pos, self.path = buf, size, 0, path

    def fail(self, why: str) -> ModelFileError:
        return ModelFileError(f"{self.path.name}: {why}")

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise self.fail(f"file ends inside the {what} (truncated or not a GGUF model)")

    def unpack(self, fmt: str, what: str) -> Any:
        n = struct.calcsize(fmt)
        self.need(n, what)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def string(self, what: str) -> str:
        n = self.unpack("<Q", what)
        self.need(n, what)
        raw = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return raw.decode("utf-8", errors="replace")

    def skip_string(self, what: str) -> None:
        n = self.unpack("<Q", what)
        self.need(n, what)
        self.pos += n

    def value(self, vtype: int, what: str) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype], what)
        if vtype == _STRING:
            return self.string(what)
        if vtype == _ARRAY:
            item_type = self.unpack("<I", what)
            count = self.unpack("<Q", what)
            if item_type not in _SCALARS and item_type != _STRING:
                raise self.fail(f"metadata {what!r} has an array of unknown type {item_type}")
            if count > self.size:  # every element takes at least one byte
                raise self.fail(f"metadata {what!r} claims {count} elements, more than the file holds")
            if count <= _SMALL_ARRAY:
                return [self.value(item_type, what) for _ in range(count)]
            if item_type == _STRING:
                for _ in range(count):
                    self.skip_string(what)
            else:
                width = struct.calcsize(_SCALARS[item_type])
                self.need(width * count, what)
                self.pos += width * count
            return ArrayInfo(item_type=item_type, count=count)
        raise self.fail(f"metadata {what!r} has unknown value type {vtype}")


def read_gguf(path: Path) -> GGUFInfo:
    """Parse the header, metadata and tensor table of `path` and check tensor bounds.

    Raises:
        ModelFileError: the file is missing, unreadable, not a GGUF, or damaged.

    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ModelFileError(f"{path.name}: is a folder, not a .gguf model file")
        if size == 0:
            raise ModelFileError(f"{path.name}: the file is empty")
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse(_Cursor(buf, size, path), path, size)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except PermissionError:
        raise ModelFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ModelFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None


def _parse(cur: _Cursor, path: Path, size: int) -> GGUFInfo:
    cur.need(4, "header")
    magic = bytes(cur.buf[0:4])
    if magic != GGUF_MAGIC:
        raise cur.fail(f"not a GGUF model file (starts with {_describe_magic(magic)})")
    cur.pos = 4
    version = cur.unpack("<I", "header")
    if version not in SUPPORTED_VERSIONS:
        raise cur.fail(f"GGUF version {version} is not supported (expected 2 or 3)")
    n_tensors = cur.unpack("<Q", "header")
    n_kv = cur.unpack("<Q", "header")
    if n_tensors > size // 24 or n_kv > size // 12:
        raise cur.fail("header counts are impossible for a file of this size (corrupt file)")

    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string("metadata key")
        vtype = cur.unpack("<I", f"metadata {key!r}")
        metadata[key] = cur.value(vtype, key)

    tensors_raw = []
    for _ in range(n_tensors):
        name = cur.string("tensor table")
        n_dims = cur.unpack("<I", "tensor table")
        if not 1 <= n_dims <= _MAX_DIMS:
            raise cur.fail(f"tensor {name!r} has {n_dims} dimensions (corrupt file)")
        shape = tuple(cur.unpack("<Q", "tensor table") for _ in range(n_dims))
        ggml_type = cur.unpack("<I", "tensor table")
        offset = cur.unpack("<Q", "tensor table")
        tensors_raw.append((name, shape, ggml_type, offset))

    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise cur.fail(f"invalid general.alignment {alignment!r}")
    data_offset = -(-cur.pos // alignment) * alignment
    data_size = size - data_offset
    if n_tensors and data_size < 0:
        raise cur.fail("file ends before the tensor data (truncated download?)")

    tensors = []
    for name, shape, ggml_type, offset in tensors_raw:
        nbytes = _tensor_nbytes(shape, ggml_type)
        end = offset + (nbytes or 0)
        if offset % alignment or end > data_size:
            raise cur.fail(
                f"tensor {name!r} lies outside the file ({_mib(data_offset + end)} needed, "
                f"file is {_mib(size)}; truncated download?)"
            )
        tensors.append(TensorInfo(name=name, shape=shape, ggml_type=ggml_type, offset=offset, nbytes=nbytes))

    info = GGUFInfo(
        path=path,
        version=version,
        file_size=size,
        metadata=metadata,
        tensors=tuple(tensors),
        data_offset=data_offset,
    )
    later_shard = isinstance(metadata.get("split.no"), int) and metadata["split.no"] > 0
    if not info.architecture and not later_shard:  # only a split model's first shard names it
        raise cur.fail("metadata has no general.architecture")
    if n_tensors == 0 and not metadata.get("split.count"):
        raise cur.fail("the file holds no tensors")
    return info


def _tensor_nbytes(shape: tuple[int, ...], ggml_type: int) -> int | None:
    block = GGML_BLOCKS.get(ggml_type)
    if block is None:
        return None
    elements = 1
    for dim in shape:
        elements *= dim
    per_block, block_bytes = block
    return -(-elements // per_block) * block_bytes


def _describe_magic(magic: bytes) -> str:
    if magic.isascii() and all(32 <= b < 127 for b in magic):
        return repr(magic.decode("ascii"))
    return "0x" + magic.hex()


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"
