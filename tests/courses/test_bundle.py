"""Module zips: the same validation as `content check`, deterministic downloads, hostile zips refused."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from learning.courses.formats import bundle
from learning.courses.formats.bundle import read_zip, zip_module
from learning.courses.formats.content import read_module
from learning.courses.formats.spec import ContentError
from learning.firstrun import CONTENT_DIR

SHIPPED = CONTENT_DIR / "01-why-unbundling"


def make_zip(entries: dict[str | zipfile.ZipInfo, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def folder_entries(folder: Path, under: str = "") -> dict[str, bytes]:
    return {f"{under}{p.relative_to(folder).as_posix()}": p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def refusal(data: bytes) -> list[str]:
    with pytest.raises(ContentError) as caught:
        read_zip(data)
    return [str(problem) for problem in caught.value.problems]


def test_shipped_module_round_trips_with_deterministic_bytes():
    spec = read_module(SHIPPED)
    spec.images["diagram.png"] = b"\x89PNG\r\n\x1a\n-not-really-an-image"
    data = zip_module(spec)
    assert zip_module(spec) == data
    assert read_zip(data).content_hash() == spec.content_hash()
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert f"{spec.slug}/module.yaml" in names and f"{spec.slug}/images/diagram.png" in names
    assert all(name.startswith(f"{spec.slug}/") for name in names)
    assert {(i.date_time, i.compress_type) for i in infos} == {((1980, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED)}


@pytest.mark.parametrize("under", ["", "my-module/"])
def test_files_at_root_or_in_one_folder_are_both_accepted(under):
    entries = folder_entries(SHIPPED, under)
    if under:
        entries[under] = ""  # a folder entry, as most zip tools write one
    assert read_zip(make_zip(entries)).content_hash() == read_module(SHIPPED).content_hash()


def test_macos_extras_are_ignored():
    entries = {
        **folder_entries(SHIPPED, "mod/"),
        "__MACOSX/": "",
        "__MACOSX/mod/._module.yaml": b"\x00\x05\x16\x07",
        "mod/.DS_Store": b"\x00\x00\x00\x01Bud1",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
    }
    assert read_zip(make_zip(entries)).content_hash() == read_module(SHIPPED).content_hash()


@pytest.mark.parametrize("under", ["", "mod/"])
def test_yaml_problem_is_reported_exactly_as_content_check_does(tmp_path, under):
    folder = tmp_path / "mod"
    shutil.copytree(SHIPPED, folder)
    meta = folder / "module.yaml"
    meta.write_text(meta.read_text("utf-8").replace("minutes:", "minutes: [", 1), encoding="utf-8")
    with pytest.raises(ContentError) as direct:
        read_module(folder, f"lesson.zip/{under}".rstrip("/"))
    with pytest.raises(ContentError) as zipped:
        read_zip(make_zip(folder_entries(folder, under)), "lesson.zip")
    assert zipped.value.problems == direct.value.problems
    assert [(p.file, p.message[:12]) for p in zipped.value.problems] == [
        (f"lesson.zip/{under}module.yaml", "invalid YAML")
    ]


def encrypted() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mod/module.yaml", "slug: x\n")
        archive.infolist()[0].flag_bits |= 0x1  # the central directory, written on close, marks it encrypted
    return buffer.getvalue()


def symlink() -> bytes:
    link = zipfile.ZipInfo("mod/sections")
    link.external_attr = 0o120777 << 16
    return make_zip({"mod/module.yaml": "slug: x\n", link: "/etc"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really a zip", "not a zip file, or the zip is damaged"),
        (make_zip(folder_entries(SHIPPED))[:-40], "not a zip file, or the zip is damaged"),
        (encrypted(), "'mod/module.yaml' is encrypted; upload a zip without a password"),
        (make_zip({"/etc/cron.d/evil": "x"}), "'/etc/cron.d/evil' is an absolute path"),
        (make_zip({"mod/../../evil": "x"}), "'mod/../../evil' contains '..'"),
        (make_zip({"__MACOSX/../evil": "x"}), "'__MACOSX/../evil' contains '..'"),
        (make_zip({"mod\\module.yaml": "x"}), "'mod\\module.yaml' contains a backslash; paths in a zip use '/'"),
        (make_zip({"C:/evil.md": "x"}), "'C:/evil.md' starts with a drive letter"),
        (symlink(), "'mod/sections' is a symbolic link"),
        (make_zip({}), "the zip is empty"),
        (make_zip({"mod/": "", "__MACOSX/._x": "x", ".DS_Store": "x"}), "the zip is empty"),
        (
            make_zip({"a/module.yaml": "x", "b/module.yaml": "x"}),
            "the zip holds several folders (a, b); upload one module folder",
        ),
    ],
)
def test_bad_zips_are_refused(data, message):
    assert refusal(data) == [f"upload.zip: {message}"]


def test_every_unsafe_entry_is_listed():
    assert refusal(make_zip({"../a": "x", "ok.md": "x", "/b": "x"})) == [
        "upload.zip: '../a' contains '..'",
        "upload.zip: '/b' is an absolute path",
    ]


def test_upload_size_limit(monkeypatch):
    data = make_zip(folder_entries(SHIPPED))
    monkeypatch.setattr(bundle, "MAX_ZIP_BYTES", len(data))
    assert read_zip(data).slug == "why-unbundling"
    monkeypatch.setattr(bundle, "MAX_ZIP_BYTES", len(data) - 1)
    assert refusal(data) == [f"upload.zip: the zip is larger than {len(data) - 1} bytes"]


def test_member_count_limit(monkeypatch):
    monkeypatch.setattr(bundle, "MAX_MEMBERS", 3)
    assert refusal(make_zip({f"mod/{i}.md": "x" for i in range(4)})) == ["upload.zip: the zip has more than 3 entries"]


def test_declared_unpacked_size_limit(monkeypatch):
    monkeypatch.setattr(bundle, "MAX_UNPACKED_BYTES", 1000)
    bomb = make_zip({"mod/module.yaml": "x", "mod/questions.yaml": b"\x00" * 1001})
    assert len(bomb) < 1000
    assert refusal(bomb) == ["upload.zip: the files unpack to more than 1000 bytes"]


def test_unpacked_bytes_are_counted_even_when_declared_sizes_lie(monkeypatch):
    monkeypatch.setattr(bundle, "MAX_UNPACKED_BYTES", 1000)
    monkeypatch.setattr(bundle, "_declared_bytes", lambda infos: 0)
    bomb = make_zip({"mod/module.yaml": "x", "mod/questions.yaml": b"\x00" * 1001})
    assert refusal(bomb) == ["upload.zip: the files unpack to more than 1000 bytes"]


def test_shown_as_names_the_upload():
    with pytest.raises(ContentError) as caught:
        read_zip(b"hello", "2026-edition.zip")
    assert [str(p) for p in caught.value.problems] == ["2026-edition.zip: not a zip file, or the zip is damaged"]


def test_damaged_member_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("mod/module.yaml", "slug: sample\n")
    data = bytearray(buffer.getvalue())
    data[data.index(b"slug")] ^= 0x20  # the stored bytes no longer match their CRC
    assert refusal(bytes(data)) == ["upload.zip: 'mod/module.yaml' is damaged"]


def test_other_compression_and_nameless_entries_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mod/module.yaml", "x", compress_type=zipfile.ZIP_BZIP2)
        archive.writestr(zipfile.ZipInfo(""), "x")
    assert refusal(buffer.getvalue()) == [
        "upload.zip: 'mod/module.yaml' is compressed with a method other than Deflate",
        "upload.zip: an entry has no name",
    ]
