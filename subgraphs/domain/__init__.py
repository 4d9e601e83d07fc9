"""The retail domain rules as plain, tested functions: no GraphQL, no I/O.

They read the canonical records the connectors produce
(:mod:`resolvers.domain`, statuses as each system spells them) and answer in
the contract's terms:

==================  ==============================================================
module              rule
==================  ==============================================================
``enums``           the contract's enums (Channel, OrderStatus, ...) as StrEnums
``status``          each system's status words -> the enums; one order status from many
``stock``           available-to-sell per location and over a channel's network
``timeline``        one timeline from every system's events
``returns``         the return state machine, returnable quantities, request checks
``profile``         one customer profile from Shopify, POS and ERP records
``orders``          one order (and one return) from every system that holds it
``problems``        :class:`Problem`, a fixable fault in a request (a ``UserError``)
``errors``          the exception tree (``UnknownStatus``, ``InvalidReturnTransition``, ...)
==================  ==============================================================

Import from the modules; the package re-exports nothing, so importing one
rule costs only what it needs.
"""
