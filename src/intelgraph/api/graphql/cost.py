"""Static cost analysis of a GraphQL operation, run after validation and before any resolver.

A query's price is known from its text and the schema alone, so an abusive query is refused
before it touches the store. The analysis uses graphql-core only and works on any
``GraphQLSchema``; it covers the graphql-cop attacks (alias overloading, repeated fields,
directive overloading, circular introspection) as well as deep nesting and huge pages.

Cost model:

* Every executed field selection costs 1, ``__typename`` and other introspection fields too.
* A field returning a list (``NonNull`` unwrapped) of objects multiplies the cost of its
  sub-selection by its size: the largest ``first``/``last``/``limit`` argument (a literal, or
  a variable taken from ``variables``, then the variable's default in the operation), else
  that argument's default in the schema, else the length of an ``ids``-style argument, else
  ``default_list_size``. A list of scalars or enums costs 1 whatever its length.
* A Relay connection field (its type is an object with an ``edges`` or ``nodes`` field)
  multiplies its whole sub-selection by its page size, or by ``default_list_size`` when it
  has none. List fields without size arguments inside the connection (``edges``, ``nodes``)
  do not multiply again.
* So a field costs ``1 + multiplier * cost(sub-selection)``; the operation costs the sum of
  its root fields.
* A field named in ``once_fields`` (``Type.field``: a search's ``facets``) is computed once per
  connection, not per item: it costs its weight plus ``1 + cost(sub-selection)``, and a
  connection adds that to its own cost without multiplying it by the page size.
* ``largest_list`` is the largest page (``first``/``last``/``limit``, schema defaults
  included) or ``ids`` list asked for anywhere, whether or not it multiplies anything.
* ``depth`` is the nesting of field selections (a root field is depth 1); fragments and
  inline fragments add none. ``fields``, ``aliases`` and ``directives`` are totals after
  fragment expansion; ``max_repeated`` is the largest count of one response key within one
  selection set (fragments at that level merged in); ``root_fields`` counts root selections.
* Fields dropped by ``@skip``/``@include`` cost nothing, but their directives are counted.
  A condition whose variable is missing keeps the field (the larger estimate).

Fragments are expanded with memoisation, so a "fragment bomb" (each fragment spreading the
next twice) is measured exactly in linear time; a spread that would cycle is ignored, and
nesting beyond ``MAX_NESTING`` is refused outright so the analysis can never recurse without
bound, even on documents that were not validated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    value_from_ast_untyped,
)

from intelgraph.errors import ConfigError, IntelGraphError

__all__ = [
    "MAX_NESTING",
    "ONCE_FIELDS",
    "CostLimits",
    "QueryCost",
    "QueryTooComplex",
    "analyse",
    "check",
    "introspection_only",
]

MAX_NESTING = 100
"""Selection sets (fields and fragments) nested deeper than this are refused during analysis:
far beyond any sane ``max_depth``, well within Python's recursion limit."""

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType

ONCE_FIELDS: Mapping[str, int] = {"SearchConnection.facets": 100}
"""Fields computed once per connection, with their weight: facets aggregate up to the
search's count cap of matches in the store, so they cost about a hundred entity fields."""


class QueryTooComplex(IntelGraphError):
    """The operation exceeds one of the caller's cost limits; nothing was executed."""

    code = "query_too_complex"


@dataclass(frozen=True)
class CostLimits:
    """Ceilings for one caller role; ``check`` compares a ``QueryCost`` against them."""

    max_depth: int = 12
    max_cost: int = 50_000
    max_aliases: int = 30
    max_fields: int = 1_000
    max_repeated_field: int = 50
    max_directives: int = 50
    max_list_size: int = 500
    max_root_fields: int = 20

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(
                    f"cost limit {name} must be a whole number of at least 0, got {value!r}",
                    hint="Fix the GraphQL cost limits in the configuration.",
                    details={"limit": name, "value": repr(value)},
                )


@dataclass(frozen=True)
class QueryCost:
    """What one operation asks for, measured without executing it."""

    depth: int
    cost: int
    aliases: int
    fields: int
    max_repeated: int
    directives: int
    root_fields: int
    largest_list: int


# (limit attribute, QueryCost attribute, message template, hint), in checking order: the
# attack-specific limits come first so the message names what the client actually did.
_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        "max_depth",
        "depth",
        "the query nests fields {value} levels deep; the limit is {allowed}",
        "Flatten the query: fetch deeper data with a follow-up query from the IDs you got.",
    ),
    (
        "max_list_size",
        "largest_list",
        "the query asks for a list of {value} items; the limit is {allowed}",
        "Ask for at most {allowed} items at a time and page with the cursor for more.",
    ),
    (
        "max_aliases",
        "aliases",
        "the query uses {value} aliases; the limit is {allowed}",
        "Use fewer aliases: fetch many items with one list argument such as ids, "
        "or split the query.",
    ),
    (
        "max_directives",
        "directives",
        "the query uses {value} directives; the limit is {allowed}",
        "Use fewer directives, or split the query.",
    ),
    (
        "max_repeated_field",
        "max_repeated",
        "the query selects the same field {value} times in one place; the limit is {allowed}",
        "Select each field once; GraphQL merges repeated selections anyway.",
    ),
    (
        "max_root_fields",
        "root_fields",
        "the query asks for {value} top-level fields; the limit is {allowed}",
        "Split the query into several smaller ones.",
    ),
    (
        "max_fields",
        "fields",
        "the query asks for {value} fields; the limit is {allowed}",
        "Ask for fewer fields, use paging, or split the query.",
    ),
    (
        "max_cost",
        "cost",
        "the query's estimated cost is {value}; the limit is {allowed}",
        "Ask for fewer fields, use smaller pages (first/limit), or split the query.",
    ),
)


def check(cost: QueryCost, limits: CostLimits) -> None:
    """Raise ``QueryTooComplex`` for the first limit ``cost`` exceeds."""
    for limit_name, cost_name, message, hint in _CHECKS:
        value: int = getattr(cost, cost_name)
        allowed: int = getattr(limits, limit_name)
        if value > allowed:
            raise QueryTooComplex(
                message.format(value=value, allowed=allowed),
                hint=hint.format(allowed=allowed),
                details={"limit": limit_name, "value": value, "allowed": allowed},
            )


@dataclass(frozen=True)
class _Summary:
    """Measurements of one selection set; ``keys`` counts response keys at its own level."""

    cost: int = 0
    fields: int = 0
    aliases: int = 0
    directives: int = 0
    depth: int = 0
    largest_list: int = 0
    max_repeated: int = 0
    keys: Mapping[str, int] = field(default_factory=dict)
    once: int = 0  # cost of once_fields here: paid once per enclosing connection


@dataclass
class _Totals:
    """Mutable accumulator that becomes a ``_Summary``."""

    cost: int = 0
    fields: int = 0
    aliases: int = 0
    directives: int = 0
    depth: int = 0
    largest_list: int = 0
    max_repeated: int = 0
    keys: dict[str, int] = field(default_factory=dict)
    once: int = 0

    def merge_level(self, other: _Summary) -> None:
        """Add a fragment's measurements: same level, so keys merge and depth does not grow."""
        self.cost += other.cost
        self.once += other.once
        self.fields += other.fields
        self.aliases += other.aliases
        self.directives += other.directives
        self.depth = max(self.depth, other.depth)
        self.largest_list = max(self.largest_list, other.largest_list)
        self.max_repeated = max(self.max_repeated, other.max_repeated)
        for key, count in other.keys.items():
            self.keys[key] = self.keys.get(key, 0) + count

    def freeze(self) -> _Summary:
        return _Summary(
            self.cost,
            self.fields,
            self.aliases,
            self.directives,
            self.depth,
            self.largest_list,
            self.max_repeated,
            self.keys,
            self.once,
        )


class _Analyser:
    """One walk over one operation; holds the memo that keeps fragment expansion linear."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        list_arguments: Sequence[str],
        id_list_arguments: Sequence[str],
        default_list_size: int,
        once_fields: Mapping[str, int],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.list_arguments = frozenset(list_arguments)
        self.id_list_arguments = frozenset(id_list_arguments)
        self.default_list_size = default_list_size
        self.once_fields = once_fields
        self.memo: dict[tuple[int, str | None], _Summary] = {}
        self.cycle_edges = _cycle_edges(fragments)

    def selection_set(
        self, node: SelectionSetNode, parent: _Composite | None, nesting: int, owner: str | None
    ) -> _Summary:
        """Measure ``node`` as a selection on ``parent``; ``owner`` is the enclosing fragment."""
        if nesting > MAX_NESTING:
            raise QueryTooComplex(
                f"the query nests selections more than {MAX_NESTING} levels deep",
                hint="Flatten the query: fetch deeper data with a follow-up query.",
                details={"limit": "max_depth", "value": nesting, "allowed": MAX_NESTING},
            )
        memo_key = (id(node), parent.name if parent is not None else None)
        cached = self.memo.get(memo_key)
        if cached is not None:
            return cached
        totals = _Totals()
        for selection in node.selections:
            totals.directives += len(selection.directives or ())
            if not self._included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                self._field(selection, parent, nesting, owner, totals)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self._composite(condition.name.value) if condition else parent
                inner = self.selection_set(selection.selection_set, scope, nesting + 1, owner)
                totals.merge_level(inner)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or (owner, name) in self.cycle_edges:
                    continue  # unknown, or it would cycle: nothing of it can run
                totals.directives += len(fragment.directives or ())
                scope = self._composite(fragment.type_condition.name.value)
                inner = self.selection_set(fragment.selection_set, scope, nesting + 1, name)
                totals.merge_level(inner)
        summary = totals.freeze()
        self.memo[memo_key] = summary
        return summary

    def _field(
        self,
        node: FieldNode,
        parent: _Composite | None,
        nesting: int,
        owner: str | None,
        totals: _Totals,
    ) -> None:
        key = node.alias.value if node.alias else node.name.value
        totals.keys[key] = totals.keys.get(key, 0) + 1
        totals.fields += 1
        totals.aliases += 1 if node.alias else 0
        definition = self._field_definition(parent, node.name.value)
        page, ids = self._requested_sizes(node, definition)
        for size in (page, ids):
            if size is not None:
                totals.largest_list = max(totals.largest_list, size)
        weight = self.once_fields.get(f"{parent.name}.{node.name.value}") if parent else None
        if node.selection_set is None:
            if weight is None:
                totals.cost += 1
            else:
                totals.once += weight + 1
            totals.depth = max(totals.depth, 1)
            return
        named = get_named_type(definition.type) if definition is not None else None
        child_scope = named if isinstance(named, _Composite) else None
        child = self.selection_set(node.selection_set, child_scope, nesting + 1, owner)
        multiplier = self._multiplier(definition, named, parent, page, ids)
        per_item, per_field = child.cost, child.once
        if definition is not None and _is_list(definition):  # every item computes them
            per_item, per_field = per_item + per_field, 0
        cost = 1 + multiplier * per_item + per_field
        if weight is None:
            totals.cost += cost
        else:
            totals.once += weight + cost
        totals.fields += child.fields
        totals.aliases += child.aliases
        totals.directives += child.directives
        totals.depth = max(totals.depth, 1 + child.depth)
        totals.largest_list = max(totals.largest_list, child.largest_list)
        level_repeated = max(child.keys.values(), default=0)
        totals.max_repeated = max(totals.max_repeated, child.max_repeated, level_repeated)

    def _multiplier(
        self,
        definition: GraphQLField | None,
        named: GraphQLNamedType | None,
        parent: _Composite | None,
        page: int | None,
        ids: int | None,
    ) -> int:
        if definition is None or named is None or is_leaf_type(named):
            return 1
        field_type = definition.type
        if is_non_null_type(field_type):
            field_type = field_type.of_type
        if is_list_type(field_type):
            if page is not None:
                return page
            if ids is not None:
                return ids
            return 1 if _is_connection(parent) else self.default_list_size
        if _is_connection(named):
            return page if page is not None else self.default_list_size
        return 1

    def _requested_sizes(
        self, node: FieldNode, definition: GraphQLField | None
    ) -> tuple[int | None, int | None]:
        """The page size (largest of first/last/limit) and the ids-list length, if any."""
        given: dict[str, Any] = {}
        for argument in node.arguments or ():
            value = self._value(argument.value)
            if value is not Undefined and value is not None:
                given[argument.name.value] = value
        if definition is not None:
            for name, argument_def in definition.args.items():
                default = _schema_default(argument_def)
                if name not in given and default is not Undefined and default is not None:
                    given[name] = default
        pages = [_as_size(v) for k, v in given.items() if k in self.list_arguments]
        page = max((p for p in pages if p is not None), default=None)
        lengths = [_as_length(v) for k, v in given.items() if k in self.id_list_arguments]
        ids = max((n for n in lengths if n is not None), default=None)
        return page, ids

    def _included(self, directives: Sequence[DirectiveNode] | None) -> bool:
        for directive in directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next(
                (a.value for a in directive.arguments or () if a.name.value == "if"), None
            )
            value = self._value(condition) if condition is not None else Undefined
            if not isinstance(value, bool):  # missing or malformed: keep the larger estimate
                continue
            if (name == "skip") == value:
                return False
        return True

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value, Undefined)
        if isinstance(node, BooleanValueNode):
            return node.value
        return value_from_ast_untyped(node, self.variables)

    def _field_definition(self, parent: _Composite | None, name: str) -> GraphQLField | None:
        if parent is None:
            return None
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def _composite(self, name: str) -> _Composite | None:
        found = self.schema.get_type(name)
        return found if isinstance(found, _Composite) else None


def _cycle_edges(fragments: Mapping[str, FragmentDefinitionNode]) -> set[tuple[str, str]]:
    """Spreads (fragment, spread fragment) that close a cycle, found by one depth-first walk.

    Dropping them leaves an acyclic expansion, so a fragment measures the same wherever it
    is spread and can be memoised. Iterative, so long fragment chains cannot overflow.
    """
    spreads = {name: _spread_names(fragment) for name, fragment in fragments.items()}
    back_edges: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 while on the walk's path, 2 when finished
    for start in spreads:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(spreads[start]))]
        while stack:
            name, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[name] = 2
                stack.pop()
            elif target not in spreads or state.get(target) == 2:
                continue
            elif state.get(target) == 1:
                back_edges.add((name, target))
            else:
                state[target] = 1
                stack.append((target, iter(spreads[target])))
    return back_edges


def _spread_names(fragment: FragmentDefinitionNode) -> list[str]:
    """Names of the fragments spread anywhere inside ``fragment``, in document order."""
    names: list[str] = []
    pending = [fragment.selection_set]
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return names


def _schema_default(argument: GraphQLArgument) -> Any:
    """The argument's default, from graphql-core 3.3's ``default`` or the legacy
    ``default_value`` that schemas built by code (strawberry) still fill in."""
    default = argument.default
    if default is not None:
        if default.literal is not None:
            return value_from_ast_untyped(default.literal)
        return default.value
    return argument.default_value


def _is_list(definition: GraphQLField) -> bool:
    field_type = definition.type
    if is_non_null_type(field_type):
        field_type = field_type.of_type
    return is_list_type(field_type)


def _is_connection(named: GraphQLNamedType | None) -> bool:
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return False
    return "edges" in named.fields or "nodes" in named.fields


def _as_size(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return max(int(value), 0)


def _as_length(value: Any) -> int | None:
    if isinstance(value, list | tuple):
        return len(value)
    return None if value is None else 1  # GraphQL coerces one value to a list of one


def _select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        raise IntelGraphError(
            f"the document has no operation named {name!r}",
            hint="Pass the name of one of the document's operations as operationName.",
            details={"operation_name": name},
            code="invalid_request",
        )
    if len(operations) != 1:
        message = (
            "the document has no operation"
            if not operations
            else f"the document has {len(operations)} operations and no operationName was given"
        )
        raise IntelGraphError(
            message,
            hint="Send exactly one operation, or name the one to run with operationName.",
            code="invalid_request",
        )
    return operations[0]


def introspection_only(document: DocumentNode, operation_name: str | None = None) -> bool:
    """The operation asks only about the schema (``__schema``/``__type``): GraphiQL's
    introspection query is deeper than any limit meant for data, and graphql-core's own
    validation already bounds introspection depth."""
    try:
        operation = _select_operation(document, operation_name)
    except IntelGraphError:
        return False
    selections = operation.selection_set.selections
    return bool(selections) and all(
        isinstance(s, FieldNode) and s.name.value.startswith("__") for s in selections
    )


def analyse(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
    list_arguments: Sequence[str] = ("first", "last", "limit"),
    id_list_arguments: Sequence[str] = ("ids",),
    default_list_size: int = 20,
    once_fields: Mapping[str, int] = ONCE_FIELDS,
) -> QueryCost:
    """Measure the selected operation of ``document`` against ``schema`` without running it.

    Raises ``IntelGraphError`` (code ``invalid_request``) when the operation cannot be chosen,
    and ``QueryTooComplex`` when nesting passes ``MAX_NESTING``.
    """
    operation = _select_operation(document, operation_name)
    effective: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            effective[definition.variable.name.value] = value_from_ast_untyped(
                definition.default_value
            )
    effective.update(variables or {})
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    analyser = _Analyser(
        schema,
        fragments,
        effective,
        list_arguments,
        id_list_arguments,
        default_list_size,
        once_fields,
    )
    root_type = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    root = analyser.selection_set(operation.selection_set, root_type, 1, None)
    root_repeated = max(root.keys.values(), default=0)
    return QueryCost(
        depth=root.depth,
        cost=root.cost + root.once,
        aliases=root.aliases,
        fields=root.fields,
        max_repeated=max(root.max_repeated, root_repeated),
        directives=root.directives + len(operation.directives or ()),
        root_fields=sum(root.keys.values()),
        largest_list=root.largest_list,
    )
