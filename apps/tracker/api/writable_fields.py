"""Write shapes that refuse what they do not take, shared by every app's API."""

from rest_framework import serializers


class WritableFieldsOnlyMixin:
    """A write that names a field the write shape does not take (an id, `updated_at`, history,
    a derived field) is a 400 naming it, not silently dropped: a client that believes it set
    something learns that it did not."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data.keys()) - writable)
            if refused:
                message = "This field cannot be set. Writable fields: " + ", ".join(
                    sorted(writable)
                )
                raise serializers.ValidationError({name: [message] for name in refused})
            # PostgreSQL can neither store nor look up a NUL character (a 500 otherwise).
            with_nul = sorted(
                name
                for name in data
                for value in (data.getlist(name) if hasattr(data, "getlist") else [data[name]])
                if isinstance(value, str) and "\x00" in value
            )
            if with_nul:
                message = "Must not contain a NUL character."
                raise serializers.ValidationError({name: [message] for name in with_nul})
        return super().to_internal_value(data)
