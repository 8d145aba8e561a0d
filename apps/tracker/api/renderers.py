"""CSV for every API list: one row per record, nested fields flattened into dotted columns
(`court.slug`, `parties.actor.slug`), several values of a list joined with "; ", and every cell
that a spreadsheet would read as a formula neutralised."""

import csv
import io

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from ..exports import neutralise

JOIN = "; "


def _nested(field):
    """The serializer whose fields a field's value has, if it is a nested object."""
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if isinstance(field, serializers.Serializer):
        return field
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(field.parent, field.method_name, None)
        annotation = getattr(method, "_spectacular_annotation", {})
        annotation = annotation.get("field") if isinstance(annotation, dict) else None
        if isinstance(annotation, serializers.Serializer):
            return annotation
    return None


def columns_of(serializer, prefix: str = "") -> list[str]:
    """The dotted column names of a serializer's flattened output, in field order."""
    names = []
    for name, field in serializer.fields.items():
        nested = _nested(field)
        if nested is not None:
            names += columns_of(nested, f"{prefix}{name}.")
        else:
            names.append(f"{prefix}{name}")
    return names


def _values(value, path: list[str]) -> list:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _values(item, path)]
    if not path:
        return [] if value is None else [value]
    if not isinstance(value, dict):
        return []
    return _values(value.get(path[0]), path[1:])


def cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(str(value))


def row_of(item: dict, columns: list[str]) -> list[str]:
    return [JOIN.join(cell(v) for v in _values(item, c.split("."))) for c in columns]


def csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


class CSVRenderer(BaseRenderer):
    """One page, one record or one plain list as CSV; a list action streams the whole filtered
    collection instead (see RecordViewSetMixin.list)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        view = (renderer_context or {}).get("view")
        serializer = view.get_serializer() if view is not None else None
        if serializer is not None and hasattr(serializer, "fields"):
            columns = columns_of(serializer)
        else:
            columns = list(rows[0]) if rows else []
        lines = [csv_line(columns)] + [csv_line(row_of(row, columns)) for row in rows]
        return "".join(lines).encode("utf-8")
