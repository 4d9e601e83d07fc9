"""One OData service: its name, SAP application component and entity sets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sandbox.erp.odata.edm import EntityType
from sandbox.erp.odata.entityset import EntitySet

__all__ = ["Service"]


@dataclass
class Service:
    """``/sap/opu/odata/sap/<name>/``: a namespace of entity sets that navigate among themselves."""

    name: str
    component_id: str
    sets: dict[str, EntitySet] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, component_id: str, sets: Iterable[EntitySet]) -> Service:
        service = cls(name, component_id, {s.name: s for s in sets})
        for entity_set in service.sets.values():
            for nav in entity_set.etype.navs:
                if nav.target not in service.sets:
                    raise ValueError(f"{name}: {entity_set.name}/{nav.name} targets unknown set {nav.target}")
        return service

    @property
    def root(self) -> str:
        """The service root path, without a trailing slash."""
        return f"/sap/opu/odata/sap/{self.name}"

    def get_set(self, name: str) -> EntitySet | None:
        return self.sets.get(name)

    def type_of(self, set_name: str) -> EntityType:
        return self.sets[set_name].etype
