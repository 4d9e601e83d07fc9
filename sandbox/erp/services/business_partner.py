"""``API_BUSINESS_PARTNER``: customers as business partners (read-only).

* ``A_BusinessPartner('<bp>')``: BusinessPartnerCategory 1 (person),
  FirstName, LastName, BusinessPartnerFullName, BusinessPartnerIDByExtSystem
  (the retailer's customer number, C000123), CreationDate;
  ``to_BusinessPartnerAddress`` and ``to_Customer``;
* ``A_BusinessPartnerAddress(BusinessPartner,AddressID)``: StreetName,
  HouseNumber (split from the first address line), HouseNumberSupplementText
  (the second line), CityName, PostalCode, Region, Country; the first address
  carries ``to_EmailAddress`` and ``to_PhoneNumber`` (a partner without a postal
  address still has one, with only the country, to hold them);
* ``A_AddressEmailAddress`` / ``A_AddressPhoneNumber`` (AddressID, Person, OrdinalNumber);
* ``A_Customer('<bp>')``: the customer role, Customer = the BP number.

Seeded from the world's customers that have ``erp_business_partner``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.erp.catalog import Catalog
from sandbox.erp.odata.edm import EntityType, Nav, Row, boolean, date, string
from sandbox.erp.odata.entityset import EntitySet, Navigated
from sandbox.erp.odata.filter import Hints
from sandbox.erp.odata.service import Service
from sandbox.erp.odata.values import day
from sandbox.world import Address, Customer

__all__ = ["business_partner_service"]

PARTNER = EntityType(
    "A_BusinessPartnerType",
    "A_BusinessPartner",
    ("BusinessPartner",),
    (
        string("BusinessPartner", 10, label="Business Partner"),
        string("Customer", 10),
        string("BusinessPartnerCategory", 1),
        string("BusinessPartnerFullName", 81),
        string("BusinessPartnerGrouping", 4),
        string("BusinessPartnerName", 81),
        string("CorrespondenceLanguage", 2),
        date("CreationDate"),
        string("FirstName", 40),
        string("LastName", 40),
        string("IsNaturalPerson", 1),
        boolean("BusinessPartnerIsBlocked"),
        string("SearchTerm1", 20),
        string("BusinessPartnerIDByExtSystem", 20),
    ),
    (
        Nav("to_BusinessPartnerAddress", "A_BusinessPartnerAddress", many=True),
        Nav("to_Customer", "A_Customer", many=False),
    ),
    label="Business Partner",
)

ADDRESS = EntityType(
    "A_BusinessPartnerAddressType",
    "A_BusinessPartnerAddress",
    ("BusinessPartner", "AddressID"),
    (
        string("BusinessPartner", 10),
        string("AddressID", 10),
        string("StreetName", 60),
        string("HouseNumber", 10),
        string("HouseNumberSupplementText", 10),
        string("CityName", 40),
        string("PostalCode", 10),
        string("Region", 3),
        string("Country", 3),
        string("Language", 2),
    ),
    (
        Nav("to_EmailAddress", "A_AddressEmailAddress", many=True),
        Nav("to_PhoneNumber", "A_AddressPhoneNumber", many=True),
    ),
    label="Business Partner Address",
)

_COMM_KEYS = (string("AddressID", 10), string("Person", 10), string("OrdinalNumber", 3))
EMAIL = EntityType(
    "A_AddressEmailAddressType",
    "A_AddressEmailAddress",
    ("AddressID", "Person", "OrdinalNumber"),
    (
        *_COMM_KEYS,
        boolean("IsDefaultEmailAddress"),
        string("EmailAddress", 241),
        string("SearchEmailAddress", 20),
    ),
    label="Email Address",
)
PHONE = EntityType(
    "A_AddressPhoneNumberType",
    "A_AddressPhoneNumber",
    ("AddressID", "Person", "OrdinalNumber"),
    (
        *_COMM_KEYS,
        string("DestinationLocationCountry", 3),
        boolean("IsDefaultPhoneNumber"),
        string("PhoneNumber", 30),
        string("PhoneNumberExtension", 10),
        string("InternationalPhoneNumber", 30),
    ),
    label="Phone Number",
)
CUSTOMER = EntityType(
    "A_CustomerType",
    "A_Customer",
    ("Customer",),
    (
        string("Customer", 10),
        string("CustomerName", 80),
        string("CustomerFullName", 220),
        string("CustomerAccountGroup", 4),
        date("CreationDate"),
        boolean("DeletionIndicator"),
        string("OrderIsBlockedForCustomer", 2),
    ),
    label="Customer",
)


class _Partners:
    """Row builders and indexes over the world's business partners."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_address: dict[str, tuple[str, int]] = {}
        for bp in catalog.partner_numbers:
            for position in range(max(1, len(catalog.partners[bp].addresses))):
                self.by_address[self.address_id(bp, position)] = (bp, position)

    @staticmethod
    def address_id(bp: str, position: int) -> str:
        return f"{int(bp) * 4 + position}"[-10:]

    def partner(self, customer: Customer, bp: str) -> Row:
        full = f"{customer.first_name} {customer.last_name}"
        return {
            "BusinessPartner": bp,
            "Customer": bp,
            "BusinessPartnerCategory": "1",
            "BusinessPartnerFullName": full,
            "BusinessPartnerGrouping": "BP02",
            "BusinessPartnerName": full,
            "CorrespondenceLanguage": "EN",
            "CreationDate": day(customer.created_at),
            "FirstName": customer.first_name,
            "LastName": customer.last_name,
            "IsNaturalPerson": "X",
            "BusinessPartnerIsBlocked": False,
            "SearchTerm1": customer.last_name.upper()[:20],
            "BusinessPartnerIDByExtSystem": customer.id,
        }

    def addresses(self, bp: str) -> list[Row]:
        customer = self.catalog.partners[bp]
        postal = customer.addresses or (Address("", None, "", None, "", "US"),)
        rows = []
        for position, address in enumerate(postal):
            number, _, street = address.line1.partition(" ")
            if not number.isdigit():
                number, street = "", address.line1
            rows.append(
                {
                    "BusinessPartner": bp,
                    "AddressID": self.address_id(bp, position),
                    "StreetName": street,
                    "HouseNumber": number,
                    "HouseNumberSupplementText": (address.line2 or "")[:10],
                    "CityName": address.city,
                    "PostalCode": address.postal_code,
                    "Region": address.region or "",
                    "Country": address.country_code,
                    "Language": "EN",
                }
            )
        return rows

    def emails(self, address_id: str) -> list[Row]:
        bp, position = self.by_address[address_id]
        email = self.catalog.partners[bp].email
        if position != 0:
            return []
        return [
            {
                "AddressID": address_id,
                "Person": "",
                "OrdinalNumber": "1",
                "IsDefaultEmailAddress": True,
                "EmailAddress": email,
                "SearchEmailAddress": email.upper()[:20],
            }
        ]

    def phones(self, address_id: str) -> list[Row]:
        bp, position = self.by_address[address_id]
        phone = self.catalog.partners[bp].phone
        if position != 0 or phone is None:
            return []
        national = phone.removeprefix("+1")
        return [
            {
                "AddressID": address_id,
                "Person": "",
                "OrdinalNumber": "1",
                "DestinationLocationCountry": "US",
                "IsDefaultPhoneNumber": True,
                "PhoneNumber": national,
                "PhoneNumberExtension": "",
                "InternationalPhoneNumber": phone,
            }
        ]

    def customer(self, bp: str) -> Row:
        customer = self.catalog.partners[bp]
        full = f"{customer.first_name} {customer.last_name}"
        return {
            "Customer": bp,
            "CustomerName": full,
            "CustomerFullName": full,
            "CustomerAccountGroup": "CUST",
            "CreationDate": day(customer.created_at),
            "DeletionIndicator": False,
            "OrderIsBlockedForCustomer": "",
        }


class _Set(EntitySet):
    """One of the five sets, answered by the shared :class:`_Partners`."""

    def __init__(self, etype: EntityType, partners: _Partners) -> None:
        super().__init__(etype)
        self.partners = partners

    def _bps(self, hints: Hints) -> list[str]:
        catalog = self.partners.catalog
        if "BusinessPartnerIDByExtSystem" in hints:
            ids = hints["BusinessPartnerIDByExtSystem"]
            return sorted(bp for i in ids if (bp := catalog.partner_by_customer_id.get(i)) is not None)
        field = {"A_Customer": "Customer"}.get(self.name, "BusinessPartner")
        if field in hints:
            return sorted(v for v in hints[field] if v in catalog.partners)
        if "AddressID" in hints:
            return sorted(
                {self.partners.by_address[a][0] for a in hints["AddressID"] if a in self.partners.by_address}
            )
        return catalog.partner_numbers

    def _rows_of(self, bp: str) -> list[Row]:
        p = self.partners
        if self.etype is PARTNER:
            return [p.partner(p.catalog.partners[bp], bp)]
        if self.etype is CUSTOMER:
            return [p.customer(bp)]
        addresses = p.addresses(bp)
        if self.etype is ADDRESS:
            return addresses
        pick = p.emails if self.etype is EMAIL else p.phones
        return [row for address in addresses for row in pick(address["AddressID"])]

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (row for bp in self._bps(hints) for row in self._rows_of(bp))

    def get(self, key: dict[str, Any]) -> Row | None:
        hints = {name: frozenset((value,)) for name, value in key.items()}
        return next((row for row in self.scan(hints) if all(row[k] == v for k, v in key.items())), None)

    def navigate(self, row: Row, nav: str) -> Navigated:
        p = self.partners
        if nav == "to_BusinessPartnerAddress":
            return p.addresses(row["BusinessPartner"])
        if nav == "to_Customer":
            return p.customer(row["BusinessPartner"])
        return p.emails(row["AddressID"]) if nav == "to_EmailAddress" else p.phones(row["AddressID"])


def business_partner_service(catalog: Catalog) -> Service:
    partners = _Partners(catalog)
    sets = [_Set(etype, partners) for etype in (PARTNER, ADDRESS, EMAIL, PHONE, CUSTOMER)]
    return Service.of("API_BUSINESS_PARTNER", "LO-MD-BP-2CL", sets)
