"""The ERP's OData services, one module per SAP API (plus the write rules of the two writable ones)."""

__all__: list[str] = []
