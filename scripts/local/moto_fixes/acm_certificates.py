"""The examples' ACM certificate exists.

moto: ACM starts empty, and an HTTPS listener whose certificate ARN is not in ACM is refused
(``CertificateNotFound``), so a spec naming a certificate cannot be applied locally.

AWS: the account holds the certificates its owner imported or requested. The local cloud's
account holds one imported, self-signed certificate for ``logging.example.com`` in every
region, at ``arn:aws:acm:<region>:<account>:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789``
(the ARN specs/examples/production.yaml names). It is there from the start and after a reset.
"""

import datetime
from typing import Any, Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from moto.acm.models import AWSCertificateManagerBackend, CertBundle
from moto.utilities.utils import get_partition

from ._patch import replace

NAME = "acm-example-certificate"

CERTIFICATE_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
DOMAIN = "logging.example.com"

_pem: tuple[bytes, bytes] | None = None


def certificate_arn(region: str, account_id: str) -> str:
    """certificate_arn is where the example certificate lives in a region of an account."""
    return f"arn:{get_partition(region)}:acm:{region}:{account_id}:certificate/{CERTIFICATE_ID}"


def self_signed() -> tuple[bytes, bytes]:
    """self_signed returns (certificate, private key) in PEM, made once per process."""
    global _pem
    if _pem is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)])
        now = datetime.datetime.now(datetime.timezone.utc)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(DOMAIN), x509.DNSName("*.example.com")]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        _pem = (
            certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ),
        )
    return _pem


def _build(init: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, region_name: str, account_id: str) -> None:
        init(self, region_name, account_id)
        certificate, private_key = self_signed()
        arn = certificate_arn(region_name, account_id)
        self._certificates[arn] = CertBundle(
            account_id, certificate, private_key, region=region_name, arn=arn
        )

    return patched


def apply() -> None:
    """apply makes every ACM backend (each region, each account) start with the certificate."""
    replace(AWSCertificateManagerBackend, "__init__", _build)
