"""Bounded-memory building blocks for upload validation (see certportal.uploads).

Hashed front-to-back reads, decompression in capped pieces, and zip structures read without
trusting them. Nothing here knows the rules; damaged input surfaces as EOFError,
zipfile.BadZipFile or the codecs' own errors.
"""

import bz2
import codecs
import hashlib
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024
HEAD = 64 * 1024
LOCAL_HEADER = b"PK\x03\x04"
_ZLIB = type(zlib.decompressobj())
_ZIP64_END_RECORDS = zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator


class Decompressor(Protocol):
    """What zlib, bz2 and lzma decompressors share."""

    eof: bool

    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


def read_exact(fileobj: BinaryIO, n: int) -> bytes:
    """n bytes, looping over short reads; EOFError if the file ends first."""
    data = fileobj.read(n)
    while len(data) < n:
        more = fileobj.read(n - len(data))
        if not more:
            raise EOFError
        data += more
    return data


class HashingReader:
    """Reads a file front to back from its start, hashing each byte exactly once."""

    def __init__(self, fileobj: BinaryIO, size: int) -> None:
        fileobj.seek(0)
        self.file, self.size, self.pos, self.sha = fileobj, size, 0, hashlib.sha256()

    def read(self, n: int) -> bytes:
        """The next n bytes."""
        data = read_exact(self.file, n)
        self.sha.update(data)
        self.pos += n
        return data

    def chunks(self, n: int) -> Iterator[bytes]:
        """The next n bytes, in pieces of at most CHUNK."""
        while n > 0:
            data = self.read(min(n, CHUNK))
            n -= len(data)
            yield data

    def skip_to(self, offset: int) -> None:
        """Read, and so hash, everything up to offset."""
        for _chunk in self.chunks(offset - self.pos):
            pass

    def local_header(self) -> tuple[int, int, str]:
        """Flags, compression method and name of the zip local header at the current position."""
        sig, flags, method, name_len, extra_len = struct.unpack("<4s2x2H16x2H", self.read(30))
        if sig != LOCAL_HEADER:
            raise zipfile.BadZipFile
        name = self.read(name_len).decode("utf-8" if flags & 0x800 else "cp437")
        self.read(extra_len)
        return flags, method, name


def inflate(decomp: Decompressor, data: bytes) -> Iterator[bytes]:
    """What data expands to, in pieces of at most CHUNK, so a bomb never lands in memory whole."""
    out = decomp.decompress(data, CHUNK)
    yield out
    if isinstance(decomp, _ZLIB):
        # zlib may hold output back at the limit even when it has consumed all the input.
        while not decomp.eof and (decomp.unconsumed_tail or len(out) == CHUNK):
            out = decomp.decompress(decomp.unconsumed_tail, CHUNK)
            yield out
    else:
        while not decomp.eof and not decomp.needs_input:
            yield decomp.decompress(b"", CHUNK)


class ZipLzma:
    """LZMA as zip stores it: a version, the properties' size and the properties, then LZMA1."""

    def __init__(self) -> None:
        self._decomp: lzma.LZMADecompressor | None = None
        self.eof, self.needs_input = False, True

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        """As LZMADecompressor.decompress; the first call must hold the whole prefix."""
        if self._decomp is None:
            (props_size,) = struct.unpack_from("<H", data, 2)
            lclppb, dict_size = struct.unpack_from("<BL", data, 4)
            lc, lp, pb = lclppb % 9, lclppb // 9 % 5, lclppb // 45
            lzma1 = {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}
            self._decomp = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1])
            data = data[4 + props_size :]
        out = self._decomp.decompress(data, max_length)
        self.eof, self.needs_input = self._decomp.eof, self._decomp.needs_input
        return out


class Stored:
    """The decompressor of members stored without compression."""

    eof, needs_input = False, True

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        """The data as it is (callers pass at most CHUNK bytes)."""
        return data


ZIP_DECOMPRESSORS = {
    zipfile.ZIP_STORED: Stored,
    zipfile.ZIP_DEFLATED: lambda: zlib.decompressobj(-zlib.MAX_WBITS),
    zipfile.ZIP_BZIP2: bz2.BZ2Decompressor,
    zipfile.ZIP_LZMA: ZipLzma,
}


def gzip_decompressor() -> Decompressor:
    """A decompressor for one gzip member, checking its header, CRC and length."""
    return zlib.decompressobj(16 + zlib.MAX_WBITS)


def zip_directory_span(fileobj: BinaryIO) -> tuple[int, int]:
    """Where the central directory starts and how long it is, as zipfile will read it."""
    # zipfile's own end-record reader, so that the directory bounded here is the one it parses.
    end = zipfile._EndRecData(fileobj)
    if not end:
        raise zipfile.BadZipFile
    size = end[zipfile._ECD_SIZE]
    start = end[zipfile._ECD_LOCATION] - size
    if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
        start -= _ZIP64_END_RECORDS
    if start < 0:
        raise zipfile.BadZipFile
    return start, size


def count_directory_entries(directory: bytes, stop_after: int) -> int:
    """Entries in a central directory, counting no further than stop_after + 1."""
    count = pos = 0
    while pos < len(directory) and count <= stop_after:
        if not directory.startswith(b"PK\x01\x02", pos):
            raise zipfile.BadZipFile
        name_len, extra_len, comment_len = struct.unpack_from("<3H", directory, pos + 28)
        pos += 46 + name_len + extra_len + comment_len
        count += 1
    return count


def head_member_names(head: bytes) -> list[str]:
    """Names of the zip members whose local headers lie within the head."""
    names, pos = [], 0
    while head.startswith(LOCAL_HEADER, pos) and pos + 30 <= len(head):
        flags, size, name_len, extra_len = struct.unpack_from("<2xH10xL4x2H", head, pos + 4)
        names.append(head[pos + 30 : pos + 30 + name_len].decode("cp437"))
        if flags & 0x8:  # the sizes follow the data, so the next header cannot be found
            break
        pos += 30 + name_len + extra_len + size
    return names


def decodes_as_utf8(head: bytes) -> bool:
    """Whether the head is UTF-8, forgiving a character cut at a full head's end."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < HEAD)
    except UnicodeDecodeError:
        return False
    return True
