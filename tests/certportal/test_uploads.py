"""The upload validator: type sniffing, size limits and archive safety, on files built here."""

import gzip
import hashlib
import io
import os
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.template.defaultfilters import filesizeformat

from certportal.upload_streams import CHUNK
from certportal.uploads import (
    PACKAGE_POLICY,
    UploadPolicy,
    UploadRejected,
    sniff_kind,
    validate_upload,
)

POLICY = UploadPolicy(
    max_bytes=50 * 1024**2,
    allowed_kinds=frozenset({"gzip", "zip", "pdf", "docx", "text", "image", "video"}),
)


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip of the members, names written exactly as given."""
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return path


def validate(path: Path, policy: UploadPolicy = POLICY):
    """The report on the file, named as on disk."""
    with path.open("rb") as fileobj:
        return validate_upload(fileobj, name=path.name, policy=policy)


def rejection(path: Path, policy: UploadPolicy = POLICY) -> UploadRejected:
    """The rejection the file must get."""
    with pytest.raises(UploadRejected) as excinfo:
        validate(path, policy)
    return excinfo.value


def patch(path: Path, offset: int, fmt: str, value: int) -> None:
    """Overwrite one little-endian field of the file in place."""
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    path.write_bytes(bytes(data))


def header_offsets(path: Path, member: str) -> tuple[int, int]:
    """Offsets of the member's local header and of its central directory record."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(member)] != member.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    return local, central


def incompressible(size: int) -> bytes:
    """Random bytes, which no compressor shrinks."""
    return os.urandom(size)


# Accepted uploads


def test_gzip_valid_is_accepted_with_report(tmp_path):
    payload = incompressible(300_000)
    path = tmp_path / "package.gz"
    path.write_bytes(gzip.compress(payload))

    report = validate(path)

    assert report.kind == "gzip"
    assert report.size == path.stat().st_size
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.uncompressed_size == len(payload)
    assert report.member_count is None


def test_gzip_small_repetitive_text_is_accepted_despite_its_ratio(tmp_path):
    payload = b"Install the package, then open the section. " * 4000  # ~180 KB, ratio > 100
    path = tmp_path / "notes.gz"
    path.write_bytes(gzip.compress(payload))

    report = validate(path)

    assert len(payload) > 100 * path.stat().st_size
    assert report.uncompressed_size == len(payload)


def test_gzip_concatenated_members_is_accepted(tmp_path):
    path = tmp_path / "package.tgz"
    path.write_bytes(gzip.compress(b"first " * 10) + gzip.compress(b"second " * 10))

    report = validate(path)

    assert report.kind == "gzip"
    assert report.uncompressed_size == 130


def test_zip_of_gz_packages_is_accepted_with_report(tmp_path):
    packages = {f"packages/p{i}.gz": gzip.compress(incompressible(200_000)) for i in range(3)}
    path = make_zip(tmp_path / "bundle.zip", {"README.txt": b"Install me.\n", **packages})

    report = validate(path)

    assert report.kind == "zip"
    assert report.size == path.stat().st_size
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.member_count == 4
    assert report.uncompressed_size == 12 + sum(len(p) for p in packages.values())


def test_zip_with_every_supported_compression_is_accepted(tmp_path):
    text = os.urandom(20_000).hex().encode()
    path = tmp_path / "mixed.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("stored.txt", text, compress_type=zipfile.ZIP_STORED)
        archive.writestr("deflated.txt", text, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("bzip2.txt", text, compress_type=zipfile.ZIP_BZIP2)
        archive.writestr("lzma.txt", text, compress_type=zipfile.ZIP_LZMA)
        archive.writestr("empty-dir/", b"")

    report = validate(path)

    assert report.member_count == 5
    assert report.uncompressed_size == 4 * len(text)


def test_zip_empty_is_accepted(tmp_path):
    path = make_zip(tmp_path / "empty.zip", {})

    report = validate(path)

    assert (report.kind, report.member_count, report.uncompressed_size) == ("zip", 0, 0)


def test_docx_is_recognised_by_its_parts(tmp_path):
    path = make_zip(
        tmp_path / "guide.docx",
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"},
    )

    report = validate(path)

    assert report.kind == "docx"


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (b"\x1f\x8b\x08\x00rest", "a.txt", "gzip"),
        (b"PK\x05\x06" + bytes(18), "a.zip", "zip"),
        (b"%PDF-1.7\n", "a.zip", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a.pdf", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a.jpg", "image"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "a.mp4", "video"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86", "a.webm", "video"),
        ("Привет, partners\n".encode(), "a.txt", "text"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "a.txt", None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "a.mp4", None),
    ],
)
def test_sniff_kind_reads_magic_bytes_not_the_name(head, name, kind):
    sniffed = sniff_kind(head, name)

    assert sniffed == kind


def test_django_uploaded_files_are_validated_and_rewound():
    data = gzip.compress(os.urandom(4000).hex().encode())
    in_memory = SimpleUploadedFile("package.gz", data)
    on_disk = TemporaryUploadedFile("package.gz", "application/gzip", len(data), None)
    on_disk.write(data)

    reports = [validate_upload(f, name=f.name, policy=POLICY) for f in (in_memory, on_disk)]

    assert {r.sha256 for r in reports} == {hashlib.sha256(data).hexdigest()}
    assert in_memory.tell() == on_disk.tell() == 0
    on_disk.close()


def test_reads_are_bounded_whatever_the_file_size(tmp_path):
    members = {f"part{i}.bin": incompressible(3 * CHUNK) for i in range(2)}
    members["nested.gz"] = gzip.compress(incompressible(3 * CHUNK))
    data = make_zip(tmp_path / "big.zip", members).read_bytes()

    class ReadSpy(io.BytesIO):
        largest = 0

        def read(self, size=-1):
            chunk = super().read(size)
            ReadSpy.largest = max(ReadSpy.largest, len(chunk))
            return chunk

    validate_upload(ReadSpy(data), name="big.zip", policy=POLICY)

    assert 0 < ReadSpy.largest <= CHUNK


# The file as a whole


def test_file_empty_is_rejected(tmp_path):
    path = tmp_path / "nothing.zip"
    path.write_bytes(b"")

    error = rejection(path)

    assert error.rule == "file.empty"
    assert "nothing.zip" in str(error)


def test_file_over_size_limit_is_rejected(tmp_path):
    path = tmp_path / "big.gz"
    path.write_bytes(gzip.compress(incompressible(2000)))
    policy = UploadPolicy(max_bytes=1000, allowed_kinds=frozenset({"gzip"}))

    error = rejection(path, policy)

    assert error.rule == "file.too_large"
    assert "big.gz" in str(error)
    assert filesizeformat(1000) in str(error)


def test_package_policy_over_size_setting_is_rejected(tmp_path, settings):
    settings.UPLOAD_PACKAGE_MAX_BYTES = 100
    path = tmp_path / "package.gz"
    path.write_bytes(gzip.compress(incompressible(500)))

    error = rejection(path, PACKAGE_POLICY)

    assert error.rule == "file.too_large"
    assert filesizeformat(100) in str(error)


def test_pdf_named_zip_is_rejected(tmp_path):
    path = tmp_path / "package.zip"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")

    error = rejection(path)

    assert error.rule == "file.type_mismatch"
    assert "package.zip" in str(error)
    assert "PDF" in str(error)


def test_zip_named_gz_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.gz", {"a.txt": b"a"})

    error = rejection(path)

    assert error.rule == "file.type_mismatch"
    assert "package.gz" in str(error)
    assert "zip archive" in str(error)


def test_gz_of_unrecognised_content_is_rejected(tmp_path):
    path = tmp_path / "package.gz"
    path.write_bytes(b"\x00\x01\x02 not gzip at all")

    error = rejection(path)

    assert error.rule == "file.type_mismatch"
    assert "package.gz" in str(error)


def test_plain_zip_named_docx_is_rejected(tmp_path):
    path = make_zip(tmp_path / "guide.docx", {"guide.txt": b"Read me."})

    error = rejection(path)

    assert error.rule == "file.type_mismatch"
    assert "guide.docx" in str(error)
    assert "Word document" in str(error)


def test_kind_outside_policy_is_rejected(tmp_path):
    path = tmp_path / "manual.pdf"
    path.write_bytes(b"%PDF-1.7\n")

    error = rejection(path, PACKAGE_POLICY)

    assert error.rule == "file.type_not_allowed"
    assert "manual.pdf" in str(error)
    assert ".zip" in str(error)


# gzip


def test_gzip_truncated_is_rejected(tmp_path):
    path = tmp_path / "package.gz"
    path.write_bytes(gzip.compress(incompressible(100_000))[:-1000])

    error = rejection(path)

    assert error.rule == "gzip.corrupt"
    assert "package.gz" in str(error)


def test_gzip_with_bad_checksum_is_rejected(tmp_path):
    data = bytearray(gzip.compress(b"certified " * 100))
    data[-8] ^= 0xFF  # the CRC-32 in the trailer
    path = tmp_path / "package.gz"
    path.write_bytes(bytes(data))

    error = rejection(path)

    assert error.rule == "gzip.corrupt"
    assert "package.gz" in str(error)


def test_gzip_with_trailing_garbage_is_rejected(tmp_path):
    path = tmp_path / "package.gz"
    path.write_bytes(gzip.compress(b"certified") + b"GARBAGE")

    error = rejection(path)

    assert error.rule == "gzip.corrupt"
    assert "package.gz" in str(error)


def test_gzip_bomb_by_ratio_is_rejected(tmp_path):
    path = tmp_path / "zeros.gz"
    path.write_bytes(gzip.compress(bytes(5 * 1024**2)))

    error = rejection(path)

    assert error.rule == "gzip.bomb"
    assert "zeros.gz" in str(error)
    assert "100 times" in str(error)


def test_gzip_bomb_by_total_size_is_rejected(tmp_path):
    path = tmp_path / "package.gz"
    path.write_bytes(gzip.compress(incompressible(20_000)))
    policy = UploadPolicy(
        max_bytes=10**6, allowed_kinds=frozenset({"gzip"}), zip_max_total_uncompressed=10_000
    )

    error = rejection(path, policy)

    assert error.rule == "gzip.bomb"
    assert filesizeformat(10_000) in str(error)


# zip: structure and names


def test_zip_corrupt_is_rejected(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + incompressible(500))

    error = rejection(path)

    assert error.rule == "zip.corrupt"
    assert "broken.zip" in str(error)


def test_zip_truncated_is_rejected(tmp_path):
    path = make_zip(tmp_path / "cut.zip", {"a.bin": incompressible(10_000)})
    path.write_bytes(path.read_bytes()[:-30])

    error = rejection(path)

    assert error.rule == "zip.corrupt"
    assert "cut.zip" in str(error)


@pytest.mark.parametrize("member", ["../evil.txt", "docs/../../evil.txt", "..\\evil.txt"])
def test_zip_member_outside_archive_is_rejected(tmp_path, member):
    path = make_zip(tmp_path / "package.zip", {"ok.txt": b"ok", member: b"evil"})

    error = rejection(path)

    assert error.rule == "zip.path_traversal"
    assert f"“{member}”" in str(error)


@pytest.mark.parametrize("member", ["/etc/passwd", "C:/Windows/evil.dll", "\\\\server\\share"])
def test_zip_member_with_absolute_path_is_rejected(tmp_path, member):
    path = make_zip(tmp_path / "package.zip", {member: b"evil"})

    error = rejection(path)

    assert error.rule == "zip.absolute_path"
    assert f"“{member}”" in str(error)


def test_zip_symlink_member_is_rejected(tmp_path):
    path = tmp_path / "package.zip"
    link = zipfile.ZipInfo("docs/passwd")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(link, "/etc/passwd")

    error = rejection(path)

    assert error.rule == "zip.link"
    assert "“docs/passwd”" in str(error)


def test_zip_encrypted_member_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"secret.txt": b"hidden"})
    local, central = header_offsets(path, "secret.txt")
    patch(path, local + 6, "<H", 0x1)
    patch(path, central + 8, "<H", 0x1)

    error = rejection(path)

    assert error.rule == "zip.encrypted"
    assert "“secret.txt”" in str(error)


def test_zip_member_with_unknown_compression_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"odd.bin": b"data"})
    local, central = header_offsets(path, "odd.bin")
    patch(path, local + 8, "<H", 99)
    patch(path, central + 10, "<H", 99)

    error = rejection(path)

    assert error.rule == "zip.unsupported_method"
    assert "“odd.bin”" in str(error)
    assert "99" in str(error)


def test_zip_too_many_members_is_rejected(tmp_path):
    path = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(4)})
    policy = UploadPolicy(max_bytes=10**6, allowed_kinds=frozenset({"zip"}), zip_max_members=3)

    error = rejection(path, policy)

    assert error.rule == "zip.too_many_members"
    assert "many.zip" in str(error)
    assert "3 members" in str(error)


def test_zip_oversized_directory_is_rejected(tmp_path):
    path = make_zip(tmp_path / "long.zip", {"n" * 2000 + ".txt": b"x"})
    policy = UploadPolicy(max_bytes=10**6, allowed_kinds=frozenset({"zip"}), zip_max_members=1)

    error = rejection(path, policy)

    assert error.rule == "zip.directory_too_large"
    assert "long.zip" in str(error)
    assert filesizeformat(1024) in str(error)


def test_zip_local_name_differing_from_directory_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"safe.txt": b"data"})
    local, _central = header_offsets(path, "safe.txt")
    data = bytearray(path.read_bytes())
    data[local + 30 : local + 34] = b"evil"
    path.write_bytes(bytes(data))

    error = rejection(path)

    assert error.rule == "zip.corrupt"
    assert "“safe.txt”" in str(error)


def test_zip_member_with_crc_error_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"data.bin": b"A" * 1000}, zipfile.ZIP_STORED)
    local, _central = header_offsets(path, "data.bin")
    data = bytearray(path.read_bytes())
    data[local + 30 + len("data.bin") + 500] = ord("B")
    path.write_bytes(bytes(data))

    error = rejection(path)

    assert error.rule == "zip.corrupt"
    assert "“data.bin”" in str(error)


# zip: bombs


def test_zip_bomb_by_ratio_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"zeros.bin": bytes(5 * 1024**2)})

    error = rejection(path)

    assert error.rule == "zip.bomb"
    assert "“zeros.bin”" in str(error)
    assert "100 times" in str(error)


def test_zip_bomb_by_total_size_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"a.bin": incompressible(600), "b.bin": b"b" * 600})
    policy = UploadPolicy(
        max_bytes=10**6, allowed_kinds=frozenset({"zip"}), zip_max_total_uncompressed=1000
    )

    error = rejection(path, policy)

    assert error.rule == "zip.bomb"
    assert filesizeformat(1000) in str(error)
    assert "“b.bin”" in str(error)


def test_zip_member_lying_about_its_size_is_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"liar.bin": incompressible(50_000)})
    local, central = header_offsets(path, "liar.bin")
    patch(path, local + 22, "<L", 10_000)
    patch(path, central + 24, "<L", 10_000)

    error = rejection(path)

    assert error.rule == "zip.bomb"
    assert "“liar.bin”" in str(error)
    assert filesizeformat(10_000) in str(error)


def test_zip_members_sharing_data_are_rejected(tmp_path):
    path = make_zip(tmp_path / "package.zip", {"a.txt": b"shared"}, zipfile.ZIP_STORED)
    data = path.read_bytes()
    start, end = data.index(b"PK\x01\x02"), data.index(b"PK\x05\x06")
    record = data[start:end]
    eocd = bytearray(data[end:])
    struct.pack_into("<2HL", eocd, 8, 2, 2, 2 * len(record))
    path.write_bytes(data[:end] + record + bytes(eocd))

    error = rejection(path)

    assert error.rule == "zip.bomb"
    assert "“a.txt”" in str(error)


# zip: nested packages


def test_zip_nested_corrupt_gz_is_rejected(tmp_path):
    broken = gzip.compress(incompressible(50_000))[:-100]
    good = gzip.compress(b"fine")
    path = make_zip(tmp_path / "bundle.zip", {"pkg/good.gz": good, "pkg/broken.gz": broken})

    error = rejection(path)

    assert error.rule == "gzip.corrupt"
    assert "“pkg/broken.gz”" in str(error)


def test_zip_nested_gz_bomb_is_rejected(tmp_path):
    bomb = gzip.compress(bytes(5 * 1024**2))
    path = make_zip(tmp_path / "bundle.zip", {"pkg/bomb.gz": bomb}, zipfile.ZIP_STORED)

    error = rejection(path)

    assert error.rule == "gzip.bomb"
    assert "“pkg/bomb.gz”" in str(error)


def test_zip_nested_gz_check_turned_off_accepts_corrupt_gz(tmp_path):
    path = make_zip(tmp_path / "bundle.zip", {"pkg/broken.gz": b"\x1f\x8b not really"})
    policy = UploadPolicy(max_bytes=10**6, allowed_kinds=frozenset({"zip"}), nested_check=False)

    report = validate(path, policy)

    assert report.member_count == 1


def test_zip_nested_gz_packages_over_shared_budget_are_rejected(tmp_path):
    text = os.urandom(300).hex().encode()
    packages = {"pkg/one.gz": gzip.compress(text), "pkg/two.gz": gzip.compress(text)}
    path = make_zip(tmp_path / "bundle.zip", packages, zipfile.ZIP_STORED)
    policy = UploadPolicy(
        max_bytes=10**6, allowed_kinds=frozenset({"zip"}), zip_max_total_uncompressed=1000
    )

    error = rejection(path, policy)

    assert error.rule == "gzip.bomb"
    assert "“pkg/two.gz”" in str(error)
    assert filesizeformat(1000) in str(error)


# Archives inside archives: the hostile uploads of the security review, and their neighbours


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def tar_bytes(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            archive.addfile(info)
    return buffer.getvalue()


def test_nested_zip_bomb_is_rejected_naming_the_member(tmp_path):
    inner = zip_bytes({"zeros": bytes(30 * 1024**2)})
    path = tmp_path / "pkg.zip"
    path.write_bytes(zip_bytes({f"part{n}.zip": inner for n in range(5)}))
    assert path.stat().st_size < 5_000  # the review's bomb was 1,817 bytes

    error = rejection(path, PACKAGE_POLICY)

    assert error.rule == "zip.bomb"
    assert str(error) == "The archive member “part0.zip › zeros” expands more than 100 times."


def test_gz_wrapping_a_zip_bomb_is_rejected(tmp_path):
    path = tmp_path / "pkg.gz"
    path.write_bytes(gzip.compress(zip_bytes({"zeros": bytes(30 * 1024**2)})))

    error = rejection(path, PACKAGE_POLICY)

    assert error.rule == "zip.bomb"
    assert "“pkg.gz › zeros”" in str(error)


def test_nested_archives_share_one_budget_for_the_upload(tmp_path):
    text = os.urandom(300).hex().encode()  # 600 bytes that compress about twice
    inner = zip_bytes({"a.txt": text})
    path = make_zip(tmp_path / "bundle.zip", {"one.zip": inner, "two.zip": inner})
    policy = UploadPolicy(
        max_bytes=10**6, allowed_kinds=frozenset({"zip"}), zip_max_total_uncompressed=1000
    )

    error = rejection(path, policy)

    assert error.rule == "zip.bomb"
    assert "“two.zip › a.txt”" in str(error)


def test_archive_nested_deeper_than_the_limit_is_rejected(tmp_path):
    level3 = zip_bytes({"deep.txt": b"deep"})
    level2 = zip_bytes({"d.zip": level3})
    level1 = zip_bytes({"c.zip": level2})
    path = make_zip(tmp_path / "bundle.zip", {"b.zip": level1})

    error = rejection(path)

    assert error.rule == "archive.too_deep"
    assert str(error) == (
        "The archive member “b.zip › c.zip › d.zip” is an archive nested more than 2 levels deep."
    )


def test_archive_nested_within_the_limit_is_accepted(tmp_path):
    packages = zip_bytes({"one.gz": gzip.compress(b"package one"), "two.gz": gzip.compress(b"2")})
    path = make_zip(tmp_path / "bundle.zip", {"packages.zip": packages, "readme.txt": b"hi"})

    report = validate(path)

    assert (report.kind, report.member_count) == ("zip", 2)


def test_nested_zip_is_found_by_its_content_not_its_name(tmp_path):
    hidden = zip_bytes({"../evil.sh": b"rm -rf /"})
    path = make_zip(tmp_path / "bundle.zip", {"notes.bin": hidden})

    error = rejection(path)

    assert error.rule == "zip.path_traversal"
    assert "“notes.bin › ../evil.sh”" in str(error)


def test_nested_corrupt_zip_is_rejected(tmp_path):
    broken = zip_bytes({"a.txt": b"x" * 1000})[:-30]
    path = make_zip(tmp_path / "bundle.zip", {"inner.zip": broken})

    error = rejection(path)

    assert error.rule == "zip.corrupt"
    assert "“inner.zip”" in str(error)


def test_tgz_member_outside_archive_is_rejected(tmp_path):
    path = tmp_path / "pkg.tgz"
    path.write_bytes(gzip.compress(tar_bytes({"../../etc/cron.d/x": b"* * * * * id"})))

    error = rejection(path)

    assert error.rule == "zip.path_traversal"
    assert "“pkg.tgz › ../../etc/cron.d/x”" in str(error)


def test_tgz_symlink_member_is_rejected(tmp_path):
    path = tmp_path / "pkg.tgz"
    path.write_bytes(gzip.compress(tar_bytes({"ok.txt": b"ok"}, links=("passwd",))))

    error = rejection(path)

    assert error.rule == "zip.link"
    assert "“pkg.tgz › passwd”" in str(error)


def test_tgz_holding_a_gz_bomb_is_rejected(tmp_path):
    bomb = gzip.compress(bytes(20 * 1024**2))
    path = tmp_path / "pkg.tgz"
    path.write_bytes(gzip.compress(tar_bytes({"inner.gz": bomb})))

    error = rejection(path)

    assert error.rule == "gzip.bomb"
    assert "“pkg.tgz › inner.gz”" in str(error)


def test_tgz_of_ordinary_files_is_accepted(tmp_path):
    path = tmp_path / "pkg.tgz"
    path.write_bytes(gzip.compress(tar_bytes({"a.txt": b"a" * 2000, "b/c.txt": b"c"})))

    report = validate(path)

    assert report.kind == "gzip"
