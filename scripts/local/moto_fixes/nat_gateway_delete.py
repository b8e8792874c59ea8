"""Deleting a NAT gateway releases its Elastic IP address and network interface.

moto: DeleteNatGateway only sets the gateway's state to ``deleted``; its Elastic IP stays
associated with the gateway's network interface forever, so ReleaseAddress is refused (and a
destroy never ends) and a new NAT gateway cannot use the address. Deleting an unknown gateway
is an HTTP 500.

AWS: the gateway stays visible as ``deleted`` for a while, but its network interface is
deleted and its Elastic IP disassociated, ready to be released or reused. An unknown id is
``NatGatewayNotFound``.
"""

from typing import Any, Callable

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.nat_gateways import NatGatewayBackend

from ._patch import replace

NAME = "nat-gateway-delete-releases-address"


def _build(delete_nat_gateway: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: Any, nat_gateway_id: str) -> Any:
        gateway = self.nat_gateways.get(nat_gateway_id)
        if gateway is None:
            raise EC2ClientError(
                "NatGatewayNotFound", f"The Nat Gateway {nat_gateway_id} was not found"
            )
        already_deleted = gateway.state == "deleted"
        gateway = delete_nat_gateway(self, nat_gateway_id)
        if already_deleted:
            return gateway
        for address in gateway.address_set:
            association_id = address.pop("associationId", None)
            if association_id and any(
                eip.association_id == association_id for eip in self.addresses
            ):
                self.disassociate_address(association_id=association_id)
        eni = getattr(gateway, "_eni", None)
        if eni is not None and eni.id in self.enis:
            self.delete_network_interface(eni.id)
        return gateway

    return patched


def apply() -> None:
    """apply makes DeleteNatGateway free the address and interface the gateway held."""
    replace(NatGatewayBackend, "delete_nat_gateway", _build)
