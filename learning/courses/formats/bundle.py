"""A module folder as a zip, for upload and download in the browser, validated exactly like `content check`.

Pure: no database, no Flask. An upload is unpacked into a temporary folder and read with read_module.
"""

from __future__ import annotations

import io
import re
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path

from learning.courses.formats.content import read_module
from learning.courses.formats.spec import ContentError, ModuleSpec, Problem
from learning.courses.formats.writing import write_module
from learning.errors import N_

MAX_ZIP_BYTES = 20 * 1024 * 1024  # the upload itself
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # sum of member sizes: a zip bomb guard
MAX_MEMBERS = 500
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest zip date; a fixed one makes an edition give the same bytes
_CHUNK = 64 * 1024

# Why an entry or the unpacking was refused: an N_ template and the values for its placeholders.
Reason = tuple[str, dict[str, object]]


def read_zip(data: bytes, shown_as: str = "upload.zip") -> ModuleSpec:
    """One module folder from a zip: the module files at the zip's root, or inside exactly one top-level folder."""

    def refuse(message: str, **params: object) -> ContentError:
        return ContentError([Problem(shown_as, 0, message, params)])

    if len(data) > MAX_ZIP_BYTES:
        raise refuse(N_("the zip is larger than %(size)s"), size=_size(MAX_ZIP_BYTES))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError):  # a mangled header raises any of these
        raise refuse(N_("not a zip file, or the zip is damaged")) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise refuse(N_("the zip has more than %(count)d entries"), count=MAX_MEMBERS)
        # Every entry is checked, even ones ignored below: a hostile name is refused, never skipped.
        problems = [Problem(shown_as, 0, *reason) for info in infos if (reason := _unsafe(info))]
        if problems:
            raise ContentError(problems)
        if _declared_bytes(infos) > MAX_UNPACKED_BYTES:
            raise refuse(N_("the files unpack to more than %(size)s"), size=_size(MAX_UNPACKED_BYTES))
        members = [info for info in infos if not _ignored(info.filename)]
        files = [info.filename for info in members if not info.is_dir()]
        if not files:
            raise refuse(N_("the zip is empty"))
        folders = sorted({name.split("/")[0] for name in files if "/" in name})
        if any("/" not in name for name in files):
            prefix = ""
        elif len(folders) == 1:
            prefix = f"{folders[0]}/"
        else:
            raise refuse(
                N_("the zip holds several folders (%(folders)s); upload one module folder"), folders=", ".join(folders)
            )
        with tempfile.TemporaryDirectory() as tmp:
            if stopped := _extract(archive, members, prefix, Path(tmp)):
                message, params = stopped
                raise refuse(message, **params)
            # Problems then name the file as it sits in the zip, e.g. upload.zip/my-module/module.yaml.
            return read_module(Path(tmp), f"{shown_as}/{prefix}".rstrip("/"))


def zip_module(spec: ModuleSpec) -> bytes:
    """The module as a zip holding one folder named after its slug, in the content/ format (write_module)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        write_module(spec, Path(tmp) / spec.slug)
        names = sorted(path.relative_to(tmp).as_posix() for path in Path(tmp).rglob("*") if path.is_file())
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the server runs on, so the bytes do not depend on it
            info.external_attr = (stat.S_IFREG | 0o644) << 16  # unzip restores ordinary readable files
            archive.writestr(info, (Path(tmp) / name).read_bytes())
    return buffer.getvalue()


def _unsafe(info: zipfile.ZipInfo) -> Reason | None:
    """Why an entry may not be unpacked, or None."""
    name = info.filename
    if not name:
        return N_("an entry has no name"), {}
    if info.flag_bits & 0x1:
        return N_("'%(name)s' is encrypted; upload a zip without a password"), {"name": name}
    if "\\" in name:
        return N_("'%(name)s' contains a backslash; paths in a zip use '/'"), {"name": name}
    if re.match(r"^[A-Za-z]:", name):
        return N_("'%(name)s' starts with a drive letter"), {"name": name}
    if name.startswith("/"):
        return N_("'%(name)s' is an absolute path"), {"name": name}
    if ".." in name.split("/"):
        return N_("'%(name)s' contains '..'"), {"name": name}
    if stat.S_ISLNK(info.external_attr >> 16):
        return N_("'%(name)s' is a symbolic link"), {"name": name}
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return N_("'%(name)s' is compressed with a method other than Deflate"), {"name": name}
    return None


def _ignored(name: str) -> bool:
    """macOS adds __MACOSX/ resource forks and .DS_Store files to zips; they are not module content."""
    parts = name.split("/")
    return parts[0] == "__MACOSX" or parts[-1] == ".DS_Store"


def _declared_bytes(infos: list[zipfile.ZipInfo]) -> int:
    return sum(info.file_size for info in infos)


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], prefix: str, root: Path) -> Reason | None:
    """Unpacks the members under prefix into root; returns why it stopped, or None."""
    total = 0
    for info in members:
        if not info.filename.startswith(prefix) or info.filename == prefix:
            continue
        target = root / info.filename.removeprefix(prefix)
        try:
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as sink:
                # Declared sizes can lie, so the bytes actually written are counted too.
                while chunk := source.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_UNPACKED_BYTES:
                        return N_("the files unpack to more than %(size)s"), {"size": _size(MAX_UNPACKED_BYTES)}
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError):
            return N_("'%(name)s' is damaged"), {"name": info.filename}
        except OSError:
            return N_("'%(name)s' cannot be unpacked"), {"name": info.filename}
    return None


def _size(limit: int) -> str:
    """A limit as text for a message, e.g. "20 MB"."""
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
