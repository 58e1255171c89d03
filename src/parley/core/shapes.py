"""JSON for plain dicts the server built itself, in the shape of a response model.

The longest answers (a page of history, the chat list) are built as plain dicts from
rows. Validating them into models only to write them out again cost as much CPU as the
writing (the chat list: 7 of its 14 ms of pydantic). A serialiser made from the model's
own schema, with every model swapped for a typed dict of the same fields, writes the
dicts directly, with the same field serialisers (timestamps and all), in the same order:
the bytes are those the model would have written (tests/test_shapes.py holds it to that).
"""

from typing import Any

from pydantic import TypeAdapter
from pydantic_core import SchemaSerializer


def dict_serializer(adapter: TypeAdapter[Any]) -> SchemaSerializer:
    """Writes values shaped like ``adapter``'s type, but with plain dicts for its models.

    Every field must be present in every dict: a model would fill in defaults, this
    does not.
    """
    return SchemaSerializer(_as_dicts(adapter.core_schema))


def _as_dicts(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_as_dicts(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") != "model":
        return {key: _as_dicts(value) for key, value in schema.items()}
    inner = schema["schema"]
    if inner.get("type") != "model-fields" or inner.get("computed_fields"):
        raise TypeError(f"{schema.get('cls')} cannot be written from a dict")
    fields = {}
    for name, field in inner["fields"].items():
        fields[name] = {
            "type": "typed-dict-field",
            "schema": _as_dicts(field["schema"]),
            "required": True,
            **{
                key: field[key]
                for key in ("serialization_alias", "serialization_exclude")
                if key in field
            },
        }
    shaped: dict[str, Any] = {"type": "typed-dict", "fields": fields}
    if "ref" in schema:  # a model used twice is defined once and referred to by this
        shaped["ref"] = schema["ref"]
    return shaped
