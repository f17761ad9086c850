"""Static query cost analysis: exact costs worked out by hand, every limit, the graphql-cop
attacks, and documents that would make a naive walker hang or crash."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    GraphQLArgument,
    GraphQLDefaultInput,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    build_schema,
    get_introspection_query,
    parse,
    validate,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from intelgraph.api.graphql.cost import (
    MAX_NESTING,
    CostLimits,
    QueryCost,
    QueryTooComplex,
    analyse,
    check,
)
from intelgraph.errors import ConfigError, IntelGraphError

SCHEMA = build_schema(
    """
    interface Node { id: ID! }

    type Query {
      entity(id: ID!): Entity
      entities(ids: [ID!]!): [Entity!]!
      search(query: String!, first: Int = 20, after: String): EntityConnection!
      neighbors(id: ID!, first: Int = 50): EntityConnection!
      node(id: ID!): Node
      recent(limit: Int): [Entity!]!
    }

    type Mutation { renameEntity(id: ID!, caption: String!): Entity! }

    type Subscription { entityChanged(id: ID!): Entity! }

    type Entity implements Node {
      id: ID!
      caption: String!
      labels: [String!]!
      properties: [Property!]!
      neighbors(first: Int = 10, after: String): EntityConnection!
      sources(last: Int): [Source!]!
    }

    type Source implements Node { id: ID! title: String }
    type Property { key: String! value: String }
    type EntityConnection {
      edges: [EntityEdge!]!
      nodes: [Entity!]!
      pageInfo: PageInfo!
      totalCount: Int!
    }
    type EntityEdge { cursor: String! node: Entity! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    """
)

# search's sub-selection used below: totalCount (1) + edges (1 + 1 * (cursor 1 + node 3)) = 6,
# where node = 1 + id + caption = 3; edges sits inside the connection, so it does not multiply.
SEARCH_BODY = "{ totalCount edges { cursor node { id caption } } }"


def doc(source: str, *, validated: bool = True) -> DocumentNode:
    """Parse, and validate unless the test is about documents validation would refuse."""
    document = parse(source)
    if validated:
        assert validate(SCHEMA, document) == [], source
    return document


def cost_of(source: str, *, validated: bool = True, **options: Any) -> QueryCost:
    return analyse(SCHEMA, doc(source, validated=validated), **options)


def refused(cost: QueryCost, limits: CostLimits | None = None) -> QueryTooComplex:
    with pytest.raises(QueryTooComplex) as caught:
        check(cost, limits or CostLimits())
    return caught.value


# -- exact costs --------------------------------------------------------------------------


def test_single_object_costs_one_per_field() -> None:
    cost = cost_of('{ entity(id: "e1") { id caption labels } }')
    # entity 1 + id 1 + caption 1 + labels 1 (a list of scalars is never multiplied)
    assert cost == QueryCost(
        depth=2,
        cost=4,
        aliases=0,
        fields=4,
        max_repeated=1,
        directives=0,
        root_fields=1,
        largest_list=0,
    )


def test_connection_page_multiplies_its_whole_sub_selection() -> None:
    cost = cost_of(f'{{ search(query: "acme", first: 5) {SEARCH_BODY} }}')
    assert cost.cost == 1 + 5 * 6
    assert cost.depth == 4  # search > edges > node > id
    assert cost.fields == 7
    assert cost.largest_list == 5


def test_schema_default_page_applies_when_the_argument_is_absent() -> None:
    cost = cost_of(f'{{ search(query: "acme") {SEARCH_BODY} }}')
    assert cost.cost == 1 + 20 * 6  # first: Int = 20 in the schema
    assert cost.largest_list == 20


def test_page_from_a_variable_its_operation_default_or_the_schema() -> None:
    source = f'query Q($n: Int) {{ search(query: "acme", first: $n) {SEARCH_BODY} }}'
    assert cost_of(source, variables={"n": 7}).cost == 1 + 7 * 6
    assert cost_of(source).cost == 1 + 20 * 6  # unset variable: the schema default
    assert cost_of(source, variables={"n": None}).cost == 1 + 20 * 6
    with_default = f'query Q($n: Int = 3) {{ search(query: "a", first: $n) {SEARCH_BODY} }}'
    assert cost_of(with_default).cost == 1 + 3 * 6
    assert cost_of(with_default, variables={"n": 9}).cost == 1 + 9 * 6


def test_nested_connections_multiply_level_by_level() -> None:
    source = """{ neighbors(id: "e1", first: 3) {
        nodes { id neighbors(first: 2) { nodes { caption } } } } }"""
    # inner neighbors = 1 + 2 * (nodes 1 + caption 1) = 5; outer nodes = 1 + (id 1 + 5) = 7
    cost = cost_of(source)
    assert cost.cost == 1 + 3 * 7
    assert cost.depth == 5
    assert cost.largest_list == 3
    # without first the inner connection takes Entity.neighbors' default of 10:
    # inner = 1 + 10 * 2 = 21, outer nodes = 1 + 1 + 21 = 23
    assert cost_of(source.replace("(first: 2)", "")).cost == 1 + 3 * 23


def test_ids_length_multiplies_and_unsized_lists_take_the_default_size() -> None:
    source = '{ entities(ids: ["a", "b", "c"]) { id properties { key value } } }'
    # properties has no size argument: 1 + 20 * (key + value) = 41; entities = 1 + 3 * 42
    cost = cost_of(source)
    assert cost.cost == 1 + 3 * 42
    assert cost.largest_list == 3
    assert cost_of(source, default_list_size=5).cost == 1 + 3 * (1 + (1 + 5 * 2))
    by_variable = "query Q($ids: [ID!]!) { entities(ids: $ids) { id properties { key value } } }"
    assert cost_of(by_variable, variables={"ids": ["a", "b", "c", "d"]}).cost == 1 + 4 * 42
    # one value where a list is expected is coerced to a list of one
    assert cost_of(by_variable, variables={"ids": "a"}).cost == 1 + 1 * 42


def test_limit_and_last_are_page_arguments_and_the_names_are_configurable() -> None:
    source = "{ recent(limit: 4) { sources(last: 2) { title } } }"
    assert cost_of(source).cost == 1 + 4 * (1 + 2 * 1)
    # when only `first` counts, both lists fall back to the default size of 20
    assert cost_of(source, list_arguments=("first",)).cost == 1 + 20 * (1 + 20 * 1)
    assert cost_of(source, list_arguments=("first",)).largest_list == 0


def test_a_list_without_size_argument_or_default_takes_the_default_size() -> None:
    assert cost_of("{ recent { id caption } }").cost == 1 + 20 * 2
    assert cost_of("{ recent { id caption } }", default_list_size=7).cost == 1 + 7 * 2


def test_negative_page_counts_as_empty() -> None:
    cost = cost_of(f'{{ search(query: "a", first: -5) {SEARCH_BODY} }}')
    assert cost.cost == 1
    assert cost.largest_list == 0


def test_mutation_and_subscription_use_their_root_types() -> None:
    mutation = """mutation { renameEntity(id: "e1", caption: "New") {
        id neighbors(first: 3) { totalCount } } }"""
    assert cost_of(mutation).cost == 1 + (1 + (1 + 3 * 1))
    subscription = 'subscription { entityChanged(id: "e1") { id caption } }'
    assert cost_of(subscription).cost == 3


# -- fragments and directives -------------------------------------------------------------


def test_fragment_spreads_are_expanded_where_they_are_used() -> None:
    source = """
        query { entity(id: "e1") { ...Basic } search(query: "x", first: 2) { nodes { ...Basic } } }
        fragment Basic on Entity { id caption }
    """
    cost = cost_of(source)
    # entity = 1 + 2; search = 1 + 2 * (nodes 1 + 2) = 7
    assert cost.cost == 3 + 7
    assert cost.fields == 7
    assert cost.depth == 3  # fragments add no depth
    assert cost.root_fields == 2


def test_inline_fragments_narrow_the_type_and_add_no_depth() -> None:
    source = """{ node(id: "e1") {
        id
        ... on Entity { caption neighbors(first: 4) { totalCount } }
        ... on Source { title }
    } }"""
    cost = cost_of(source)
    # node = 1 + id 1 + caption 1 + neighbors (1 + 4 * 1) + title 1 = 9
    assert cost.cost == 9
    assert cost.depth == 3
    assert cost.largest_list == 4


def test_a_field_repeated_through_fragments_counts_at_its_level() -> None:
    source = """
        { entity(id: "e1") { id ...A ... on Entity { id } } }
        fragment A on Entity { id caption }
    """
    cost = cost_of(source)
    assert cost.max_repeated == 3
    assert cost.fields == 5


def test_skip_and_include_drop_fields_with_literal_and_variable_conditions() -> None:
    source = """query Q($hide: Boolean!) { entity(id: "e1") {
        id caption @skip(if: $hide) labels @include(if: false)
        neighbors(first: 9) @skip(if: true) { totalCount } } }"""
    hidden = cost_of(source, variables={"hide": True})
    assert hidden.cost == 2
    assert hidden.fields == 2
    assert hidden.largest_list == 0  # a skipped page is never asked for
    assert hidden.directives == 3  # skipped fields' directives still count
    assert cost_of(source, variables={"hide": False}).cost == 3
    # a missing condition keeps the field: the larger estimate
    assert cost_of(source).cost == 3


def test_skip_and_include_apply_to_spreads_and_inline_fragments() -> None:
    source = """query Q($more: Boolean = false) {
        entity(id: "e1") { id ...Extra @include(if: $more) ... @skip(if: true) { labels } } }
        fragment Extra on Entity { caption labels }"""
    assert cost_of(source).cost == 2
    assert cost_of(source, variables={"more": True}).cost == 4


def test_directives_are_counted_everywhere_including_fragments() -> None:
    source = """query Q @skip(if: false) {
        entity(id: "e1") @include(if: true) { ...F @skip(if: false) } }
        fragment F on Entity @custom { id @include(if: true) }"""
    assert cost_of(source, validated=False).directives == 5


def test_defaults_of_schemas_built_in_code_are_read() -> None:
    """Code-first schemas (strawberry) fill the legacy ``default_value``, SDL fills ``default``."""
    item = GraphQLObjectType("Item", {"id": GraphQLField(GraphQLString)})
    query = GraphQLObjectType(
        "Query",
        {
            "legacy": GraphQLField(
                GraphQLList(item), args={"first": GraphQLArgument(GraphQLInt, default_value=7)}
            ),
            "modern": GraphQLField(
                GraphQLList(item),
                args={"first": GraphQLArgument(GraphQLInt, default=GraphQLDefaultInput(5))},
            ),
        },
    )
    schema = GraphQLSchema(query)
    assert analyse(schema, parse("{ legacy { id } }")).cost == 1 + 7 * 1
    assert analyse(schema, parse("{ modern { id } }")).cost == 1 + 5 * 1


# -- documents that validation would refuse -----------------------------------------------


def test_cyclic_fragments_terminate_and_are_measured_once() -> None:
    source = """
        { entity(id: "e1") { ...A } }
        fragment A on Entity { id ...B }
        fragment B on Entity { caption ...A neighbors(first: 2) { nodes { ...A } } }
    """
    cost = cost_of(source, validated=False)
    # A = id + B, B = caption + neighbors(1 + 2 * nodes(1 + A without its cycle back to B))
    # A inside nodes closes the cycle B -> A, so it is dropped: nodes = 1
    assert cost.cost == 1 + (1 + 1 + (1 + 2 * 1))
    self_spread = "{ entity(id: 1) { ...S } } fragment S on Entity { id ...S }"
    assert cost_of(self_spread, validated=False).cost == 2


def test_exponential_cyclic_fragments_finish() -> None:
    # each fragment spreads the next twice and the last spreads the first: a naive
    # expansion with a per-path cycle guard would walk 2**40 paths
    fragments = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    source = f"{{ ...F0 }}\n{fragments}\nfragment F40 on Query {{ __typename ...F0 }}"
    cost = cost_of(source, validated=False)
    assert cost.fields == 2**40
    assert cost.max_repeated == 2**40


def test_fragment_bomb_is_measured_exactly() -> None:
    fragments = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30)
    )
    source = f"{{ ...F0 }}\n{fragments}\nfragment F30 on Query {{ __typename }}"
    cost = cost_of(source, validated=False)
    assert (cost.cost, cost.fields, cost.root_fields, cost.max_repeated) == (2**30,) * 4
    assert refused(cost).details["limit"] == "max_repeated_field"


def test_unknown_fields_fragments_and_types_cost_one_each() -> None:
    source = """{ nope { deeper { x } } ...Missing entity(id: "e1") { ... on Ghost { id } } }"""
    cost = cost_of(source, validated=False)
    assert cost.cost == 3 + 1 + 1
    assert cost.depth == 3


def test_nesting_beyond_the_hard_ceiling_is_refused_not_recursed() -> None:
    chain = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(MAX_NESTING + 50))
    source = f"{{ ...F0 }}\n{chain}\nfragment F{MAX_NESTING + 50} on Query {{ __typename }}"
    with pytest.raises(QueryTooComplex) as caught:
        cost_of(source)
    assert caught.value.details["limit"] == "max_depth"
    assert caught.value.code == "query_too_complex"


# -- operation selection ------------------------------------------------------------------


def test_operation_is_chosen_by_name() -> None:
    source = 'query A { entity(id: "1") { id } } query B { recent(limit: 2) { id } }'
    assert cost_of(source, operation_name="A").cost == 2
    assert cost_of(source, operation_name="B").cost == 1 + 2 * 1


@pytest.mark.parametrize(
    ("source", "name", "words"),
    [
        ('query A { entity(id: "1") { id } } query B { recent { id } }', None, "2 operations"),
        ('query A { entity(id: "1") { id } }', "Nope", "no operation named 'Nope'"),
        ("fragment F on Entity { id }", None, "no operation"),
    ],
)
def test_an_operation_that_cannot_be_chosen_is_an_invalid_request(
    source: str, name: str | None, words: str
) -> None:
    with pytest.raises(IntelGraphError) as caught:
        analyse(SCHEMA, parse(source), operation_name=name)
    assert caught.value.code == "invalid_request"
    assert not isinstance(caught.value, QueryTooComplex)
    assert words in caught.value.message


# -- limits -------------------------------------------------------------------------------

LIMIT_TO_FIELD = {
    "max_depth": "depth",
    "max_cost": "cost",
    "max_aliases": "aliases",
    "max_fields": "fields",
    "max_repeated_field": "max_repeated",
    "max_directives": "directives",
    "max_list_size": "largest_list",
    "max_root_fields": "root_fields",
}


def at_limits(limits: CostLimits) -> QueryCost:
    return QueryCost(**{field: getattr(limits, limit) for limit, field in LIMIT_TO_FIELD.items()})


def test_every_limit_is_covered_by_the_table() -> None:
    assert set(LIMIT_TO_FIELD) == {f.name for f in dataclasses.fields(CostLimits)}
    assert set(LIMIT_TO_FIELD.values()) == {f.name for f in dataclasses.fields(QueryCost)}


def test_a_query_exactly_at_every_limit_passes() -> None:
    check(at_limits(CostLimits()), CostLimits())


@pytest.mark.parametrize("limit", sorted(LIMIT_TO_FIELD))
def test_each_limit_refuses_one_over_with_details(limit: str) -> None:
    limits = CostLimits()
    allowed = getattr(limits, limit)
    over = dataclasses.replace(at_limits(limits), **{LIMIT_TO_FIELD[limit]: allowed + 1})
    error = refused(over, limits)
    assert error.code == "query_too_complex"
    assert error.details == {"limit": limit, "value": allowed + 1, "allowed": allowed}
    assert f"{allowed + 1}" in error.message
    assert f"the limit is {allowed}" in error.message
    assert error.hint


def test_fields_message_reads_naturally() -> None:
    over = dataclasses.replace(at_limits(CostLimits()), fields=1200)
    error = refused(over)
    assert error.message == "the query asks for 1200 fields; the limit is 1000"
    assert "paging" in (error.hint or "")
    assert error.to_dict()["details"] == {"limit": "max_fields", "value": 1200, "allowed": 1000}


def test_limits_must_be_whole_non_negative_numbers() -> None:
    with pytest.raises(ConfigError):
        CostLimits(max_depth=-1)
    with pytest.raises(ConfigError):
        CostLimits(max_cost=True)


def test_depth_limit_end_to_end() -> None:
    # entity, then 6 levels of neighbors > nodes, then id: depth 1 + 12 + 1
    inner = "id"
    for _ in range(6):
        inner = f"neighbors(first: 1) {{ nodes {{ {inner} }} }}"
    cost = cost_of(f'{{ entity(id: "e1") {{ {inner} }} }}')
    assert cost.depth == 14
    assert refused(cost).details == {"limit": "max_depth", "value": 14, "allowed": 12}
    check(cost, CostLimits(max_depth=14))


def test_huge_page_is_refused_even_with_a_tiny_sub_selection() -> None:
    cost = cost_of('{ search(query: "x", first: 100000) { totalCount } }')
    assert cost.largest_list == 100_000
    assert refused(cost).details["limit"] == "max_list_size"


def test_list_multipliers_exceed_the_cost_limit() -> None:
    source = """{ search(query: "x", first: 500) {
        nodes { neighbors(first: 500) { totalCount } } } }"""
    cost = cost_of(source)
    # inner = 1 + 500 * 1; nodes = 1 + 501; search = 1 + 500 * 502
    assert cost.cost == 251_001
    assert refused(cost).details == {"limit": "max_cost", "value": 251_001, "allowed": 50_000}


# -- graphql-cop attacks ------------------------------------------------------------------


def test_alias_overloading_is_refused() -> None:
    aliases = " ".join(f'a{i}: entity(id: "e{i}") {{ id }}' for i in range(100))
    cost = cost_of(f"{{ {aliases} }}")
    assert (cost.aliases, cost.root_fields, cost.fields) == (100, 100, 200)
    assert refused(cost).details == {"limit": "max_aliases", "value": 100, "allowed": 30}


def test_a_thousand_repeated_typename_fields_are_refused() -> None:
    # graphql-core 3.3's own validation aborts on these; the analysis must not rely on it
    typenames = " ".join(["__typename"] * 1000)
    cost = cost_of(f'{{ entity(id: "e1") {{ {typenames} }} }}', validated=False)
    assert (cost.max_repeated, cost.fields, cost.cost) == (1000, 1001, 1001)
    assert refused(cost).details == {
        "limit": "max_repeated_field",
        "value": 1000,
        "allowed": 50,
    }
    at_root = cost_of(f"{{ {typenames} }}", validated=False)
    assert at_root.root_fields == 1000
    assert refused(at_root).details["limit"] == "max_repeated_field"


def test_directive_overloading_is_refused() -> None:
    cost = cost_of(f'{{ entity(id: "e1") {{ id {"@aa" * 100} }} }}', validated=False)
    assert cost.directives == 100
    assert refused(cost).details == {"limit": "max_directives", "value": 100, "allowed": 50}


def test_deep_circular_introspection_is_refused_by_depth() -> None:
    inner = "name"
    for _ in range(10):
        inner = f"ofType {{ {inner} }}"
    cost = cost_of(f"{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}")
    assert cost.depth == 15
    assert refused(cost).details["limit"] == "max_depth"


def test_circular_introspection_through_lists_explodes_in_cost() -> None:
    inner = "name"
    for _ in range(4):
        inner = f"fields {{ type {{ {inner} }} }}"
    # graphql-core 3.3's MaxIntrospectionDepthRule refuses this too; other servers may not
    cost = cost_of(f"{{ __schema {{ types {{ {inner} }} }} }}", validated=False)
    # innermost fields = 1 + 20 * (type 1 + name 1) = 41, each level out 1 + 20 * (1 + level)
    level = 1 + 20 * 2
    for _ in range(3):
        level = 1 + 20 * (1 + level)
    assert cost.cost == 1 + (1 + 20 * level) == 6_736_822
    assert cost.depth == 11  # within the depth limit: the cost limit is what stops it
    assert refused(cost).details["limit"] == "max_cost"


def test_standard_introspection_query_needs_a_tooling_role() -> None:
    """graphql-core's own introspection query is 15 deep (TypeRef nests ofType 9 times under
    fields > args > type) and costs 329,452 with 20-item lists, so default limits refuse it;
    a 15-level circular attack is indistinguishable by depth. Tooling roles get wider limits."""
    cost = cost_of(get_introspection_query())
    assert cost.depth == 15
    assert cost.cost == 329_452
    assert (cost.fields, cost.root_fields, cost.aliases) == (220, 1, 0)
    assert refused(cost).details["limit"] == "max_depth"
    check(cost, CostLimits(max_depth=15, max_cost=400_000))


# -- properties ---------------------------------------------------------------------------


def chain_query(firsts: list[int]) -> str:
    """Root neighbors(first: f0) then nested Entity.neighbors(first: fi), each with
    totalCount and nodes { id ... }."""
    inner = "id"
    for first in reversed(firsts[1:]):
        inner = f"id neighbors(first: {first}) {{ totalCount nodes {{ {inner} }} }}"
    return f'{{ neighbors(id: "e", first: {firsts[0]}) {{ totalCount nodes {{ {inner} }} }} }}'


def chain_cost(firsts: list[int]) -> int:
    """Closed form: c_i = 1 + f_i * (totalCount 1 + nodes 1 + id 1 + c_{i+1}), c_n = 0."""
    cost = 0
    for first in reversed(firsts):
        cost = 1 + first * (3 + cost)
    return cost


@settings(max_examples=150, deadline=None)
@given(
    firsts=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=6),
    data=st.data(),
)
def test_raising_a_page_size_never_lowers_the_cost(firsts: list[int], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(firsts) - 1))
    bump = data.draw(st.integers(min_value=1, max_value=1000))
    raised = [*firsts]
    raised[index] += bump
    before = cost_of(chain_query(firsts))
    after = cost_of(chain_query(raised))
    assert before.cost == chain_cost(firsts)
    assert after.cost >= before.cost
    if all(first > 0 for first in firsts[:index]):
        assert after.cost > before.cost  # nothing above multiplies it by zero
    assert before.depth == after.depth == 2 * len(firsts) + 1
    assert after.largest_list == max(raised)
