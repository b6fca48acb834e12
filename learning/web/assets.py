"""Static assets served like a production site: a content hash in every asset URL, long-lived immutable
caching for a URL whose hash is current, compressed text, and no part of the signed-in page's `no-store`.

- `url_for('static', filename=…)` gains `?v=<fingerprint>` (the first 16 hex digits of the file's SHA-256);
  a view of another file does the same with `versioned(blueprint, endpoint, path)` (plotly.js, reports).
- The file's bytes are read and hashed once per process and kept (what is served is what was hashed);
  a request naming the current fingerprint gets `public, max-age=31536000, immutable`. A stale or wrong
  one (a page from before a deploy) or none still gets the current file, as `no-cache` with an ETag: never
  cached under a name that does not identify it.
- Views marked `@asset_view` (static files, plotly.js, section images) are left alone by the pipeline:
  no `no-store`, no session lifetime, and the session cookie is neither rewritten nor varied on. A
  session cookie rewritten on every page and `Vary: Cookie` would make every cached file miss.
- Text is compressed by Flask-Compress into a process-wide cache, once per file, algorithm and
  fingerprint (plotly.min.js's 4.8 MB cost about half a second with Brotli 9, once per worker).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress, DictCache
from werkzeug.security import safe_join

from learning.authz import public

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
FINGERPRINT_LENGTH = 16


@dataclass(frozen=True)
class File:
    data: bytes
    fingerprint: str
    mimetype: str
    stamp: tuple[int, int]  # (mtime_ns, size) when read: debug mode reads a changed file again


# Process-wide, shared by every app of the process (tests make many): each file is hashed once and each
# compressed variant made once. Bounded by the files that exist: only found files are kept.
_FILES: dict[str, File] = {}
_COMPRESSED = DictCache()


def init_app(app: Flask) -> None:
    # Flask-Compress rather than gzip by hand: it negotiates Accept-Encoding (q-values, br before gzip),
    # sets Vary and the ETag of each encoding, answers If-None-Match, and caches what it compressed.
    # Registered for asset responses only (COMPRESS_REGISTER off): a page mixing a secret (the CSRF token)
    # with reflected input must not be compressed (BREACH). Compressed once per process, so the higher
    # levels are affordable: Brotli 9 takes plotly.js from 4.8 MB to 1.2 MB in 0.5 s (11: 1.1 MB, 10 s).
    app.config.update(
        COMPRESS_REGISTER=False,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=9,
        COMPRESS_LEVEL=9,
        COMPRESS_CACHE_BACKEND=lambda: _COMPRESSED,
        COMPRESS_CACHE_KEY=lambda _request: g.asset_key,
    )
    app.extensions["asset_compress"] = Compress(app)
    app.session_interface = AssetAwareSessions()
    folder = Path(app.static_folder)

    @asset_view
    @public
    def static(filename: str):
        return serve_file(_in_folder(folder, filename))

    app.view_functions["static"] = static

    @app.url_defaults
    def _static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            path = _in_folder(folder, values["filename"])
            found = _load(path) if path else None
            if found is not None:
                values["v"] = found.fingerprint


def versioned(blueprint, endpoint: str, path: Path) -> None:
    """url_for(endpoint) names `path`'s current fingerprint, as url_for('static', …) does."""

    @blueprint.url_defaults
    def _version(name: str, values: dict) -> None:
        if name == endpoint and "v" not in values:
            found = _load(path)
            if found is not None:
                values["v"] = found.fingerprint


def asset_view(view):
    """Marks a view that serves a file: the pipeline leaves its caching and the session cookie alone."""
    view.serves_asset = True
    return view


def serves_asset() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "serves_asset", False)


def fingerprint(path: Path) -> str | None:
    found = _load(path)
    return found.fingerprint if found else None


def serve_file(path: Path | None) -> Response:
    """The file, immutable when the request's `v` is its current fingerprint, revalidated otherwise; 404
    when there is no such file."""
    found = _load(path) if path else None
    if found is None:
        abort(404)
    current = request.args.get("v") == found.fingerprint
    return asset_response(
        found.data,
        found.mimetype,
        etag=found.fingerprint,
        cache_control=IMMUTABLE if current else REVALIDATE,
        key=f"{path}:{found.fingerprint}",
    )


def asset_response(data: bytes, mimetype: str, *, etag: str, cache_control: str, key: str) -> Response:
    """Bytes as an asset: the given caching, compressed for a client that accepts it (text only; `key`
    names these exact bytes in the compressed cache), 304 for a client that already has them."""
    response = Response(data, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    g.asset_key = key
    response = current_app.extensions["asset_compress"].after_request(response)
    return response.make_conditional(request)


def content_fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:FINGERPRINT_LENGTH]


class AssetAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that an asset response neither sets the cookie nor says
    `Vary: Cookie`: the cookie changes on every page (the idle timeout's `seen`), and a browser keeps a
    cached response only while the headers it varies on are unchanged. Section images check the session
    (they are for signed-in people) but are `private`: only that browser keeps them."""

    def save_session(self, app, session, response) -> None:
        if serves_asset():
            return
        super().save_session(app, session, response)


def _in_folder(folder: Path, filename: str) -> Path | None:
    joined = safe_join(str(folder), filename)
    return Path(joined) if joined else None


def _load(path: Path) -> File | None:
    key = str(path)
    found = _FILES.get(key)
    if found is not None and not current_app.debug:
        return found
    try:
        stat = path.stat()
    except OSError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    if found is not None and found.stamp == stamp:
        return found
    if not path.is_file():
        return None
    data = path.read_bytes()
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    found = _FILES[key] = File(data, content_fingerprint(data), mimetype, stamp)
    return found
