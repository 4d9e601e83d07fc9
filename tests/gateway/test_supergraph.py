"""Loading supergraphs: join metadata, the API schema, and clear errors for files that cannot be used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import print_schema

from gateway.supergraph import SupergraphError, load_supergraph, parse_supergraph

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_subgraphs_and_their_urls_are_read() -> None:
    supergraph = load_supergraph(FIXTURES / "products.graphql")
    assert sorted(s.name for s in supergraph.subgraphs.values()) == [
        "accounts",
        "inventory",
        "products",
        "reviews",
    ]
    assert all(s.url.startswith("http://127.0.0.1:9/") for s in supergraph.subgraphs.values())


def test_subgraph_urls_can_be_overridden_by_name_and_unknown_names_are_refused() -> None:
    supergraph = load_supergraph(FIXTURES / "products.graphql")
    supergraph.override_urls({"reviews": "http://reviews:4002/graphql"})
    urls = {s.name: s.url for s in supergraph.subgraphs.values()}
    assert urls["reviews"] == "http://reviews:4002/graphql"
    assert urls["accounts"].startswith("http://127.0.0.1:9/")
    with pytest.raises(SupergraphError, match="no subgraph named nope"):
        supergraph.override_urls({"nope": "http://x/graphql"})


def test_join_metadata_is_indexed_by_type_and_field() -> None:
    supergraph = load_supergraph(FIXTURES / "products.graphql")
    assert {t.graph for t in supergraph.types["Product"]} == {"INVENTORY", "PRODUCTS", "REVIEWS"}
    (estimate,) = supergraph.fields[("Product", "shippingEstimate")]
    assert estimate.requires == "price weight"
    assert {f.graph: f.external for f in supergraph.fields[("User", "username")]} == {
        "ACCOUNTS": False,
        "REVIEWS": True,
    }


def test_the_api_schema_has_no_join_machinery_and_no_inaccessible_elements() -> None:
    api = print_schema(load_supergraph(FIXTURES / "products.graphql").api_schema)
    assert "join__" not in api
    assert "link__" not in api
    assert "@inaccessible" not in api
    assert "birthDate" not in api
    assert "shippingEstimate: Int" in api


def test_an_interface_objects_fields_are_resolvable_only_through_the_interface() -> None:
    supergraph = load_supergraph(FIXTURES / "media.graphql")
    assert supergraph.fields[("Book", "rating")] == []
    assert any(t.is_interface_object for t in supergraph.types["Media"])


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query {", "does not parse"),
        ("type Query { a: Int }", "not a Federation 2 supergraph"),
        (
            'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query } type Query { a: Int }',
            "join",
        ),
    ],
)
def test_an_unusable_supergraph_is_a_clear_error(sdl: str, message: str) -> None:
    with pytest.raises(SupergraphError) as caught:
        parse_supergraph(sdl)
    assert message in caught.value.message
    assert caught.value.code == "INVALID_SUPERGRAPH"


def test_serve_with_a_missing_file_prints_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--supergraph", str(tmp_path / "missing.graphql")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read the supergraph file")
    assert "Traceback" not in result.stderr
