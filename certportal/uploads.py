"""Streaming validation of uploaded files: content sniffing, size limits and archive safety.

No database access. Every check reads the file in bounded chunks and walks it front to back
once, hashing as it goes, so memory stays flat however large the upload is.
"""

import lzma
import os
import re
import stat
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import upload_streams as streams
from .upload_streams import HashingReader

# Real directory entries take ~100 bytes; the allowance only stops a forged directory
# from being read into memory and parsed before the member count can be checked.
DIRECTORY_BYTES_PER_MEMBER = 1024
# Enough of a member's first bytes to tell an archive: tar's magic sits at offset 257.
NESTED_HEAD = 512
_TAR_MAGIC = slice(257, 262)

EXTENSION_KINDS: dict[str, str] = {
    ".gz": "gzip", ".tgz": "gzip", ".zip": "zip", ".pdf": "pdf",
    ".docx": "docx", ".xlsx": "xlsx", ".pptx": "pptx",
    ".txt": "text", ".csv": "text", ".md": "text", ".log": "text",
    ".json": "text", ".xml": "text", ".yaml": "text", ".yml": "text",
    ".mp4": "video", ".m4v": "video", ".mov": "video", ".webm": "video", ".mkv": "video",
    ".png": "image", ".jpg": "image", ".jpeg": "image",
}  # fmt: skip
KIND_LABELS = {
    "gzip": _("a gzip archive"),
    "zip": _("a zip archive"),
    "pdf": _("a PDF document"),
    "docx": _("a Word document"),
    "xlsx": _("an Excel workbook"),
    "pptx": _("a PowerPoint presentation"),
    "text": _("plain text"),
    "video": _("a video"),
    "image": _("an image"),
}
ZIP_KINDS = frozenset({"zip", "docx", "xlsx", "pptx"})
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_HEIF_BRANDS = (b"heic", b"heix", b"avif", b"mif1", b"msf1")  # 'ftyp' images, not video
_DRIVE = re.compile(r"[A-Za-z]:")
_size = lazy(filesizeformat, str)  # rendered in the reader's language, not the uploader's


class UploadRejected(Exception):
    """An upload broke a rule: `rule` is a machine code, `message` the reason for the user."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(rule, message)
        self.rule = rule
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class UploadPolicy:
    """The limits one kind of upload must respect."""

    max_bytes: int
    allowed_kinds: frozenset[str]
    zip_max_members: int = 10_000
    zip_max_total_uncompressed: int = 2 * 1024**3
    zip_max_ratio: int = 100
    # Below this expanded size no ratio is suspicious: a small repetitive text file compresses
    # far beyond 100:1 and is harmless.
    ratio_floor: int = 1024**2
    # Members that are archives themselves (gzip, zip, tar, OOXML) are inspected the same way,
    # down to this many levels below the upload; their leaves share the upload's one budget.
    nested_check: bool = True
    max_nesting_depth: int = 2
    max_bytes_setting: str = ""  # a Django setting that, when present, overrides max_bytes

    def ratio_limit(self, compressed_size: int) -> int:
        """How far `compressed_size` bytes may expand before it counts as a bomb."""
        return max(self.zip_max_ratio * compressed_size, self.ratio_floor)

    def size_limit(self) -> int:
        """The upload size limit, read from settings now so that overrides take effect."""
        if self.max_bytes_setting:
            return getattr(settings, self.max_bytes_setting, self.max_bytes)
        return self.max_bytes


@dataclass(frozen=True)
class UploadReport:
    """What an accepted upload turned out to be."""

    kind: str
    size: int
    sha256: str
    member_count: int | None = None
    uncompressed_size: int | None = None


PACKAGE_POLICY = UploadPolicy(
    max_bytes=1024**3,
    allowed_kinds=frozenset({"gzip", "zip"}),
    max_bytes_setting="UPLOAD_PACKAGE_MAX_BYTES",
)


def _reject(rule: str, template: str, **params: object) -> UploadRejected:
    """An UploadRejected whose message is formatted only when shown."""
    return UploadRejected(rule, format_lazy(template, **params))


def extension_kind(name: str) -> str | None:
    """The kind the file name's extension claims, if it is one we know."""
    return EXTENSION_KINDS.get(os.path.splitext(name)[1].lower())


def sniff_kind(head: bytes, name: str) -> str | None:
    """The kind told by the first bytes; the name only settles OOXML parts beyond the head."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = streams.head_member_names(head)
        kind = zip_kind(names)
        claimed = extension_kind(name)
        if kind == "zip" and "[Content_Types].xml" in names and claimed in _OOXML_PARTS:
            return claimed
        return kind
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "image"
    if head[4:8] == b"ftyp" and head[8:12] not in _HEIF_BRANDS:
        return "video"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    if b"\x00" not in head and streams.decodes_as_utf8(head):
        return "text"
    return None


def zip_kind(names: Iterable[str]) -> str:
    """The OOXML kind when the names hold [Content_Types].xml and that format's parts, else zip."""
    names = set(names)
    if "[Content_Types].xml" in names:
        for kind, prefix in _OOXML_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    return "zip"


class _Budget:
    """One expansion budget and one ratio limit for the whole upload, at every nesting level.

    What counts is the content that is not itself an archive (the leaves): an archive inside
    an archive is counted by what its own members expand to, so nothing is counted twice.
    """

    def __init__(self, policy: UploadPolicy, upload_size: int) -> None:
        self.policy, self.spent = policy, 0
        self.limit = min(policy.zip_max_total_uncompressed, policy.ratio_limit(upload_size))

    def spend(self, count: int, member: str, rule: str) -> None:
        self.spent += count
        if self.spent > self.limit:
            raise _reject(
                rule,
                _("The archive expands to more than {limit} in all (at member “{m}”)."),
                m=member,
                limit=_size(self.limit),
            )


@dataclass(frozen=True)
class _Inspection:
    """Where in the upload an archive lies: the budget it shares, its depth and its path."""

    policy: UploadPolicy
    budget: _Budget
    depth: int = 0
    path: str = ""

    def label(self, member: str) -> str:
        """The member's name as the user finds it: each enclosing member, then its own."""
        return f"{self.path} › {member}" if self.path else member

    def inside(self, label: str) -> "_Inspection":
        """The inspection of an archive found at `label`, one level down."""
        return _Inspection(self.policy, self.budget, self.depth + 1, label)

    def contents(self, member: str, rule: str, compressed_size: int | None) -> "_Contents":
        """A sink for what `member` of this archive expands to."""
        return _Contents(self, self.label(member), rule, compressed_size)


class _Contents:
    """Watches what one member expands to: a leaf is counted against the budget, an archive is
    inspected the same way as the upload (gzip streamed on; zip and tar spooled to a bounded
    temporary file, since they are read by their directory or headers)."""

    def __init__(self, where: _Inspection, label: str, rule: str, size: int | None) -> None:
        self.where, self.label, self.rule, self.size = where, label, rule, size
        self.head, self.kind, self.gzip, self.spool = b"", None, None, None

    def feed(self, data: bytes) -> None:
        if self.kind is None:
            self.head += data
            if len(self.head) < NESTED_HEAD:
                return
            data, self.head = self.head, b""
            self._decide(data)
        self._pass_on(data)

    def finish(self) -> None:
        """Check what the member held, once it has ended."""
        if self.kind is None:
            data, self.head = self.head, b""
            self._decide(data)
            self._pass_on(data)
        if self.gzip:
            self.gzip.finish()
        elif self.spool:
            try:
                _inspect_spooled(self.spool, self.kind, self.where.inside(self.label))
            finally:
                self.spool.close()

    def _decide(self, head: bytes) -> None:
        kind = _archive_kind(head) if self.where.policy.nested_check else None
        self.kind = kind or "leaf"
        if kind is None:
            return
        if self.where.depth + 1 > self.where.policy.max_nesting_depth:
            raise _reject(
                "archive.too_deep",
                _("The archive member “{m}” is an archive nested more than {depth} levels deep."),
                m=self.label,
                depth=self.where.policy.max_nesting_depth,
            )
        if kind == "gzip":
            self.gzip = _GzipCheck(self.label, self.size, self.where.inside(self.label))
        else:
            # Closed in finish(); a rejection drops it, and the file is removed with it.
            self.spool = tempfile.SpooledTemporaryFile(max_size=streams.CHUNK)  # noqa: SIM115

    def _pass_on(self, data: bytes) -> None:
        if not data:
            return
        if self.gzip:
            self.gzip.feed(data)
        elif self.spool:
            self.spool.write(data)
        else:
            self.where.budget.spend(len(data), self.label, self.rule)


def _archive_kind(head: bytes) -> str | None:
    """The archive format the bytes start with, if any."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head[_TAR_MAGIC] == b"ustar":
        return "tar"
    return None


def _inspect_spooled(spool: BinaryIO, kind: str, where: _Inspection) -> None:
    size = spool.tell()
    if kind == "zip":
        infos = _open_zip(spool, where.path, where.policy)
        _check_members(infos, where)
        _stream_zip(HashingReader(spool, size), infos, where)
    else:
        spool.seek(0)
        _inspect_tar(spool, where)


class _GzipCheck:
    """Feeds a gzip stream (possibly multi-member) through zlib, bounding what it expands to.

    `where` is the inspection of the stream's content: a gzip holds one unnamed member.
    """

    def __init__(self, label: str, compressed_size: int | None, where: _Inspection):
        self.label, self.policy, self.total, self.members, self.fed = label, where.policy, 0, 0, 0
        self.limit = where.budget.limit
        if compressed_size is not None:
            self.limit = min(self.limit, self.policy.ratio_limit(compressed_size))
        self.contents = _Contents(where, label, "gzip.bomb", None)
        self._start_member()

    def _start_member(self) -> None:
        self._decomp, self._fed = streams.gzip_decompressor(), False

    def feed(self, data: bytes) -> None:
        """Check the next compressed bytes."""
        self.fed += len(data)
        try:
            while data:
                self._fed = True
                for out in streams.inflate(self._decomp, data):
                    self.total += len(out)
                    if self.total > self.limit:
                        raise self._bomb()
                    self.contents.feed(out)
                if not self._decomp.eof:
                    return
                data, self.members = self._decomp.unused_data, self.members + 1
                self._start_member()
        except zlib.error as exc:
            raise self._corrupt() from exc

    def finish(self) -> int:
        """The uncompressed size, once the stream is known to have ended cleanly."""
        if self._fed or not self.members:
            raise self._corrupt()
        if self.total > self.policy.ratio_limit(self.fed):
            raise self._bomb()
        self.contents.finish()
        return self.total

    def _corrupt(self) -> UploadRejected:
        return _reject(
            "gzip.corrupt",
            _("“{name}” is not a complete gzip stream: it is truncated or damaged."),
            name=self.label,
        )

    def _bomb(self) -> UploadRejected:
        return _reject(
            "gzip.bomb",
            _(
                "“{name}” expands to more than {limit}: at most {ratio} times its compressed "
                "size and {total} in all are allowed."
            ),
            name=self.label,
            limit=_size(min(self.limit, self.policy.ratio_limit(self.fed))),
            ratio=self.policy.zip_max_ratio,
            total=_size(self.policy.zip_max_total_uncompressed),
        )


def _open_zip(fileobj: BinaryIO, name: str, policy: UploadPolicy) -> list[zipfile.ZipInfo]:
    """The archive's members, once its directory is known to be small enough to parse."""
    try:
        start, size = streams.zip_directory_span(fileobj)
        budget = policy.zip_max_members * DIRECTORY_BYTES_PER_MEMBER
        if size > budget:
            raise _reject(
                "zip.directory_too_large",
                _("The directory of “{name}” is {size}, more than the {limit} allowed."),
                name=name,
                size=_size(size),
                limit=_size(budget),
            )
        fileobj.seek(start)
        directory = streams.read_exact(fileobj, size)
        entries = streams.count_directory_entries(directory, policy.zip_max_members)
        if entries > policy.zip_max_members:
            raise _too_many_members(name, policy)
        del directory
        with zipfile.ZipFile(fileobj) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, struct.error, NotImplementedError):
        raise _reject(
            "zip.corrupt", _("“{name}” is not a readable zip archive."), name=name
        ) from None


def _too_many_members(name: str, policy: UploadPolicy) -> UploadRejected:
    return _reject(
        "zip.too_many_members",
        _("“{name}” has more than {limit} members."),
        name=name,
        limit=policy.zip_max_members,
    )


def _check_members(infos: list[zipfile.ZipInfo], where: _Inspection) -> None:
    """Reject unsafe names, links, encryption and declared sizes before reading any data."""
    policy, declared = where.policy, 0
    for info in infos:
        member = where.label(info.orig_filename)  # before zipfile cuts it at a NUL
        _check_member_name(info.orig_filename, member)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _reject("zip.link", _("The archive member “{m}” is a symbolic link."), m=member)
        if info.flag_bits & 0x1:
            raise _reject("zip.encrypted", _("The archive member “{m}” is encrypted."), m=member)
        if info.compress_type not in streams.ZIP_DECOMPRESSORS:
            raise _reject(
                "zip.unsupported_method",
                _("The archive member “{m}” uses an unsupported compression method ({method})."),
                m=member,
                method=info.compress_type,
            )
        declared += info.file_size
        if declared > policy.zip_max_total_uncompressed:
            raise _total_bomb(member, policy)
        if info.file_size > policy.ratio_limit(info.compress_size):
            raise _reject(
                "zip.bomb",
                _("The archive member “{m}” expands more than {ratio} times."),
                m=member,
                ratio=policy.zip_max_ratio,
            )


def _check_member_name(name: str, member: str) -> None:
    """Names must stay inside the archive's own directory tree (`member` is how it is shown)."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise _reject(
            "zip.absolute_path", _("The archive member “{m}” has an absolute path."), m=member
        )
    if "\\" in name or "\x00" in name or ".." in name.split("/"):
        raise _reject(
            "zip.path_traversal",
            _("The archive member “{m}” points outside the archive."),
            m=member,
        )


def _total_bomb(member: str, policy: UploadPolicy) -> UploadRejected:
    return _reject(
        "zip.bomb",
        _("The archive expands to more than {limit} in all (at member “{m}”)."),
        m=member,
        limit=_size(policy.zip_max_total_uncompressed),
    )


def _stream_zip(stream: HashingReader, infos: list[zipfile.ZipInfo], where: _Inspection) -> int:
    """Inflate every member in file order, in one pass; the real uncompressed total."""
    total = 0
    previous = None
    for info in sorted(infos, key=lambda i: i.header_offset):
        if previous is not None and info.header_offset < stream.pos:
            # Members sharing data are how non-recursive zip bombs multiply their output.
            raise _reject(
                "zip.bomb",
                _("The archive members “{a}” and “{m}” overlap."),
                a=where.label(previous.orig_filename),
                m=where.label(info.orig_filename),
            )
        total, previous = total + _stream_member(stream, info, where, total), info
    stream.skip_to(stream.size)
    return total


def _stream_member(stream: HashingReader, info: zipfile.ZipInfo, where: _Inspection, done: int):
    """Inflate one member, trusting none of its declared sizes, and look into what it holds."""
    policy, member = where.policy, where.label(info.orig_filename)
    corrupt = _reject("zip.corrupt", _("The archive member “{m}” is damaged."), m=member)
    contents = where.contents(info.orig_filename, "zip.bomb", info.file_size)
    try:
        stream.skip_to(info.header_offset)
        if stream.pos != info.header_offset:
            raise corrupt
        flags, method, local_name = stream.local_header()
        # Tools that extract by local headers must see what was checked in the directory.
        if local_name != info.orig_filename or method != info.compress_type:
            raise corrupt
        if flags & 0x1:
            raise _reject("zip.encrypted", _("The archive member “{m}” is encrypted."), m=member)
        decomp = streams.ZIP_DECOMPRESSORS[method]()
        count = crc = 0
        for chunk in stream.chunks(info.compress_size):
            # Bytes left after the end of the stream are ignored, as zipfile ignores them.
            for out in () if decomp.eof else streams.inflate(decomp, chunk):
                count += len(out)
                if count > info.file_size:
                    raise _reject(
                        "zip.bomb",
                        _("The archive member “{m}” expands beyond its declared size of {size}."),
                        m=member,
                        size=_size(info.file_size),
                    )
                if done + count > policy.zip_max_total_uncompressed:
                    raise _total_bomb(member, policy)
                crc = zlib.crc32(out, crc)
                contents.feed(out)
    except (
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        OSError,
        EOFError,
        ValueError,
        struct.error,
    ):
        raise corrupt from None
    if count != info.file_size or crc != info.CRC:
        raise corrupt
    contents.finish()
    return count


def _inspect_tar(fileobj: BinaryIO, where: _Inspection) -> None:
    """A tar's members, read in order: names, links and special files as in a zip, and each
    regular file's content inspected in turn."""
    policy, count = where.policy, 0
    try:
        with tarfile.open(fileobj=fileobj, mode="r:") as archive:
            for info in archive:
                count += 1
                if count > policy.zip_max_members:
                    raise _too_many_members(where.path, policy)
                member = where.label(info.name)
                _check_member_name(info.name, member)
                if info.issym() or info.islnk():
                    raise _reject(
                        "zip.link", _("The archive member “{m}” is a symbolic link."), m=member
                    )
                if not (info.isfile() or info.isdir()):
                    raise _reject(
                        "tar.special_file",
                        _("The archive member “{m}” is not a regular file or folder."),
                        m=member,
                    )
                if info.isfile():
                    contents = where.contents(info.name, "gzip.bomb", None)
                    source = archive.extractfile(info)
                    while data := source.read(streams.CHUNK):
                        contents.feed(data)
                    contents.finish()
    except (tarfile.TarError, EOFError, OSError):
        raise _reject(
            "tar.corrupt", _("“{name}” is not a readable tar archive."), name=where.path
        ) from None


def validate_upload(fileobj: BinaryIO, *, name: str, policy: UploadPolicy) -> UploadReport:
    """Check an upload against the policy in one streaming pass; UploadRejected if it fails.

    Archives inside archives are checked the same way, to policy.max_nesting_depth levels,
    against one expansion budget and ratio for the whole upload.
    """
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    if size == 0:
        raise _reject("file.empty", _("The file “{name}” is empty."), name=name)
    limit = policy.size_limit()
    if size > limit:
        raise _reject(
            "file.too_large",
            _("The file “{name}” is {size}; the limit is {limit}."),
            name=name,
            size=_size(size),
            limit=_size(limit),
        )
    claimed = extension_kind(name)
    if claimed not in policy.allowed_kinds:
        accepted = (ext for ext, kind in EXTENSION_KINDS.items() if kind in policy.allowed_kinds)
        raise _reject(
            "file.type_not_allowed",
            _("“{name}” is not of a type accepted here ({accepted})."),
            name=name,
            accepted=", ".join(sorted(accepted)),
        )
    fileobj.seek(0)
    kind = sniff_kind(streams.read_exact(fileobj, min(size, streams.HEAD)), name)
    where = _Inspection(policy, _Budget(policy, size))
    try:
        if kind is None or _family(kind) != _family(claimed):
            raise _mismatch(name, claimed, kind)
        members = total = None
        if kind == "gzip":
            stream, check = HashingReader(fileobj, size), _GzipCheck(name, size, where)
            for chunk in stream.chunks(size):
                check.feed(chunk)
            total = check.finish()
        elif kind in ZIP_KINDS:
            infos = _open_zip(fileobj, name, policy)
            kind = zip_kind(info.filename for info in infos)
            if kind != claimed:
                raise _mismatch(name, claimed, kind)
            _check_members(infos, where)
            stream = HashingReader(fileobj, size)
            members, total = len(infos), _stream_zip(stream, infos, where)
        else:
            stream = HashingReader(fileobj, size)
            stream.skip_to(size)
    except EOFError:
        raise _reject(
            "file.truncated", _("The file “{name}” ended while it was read."), name=name
        ) from None
    finally:
        fileobj.seek(0)
    return UploadReport(kind, size, stream.sha.hexdigest(), members, total)


def _family(kind: str | None) -> str | None:
    """Zip for every zip-based kind, whose exact kind needs the archive's directory."""
    return "zip" if kind in ZIP_KINDS else kind


def _mismatch(name: str, claimed: str, kind: str | None) -> UploadRejected:
    return _reject(
        "file.type_mismatch",
        _("The name “{name}” says {claimed}, but the content is {kind}."),
        name=name,
        claimed=KIND_LABELS[claimed],
        kind=KIND_LABELS.get(kind, _("not of a recognised type")),
    )


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Streams every file to a temporary file on disk, never into memory, and stops storing
    one as soon as it passes the material's size limit (the rest is read and dropped)."""

    def __init__(self, request, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large: str | None = None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = self.file_name
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
