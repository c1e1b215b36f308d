from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page numbers with a client-chosen size, bounded so one request stays cheap."""

    page_size_query_param = "page_size"
    max_page_size = 100
