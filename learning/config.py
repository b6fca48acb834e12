"""Settings from the environment, checked at start-up; production refuses weak ones."""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
import socket
import string
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import NoReturn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRUE_WORDS = {"1", "true", "yes", "on"}
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 160  # see secret_strength
KEY_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
# `standard`: argon2id with OWASP's parameters; `strong`: as RFC 9106 recommends; `test`: the cheapest argon2id,
# for the test suite only (learning/accounts/passwords.py).
PASSWORD_HASH_PROFILES = ("standard", "strong", "test")


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names it and says how to fix it."""


# The exit status of a process that refuses its settings. gunicorn's master stops, instead of starting
# another worker, when a worker exits with it (gunicorn.arbiter.Arbiter.APP_LOAD_ERROR, "App failed to
# load"); any other non-zero status counts as a crash and the worker is replaced, again and again.
CONFIG_ERROR_EXIT = 4


def refuse_to_start(error: ConfigError) -> NoReturn:
    """Ends the process: one line on stderr naming the setting and the fix, no traceback (see app.py)."""
    print(f"Configuration error: {error}", file=sys.stderr, flush=True)
    raise SystemExit(CONFIG_ERROR_EXIT)


def _production(env: Mapping[str, str]) -> bool:
    return env.get("LEARNING_ENV", "development").strip().lower() == "production"


def _flag(env: dict, name: str, default: bool = False) -> bool:
    value = env.get(name)
    return default if value is None else value.strip().lower() in TRUE_WORDS


def _int(env: dict, name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _instance_path(env: Mapping[str, str], default: Path | None = None) -> Path:
    return Path(env.get("INSTANCE_PATH") or default or PROJECT_ROOT / "instance")


def database_url(env: Mapping[str, str] | None = None, instance: Path | None = None) -> str:
    """DATABASE_URL, else (outside production) the SQLite file in the instance folder; needs no other
    setting (for Alembic). Production names its database: a missing DATABASE_URL is refused rather than
    quietly starting on an empty SQLite file inside the checkout."""
    env = os.environ if env is None else env
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"]
    if _production(env):
        raise ConfigError(
            "DATABASE_URL is not set; production needs its database named, "
            "e.g. DATABASE_URL=postgresql+psycopg://portal@db.example/portal"
        )
    return f"sqlite:///{(instance or _instance_path(env)) / 'learning.db'}"


def password_hash_profile(env: Mapping[str, str] | None = None) -> str:
    """PASSWORD_HASH_PROFILE, read by the password hasher when it is made (learning/accounts/passwords.py)."""
    env = os.environ if env is None else env
    value = (env.get("PASSWORD_HASH_PROFILE") or "standard").strip().lower()
    if value not in PASSWORD_HASH_PROFILES:
        raise ConfigError(f"PASSWORD_HASH_PROFILE must be one of {', '.join(PASSWORD_HASH_PROFILES)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    debug: bool
    demo: bool
    portal_url: str
    instance_path: Path
    idle_minutes: int
    absolute_hours: int
    max_password_age_days: int
    proxy_count: int
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "conduct-rules-portal@localhost"
    hash_profile: str = "standard"  # PASSWORD_HASH_PROFILE
    export_slots: int = 1  # EXPORT_SLOTS: downloads a worker process makes at once (learning/web/heavy.py)
    export_wait_seconds: int = 60  # EXPORT_WAIT_SECONDS: how long a download waits for a slot before 503
    # INSPECTION_EVIDENCE_MAX_KB: the largest evidence file (image or PDF) a self-inspection answer takes
    inspection_evidence_max_kb: int = 5120
    rules_pdf_max_mb: int = 10  # RULES_PDF_MAX_MB: the largest PDF a rules document version may carry
    portal_url_set: bool = False  # PORTAL_URL was given (production requires it: a guessed address is wrong)
    sso: SsoSettings = field(default_factory=lambda: SsoSettings())  # noqa: PLW0108 - defined below


OIDC_MATCHES = ("email", "employee_no")
TRUSTED_HEADER_MATCHES = ("login_id", "employee_no", "email")
PASSWORD_SIGNIN_MODES = ("on", "off")


@dataclass(frozen=True)
class SsoSettings:
    """Sign-in through the company's directory (README, "Sign-in through the company's directory"); all off
    by default. OpenID Connect when oidc_issuer is set; a reverse proxy's trusted header when trusted_header is."""

    oidc_issuer: str = ""  # OIDC_ISSUER: its /.well-known/openid-configuration is read (discovery)
    oidc_client_id: str = ""  # OIDC_CLIENT_ID
    oidc_client_secret: str = ""  # OIDC_CLIENT_SECRET
    oidc_scopes: str = "openid email profile"  # OIDC_SCOPES
    oidc_claim: str = "email"  # OIDC_CLAIM: the ID token's claim naming the person
    oidc_match: str = "email"  # OIDC_MATCH: the roster's field it is compared with (email or employee_no)
    oidc_mfa_values: tuple[str, ...] = ()  # OIDC_MFA_AMR: amr values that stand for our second factor
    oidc_leeway_seconds: int = 60  # OIDC_CLOCK_SKEW_SECONDS
    trusted_header: str = ""  # TRUSTED_HEADER: e.g. X-Remote-User, set by the proxy after Kerberos
    trusted_proxies: tuple = ()  # TRUSTED_HEADER_PROXIES: the proxies' networks (ip_network objects)
    proxy_check_header: str = "X-Proxy-Secret"  # TRUSTED_HEADER_SECRET_NAME
    trusted_secret: str = ""  # TRUSTED_HEADER_SECRET
    trusted_match: str = "login_id"  # TRUSTED_HEADER_MATCH
    local_sign_in: str = "on"  # PASSWORD_SIGNIN: on, or off (then only the break-glass logins below)
    break_glass: tuple[str, ...] = ()  # PASSWORD_SIGNIN_BREAK_GLASS: login IDs or employee numbers
    contact: str = ""  # SSO_CONTACT: whom a person missing from the roster should contact

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def header(self) -> bool:
        return bool(self.trusted_header)

    @property
    def enabled(self) -> bool:
        return self.oidc or self.header

    def password_allowed(self, login: str) -> bool:
        """Whether password sign-in is open to whoever types this employee number or login ID."""
        if self.local_sign_in == "on":
            return True
        name = login.strip().lower()
        return bool(name) and name in self.break_glass


def _words(value: str | None) -> tuple[str, ...]:
    return tuple(word for word in (value or "").replace(",", " ").split() if word)


def _choice(env: dict, name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _networks(env: dict, name: str) -> tuple:
    networks = []
    for word in _words(env.get(name)):
        try:
            networks.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {word!r} is not an address or network (e.g. 10.0.0.5 or 10.0.0.0/24)") from None
    return tuple(networks)


def sso_settings(env: dict) -> SsoSettings:
    mode = _choice(env, "PASSWORD_SIGNIN", "on", PASSWORD_SIGNIN_MODES)
    return SsoSettings(
        oidc_issuer=(env.get("OIDC_ISSUER") or "").strip().rstrip("/"),
        oidc_client_id=(env.get("OIDC_CLIENT_ID") or "").strip(),
        oidc_client_secret=env.get("OIDC_CLIENT_SECRET") or "",
        oidc_scopes=" ".join(_words(env.get("OIDC_SCOPES"))) or "openid email profile",
        oidc_claim=(env.get("OIDC_CLAIM") or "email").strip(),
        oidc_match=_choice(env, "OIDC_MATCH", "email", OIDC_MATCHES),
        oidc_mfa_values=_words(env.get("OIDC_MFA_AMR")),
        oidc_leeway_seconds=max(0, _int(env, "OIDC_CLOCK_SKEW_SECONDS", 60)),
        trusted_header=(env.get("TRUSTED_HEADER") or "").strip(),
        trusted_proxies=_networks(env, "TRUSTED_HEADER_PROXIES"),
        proxy_check_header=(env.get("TRUSTED_HEADER_SECRET_NAME") or "X-Proxy-Secret").strip(),
        trusted_secret=env.get("TRUSTED_HEADER_SECRET") or "",
        trusted_match=_choice(env, "TRUSTED_HEADER_MATCH", "login_id", TRUSTED_HEADER_MATCHES),
        local_sign_in=mode,
        break_glass=tuple(word.lower() for word in _words(env.get("PASSWORD_SIGNIN_BREAK_GLASS"))),
        contact=(env.get("SSO_CONTACT") or "").strip(),
    )


def check_sso(sso: SsoSettings, production: bool) -> None:
    """Refuses SSO settings that cannot work or would let a stranger in (everywhere; production adds https)."""
    if sso.oidc:
        if not sso.oidc_client_id or not sso.oidc_client_secret:
            raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is not; set both")
        if "openid" not in sso.oidc_scopes.split():
            raise ConfigError(f"OIDC_SCOPES must include openid, not {sso.oidc_scopes!r}")
        if production and not sso.oidc_issuer.startswith("https://"):
            raise ConfigError(f"OIDC_ISSUER must be an https:// address in production, not {sso.oidc_issuer!r}")
    elif sso.oidc_client_id or sso.oidc_client_secret:
        raise ConfigError("OIDC_CLIENT_ID is set but OIDC_ISSUER is not; set the provider's issuer address")
    if sso.header:
        if not sso.trusted_proxies:
            raise ConfigError("TRUSTED_HEADER is set but TRUSTED_HEADER_PROXIES is not; name the proxies' addresses")
        if len(sso.trusted_secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"TRUSTED_HEADER_SECRET must be at least {MIN_SECRET_LENGTH} characters when TRUSTED_HEADER "
                f"is set; make a random one with: {KEY_COMMAND}"
            )
    if sso.local_sign_in == "off" and not sso.enabled:
        raise ConfigError("PASSWORD_SIGNIN is off but no SSO is configured (OIDC_ISSUER or TRUSTED_HEADER)")
    if sso.break_glass and sso.local_sign_in != "off":
        raise ConfigError("PASSWORD_SIGNIN_BREAK_GLASS is set but PASSWORD_SIGNIN is not off; set PASSWORD_SIGNIN=off")


def load_settings(env: dict | None = None, instance_path: Path | None = None) -> Settings:
    """Reads settings; in production raises ConfigError naming the first unsafe setting."""
    env = dict(os.environ if env is None else env)
    instance = _instance_path(env, instance_path)
    production = _production(env)
    settings = Settings(
        env="production" if production else "development",
        database_url=database_url(env, instance),
        secret_key=env.get("SECRET_KEY") or ("" if production else _local_secret(instance)),
        debug=_flag(env, "FLASK_DEBUG"),
        demo=_flag(env, "LEARNING_DEMO", default=not production),
        portal_url=_portal_url(env),
        instance_path=instance,
        idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 30),
        absolute_hours=_int(env, "SESSION_ABSOLUTE_HOURS", 12),
        max_password_age_days=_int(env, "MAX_PASSWORD_AGE_DAYS", 0),
        proxy_count=_int(env, "PROXY_COUNT", 0),
        smtp_host=env.get("SMTP_HOST") or None,
        smtp_port=_int(env, "SMTP_PORT", 25),
        smtp_user=env.get("SMTP_USER") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_starttls=_flag(env, "SMTP_STARTTLS"),
        mail_from=env.get("MAIL_FROM") or "conduct-rules-portal@localhost",
        hash_profile=password_hash_profile(env),
        export_slots=max(1, _int(env, "EXPORT_SLOTS", 1)),
        export_wait_seconds=max(0, _int(env, "EXPORT_WAIT_SECONDS", 60)),
        inspection_evidence_max_kb=max(1, _int(env, "INSPECTION_EVIDENCE_MAX_KB", 5120)),
        portal_url_set=bool(env.get("PORTAL_URL")),
        rules_pdf_max_mb=max(1, _int(env, "RULES_PDF_MAX_MB", 10)),
        sso=sso_settings(env),
    )
    check_sso(settings.sso, production)
    if production:
        _refuse_unsafe(settings)
    return settings


def _portal_url(env: dict) -> str:
    """PORTAL_URL, or the address `python app.py` listens on (HOST, PORT): the links in emails and the desktop
    shortcuts must reach this portal, so a default that ignored PORT would point at another. A wildcard
    HOST (0.0.0.0, ::) is not an address anyone can open: the machine's name stands in for it."""
    if env.get("PORTAL_URL"):
        return env["PORTAL_URL"].rstrip("/") + "/"
    host = env.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - naming a wildcard, not binding to it
        host = socket.getfqdn()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{_int(env, 'PORT', 5000)}/"


def _refuse_unsafe(settings: Settings) -> None:
    key = settings.secret_key
    if not key:
        raise ConfigError(f"SECRET_KEY is not set; production needs a random secret, made with: {KEY_COMMAND}")
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is too short ({len(key)} characters, at least {MIN_SECRET_LENGTH}); "
            f"make a random one with: {KEY_COMMAND}"
        )
    if (bits := secret_strength(key)) < MIN_SECRET_BITS:
        raise ConfigError(
            f"SECRET_KEY is too weak (about {bits:.0f} bits by estimate, {MIN_SECRET_BITS} needed; it looks "
            f"typed, patterned or drawn from few characters); make a random one with: {KEY_COMMAND}"
        )
    if not settings.portal_url_set:
        raise ConfigError(
            "PORTAL_URL is not set; production needs the address people open the portal at, for the links "
            "in emails and the desktop shortcuts (e.g. PORTAL_URL=https://portal.example.intra/)"
        )
    if settings.debug:
        raise ConfigError("FLASK_DEBUG is on; production must run with debug off (unset FLASK_DEBUG)")
    if settings.demo:
        raise ConfigError(
            "LEARNING_DEMO is on; production must not serve demo data or demo accounts (unset LEARNING_DEMO)"
        )
    if settings.hash_profile != "standard":
        raise ConfigError(
            f"PASSWORD_HASH_PROFILE is {settings.hash_profile!r}; production must hash passwords "
            "with the standard argon2id parameters (leave it unset)"
        )


# SECRET_KEY signs the session cookie: whoever can guess it can forge anyone's session. The aim is the
# 128 bits NIST SP 800-57 asks of a key today. A key cannot show whether it was drawn at random, so its
# strength is estimated from the key itself, as its length times the lowest of three per-character figures:
#  - log2 of the size of the character classes it uses (digits 10; hexadecimal 16 when it is all hex
#    digits; lower case 26, upper case 26, ASCII punctuation and space 33, each other character 1):
#    what a key of that shape would hold were every character drawn at random;
#  - the Shannon entropy of its characters, which falls with repeats and few distinct characters
#    ("abcabc…", one character over and over);
#  - the Shannon entropy of the steps between neighbouring characters, which falls with runs and
#    repeated blocks ("abcdef…", "0123456789abcdef" four times).
# It reads random keys low (the Shannon figures need more characters than a key has: secrets.token_hex(16),
# 128 random bits, reads 92-126) and typed keys high (it knows no words), so the bar is set above the aim,
# at 160: that refuses every key of 48 digits or fewer (at most 159.5), every UUID (122 random bits;
# reads 112-145) and token_hex(16), and accepts, by a wide margin, the standard generators' defaults:
# secrets.token_urlsafe() (43 characters, reads 184-224 in 20,000 draws), openssl rand -base64 32
# (44 characters, 192-231) and secrets.token_hex() (64 characters, 222-255).
_CLASSES = tuple(
    set(chars) for chars in (string.digits, string.ascii_lowercase, string.ascii_uppercase, string.punctuation + " ")
)
_SMALL_ALPHABETS = tuple(set(chars) for chars in (string.digits, "0123456789abcdef", "0123456789ABCDEF"))


def secret_strength(key: str) -> float:
    """The estimated strength of a secret key in bits (see above)."""
    if len(key) < 2:
        return 0.0
    chars = set(key)
    alphabet = next((len(small) for small in _SMALL_ALPHABETS if chars <= small), None)
    if alphabet is None:
        alphabet = sum(len(chars_class) for chars_class in _CLASSES if chars & chars_class)
        alphabet += len(chars.difference(*_CLASSES))
    steps = [ord(b) - ord(a) for a, b in pairwise(key)]
    return len(key) * min(math.log2(alphabet), _shannon(key), _shannon(steps))


def _shannon(items) -> float:
    counts = Counter(items).values()
    total = sum(counts)
    return sum(count / total * math.log2(total / count) for count in counts)


def _local_secret(instance: Path) -> str:
    """A random key generated once into instance/ so that local sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
