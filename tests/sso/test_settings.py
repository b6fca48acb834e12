"""SSO settings are checked at start-up: an inconsistent or unsafe one is refused, naming the setting."""

import ipaddress

import pytest

from learning.config import ConfigError, load_settings
from tests.conftest import production_env

OIDC = {"OIDC_ISSUER": "https://login.example.com/tenant/v2.0", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"}
HEADER = {
    "TRUSTED_HEADER": "X-Remote-User",
    "TRUSTED_HEADER_PROXIES": "10.0.0.5 10.1.0.0/16",
    "TRUSTED_HEADER_SECRET": "x" * 40,
}


def test_sso_is_off_by_default(tmp_path):
    sso = load_settings(production_env(tmp_path)).sso
    assert not sso.enabled and sso.local_sign_in == "on" and sso.password_allowed("anyone")


def test_settings_are_read(tmp_path):
    env = production_env(
        tmp_path,
        **OIDC,
        **HEADER,
        OIDC_MFA_AMR="mfa, otp",
        PASSWORD_SIGNIN="off",
        PASSWORD_SIGNIN_BREAK_GLASS="Root-BG E1",
    )
    sso = load_settings(env).sso
    assert sso.oidc and sso.header and sso.oidc_mfa_values == ("mfa", "otp")
    assert sso.trusted_proxies == (ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("10.1.0.0/16"))
    assert sso.password_allowed("root-bg") and sso.password_allowed("e1") and not sso.password_allowed("E2")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OIDC_ISSUER": "https://idp.example"}, "OIDC_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "c"}, "OIDC_ISSUER"),
        ({**OIDC, "OIDC_ISSUER": "http://idp.example"}, "https://"),
        ({**OIDC, "OIDC_SCOPES": "email"}, "OIDC_SCOPES"),
        ({**OIDC, "OIDC_MATCH": "name"}, "OIDC_MATCH"),
        ({"TRUSTED_HEADER": "X-Remote-User", "TRUSTED_HEADER_SECRET": "x" * 40}, "TRUSTED_HEADER_PROXIES"),
        ({**HEADER, "TRUSTED_HEADER_SECRET": "short"}, "TRUSTED_HEADER_SECRET"),
        ({**HEADER, "TRUSTED_HEADER_PROXIES": "proxy.example"}, "TRUSTED_HEADER_PROXIES"),
        ({"PASSWORD_SIGNIN": "off"}, "PASSWORD_SIGNIN"),
        ({**OIDC, "PASSWORD_SIGNIN": "sometimes"}, "PASSWORD_SIGNIN"),
        ({**OIDC, "PASSWORD_SIGNIN_BREAK_GLASS": "root"}, "PASSWORD_SIGNIN_BREAK_GLASS"),
    ],
)
def test_inconsistent_settings_are_refused_naming_the_setting(tmp_path, env, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(production_env(tmp_path, **env))
