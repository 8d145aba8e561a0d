"""Reading the API's one error shape in tests: {"type", "errors": [{"code", "detail", "attr"}]}."""


def errors_by_parameter(response) -> dict[str, list[str]]:
    """The error messages of a response, by the parameter (attr) each names."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    named: dict[str, list[str]] = {}
    for error in body["errors"]:
        named.setdefault(error["attr"], []).append(error["detail"])
    return named
