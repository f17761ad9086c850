"""The access-token verifier: every refusal has its exact code, and the accepted shapes.

Tokens are built here byte by byte (not with a JWT library's encoder), so that the
attacks can say exactly what they send. The clock is a fixed float.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, KeySet, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from intelgraph.auth.errors import AuthError
from intelgraph.auth.jwks import StaticJwks
from intelgraph.auth.jwt import ALLOWED_ALGORITHMS, IssuerConfig, TokenVerifier, VerifiedToken

NOW = 1_800_000_000.0
LEEWAY = 30
ISS = "https://issuer.example"
ISS_B = "https://other.example"
AUD = "intelgraph"
DROP = object()  # marks a header parameter or claim to leave out

ED = OKPKey.generate_key("Ed25519", {"kid": "ed-1"})
EC = ECKey.generate_key("P-256", {"kid": "ec-1"})
RSA = RSAKey.generate_key(2048, {"kid": "rsa-1"})
EC_384 = ECKey.generate_key("P-384", {"kid": "ec-384"})
ED_TAGGED = OKPKey.generate_key("Ed25519", {"kid": "ed-tagged", "alg": "Ed25519"})
ED_ENC = OKPKey.generate_key("Ed25519", {"kid": "ed-enc", "use": "enc"})
with warnings.catch_warnings():  # joserfc warns about the deliberately weak key
    warnings.simplefilter("ignore", SecurityWarning)
    RSA_1024 = RSAKey.generate_key(1024, {"kid": "rsa-1024"})
IMPOSTOR = OKPKey.generate_key("Ed25519", {"kid": "ed-1"})  # same kid, not the issuer's key
ATTACKER = OKPKey.generate_key("Ed25519", {"kid": "attacker"})
B_SAME_KID = OKPKey.generate_key("Ed25519", {"kid": "ed-1"})  # issuer B's own "ed-1"
B_KEY = OKPKey.generate_key("Ed25519", {"kid": "b-1"})


def public(key: Key) -> Key:
    with warnings.catch_warnings():  # importing the weak key warns again
        warnings.simplefilter("ignore", SecurityWarning)
        return type(key).import_key(key.as_dict(private=False))


KEYS_A = KeySet([public(k) for k in (ED, EC, RSA, EC_384, ED_TAGGED, ED_ENC, RSA_1024)])
KEYS_B = KeySet([public(B_SAME_KID), public(B_KEY)])
KEYS_ES_ONLY = KeySet([public(EC)])
ISS_ES_ONLY = "https://es-only.example"
ISS_ANY_TYP = "https://any-typ.example"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64(json.dumps(value).encode())


def header(**over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"alg": "Ed25519", "kid": "ed-1", "typ": "at+jwt"}
    out.update(over)
    return {k: v for k, v in out.items() if v is not DROP}


def claims(**over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"iss": ISS, "aud": AUD, "sub": "alice", "iat": NOW - 10}
    out["exp"] = NOW + 300
    out.update(over)
    return {k: v for k, v in out.items() if v is not DROP}


def sign_input(signing_input: str, alg: str, key: Key) -> str:
    """The signature segment; the class-level algorithm table avoids registry warnings."""
    return b64(JWSRegistry.algorithms[alg].sign(signing_input.encode("ascii"), key))


def make(
    hdr: dict[str, Any] | None = None,
    cl: dict[str, Any] | None = None,
    key: Key = ED,
    sign_alg: str | None = None,
) -> str:
    """A token signed with ``key`` by ``sign_alg`` (by default the header's alg)."""
    hdr = header() if hdr is None else hdr
    signing_input = f"{b64json(hdr)}.{b64json(claims() if cl is None else cl)}"
    return f"{signing_input}.{sign_input(signing_input, sign_alg or hdr['alg'], key)}"


def raw(header_segment: str, payload_segment: str, key: Key = ED, alg: str = "Ed25519") -> str:
    """A token from ready-made segments, signed properly so that only they are at fault."""
    signing_input = f"{header_segment}.{payload_segment}"
    return f"{signing_input}.{sign_input(signing_input, alg, key)}"


def hmac_token(alg: str, secret: bytes, kid: str = "ed-1") -> str:
    """The key-confusion attack: HMAC keyed with bytes of the issuer's *public* key."""
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    signing_input = f"{b64json(header(alg=alg, kid=kid))}.{b64json(claims())}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), digest).digest())}"


def none_token(alg: str, with_signature: bool) -> str:
    signing_input = f"{b64json(header(alg=alg))}.{b64json(claims())}"
    signature = sign_input(signing_input, "Ed25519", ED) if with_signature else ""
    return f"{signing_input}.{signature}"


def tamper_payload() -> str:
    head, _, signature = make().split(".")
    return f"{head}.{b64json(claims(sub='mallory'))}.{signature}"


def flip_signature_bit() -> str:
    head, payload, signature = make().split(".")
    sig = bytearray(base64.urlsafe_b64decode(signature + "=="))
    sig[10] ^= 0x01
    return f"{head}.{payload}.{b64(bytes(sig))}"


def with_signature(signature: str) -> str:
    head, payload, _ = make().split(".")
    return f"{head}.{payload}.{signature}"


ED_PUBLIC_JSON = json.dumps(ED.as_dict(private=False)).encode()
ED_PUBLIC_RAW = ED.public_key.public_bytes_raw()
RSA_PUBLIC_PEM = RSA.as_pem(private=False)
NESTED = b64(b'{"iss":"' + ISS.encode() + b'","x":' + b"[" * 5000 + b"]" * 5000 + b"}")

T = Callable[[], str]
NEGATIVE: list[Any] = [
    # shape
    pytest.param(lambda: "", "token_missing", id="empty"),
    pytest.param(lambda: make().rsplit(".", 1)[0], "token_malformed", id="two-segments"),
    pytest.param(lambda: make() + ".AAAA", "token_malformed", id="four-segments"),
    pytest.param(lambda: make().replace(".", ""), "token_malformed", id="one-segment"),
    pytest.param(lambda: "eyJ*" + make()[4:], "token_malformed", id="non-base64-header"),
    pytest.param(lambda: raw(b64json(header()), "eyJ!!"), "token_malformed", id="non-b64-body"),
    pytest.param(
        lambda: raw(b64json(header()) + "=", b64json(claims())),
        "token_malformed",
        id="padded-segment",
    ),
    pytest.param(lambda: "Bearer " + make(), "token_malformed", id="bearer-prefix-kept"),
    pytest.param(lambda: make() + "\n", "token_malformed", id="trailing-newline"),
    pytest.param(lambda: "é" + make(), "token_malformed", id="non-ascii"),
    pytest.param(
        lambda: raw(b64(b"{alg: Ed25519}"), b64json(claims())),
        "token_malformed",
        id="header-not-json",
    ),
    pytest.param(
        lambda: raw(b64json(["Ed25519"]), b64json(claims())),
        "token_malformed",
        id="header-json-list",
    ),
    pytest.param(
        lambda: raw(b64json("Ed25519"), b64json(claims())),
        "token_malformed",
        id="header-json-string",
    ),
    pytest.param(
        lambda: raw(b64(b'{"alg":"none","alg":"Ed25519","kid":"ed-1"}'), b64json(claims())),
        "token_malformed",
        id="header-duplicate-alg",
    ),
    pytest.param(
        lambda: raw(b64json(header()), b64(b"not json")), "token_malformed", id="payload-not-json"
    ),
    pytest.param(
        lambda: raw(b64json(header()), b64json([claims()])),
        "token_malformed",
        id="payload-json-list",
    ),
    pytest.param(
        lambda: raw(b64json(header()), b64(b'{"iss":"' + ISS.encode() + b'","exp":NaN}')),
        "token_malformed",
        id="payload-nan",
    ),
    pytest.param(lambda: raw(b64json(header()), NESTED), "token_malformed", id="payload-deep"),
    pytest.param(lambda: make(cl=claims(pad="x" * 20000)), "token_malformed", id="oversized"),
    # algorithm
    *[
        pytest.param(
            lambda alg=alg, sig=sig: none_token(alg, sig),
            "token_algorithm_refused",
            id=f"alg-{alg}-{'signed' if sig else 'unsigned'}",
        )
        for alg in ("none", "None", "NONE", "nOnE")
        for sig in (False, True)
    ],
    *[
        pytest.param(
            lambda alg=alg: hmac_token(alg, ED_PUBLIC_JSON),
            "token_algorithm_refused",
            id=f"{alg}-keyed-with-public-jwk",
        )
        for alg in ("HS256", "HS384", "HS512")
    ],
    pytest.param(
        lambda: hmac_token("HS256", ED_PUBLIC_RAW),
        "token_algorithm_refused",
        id="HS256-keyed-with-raw-ed25519",
    ),
    pytest.param(
        lambda: hmac_token("HS256", RSA_PUBLIC_PEM, "rsa-1"),
        "token_algorithm_refused",
        id="HS256-keyed-with-rsa-pem",
    ),
    pytest.param(
        lambda: make(header(alg="PS256", kid="rsa-1"), key=RSA),
        "token_algorithm_refused",
        id="PS256",
    ),
    pytest.param(
        lambda: make(header(alg="RS512", kid="rsa-1"), key=RSA),
        "token_algorithm_refused",
        id="RS512",
    ),
    pytest.param(
        lambda: make(header(alg="ES384", kid="ec-384"), key=EC_384),
        "token_algorithm_refused",
        id="ES384",
    ),
    pytest.param(
        lambda: f"{b64json(header(alg='ES512'))}.{b64json(claims())}.AAAA",
        "token_algorithm_refused",
        id="ES512",
    ),
    pytest.param(
        lambda: make(header(alg="ed25519"), sign_alg="Ed25519"),
        "token_algorithm_refused",
        id="alg-lowercase",
    ),
    pytest.param(
        lambda: make(header(alg="Ed25519 "), sign_alg="Ed25519"),
        "token_algorithm_refused",
        id="alg-space",
    ),
    pytest.param(
        lambda: raw(b64json(header(alg=DROP)), b64json(claims())),
        "token_algorithm_refused",
        id="alg-absent",
    ),
    pytest.param(
        lambda: raw(b64json(header(alg=["Ed25519"])), b64json(claims())),
        "token_algorithm_refused",
        id="alg-list",
    ),
    pytest.param(
        lambda: make(header(alg="ES256", kid="rsa-1"), key=EC),
        "token_algorithm_refused",
        id="kid-rsa-key-alg-es256",
    ),
    pytest.param(
        lambda: make(header(alg="RS256", kid="ed-1"), key=RSA),
        "token_algorithm_refused",
        id="kid-okp-key-alg-rs256",
    ),
    pytest.param(
        lambda: make(header(alg="RS256", kid="rsa-1024"), key=RSA_1024),
        "token_algorithm_refused",
        id="rsa-1024-bit-key",
    ),
    pytest.param(
        lambda: make(header(alg="ES256", kid="ec-384"), key=EC_384),
        "token_algorithm_refused",
        id="es256-with-p384-key",
    ),
    pytest.param(
        lambda: make(header(alg="EdDSA", kid="ed-tagged"), key=ED_TAGGED),
        "token_algorithm_refused",
        id="key-alg-member-differs",
    ),
    pytest.param(
        lambda: make(header(kid="ed-enc"), key=ED_ENC),
        "token_algorithm_refused",
        id="encryption-key",
    ),
    pytest.param(
        lambda: make(cl=claims(iss=ISS_ES_ONLY)),
        "token_algorithm_refused",
        id="alg-not-on-issuer-list",
    ),
    # header parameters that would choose the key
    pytest.param(
        lambda: make(header(jku="https://evil.example/jwks.json")), "token_header_refused", id="jku"
    ),
    pytest.param(
        lambda: make(header(x5u="https://evil.example/cert.pem")), "token_header_refused", id="x5u"
    ),
    pytest.param(
        lambda: make(header(kid="attacker", jwk=ATTACKER.as_dict(private=False)), key=ATTACKER),
        "token_header_refused",
        id="jwk-own-key",
    ),
    pytest.param(
        lambda: make(header(x5c=["MIIBszCCAVmgAwIBAgIUQ"])), "token_header_refused", id="x5c"
    ),
    pytest.param(lambda: make(header(x5t="dGh1bWI")), "token_header_refused", id="x5t"),
    pytest.param(
        lambda: make(header(**{"x5t#S256": "dGh1bWI"})), "token_header_refused", id="x5t-S256"
    ),
    pytest.param(lambda: make(header(crit=["exp"], exp=NOW)), "token_header_refused", id="crit"),
    pytest.param(lambda: make(header(b64=False)), "token_header_refused", id="b64-false"),
    # issuer
    pytest.param(
        lambda: make(cl=claims(iss="https://evil.example")), "token_issuer_unknown", id="wrong-iss"
    ),
    pytest.param(
        lambda: make(cl=claims(iss=ISS + "/")), "token_issuer_unknown", id="iss-trailing-slash"
    ),
    pytest.param(lambda: make(cl=claims(iss=DROP)), "token_issuer_unknown", id="iss-absent"),
    pytest.param(lambda: make(cl=claims(iss=[ISS])), "token_issuer_unknown", id="iss-list"),
    # keys
    pytest.param(lambda: make(header(kid="nope")), "token_key_unknown", id="unknown-kid"),
    pytest.param(lambda: make(header(kid=DROP)), "token_key_unknown", id="kid-absent"),
    pytest.param(lambda: make(header(kid="")), "token_key_unknown", id="kid-empty"),
    pytest.param(lambda: make(header(kid=1)), "token_key_unknown", id="kid-number"),
    pytest.param(
        lambda: make(header(alg="ES256", kid="ec-1"), claims(iss=ISS_B), key=EC),
        "token_key_unknown",
        id="issuer-a-token-with-iss-b",
    ),
    # signature
    pytest.param(
        lambda: make(cl=claims(iss=ISS_B)),
        "token_signature_invalid",
        id="issuer-a-key-iss-b-same-kid",
    ),
    pytest.param(lambda: make(key=IMPOSTOR), "token_signature_invalid", id="same-kid-other-key"),
    pytest.param(tamper_payload, "token_signature_invalid", id="tampered-payload"),
    pytest.param(flip_signature_bit, "token_signature_invalid", id="signature-bit-flipped"),
    pytest.param(lambda: make()[:-8], "token_signature_invalid", id="signature-truncated"),
    pytest.param(lambda: with_signature(""), "token_signature_invalid", id="signature-empty"),
    pytest.param(lambda: with_signature("a+b/"), "token_malformed", id="signature-not-b64"),
    pytest.param(
        lambda: make(header(alg="ES256", kid="ec-1"), key=IMPOSTOR, sign_alg="Ed25519"),
        "token_signature_invalid",
        id="es256-header-ed25519-signature",
    ),
    # type
    *[
        pytest.param(lambda typ=typ: make(header(typ=typ)), "token_type_refused", id=f"typ-{typ}")
        for typ in ("JWT", "id_token", "refresh+jwt", "application/jwt", "at+jwt+x", 7)
    ],
    pytest.param(lambda: make(header(typ=DROP)), "token_type_refused", id="typ-absent"),
    # claims
    *[
        pytest.param(
            lambda name=name: make(cl=claims(**{name: DROP})),
            "token_claims_invalid",
            id=f"{name}-absent",
        )
        for name in ("aud", "exp", "iat", "sub")
    ],
    pytest.param(
        lambda: make(cl=claims(exp=str(int(NOW + 300)))), "token_claims_invalid", id="exp-string"
    ),
    pytest.param(lambda: make(cl=claims(exp=True)), "token_claims_invalid", id="exp-bool"),
    pytest.param(lambda: make(cl=claims(exp=None)), "token_claims_invalid", id="exp-null"),
    pytest.param(
        lambda: raw(
            b64json(header()),
            b64(json.dumps(claims(exp=1)).replace('"exp": 1', '"exp": 1e400').encode()),
        ),
        "token_claims_invalid",
        id="exp-infinite",
    ),
    pytest.param(lambda: make(cl=claims(nbf="soon")), "token_claims_invalid", id="nbf-string"),
    pytest.param(lambda: make(cl=claims(iat=False)), "token_claims_invalid", id="iat-bool"),
    pytest.param(lambda: make(cl=claims(sub="")), "token_claims_invalid", id="sub-empty"),
    pytest.param(lambda: make(cl=claims(sub=42)), "token_claims_invalid", id="sub-number"),
    pytest.param(lambda: make(cl=claims(aud=42)), "token_claims_invalid", id="aud-number"),
    pytest.param(lambda: make(cl=claims(aud=[AUD, 1])), "token_claims_invalid", id="aud-list-int"),
    pytest.param(lambda: make(cl=claims(aud="other")), "token_audience_mismatch", id="wrong-aud"),
    pytest.param(
        lambda: make(cl=claims(aud=["a", "b"])),
        "token_audience_mismatch",
        id="aud-list-without-ours",
    ),
    pytest.param(lambda: make(cl=claims(aud=[])), "token_audience_mismatch", id="aud-empty-list"),
    pytest.param(
        lambda: make(cl=claims(aud=AUD.upper())), "token_audience_mismatch", id="aud-case-differs"
    ),
    pytest.param(
        lambda: make(cl=claims(exp=NOW - LEEWAY - 1)), "token_expired", id="exp-beyond-leeway"
    ),
    pytest.param(lambda: make(cl=claims(exp=NOW - LEEWAY)), "token_expired", id="exp-at-leeway"),
    pytest.param(
        lambda: make(cl=claims(nbf=NOW + LEEWAY + 1)), "token_not_yet_valid", id="nbf-beyond-leeway"
    ),
    pytest.param(
        lambda: make(cl=claims(iat=NOW + LEEWAY + 1)), "token_not_yet_valid", id="iat-future"
    ),
]


def build_verifier(clock: Callable[[], float] = lambda: NOW) -> TokenVerifier:
    return TokenVerifier(
        [
            IssuerConfig(ISS, AUD, StaticJwks(lambda: KEYS_A), leeway_seconds=LEEWAY),
            IssuerConfig(ISS_B, AUD, StaticJwks(lambda: KEYS_B)),
            IssuerConfig(ISS_ES_ONLY, AUD, StaticJwks(lambda: KEYS_ES_ONLY), algorithms=("ES256",)),
            IssuerConfig(ISS_ANY_TYP, AUD, StaticJwks(lambda: KEYS_A), token_types=()),
        ],
        clock=clock,
    )


VERIFIER = build_verifier()


def refusal(token: str) -> str:
    with pytest.raises(AuthError) as caught:
        VERIFIER.verify(token)
    assert type(caught.value) is AuthError
    return caught.value.code


def test_the_negative_suite_is_large_and_distinct() -> None:
    ids = [p.id for p in NEGATIVE]
    assert len(ids) == len(set(ids)) >= 45


@pytest.mark.parametrize(("build", "code"), NEGATIVE)
def test_refused_with_exact_code(build: T, code: str) -> None:
    assert refusal(build()) == code


POSITIVE: list[Any] = [
    pytest.param(lambda: make(), id="Ed25519"),
    pytest.param(lambda: make(header(alg="EdDSA")), id="EdDSA"),
    pytest.param(lambda: make(header(alg="ES256", kid="ec-1"), key=EC), id="ES256"),
    pytest.param(lambda: make(header(alg="RS256", kid="rsa-1"), key=RSA), id="RS256"),
    pytest.param(
        lambda: make(header(alg="ES256", kid="ec-1"), claims(iss=ISS_ES_ONLY), key=EC),
        id="ES256-only-issuer",
    ),
    pytest.param(lambda: make(cl=claims(aud=["other", AUD])), id="aud-list"),
    pytest.param(lambda: make(header(typ="application/at+jwt")), id="typ-media-type"),
    pytest.param(lambda: make(header(typ="AT+JWT")), id="typ-case-insensitive"),
    pytest.param(lambda: make(header(typ="JWT"), claims(iss=ISS_ANY_TYP)), id="typ-unchecked"),
    pytest.param(lambda: make(header(typ=DROP), claims(iss=ISS_ANY_TYP)), id="typ-absent-ok"),
    pytest.param(lambda: make(header(cty="json", b64=True)), id="harmless-header-params"),
    pytest.param(lambda: make(cl=claims(exp=NOW - LEEWAY + 1)), id="exp-within-leeway"),
    pytest.param(lambda: make(cl=claims(nbf=NOW + LEEWAY - 1)), id="nbf-within-leeway"),
    pytest.param(lambda: make(cl=claims(iat=NOW + LEEWAY)), id="iat-at-leeway"),
    pytest.param(lambda: make(cl=claims(exp=int(NOW) + 60, iat=int(NOW))), id="integer-times"),
]


@pytest.mark.parametrize("build", POSITIVE)
def test_accepted(build: T, recwarn: pytest.WarningsRecorder) -> None:
    token = build()
    verified = VERIFIER.verify(token)
    assert isinstance(verified, VerifiedToken)
    head, payload, _ = token.split(".")
    assert verified.header == json.loads(base64.urlsafe_b64decode(head + "=="))
    assert verified.claims == json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert verified.issuer.issuer == verified.claims["iss"]
    assert not [w for w in recwarn if issubclass(w.category, SecurityWarning)]


def test_static_jwks_sees_rotation_at_once() -> None:
    current = {"keys": KeySet([public(ED)])}
    verifier = TokenVerifier(
        [IssuerConfig(ISS, AUD, StaticJwks(lambda: current["keys"]))], clock=lambda: NOW
    )
    rotated = OKPKey.generate_key("Ed25519", {"kid": "ed-2"})
    new_token = make(header(kid="ed-2"), key=rotated)
    with pytest.raises(AuthError, match="ed-2") as caught:
        verifier.verify(new_token)
    assert caught.value.code == "token_key_unknown"
    current["keys"] = KeySet([public(rotated)])
    assert verifier.verify(new_token).claims["sub"] == "alice"
    with pytest.raises(AuthError) as caught:
        verifier.verify(make())
    assert caught.value.code == "token_key_unknown"


def test_clock_is_read_per_call() -> None:
    now = {"t": NOW}
    verifier = build_verifier(lambda: now["t"])
    token = make(cl=claims(exp=NOW + 60))
    assert verifier.verify(token).claims["exp"] == NOW + 60
    now["t"] = NOW + 60 + LEEWAY
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    assert caught.value.code == "token_expired"


def test_max_token_bytes_is_configurable() -> None:
    token = make()
    small = TokenVerifier(
        [IssuerConfig(ISS, AUD, StaticJwks(lambda: KEYS_A))], max_token_bytes=len(token) - 1
    )
    with pytest.raises(AuthError) as caught:
        small.verify(token)
    assert caught.value.code == "token_malformed"


@pytest.mark.parametrize("algorithms", [("HS256",), ("none",), ("Ed25519", "PS256"), ()], ids=str)
def test_issuer_algorithms_must_be_pinned_subset(algorithms: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="subset"):
        IssuerConfig(ISS, AUD, StaticJwks(lambda: KEYS_A), algorithms=algorithms)


def test_allowed_algorithms_are_asymmetric_only() -> None:
    assert set(ALLOWED_ALGORITHMS) == {"Ed25519", "EdDSA", "ES256", "RS256"}


def test_an_issuer_is_configured_once() -> None:
    config = IssuerConfig(ISS, AUD, StaticJwks(lambda: KEYS_A))
    with pytest.raises(ValueError, match="once"):
        TokenVerifier([config, IssuerConfig(ISS, "other", StaticJwks(lambda: KEYS_B))])


SIGNERS: list[tuple[str, str, Key]] = [
    ("Ed25519", "ed-1", ED),
    ("ES256", "ec-1", EC),
    ("RS256", "rsa-1", RSA),
]
VALID = {alg: make(header(alg=alg, kid=kid), key=key) for alg, kid, key in SIGNERS}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alg=st.sampled_from(sorted(VALID)), data=st.data())
def test_any_single_byte_mutation_is_refused(alg: str, data: st.DataObject) -> None:
    token = VALID[alg]
    position = data.draw(st.integers(0, len(token) - 1), label="position")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != ord(token[position])), label="byte")
    mutated = token[:position] + chr(byte) + token[position + 1 :]
    try:
        verified = VERIFIER.verify(mutated)
    except AuthError:
        return
    # Only a mutation that decodes to the same bytes may pass, and then with the same claims.
    assert verified.claims == VERIFIER.verify(token).claims


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.lists(st.text(max_size=40), max_size=5).map(".".join))
def test_arbitrary_text_is_refused_with_an_auth_error(text: str) -> None:
    with pytest.raises(AuthError):
        VERIFIER.verify(text)


def test_messages_do_not_echo_long_attacker_values() -> None:
    with pytest.raises(AuthError) as caught:
        VERIFIER.verify(make(cl=claims(iss="https://evil.example/" + "A" * 5000)))
    assert caught.value.code == "token_issuer_unknown"
    assert len(caught.value.message) < 200
