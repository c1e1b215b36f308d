"""Who the client is: X-Forwarded-For is believed from our own proxies only."""

import ipaddress

import pytest
from django.core import checks
from django.test import RequestFactory

from ..client_ip import (
    DEFAULT_TRUSTED_PROXIES,
    client_ip,
    client_ip_from,
    parse_trusted_proxies,
    trusted_networks_from_env,
)
from ..middleware import ForwardedProtoMiddleware

DEFAULT = parse_trusted_proxies(",".join(DEFAULT_TRUSTED_PROXIES))
PROXY = parse_trusted_proxies("192.0.2.1,10.0.0.0/8")


def test_a_client_that_connects_directly_is_its_own_address_whatever_it_claims():
    assert client_ip_from("203.0.113.9", "198.51.100.1", PROXY) == "203.0.113.9"


def test_behind_our_proxy_the_client_is_the_address_the_proxy_appended():
    # The client wrote 198.51.100.1 itself; our proxy appended the address it saw.
    assert client_ip_from("192.0.2.1", "198.51.100.1, 203.0.113.9", PROXY) == "203.0.113.9"


def test_a_chain_of_our_proxies_is_walked_from_the_right():
    chain = "198.51.100.1, 203.0.113.9, 10.1.2.3, 10.4.5.6"

    assert client_ip_from("192.0.2.1", chain, PROXY) == "203.0.113.9"


def test_without_a_header_or_with_garbage_the_last_address_we_can_vouch_for_counts():
    assert client_ip_from("192.0.2.1", "", PROXY) == "192.0.2.1"
    assert client_ip_from("192.0.2.1", "not-an-ip, 10.1.2.3", PROXY) == "10.1.2.3"


def test_ipv6_and_ipv4_mapped_peers_are_matched_against_the_networks():
    networks = parse_trusted_proxies("127.0.0.1,2001:db8::/32")

    assert client_ip_from("::ffff:127.0.0.1", "203.0.113.9", networks) == "203.0.113.9"
    assert client_ip_from("2001:db8::5", "2001:db9::1", networks) == "2001:db9::1"


def test_a_unix_socket_peer_is_a_local_process_our_proxy():
    assert client_ip_from("", "203.0.113.9", PROXY) == "203.0.113.9"
    assert client_ip_from("", "", PROXY) == ""


def test_no_trusted_proxy_at_all_means_every_peer_is_the_client():
    assert client_ip_from("127.0.0.1", "203.0.113.9", parse_trusted_proxies("")) == "127.0.0.1"


def test_the_default_trusts_loopback_and_private_networks_never_public_ones():
    assert client_ip_from("127.0.0.1", "203.0.113.9", DEFAULT) == "203.0.113.9"
    assert client_ip_from("172.18.0.1", "203.0.113.9", DEFAULT) == "203.0.113.9"
    assert client_ip_from("203.0.113.1", "198.51.100.1", DEFAULT) == "203.0.113.1"
    assert trusted_networks_from_env({}) == DEFAULT
    assert trusted_networks_from_env({"TRUSTED_PROXIES": ""}) == ()


def test_the_request_function_reads_the_settings(settings):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("192.0.2.1")
    factory = RequestFactory()
    spoofed = "198.51.100.1"

    trusted = factory.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=spoofed)
    untrusted = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=spoofed)
    assert client_ip(trusted) == "198.51.100.1"
    assert client_ip(untrusted) == "127.0.0.1"


def test_a_malformed_entry_is_refused_naming_the_variable():
    with pytest.raises(ValueError, match=r"TRUSTED_PROXIES has '10\.0\.0\.300'"):
        parse_trusted_proxies("127.0.0.1, 10.0.0.300")


def test_trusting_everyone_is_a_warning(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)
    assert not [m for m in checks.run_checks() if m.id == "core.W001"]

    settings.TRUSTED_PROXIES = parse_trusted_proxies("127.0.0.1,0.0.0.0/0")
    [warning] = [m for m in checks.run_checks() if m.id == "core.W001"]
    assert "0.0.0.0/0" in warning.msg


def test_a_malformed_trusted_proxies_variable_fails_at_start_up_naming_it(django_process):
    result = django_process.manage(
        "check", settings="test", TRUSTED_PROXIES="127.0.0.1,proxy.internal"
    )

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
    assert "proxy.internal" in result.stderr


def test_trusting_everyone_from_the_environment_fails_the_check_at_warning_level(django_process):
    result = django_process.manage(
        "check", "--fail-level", "WARNING", settings="test", TRUSTED_PROXIES="::/0"
    )

    assert result.returncode != 0
    assert "core.W001" in result.stderr


@pytest.mark.parametrize(
    ("peer", "secure"),
    [("192.0.2.1", True), ("203.0.113.9", False)],
    ids=["from-our-proxy", "from-a-direct-client"],
)
def test_x_forwarded_proto_is_believed_from_our_proxies_only(settings, peer, secure):
    settings.TRUSTED_PROXIES = PROXY
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_PROTO="https")
    seen = []

    ForwardedProtoMiddleware(lambda request: seen.append(request.is_secure()))(request)

    assert seen == [secure]
