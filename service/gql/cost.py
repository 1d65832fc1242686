"""The cost of a GraphQL document, estimated before it runs; documents above the limit are refused.

Every field costs 1.  A field returning a list multiplies the cost of its
selection by the number of items it may return: its ``first`` argument when
given as a literal (as a variable, the largest page), else ``DEFAULT_FAN_OUT``.  Lists
inside lists multiply, so ``country { alliances { members { alliances { … } } } }``
grows as the fan-out to the power of its depth, which is what makes such a
document expensive to answer.  Fragments are expanded; the sum over the
operation is compared with ``SUPPLYGRAPH_MAX_QUERY_COST``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)

DEFAULT_FAN_OUT = 20
"""How many items a list field without ``first`` is taken to return."""


def _unwrap(kind: GraphQLOutputType) -> GraphQLOutputType:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


def cost_rule(limit: int, max_page_size: int) -> type[ValidationRule]:
    """A validation rule refusing operations whose estimated cost is above ``limit``.

    A ``first:`` given as a variable counts as ``max_page_size``, the most it
    can be: the verdict must not depend on variables, since it is cached per
    document text.
    """

    class QueryCost(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragments: dict[str, FragmentDefinitionNode] = {}

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            if root is None:
                return
            self.fragments = {
                d.name.value: d for d in self.context.document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            cost = self._selection_cost(node.selection_set, root, set())
            if cost > limit:
                name = node.name.value if node.name else "the operation"
                self.report_error(
                    GraphQLError(
                        f"{name} costs about {cost:,} (limit {limit:,}): ask for fewer items with first:, "
                        "or fewer nested lists",
                        node,
                    )
                )

        def _selection_cost(self, selections: SelectionSetNode | None, parent: Any, seen: set[str]) -> int:
            if selections is None:
                return 0
            total = 0
            for selection in selections.selections:
                if isinstance(selection, FieldNode):
                    total += self._field_cost(selection, parent, seen)
                elif isinstance(selection, InlineFragmentNode):
                    on = (
                        self.context.schema.get_type(selection.type_condition.name.value)
                        if selection.type_condition
                        else parent
                    )
                    total += self._selection_cost(selection.selection_set, on or parent, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in seen:
                        on = self.context.schema.get_type(fragment.type_condition.name.value)
                        total += self._selection_cost(fragment.selection_set, on or parent, seen | {name})
            return total

        def _field_cost(self, node: FieldNode, parent: Any, seen: set[str]) -> int:
            fields = getattr(get_named_type(parent), "fields", None) or {}
            definition = fields.get(node.name.value)
            if definition is None:
                return 1  # __typename, or an unknown field the other rules report
            kind = _unwrap(definition.type)
            fan_out = 1
            if isinstance(kind, GraphQLList):
                fan_out = self._first(node)
            inner = self._selection_cost(node.selection_set, get_named_type(kind), seen)
            return 1 + fan_out * inner

        @staticmethod
        def _first(node: FieldNode) -> int:
            for argument in node.arguments or ():
                if argument.name.value == "first":
                    value = argument.value
                    if isinstance(value, IntValueNode):
                        return max(1, int(value.value))
                    if isinstance(value, VariableNode):
                        return max_page_size
            return DEFAULT_FAN_OUT

    return QueryCost
