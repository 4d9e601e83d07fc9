"""A small OData V2 server core, as SAP Gateway speaks it.

``edm`` (entity types and their properties), ``values`` (wire formats:
``/Date(ms)/``, decimal strings, ETags), ``errors`` (the OData error envelope),
``lexer`` and ``filter`` ($filter parsing and evaluation), ``query`` (the
other system query options), ``resource`` (resource paths and key
predicates), ``entityset`` (what a service implements per entity set),
``serialize`` (entities to JSON with ``__metadata``, $select and $expand),
``engine`` (one request against one service), ``batch`` ($batch multipart)
and ``metadata`` (EDMX and the service document).
"""

__all__: list[str] = []
