"""A small, safe evaluator for OrderCloud rule expressions (approval rules and promotions).

OrderCloud writes rules like `order.Total > 200 and order.xp.MyCustomProperty = 'XYZ'`
(BEHAVIOUR.md §4.5) or promotion values like `order.Subtotal * 0.1`. The subset supported here:

- values: numbers, 'single-quoted' strings, true, false, null, and paths into the objects in
  scope: `order.<Field>`, `order.xp.<path>`, and for line-item promotions `item.<Field>`
  (e.g. `item.ProductID`, `item.Product.xp.Brand`);
- arithmetic: + - * / and unary minus; comparisons: = != <> > >= < <=;
- logic: and, or, not, parentheses.

Comparisons between values of different kinds (a missing xp path is null) are false, except
`= null` / `!= null`. Arithmetic on null gives null. Function calls (OrderCloud's `items.any(...)`
and friends) are outside the subset and refused when the rule is saved, with OrderCloud's
Expression.* error codes. Expressions are parsed once and cached; nothing is ever eval()'d.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import bad_request
from ..listing import lookup

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d*)?|\.\d+)
      | (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<op><>|!=|>=|<=|=|>|<|\+|-|\*|/|\(|\))
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "true", "false", "null"}
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<>": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

Node = tuple[Any, ...]


def _invalid(code: str, message: str, expression: str) -> Exception:
    return bad_request(code, message, {"Expression": expression})


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            raise _invalid("Expression.InvalidToken", f"Expression contains invalid token at {expression[position:].strip()[:20]!r}.", expression)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over: or > and > not > comparison > sum > term > unary > primary."""

    def __init__(self, expression: str, roots: frozenset[str]) -> None:
        self.expression = expression
        self.roots = roots
        self.tokens = _tokens(expression)
        self.position = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise _invalid("Expression.InvalidSyntax", "Expression is empty.", self.expression)
        node = self._or()
        if self.position != len(self.tokens):
            raise self._syntax(f"unexpected {self.tokens[self.position][1]!r}")
        return node

    def _syntax(self, what: str) -> Exception:
        return _invalid("Expression.InvalidSyntax", f"Expression syntax is not valid: {what}.", self.expression)

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise self._syntax("it ends too early")
        self.position += 1
        return self.tokens[self.position - 1]

    def _binary(self, operators: set[str], operand: Callable[[], Node], kind: str) -> Node:
        node = operand()
        while (self._peek() or "").lower() in operators:
            symbol = self._take()[1].lower()
            node = (kind, symbol, node, operand())
        return node

    def _or(self) -> Node:
        return self._binary({"or"}, self._and, "logic")

    def _and(self) -> Node:
        return self._binary({"and"}, self._not, "logic")

    def _not(self) -> Node:
        if (self._peek() or "").lower() == "not":
            self._take()
            return ("not", self._not())
        return self._comparison()

    def _comparison(self) -> Node:
        node = self._sum()
        if self._peek() in _COMPARISONS:
            node = ("compare", self._take()[1], node, self._sum())
        return node

    def _sum(self) -> Node:
        return self._binary({"+", "-"}, self._term, "arith")

    def _term(self) -> Node:
        return self._binary({"*", "/"}, self._unary, "arith")

    def _unary(self) -> Node:
        if self._peek() == "-":
            self._take()
            return ("arith", "-", ("value", 0), self._unary())
        return self._primary()

    def _primary(self) -> Node:
        kind, text = self._take()
        if text == "(":
            node = self._or()
            if self._peek() != ")":
                raise self._syntax("a '(' is not closed")
            self._take()
            return node
        if kind == "number":
            return ("value", float(text) if "." in text else int(text))
        if kind == "string":
            return ("value", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "name":
            return self._name(text)
        raise self._syntax(f"unexpected {text!r}")

    def _name(self, text: str) -> Node:
        if text.lower() in _KEYWORDS:
            if text.lower() in ("and", "or", "not"):
                raise self._syntax(f"unexpected {text!r}")
            return ("value", {"true": True, "false": False, "null": None}[text.lower()])
        if self._peek() == "(":
            raise _invalid("Expression.InvalidFunction", f"Expression contains unknown function {text}().", self.expression)
        root, _, path = text.partition(".")
        if root == "item" and "item" not in self.roots:
            raise _invalid("Expression.ItemNotAllowed", "Order-level rule cannot contain 'item' token.", self.expression)
        if root not in self.roots or not path:
            allowed = " or ".join(f"{name}.<property>" for name in sorted(self.roots))
            raise _invalid("Expression.InvalidToken", f"Expression contains invalid token {text!r}: use {allowed}.", self.expression)
        return ("path", root, path)


@functools.lru_cache(maxsize=1024)
def parse(expression: str, roots: frozenset[str] = frozenset({"order"})) -> Node:
    """The syntax tree of an expression; 400 Expression.* when it is outside the supported subset."""
    return _Parser(expression, roots).parse()


def check(expression: str, roots: frozenset[str] = frozenset({"order"})) -> None:
    """Refuse an expression that cannot be evaluated (used when a rule or promotion is saved)."""
    parse(expression, roots)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _evaluate(node: Node, scope: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "path":
        return lookup(scope.get(node[1]) or {}, node[2])
    if kind == "not":
        return not _evaluate(node[1], scope)
    if kind == "logic":
        left = bool(_evaluate(node[2], scope))
        if node[1] == "and":
            return left and bool(_evaluate(node[3], scope))
        return left or bool(_evaluate(node[3], scope))
    left, right = _evaluate(node[2], scope), _evaluate(node[3], scope)
    if kind == "arith":
        if not (_number(left) and _number(right)) or (node[1] == "/" and right == 0):
            return None
        return _ARITHMETIC[node[1]](left, right)
    same_kind = (_number(left) and _number(right)) or type(left) is type(right)
    if node[1] in ("=", "!=", "<>"):
        equal = same_kind and left == right
        return equal if node[1] == "=" else not equal
    return same_kind and left is not None and _COMPARISONS[node[1]](left, right)


def evaluate(expression: str, order: dict[str, Any], item: dict[str, Any] | None = None) -> Any:
    """The value of an expression for an order (and one of its line items, for line-level promotions)."""
    roots = frozenset({"order", "item"}) if item is not None else frozenset({"order"})
    return _evaluate(parse(expression, roots), {"order": order, "item": item})


def holds(expression: str, order: dict[str, Any], item: dict[str, Any] | None = None) -> bool:
    return bool(evaluate(expression, order, item))
