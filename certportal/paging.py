"""The query string of a paginated page for its pagination links."""


def query_without(request, name: str = "page") -> str:
    """The page's query string without its page number `name`, the other parameters kept."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()
