"""Reading a rendered page the way a user sees it: texts, fields, rows."""

from django.test.html import Element, parse_html


def page(response) -> Element:
    return parse_html(response.content.decode())


def walk(node):
    yield node
    for child in getattr(node, "children", []):
        if isinstance(child, Element):
            yield from walk(child)


def attr(node: Element, name: str) -> str | None:
    for key, value in node.attributes:
        if key == name:
            return value
    return None


def has_class(node: Element, name: str) -> bool:
    return name in (attr(node, "class") or "").split()


def find_all(response_or_node, tag: str | None = None, **attrs) -> list[Element]:
    """Elements of `tag` (any tag if None) with these attributes (`data_testid`, `class`...).

    `class` matches an element having all the classes given; other attributes match exactly.
    """
    root = page(response_or_node) if hasattr(response_or_node, "content") else response_or_node
    wanted = {key.replace("_", "-"): value for key, value in attrs.items()}
    return [
        node
        for node in walk(root)
        if (tag is None or node.name == tag)
        and all(_matches(node, key, value) for key, value in wanted.items())
    ]


def _matches(node: Element, key: str, value: str) -> bool:
    if key == "class":
        # The parser sorts class names; ask for the classes, in any order.
        return set(value.split()) <= set((attr(node, "class") or "").split())
    return attr(node, key) == value


def text(node) -> str:
    """The visible text of a node, whitespace collapsed."""
    if isinstance(node, str):
        return " ".join(node.split())
    parts = [text(child) for child in node.children]
    return " ".join(part for part in parts if part)


def texts(response_or_node, tag: str | None = None, **attrs) -> list[str]:
    return [text(node) for node in find_all(response_or_node, tag, **attrs)]


def by_testid(response, value: str) -> str:
    """The text of the one element with data-testid=`value`."""
    (node,) = find_all(response, data_testid=value)
    return text(node)


def field_value(response, name: str):
    """What a form field shows: an input's value, a textarea's text, the checked choice."""
    nodes = [node for node in find_all(response, name=name) if node.name != "meta"]
    if not nodes:
        raise AssertionError(f"No field named {name!r} on the page.")
    first = nodes[0]
    if first.name == "textarea":
        return text(first)
    if first.name == "select":
        return [
            attr(option, "value")
            for option in walk(first)
            if option.name == "option" and any(key == "selected" for key, _ in option.attributes)
        ]
    if attr(first, "type") == "checkbox" and len(nodes) == 1:
        return any(key == "checked" for key, _ in first.attributes)
    if attr(first, "type") in ("radio", "checkbox"):
        return [
            attr(node, "value")
            for node in nodes
            if any(key == "checked" for key, _ in node.attributes)
        ]
    return attr(first, "value")


def errors(response) -> list[str]:
    """Every error message the page shows on its form, field errors and the others."""
    found = []
    for node in walk(page(response)):
        if node.name in ("div", "span") and has_class(node, "invalid-feedback"):
            found.append(text(node))
        elif (node.name, has_class(node, "alert-danger"), has_class(node, "errorlist")) in (
            ("div", True, False),
            ("ul", False, True),
        ):
            found.extend(text(item) for item in walk(node) if item.name == "li")
        elif node.name == "div" and has_class(node, "errornote"):
            found.extend(text(child) for child in node.children if isinstance(child, str))
    return found


def alerts(response) -> list[str]:
    """The messages shown at the top of the page (success, error, info)."""
    return [text(node) for node in find_all(response, "div", role="alert")]


def confirming(data: dict | None = None) -> dict:
    """What a confirmation page's form posts: `data` with the page's confirmation."""
    return {**(data or {}), "confirm": "yes"}
