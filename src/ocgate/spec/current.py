"""Build `builtin:current`: the current OrderCloud API (1.0.445) from the published SDKs, over 1.0.260.

    python -m ocgate.spec.current [--js-sdk ordercloud-javascript-sdk-12.0.0.tgz]
                                  [--py-sdk ordercloud_python-2026.10.2-py3-none-any.whl]
                                  [--out src/ocgate/data/spec/ordercloud-current.json.gz]

Without `--js-sdk`/`--py-sdk` it fetches the two packages with `npm pack` and `pip download`
into a temporary folder. Nothing else is read: the packages are parsed, never imported or run.

- The JavaScript SDK (npm `ordercloud-javascript-sdk` 12.0.0, MIT) is the primary source: its
  compiled `dist/index.js` gives each method's HTTP method and path, its `dist/api/*.d.ts` the
  operation (`Resource.Method`), path and query parameters, request and response models, the
  body's required fields and the "Only available to Buyer Users" note, its `dist/models/*.d.ts`
  the models (properties, types, readonly) and the searchable and sortable fields of each list.
- The Python SDK (PyPI `ordercloud-python` 2026.10.2, MIT, generated from the 1.0.470 document)
  tells integers from decimals (TypeScript has only `number`) and supplies the two resources the
  JavaScript SDK lacks but the 1.0.445 endpoint index lists: buyer groups and discounts. Its other
  additions (catalog entity sync, order repeat, promotion codes) came after 1.0.445: left out.
- The pinned 1.0.260 document is the base: operations and schemas it has keep its facts (roles
  included); the SDK's operations and models it lacks are added, and a model both have gains the
  properties only the SDK's has (Order.SubscriptionID, LineItem.BundleItemID, ...), as the SDK
  types them. The `ApiRole` enum (and the OAuth2 scopes) gain the SDK's new role names.

New operations carry no roles here: the SDKs do not state them. The overlay (`data/overlay.json`,
kind `operation_roles`) gives them, each with its source or, when inferred, the reason. The result
goes through `pin` (normalized, facts only, deterministic gzip) like every built-in document.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import HTTP_METHODS, each_operation
from .normalize import normalize
from .overlay import OVERLAY_PATH
from .sources import BUILTIN_DIR, load_document, pin

JS_SDK = ("ordercloud-javascript-sdk", "12.0.0")
PY_SDK = ("ordercloud-python", "2026.10.2")
#: The API version the JavaScript SDK 12.0.0 was generated from (its endpoint index, 632 endpoints).
API_VERSION = "1.0.445"
BASE = "builtin:1.0.260"
OUT = BUILTIN_DIR / "ordercloud-current.json.gz"
#: Python SDK resources (by operationId prefix) that the JavaScript SDK 12.0.0 lacks but 1.0.445 has.
PY_ONLY_RESOURCES = ("BuyerGroups", "Discounts")

REF = "#/components/schemas/"
_PARAM = re.compile(r"{(\w+)}")


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": REF + name}


def path_key(method: str, path: str) -> tuple[str, str]:
    """METHOD and path with parameter names and letter case dropped: how endpoints are compared."""
    return method.upper(), _PARAM.sub("{}", "/" + path.strip("/")).lower()


# -- the JavaScript SDK ---------------------------------------------------------------------------


@dataclass
class SdkOperation:
    """One operation as an SDK states it."""

    operation_id: str
    method: str  # lower case
    path: str
    summary: str = ""
    path_params: list[str] = field(default_factory=list)
    path_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    query: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, schema)
    body_model: str | None = None
    body_partial: bool = False
    body_required_fields: list[str] = field(default_factory=list)
    response: dict[str, Any] | None = None  # schema, None for no content


def _split_top(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside (), {}, <> and [] (the `>` of `=>` does not close)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "({<[":
            depth += 1
        elif char in ")}]" or (char == ">" and text[i - 1] != "="):
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _balanced(text: str, start: int, open_: str, close: str) -> int:
    """Index just after the bracket that closes the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close and not (close == ">" and text[i - 1] == "="):
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError(f"unbalanced {open_}{close} at {start}")


class JsSdk:
    """Operations and models of `ordercloud-javascript-sdk`, read from its package file."""

    def __init__(self, package: Path) -> None:
        with tarfile.open(package) as tar:
            self.files = {
                member.name.removeprefix("package/"): tar.extractfile(member).read().decode("utf-8").replace("\r\n", "\n")  # type: ignore[union-attr]
                for member in tar.getmembers()
                if member.isfile() and member.name.startswith("package/dist/") and member.name.endswith((".d.ts", "index.js"))
            }
        self.version = JS_SDK[1]
        self.aliases: dict[str, str] = {}  # type aliases: name -> TypeScript type
        self.interfaces: dict[str, tuple[dict[str, str], list[tuple[str, str, bool, bool]]]] = {}
        self._read_models()
        self.searchable = self._feature_map("Searchable")
        self.sortable = self._feature_map("Sortable")
        self.routes = self._read_routes()

    # models
    def _read_models(self) -> None:
        for name, text in self.files.items():
            if not name.startswith("dist/models/"):
                continue
            for match in re.finditer(r"export interface (\w+)(<[^{]*>)?\s*{(.*?)\n}", text, re.S):
                model, generics, body = match.groups()
                self.interfaces[model] = (self._generic_defaults(generics or ""), self._properties(body))
            for match in re.finditer(r"export declare type (\w+)(?:<[^=]*>)? = ([^;]*);", text):
                self.aliases[match.group(1)] = match.group(2).strip()

    @staticmethod
    def _generic_defaults(generics: str) -> dict[str, str]:
        defaults = {}
        for part in _split_top(generics.strip()[1:-1], ","):
            name = part.split()[0]
            default = part.split("=", 1)[1].strip() if "=" in part else "any"
            defaults[name] = default
        return defaults

    @staticmethod
    def _properties(body: str) -> list[tuple[str, str, bool, bool]]:
        """(name, type, optional, readonly) of an interface body."""
        props = []
        for line in _split_top(re.sub(r"/\*.*?\*/", "", body, flags=re.S), ";"):
            match = re.fullmatch(r"(readonly\s+)?(\w+)(\?)?:\s*(.*)", line.strip(), re.S)
            if match:
                props.append((match.group(2), match.group(4).strip(), bool(match.group(3)), bool(match.group(1))))
        return props

    def _feature_map(self, name: str) -> dict[str, list[str] | None]:
        text = self.files[f"dist/models/{name}.d.ts"]
        found: dict[str, list[str] | None] = {}
        for match in re.finditer(r"'(\w+\.\w+)': (.*?);\n", text):
            kind = match.group(2)
            found[match.group(1)] = None if kind.startswith("string") else re.findall(r"'([^']*)'", kind)
        return found

    # operations
    def _read_routes(self) -> dict[str, tuple[str, str]]:
        """operationId -> (method, path) from the compiled methods' HTTP calls."""
        routes = {}
        method_re = re.compile(r"(\w+)\.prototype\.(\w+) = function \([^)]*\) \{(.*?)\n    \};", re.S)
        call_re = re.compile(r"http\.(get|post|put|patch|delete)\((.*?), __assign")
        for match in method_re.finditer(self.files["dist/index.js"]):
            resource, method, body = match.groups()
            call = call_re.search(body)
            if call is None:
                continue
            parts = re.findall(r'"([^"]*)"|\b([A-Za-z_]\w*)\b', call.group(2))
            path = "".join(literal if literal else ("" if ident == "concat" else "{%s}" % ident) for literal, ident in parts)
            routes[f"{resource}.{method}"] = (call.group(1), path)
        return routes

    def operations(self) -> list[SdkOperation]:
        found = []
        for name, text in sorted(self.files.items()):
            if not name.startswith("dist/api/") or name.endswith("index.d.ts"):
                continue
            resource = Path(name).name.removesuffix(".d.ts")
            for doc, method, generics, args, returns in self._signatures(text):
                route = self.routes.get(f"{resource}.{method}")
                if route is None:
                    continue
                found.append(self._operation(resource, method, route, doc, generics, args, returns))
        return found

    @staticmethod
    def _signatures(text: str):
        """(doc, name, {generic: bound}, args, return type) of each method of a declared class."""
        for match in re.finditer(r"/\*\*(.*?)\*/\s*(\w+)(?=[<(])", text, re.S):
            doc, name = match.group(1), match.group(2)
            pos = match.end()
            generics: dict[str, str] = {}
            if text[pos] == "<":
                end = _balanced(text, pos, "<", ">")
                for part in _split_top(text[pos + 1 : end - 1], ","):
                    bits = part.split(" extends ")
                    generics[bits[0].strip()] = bits[1].split("=")[0].strip() if len(bits) > 1 else "any"
                pos = end
            end = _balanced(text, pos, "(", ")")
            args = text[pos + 1 : end - 1]
            returns = re.match(r"\s*:\s*Promise<(.*?)>;\n", text[end:], re.S)
            if returns is None:
                continue
            yield doc, name, generics, args, returns.group(1)

    def _operation(self, resource, method, route, doc, generics, args, returns) -> SdkOperation:
        lines = [line.strip().lstrip("*").strip() for line in doc.strip().splitlines()]
        op = SdkOperation(f"{resource}.{method}", route[0], route[1], summary=lines[0] if lines else "")
        op.path_params = _PARAM.findall(route[1])
        param_docs = {m.group(1): m.group(2) for m in (re.match(r"@param (\S+) ?(.*)", line) for line in lines) if m}
        for arg in _split_top(args, ","):
            name, _, type_ = arg.partition(":")
            name, type_ = name.strip().rstrip("?"), type_.strip()
            if name in op.path_params:
                op.path_types[name] = self.schema_of(type_, owner=None, prop=name)
                continue
            if name == "requestOptions":
                continue
            if type_.startswith("{"):
                for field_ in _split_top(type_.strip()[1:-1], ";"):
                    qname, _, qtype = field_.partition(":")
                    op.query.append((qname.strip().rstrip("?"), self._query_schema(op.operation_id, qname.strip().rstrip("?"), qtype.strip())))
                continue
            partial = re.fullmatch(r"PartialDeep<(\w+)>", type_)
            op.body_model, op.body_partial = (partial.group(1), True) if partial else (type_, False)
            required = re.search(r"Required fields: (.*)", param_docs.get(name, ""))
            op.body_required_fields = [f.strip() for f in required.group(1).split(",")] if required else []
        op.response = self._response(returns, generics)
        return op

    def _query_schema(self, operation_id: str, name: str, type_: str) -> dict[str, Any]:
        if type_.startswith(("Searchable<", "Sortable<")):
            fields = (self.searchable if type_.startswith("Searchable") else self.sortable).get(operation_id)
            items: dict[str, Any] = {"type": "string", "enum": fields} if fields else {"type": "string"}
            return {"type": "array", "items": items}
        if type_ == "Filters":
            return {"type": "object"}
        if type_ == "number":
            return {"type": "integer"} if name in ("page", "pageSize") else {"type": "number"}
        return self.schema_of(type_, owner=None, prop=name)

    def _response(self, returns: str, generics: dict[str, str]) -> dict[str, Any] | None:
        returns = re.sub(r"^RequiredDeep<(.*)>$", r"\1", returns.strip())
        if returns == "void":
            return None
        page = re.fullmatch(r"(ListPage|ListPageWithFacets)<(\w+)>", returns)
        if page:
            item = generics.get(page.group(2), page.group(2))
            meta = "MetaWithFacets" if page.group(1) == "ListPageWithFacets" else "Meta"
            return {"type": "object", "properties": {"Items": {"type": "array", "items": _ref(item)}, "Meta": _ref(meta)}}
        return self.schema_of(generics.get(returns, returns), owner=None, prop="")

    # types
    def schema_of(self, type_: str, owner: str | None, prop: str, generic: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON schema of a TypeScript type; named models become $refs (their schemas: `model_schema`)."""
        type_ = type_.strip()
        generic = generic or {}
        if type_ in generic:
            type_ = generic[type_]
        if " | " in type_ and "'" in type_ and "[]" not in type_:
            values = re.findall(r"'([^']*)'", type_)
            named = next((alias for alias, text in sorted(self.aliases.items()) if re.findall(r"'([^']*)'", text) == values), None)
            return _ref(named) if named else {"type": "string", "enum": values}
        if " | " in type_:
            return {}
        if type_.endswith("[]"):
            return {"type": "array", "items": self.schema_of(type_[:-2].strip("()"), owner, prop, generic)}
        if type_ == "string":
            return {"type": "string"}
        if type_ == "boolean":
            return {"type": "boolean"}
        if type_ == "number":
            return {"type": PY_NUMBERS.get((owner, prop), "number")} if owner else {"type": "number"}
        if type_ == "any" or type_.startswith("{"):
            return {"type": "object"}
        name = type_.split("<", 1)[0]
        return _ref(name)

    def model_schema(self, name: str) -> dict[str, Any] | None:
        if name in self.aliases:
            alias = self.aliases[name]
            return {"type": "string", "enum": re.findall(r"'([^']*)'", alias)} if alias.startswith("'") else None
        if name not in self.interfaces:
            return None
        generic, props = self.interfaces[name]
        properties = {}
        for prop, type_, _optional, readonly in props:
            schema = self.schema_of(type_, name, prop, generic)
            if readonly:
                schema = {"allOf": [schema], "readOnly": True} if "$ref" in schema else {**schema, "readOnly": True}
            properties[prop] = schema
        return {"type": "object", "properties": properties}


#: (model, property) -> "integer" or "number", from the Python SDK (filled by `PySdk`).
PY_NUMBERS: dict[tuple[str, str], str] = {}


# -- the Python SDK -------------------------------------------------------------------------------


def _camel_param(snake: str) -> str:
    """buyer_group_id -> buyerGroupID (the API's parameter names)."""
    head, *rest = snake.split("_")
    words = [head] + [word.capitalize() for word in rest]
    if words[-1].lower() == "id":
        words[-1] = "ID"
    return "".join(words)


class PySdk:
    """Models and (for `PY_ONLY_RESOURCES`) operations of `ordercloud-python`, read with `ast`."""

    LIST_PARAMS = {"search": "search", "search_on": "searchOn", "search_type": "searchType", "sort_by": "sortBy",
                   "page": "page", "page_size": "pageSize", "filters": "filters", "depth": "depth"}

    def __init__(self, package: Path) -> None:
        with zipfile.ZipFile(package) as wheel:
            self.files = {name: wheel.read(name).decode("utf-8").replace("\r\n", "\n") for name in wheel.namelist() if name.endswith(".py")}
        self.version = PY_SDK[1]
        self.models: dict[str, dict[str, ast.expr]] = {}  # model -> alias -> annotation
        self.enums: dict[str, list[str]] = {}
        for name, text in self.files.items():
            if name.startswith("ordercloud/models/"):
                self._read_models(ast.parse(text))
        for model, fields in self.models.items():
            for alias, annotation in fields.items():
                kind = self._scalar(annotation)
                if kind in ("int", "float"):
                    PY_NUMBERS[(model, alias)] = "integer" if kind == "int" else "number"

    def _read_models(self, tree: ast.Module) -> None:
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            bases = {ast.unparse(base).split("[")[0] for base in cls.bases}
            if "OrderCloudEnum" in bases:
                self.enums[cls.name] = [n.value.value for n in cls.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)]
            elif "OrderCloudModel" in bases:
                fields = {}
                for node in cls.body:
                    if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call):
                        alias = next((k.value.value for k in node.value.keywords if k.arg == "alias"), None)
                        if alias:
                            fields[alias] = node.annotation
                self.models[cls.name] = fields

    @staticmethod
    def _scalar(annotation: ast.expr) -> str:
        text = ast.unparse(annotation)
        return re.sub(r"^Optional\[(.*)\]$", r"\1", text)

    def schema_of(self, annotation: str) -> dict[str, Any]:
        text = re.sub(r"^Optional\[(.*)\]$", r"\1", annotation.strip())
        scalars = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
        if text in scalars:
            return {"type": scalars[text]}
        if text.startswith("list["):
            return {"type": "array", "items": self.schema_of(text[5:-1])}
        if text in ("XP", "Any") or text.startswith("dict["):
            return {"type": "object"}
        return _ref(text.lstrip("_"))

    def model_schema(self, name: str) -> dict[str, Any] | None:
        if name in self.enums:
            return {"type": "string", "enum": self.enums[name]}
        if name not in self.models:
            return None
        return {"type": "object", "properties": {alias: self.schema_of(ast.unparse(a)) for alias, a in self.models[name].items()}}

    def operations(self, resources: tuple[str, ...]) -> list[SdkOperation]:
        found = []
        for name, text in sorted(self.files.items()):
            if not name.startswith("ordercloud/resources/"):
                continue
            for cls in (node for node in ast.parse(text).body if isinstance(node, ast.ClassDef)):
                resource = cls.name.removesuffix("Resource")
                if resource not in resources:
                    continue
                for fn in (node for node in cls.body if isinstance(node, ast.AsyncFunctionDef)):
                    op = self._operation(resource, fn)
                    if op is not None:
                        found.append(op)
        return found

    def _operation(self, resource: str, fn: ast.AsyncFunctionDef) -> SdkOperation | None:
        call = next(
            (node for node in ast.walk(fn) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in HTTP_METHODS and ast.unparse(node.func.value) == "self._http"),
            None,
        )
        if call is None:
            return None
        target = call.args[0]
        if isinstance(target, ast.Call):  # SensitivePath(wire=f"...", log_form=...)
            target = next(k.value for k in target.keywords if k.arg == "wire")
        if isinstance(target, ast.JoinedStr):
            path = "".join(v.value if isinstance(v, ast.Constant) else "{%s}" % _camel_param(ast.unparse(v.value)) for v in target.values)
        else:
            path = target.value  # type: ignore[attr-defined]
        doc = ast.get_docstring(fn) or ""
        verb = "".join(word.capitalize() for word in fn.name.split("_"))
        op = SdkOperation(f"{resource}.{verb}", call.func.attr, path, summary=doc.splitlines()[0] if doc else "")  # type: ignore[attr-defined]
        op.path_params = _PARAM.findall(path)
        returns = ast.unparse(fn.returns) if fn.returns else "None"
        arg_docs = dict(re.findall(r"^\s+(\w+): (.*)$", doc, re.M))
        for arg in fn.args.args[1:]:
            annotation = ast.unparse(arg.annotation) if arg.annotation else ""
            if _camel_param(arg.arg) in op.path_params:
                continue
            if annotation.startswith("Union["):
                op.body_model = annotation[6:].split(",")[0].strip()
            elif arg.arg == "partial":
                op.body_model, op.body_partial = returns, True
            required = re.search(r"Required fields: (.*?)\.?$", arg_docs.get(arg.arg, ""))
            if required:
                op.body_required_fields = [f.strip() for f in required.group(1).split(",")]
        for arg in fn.args.kwonlyargs:
            name = self.LIST_PARAMS.get(arg.arg) or _camel_param(arg.arg)
            annotation = ast.unparse(arg.annotation) if arg.annotation else "str"
            if name in ("searchOn", "sortBy"):
                schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
            elif name in ("page", "pageSize"):
                schema = {"type": "integer"}
            else:
                schema = self.schema_of(annotation)
                values = re.search(r"Possible values: (.*?)\.?$", arg_docs.get(arg.arg, ""))
                if values and schema.get("type") == "string":
                    schema["enum"] = [v.strip() for v in values.group(1).split(",")]
            op.query.append((name, schema))
        page = re.fullmatch(r"ListPage\[(\w+)\]", returns)
        if returns == "None":
            op.response = None
        elif page:
            meta = "MetaWithFacets" if "MetaWithFacets" in ast.unparse(fn) else "Meta"
            op.response = {"type": "object", "properties": {"Items": {"type": "array", "items": _ref(page.group(1))}, "Meta": _ref(meta)}}
        else:
            op.response = _ref(returns)
        return op


# -- merging --------------------------------------------------------------------------------------


#: POSTs that answer 200, not 201, in 1.0.260 (by verb): computations and tokens, not new objects.
POST_200_VERBS = ("Calculate", "EstimateShipping", "SelectShipMethods", "SelectShipmethods", "GetToken", "GetAccessToken", "Forward", "Split", "SaveItem")


def success_status(op: SdkOperation) -> str:
    """The SDKs do not state it; 1.0.260's convention: no content 204, a POST 201 (but POST_200_VERBS), else 200."""
    if op.response is None:
        return "204"
    if op.method == "post" and op.operation_id.split(".", 1)[1] not in POST_200_VERBS:
        return "201"
    return "200"


def openapi_operation(op: SdkOperation) -> dict[str, Any]:
    """An OpenAPI operation in 1.0.260's shapes; no `security`: the SDKs do not state roles."""
    parameters = [{"name": name, "in": "path", "required": True, "schema": op.path_types.get(name, {"type": "string"})} for name in op.path_params]
    parameters += [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in op.query]
    status = success_status(op)
    response: dict[str, Any] = {"description": ""}
    if op.response is not None:
        response["content"] = {"application/json": {"schema": op.response}}
    operation: dict[str, Any] = {
        "operationId": op.operation_id,
        "description": op.summary,  # prose: normalizing keeps only "Only available to Buyer Users"
        "tags": [op.operation_id.split(".", 1)[0]],
        "parameters": parameters,
        "responses": {status: response},
    }
    if op.body_model:
        body: dict[str, Any] = {"allOf": [_ref(op.body_model)]}
        if op.body_required_fields and not op.body_partial:
            body["required"] = op.body_required_fields
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].removeprefix(REF)} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


@dataclass
class Built:
    document: dict[str, Any]
    added_operations: list[str]
    added_schemas: list[str]
    #: "Model.Property" of the properties added to models of the base
    added_properties: list[str] = field(default_factory=list)


def build(js: JsSdk, py: PySdk, base: dict[str, Any]) -> Built:
    document = copy.deepcopy(base)
    known = {path_key(method, path) for path, method, _ in each_operation(document)}
    sdk_ops = js.operations()
    js_keys = {path_key(op.method, op.path) for op in sdk_ops}
    sdk_ops += [op for op in py.operations(PY_ONLY_RESOURCES) if path_key(op.method, op.path) not in js_keys]
    added = []
    for op in sdk_ops:
        if path_key(op.method, op.path) in known:
            continue
        known.add(path_key(op.method, op.path))
        document["paths"].setdefault(op.path, {})[op.method] = openapi_operation(op)
        added.append(op.operation_id)
    schemas = document["components"]["schemas"]
    added_properties = []
    for name, schema in sorted(schemas.items()):
        sdk_schema = js.model_schema(name) if name in js.interfaces else None
        if sdk_schema is None or "properties" not in schema:
            continue
        for prop, prop_schema in sdk_schema["properties"].items():
            if prop not in schema["properties"]:
                schema["properties"][prop] = prop_schema
                added_properties.append(f"{name}.{prop}")
    added_schemas = []
    wanted = _refs(document["paths"])
    while wanted - set(schemas):
        for name in sorted(wanted - set(schemas)):
            schema = js.model_schema(name) or py.model_schema(name)
            if schema is None:
                raise SystemExit(f"model {name} is in neither SDK")
            schemas[name] = schema
            added_schemas.append(name)
        wanted = _refs(document["paths"]) | _refs(schemas)
    roles = js.model_schema("ApiRole")["enum"]  # type: ignore[index]
    enum = schemas["ApiRole"]["enum"]
    enum.extend(role for role in roles if role not in enum)
    for scheme in document["components"].get("securitySchemes", {}).values():
        for flow in scheme.get("flows", {}).values():
            for role in roles:
                flow["scopes"].setdefault(role, "")
    tags = document.setdefault("tags", [])
    for op_id in added:
        tag = op_id.split(".", 1)[0]
        if all(t.get("name") != tag for t in tags):
            tags.append({"name": tag})
    document["info"] = {**document.get("info", {}), "version": API_VERSION}
    return Built(document, added, added_schemas, added_properties)


# -- command line ---------------------------------------------------------------------------------


def fetch_packages(folder: Path) -> tuple[Path, Path]:
    """`npm pack` and `pip download` the two SDKs into `folder`."""
    subprocess.run(["npm", "pack", f"{JS_SDK[0]}@{JS_SDK[1]}", "--pack-destination", str(folder)], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", f"{PY_SDK[0]}=={PY_SDK[1]}", "-d", str(folder)], check=True, capture_output=True)
    return next(folder.glob("*.tgz")), next(folder.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocgate.spec.current", description=__doc__.splitlines()[0])
    parser.add_argument("--js-sdk", type=Path, help=f"{JS_SDK[0]}-{JS_SDK[1]}.tgz (default: npm pack it)")
    parser.add_argument("--py-sdk", type=Path, help=f"the {PY_SDK[0]} {PY_SDK[1]} wheel (default: pip download it)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--overlay", type=Path, default=OVERLAY_PATH,
                        help="the overlay whose operation_roles entries for the added operations are rewritten (default: ocgate's)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        js_path, py_path = args.js_sdk, args.py_sdk
        if js_path is None or py_path is None:
            fetched = fetch_packages(Path(tmp))
            js_path, py_path = js_path or fetched[0], py_path or fetched[1]
        built = build(JsSdk(js_path), PySdk(py_path), normalize(load_document(BASE)))
        raw = Path(tmp) / "current.json"
        raw.write_text(json.dumps(built.document), encoding="utf-8")
        pinned = pin(str(raw), args.out)
    if args.overlay:
        update_overlay(role_entries(built.document, built.added_operations), args.overlay)
    print(f"{pinned.path}: OrderCloud {pinned.version}, {pinned.operations} operations "
          f"({len(built.added_operations)} added to {BASE}), {len(built.document['components']['schemas'])} schemas "
          f"({len(built.added_schemas)} added, {len(built.added_properties)} properties added to models of {BASE})")
    return 0



# -- roles of the added operations ------------------------------------------------------------------

#: Roles OrderCloud's own reference pages state for added operations: {operationId: (roles, source)}.
DOCUMENTED_ROLES: dict[str, tuple[list[str], str]] = {
    "ApiClients.CreateSecret": (["FullAccess", "ApiClientAdmin"], "https://developer.ordercloud.io/api-reference/seller/api-clients/create-secret"),
    "Subscriptions.Get": (["FullAccess", "SubscriptionAdmin", "SubscriptionReader"], "https://ordercloud.io/api-reference/orders-and-fulfillment/subscriptions/get"),
    "Me.ListSubscriptions": (["FullAccess", "MeSubscriptionAdmin", "Shopper"], "https://ordercloud.io/api-reference/me-and-my-stuff/my-subscriptions/list-subscriptions"),
    "Me.CreateSubscription": (["FullAccess", "MeSubscriptionAdmin"], "https://ordercloud.io/api-reference/me-and-my-stuff/my-subscriptions/create-subscription"),
    **{
        f"BuyerGroups.{verb}": (["FullAccess", "BuyerAdmin", "BuyerReader"] if verb in ("List", "Get") else ["FullAccess", "BuyerAdmin"],
                                "https://developer.ordercloud.io/knowledge-base/buyer-groups (Security roles: BuyerReader view, BuyerAdmin full management)")
        for verb in ("List", "Create", "Get", "Save", "Delete", "Patch")
    },
}

#: operationId prefix -> (admin role, reader role or None, why this pair). Reads get FullAccess + admin + reader,
#: writes FullAccess + admin: the pattern of every resource of 1.0.260.
ROLE_PAIRS: dict[str, tuple[str, str | None, str]] = {
    "ApiClients": ("ApiClientAdmin", "ApiClientReader", "the API client roles of 1.0.260's ApiClients"),
    "AdminUsers": ("AdminUserAdmin", None, "writes on an admin user need AdminUserAdmin in 1.0.260"),
    "Users": ("BuyerUserAdmin", None, "writes on a buyer user need BuyerUserAdmin in 1.0.260"),
    "SupplierUsers": ("SupplierUserAdmin", None, "writes on a supplier user need SupplierUserAdmin in 1.0.260"),
    "ProductCollections": ("ProductCollectionReader", None, "the SDK's only product collection role, ProductCollectionReader (these are reads)"),
    "Catalogs": ("CatalogAdmin", "CatalogReader", "as Catalogs' product assignments in 1.0.260"),
    "Categories": ("CategoryAdmin", "CategoryReader", "as Categories' product assignments in 1.0.260"),
    "InventoryRecords": ("ProductAdmin", "ProductReader", "1.0.260's InventoryRecords operations use ProductAdmin/ProductReader"),
    "Bundles": ("BundleAdmin", "BundleReader", "the SDK's ApiRole enum has BundleAdmin/BundleReader"),
    "BundleLineItems": ("OrderAdmin", None, "as LineItems.Create/Delete in 1.0.260 (FullAccess, OrderAdmin, Shopper)"),
    "BundleSubscriptionItems": ("SubscriptionAdmin", None, "the SDK's ApiRole enum has SubscriptionAdmin for subscriptions and their items"),
    "Subscriptions": ("SubscriptionAdmin", "SubscriptionReader", "the SDK's ApiRole enum has SubscriptionAdmin/SubscriptionReader"),
    "SubscriptionItems": ("SubscriptionAdmin", "SubscriptionReader", "items of a subscription: the subscription roles"),
    "TrackingEvents": ("TrackingEventAdmin", "TrackingEventReader", "the SDK's ApiRole enum has TrackingEventAdmin/TrackingEventReader"),
    "DeliveryConfigurations": ("DeliveryConfigAdmin", None, "the SDK's ApiRole enum has DeliveryConfigAdmin and no reader"),
    "EntitySynchronization": ("EntitySyncConfigAdmin", None, "the SDK's ApiRole enum has EntitySyncConfigAdmin and no reader"),
    "ErrorConfigs": ("ErrorConfigAdmin", None, "the SDK's ApiRole enum has ErrorConfigAdmin and no reader"),
    "OrderSynchronization": ("OrderSyncConfigAdmin", None, "the SDK's ApiRole enum has OrderSyncConfigAdmin and no reader"),
    "ProductSynchronization": ("ProductSyncConfigAdmin", None, "the SDK's ApiRole enum has ProductSyncConfigAdmin and no reader"),
    "InventoryIntegrations": ("ProductAdmin", "ProductReader", "no inventory integration role in the SDK's ApiRole enum; inventory is a product's (InventoryRecords use ProductAdmin/ProductReader)"),
    "PromotionIntegrations": ("PromotionAdmin", "PromotionReader", "no promotion integration role in the SDK's ApiRole enum; the promotion roles"),
    "SubscriptionIntegrations": ("SubscriptionAdmin", "SubscriptionReader", "no subscription integration role in the SDK's ApiRole enum; the subscription roles"),
    "Discounts": ("PriceScheduleAdmin", "PriceScheduleReader", "no discount role in either SDK's ApiRole enum; discounts are quantity-tiered price reductions assigned to parties, like price schedules (weakest guess of this list)"),
}


def infer_roles(operation_id: str, method: str, path: str) -> tuple[list[str], str]:
    """(roles, reason) of an added operation the reference pages did not give; [] means any valid token."""
    resource, verb = operation_id.split(".", 1)
    read = method == "get"
    if resource == "Cart" or (resource == "Me" and "Subscription" not in verb) or resource == "GroupOrders":
        if operation_id == "Me.RevokeTokens":
            return [], "revoking one's own tokens needs no role, as GET /me (no roles in 1.0.260) and the overlay's token-revocation-operations"
        return ["FullAccess", "Shopper"], "every Cart operation and the /me shopping operations of 1.0.260 need FullAccess or Shopper"
    if resource == "Me":
        return (["FullAccess", "MeSubscriptionAdmin", "Shopper"] if read else ["FullAccess", "MeSubscriptionAdmin"],
                "as the documented Me.ListSubscriptions (reads add Shopper) and Me.CreateSubscription (writes: MeSubscriptionAdmin)")
    if resource == "ForgottenCredentials":
        return [], "as PasswordResets.SendVerificationCode (no roles in 1.0.260): whoever forgot their credentials cannot sign in"
    if resource == "Orders":
        return (["FullAccess", "OrderAdmin", "Shopper", "OrderReader"] if read else ["FullAccess", "OrderAdmin", "Shopper"],
                "as Orders.ListPromotions / Orders.AddPromotion in 1.0.260")
    if resource == "BundleLineItems":
        return ["FullAccess", "OrderAdmin", "Shopper"], ROLE_PAIRS[resource][2]
    if resource == "Bundles" and ("Assignment" in verb and "Product" not in verb):
        roles = ["FullAccess", "BundleAdmin", "BundleAssignmentAdmin"] + (["BundleReader"] if read else [])
        return roles, "as Products' buyer assignments in 1.0.260 (ProductAdmin, ProductAssignmentAdmin, reads ProductReader) with the SDK's Bundle roles"
    admin, reader, why = ROLE_PAIRS[resource]
    roles = ["FullAccess", admin] + ([reader] if read and reader else [])
    return roles, ("reads: FullAccess, admin and reader; writes: FullAccess and admin — " if reader else "FullAccess and the admin role — ") + why


def role_entries(document: dict[str, Any], added: list[str]) -> list[dict[str, Any]]:
    """The overlay's two `operation_roles` entries for the operations `build` added."""
    by_id = {op["operationId"]: (method, path) for path, method, op in each_operation(document)}
    documented, inferred = {}, {}
    for operation_id in added:
        if operation_id in DOCUMENTED_ROLES:
            roles, source = DOCUMENTED_ROLES[operation_id]
            documented[operation_id] = {"roles": roles, "source": source}
        else:
            roles, reason = infer_roles(operation_id, *by_id[operation_id])
            inferred[operation_id] = {"roles": roles, "inferred": True, "reason": reason}
    return [
        {"id": "current-documented-roles", "kind": "operation_roles",
         "reason": f"The SDKs that {OUT.name} is built from do not state roles; OrderCloud's reference pages state these (source per operation).",
         "operations": documented},
        {"id": "current-inferred-roles", "kind": "operation_roles",
         "reason": (f"The SDKs that {OUT.name} is built from do not state roles and no reference page was found for these: "
                    "inferred from the resource's Admin/Reader role pair (only role names of the SDK's ApiRole enum) plus FullAccess, "
                    "or from the 1.0.260 operation they mirror. Replace an entry when OrderCloud documents it."),
         "operations": inferred},
    ]


def update_overlay(entries: list[dict[str, Any]], path: Path) -> None:
    """Replace (or append) the overlay entries with these ids; every other entry stays as it is."""
    overlay = json.loads(path.read_text(encoding="utf-8"))
    ids = {entry["id"] for entry in entries}
    kept = [entry for entry in overlay["corrections"] if entry.get("id") not in ids]
    overlay["corrections"] = kept + entries
    path.write_text(json.dumps(overlay, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
