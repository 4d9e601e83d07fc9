"""Business partners in the ERP: the retailer's customers that have a BP, their addresses and contacts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.settings import SandboxSettings
from sandbox.world import World

BP = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"


@pytest.fixture(scope="module")
def erp_app(world: World) -> Starlette:
    """One app for the module: these tests only read."""
    return create_app("erp", SandboxSettings(), world=world)


@pytest.fixture
async def erp(erp_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=erp_app)
    headers = {"Accept": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        yield client


async def test_every_customer_with_a_partner_number_is_a_person_partner(
    erp: httpx.AsyncClient, world: World
) -> None:
    response = await erp.get(f"{BP}/A_BusinessPartner", params={"$inlinecount": "allpages"})
    body = response.json()["d"]
    with_bp = [c for c in world.customers if c.erp_business_partner]
    assert body["__count"] == str(len(with_bp))
    by_number = {p["BusinessPartner"]: p for p in body["results"]}
    for customer in with_bp:
        partner = by_number[customer.erp_business_partner]
        assert partner["BusinessPartnerIDByExtSystem"] == customer.id
        assert partner["BusinessPartnerCategory"] == "1"
        assert partner["BusinessPartnerFullName"] == f"{customer.first_name} {customer.last_name}"
        assert partner["Customer"] == customer.erp_business_partner


async def test_a_partner_is_found_by_the_retailers_customer_number(
    erp: httpx.AsyncClient, world: World
) -> None:
    customer = next(c for c in world.customers if c.erp_business_partner)
    response = await erp.get(
        f"{BP}/A_BusinessPartner", params={"$filter": f"BusinessPartnerIDByExtSystem eq '{customer.id}'"}
    )
    assert [p["BusinessPartner"] for p in response.json()["d"]["results"]] == [customer.erp_business_partner]
    without = next(c for c in world.customers if not c.erp_business_partner)
    empty = await erp.get(
        f"{BP}/A_BusinessPartner", params={"$filter": f"BusinessPartnerIDByExtSystem eq '{without.id}'"}
    )
    assert empty.json()["d"]["results"] == []


async def test_addresses_split_street_and_house_number(erp: httpx.AsyncClient, world: World) -> None:
    customer = next(c for c in world.customers if c.erp_business_partner and len(c.addresses) == 2)
    response = await erp.get(
        f"{BP}/A_BusinessPartner('{customer.erp_business_partner}')/to_BusinessPartnerAddress"
    )
    addresses = response.json()["d"]["results"]
    assert [f"{a['HouseNumber']} {a['StreetName']}" for a in addresses] == [
        a.line1 for a in customer.addresses
    ]
    assert [a["PostalCode"] for a in addresses] == [a.postal_code for a in customer.addresses]
    assert [a["Region"] for a in addresses] == [a.region for a in customer.addresses]
    second = addresses[1]
    emails = await erp.get(
        f"{BP}/A_BusinessPartnerAddress(BusinessPartner='{customer.erp_business_partner}',"
        f"AddressID='{second['AddressID']}')/to_EmailAddress"
    )
    assert emails.json()["d"]["results"] == []


async def test_a_partner_without_a_postal_address_still_has_its_email(
    erp: httpx.AsyncClient, world: World
) -> None:
    customer = next(c for c in world.customers if c.erp_business_partner and not c.addresses)
    response = await erp.get(
        f"{BP}/A_BusinessPartner('{customer.erp_business_partner}')",
        params={
            "$expand": "to_BusinessPartnerAddress/to_EmailAddress",
            "$select": "BusinessPartner,to_BusinessPartnerAddress",
        },
    )
    [address] = response.json()["d"]["to_BusinessPartnerAddress"]["results"]
    assert address["Country"] == "US"
    assert address["StreetName"] == ""
    [email] = address["to_EmailAddress"]["results"]
    assert email["EmailAddress"] == customer.email
    by_key = await erp.get(
        f"{BP}/A_AddressEmailAddress(AddressID='{address['AddressID']}',Person='',OrdinalNumber='1')"
    )
    assert by_key.json()["d"]["EmailAddress"] == customer.email


async def test_the_customer_role_and_a_missing_partner(erp: httpx.AsyncClient, world: World) -> None:
    customer = next(c for c in world.customers if c.erp_business_partner)
    role = await erp.get(f"{BP}/A_Customer('{customer.erp_business_partner}')")
    assert role.json()["d"]["CustomerName"] == f"{customer.first_name} {customer.last_name}"
    assert (await erp.get(f"{BP}/A_BusinessPartner('0000000001')")).status_code == 404
    phones = await erp.get(
        f"{BP}/A_AddressPhoneNumber", params={"$filter": "startswith(InternationalPhoneNumber,'+1555')"}
    )
    numbers = {p["InternationalPhoneNumber"] for p in phones.json()["d"]["results"]}
    assert numbers == {c.phone for c in world.customers if c.erp_business_partner and c.phone}
