"""The OpenAPI schema's shared parts: the one error body every 4xx answer carries (see
:mod:`kechuang.core.api`), documented on every operation by a drf-spectacular postprocessing hook
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``), and a schema class for viewsets whose ``list``
answers one object. Imported when the core app is ready, so its extension is registered."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer: one or more coded errors.",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string", "nullable": True,
                              "description": "the field (dotted path for nested ones); null for the "
                                             "request as a whole"},
                    "code": {"type": "string", "description": "stable machine-readable code"},
                    "message": {"type": "string", "description": "the reason, for people (zh-Hans)"},
                },
            },
        },
    },
}

#: Status → description; 404 where the path or the body names an object (an object the user may
#: not see is "not found", never "forbidden": its existence is not disclosed), 409 on writes.
ERRORS = {
    "400": "Invalid input: each error names the field and the reason.",
    "403": "Not signed in, or not allowed to do this.",
    "404": "No such object, or not visible to you.",
    "409": "Conflicts with existing data (for example a duplicate name); nothing was changed.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result, generator, request, public):
    """Add the ``Error`` component and the 400/403 (+404 with path parameters or on writes, +409
    on writes) responses to every operation that does not declare them itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "403"]
            if "{" in path or method in WRITE_METHODS:
                codes.append("404")
            if method in WRITE_METHODS:
                codes.append("409")
            for code in codes:
                operation["responses"].setdefault(code, {"content": ref, "description": ERRORS[code]})
    return result


class SingleObjectListSchema(AutoSchema):
    """For a ``ViewSet`` whose ``list`` returns one computed object (an enterprise's evaluation or
    rating), not a list: drf-spectacular otherwise documents every ``list`` as an array."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


class BasicAuthScheme(OpenApiAuthenticationExtension):
    """Our Basic authentication (:mod:`kechuang.core.authentication`) is plain HTTP Basic."""

    target_class = "kechuang.core.authentication.BasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}
