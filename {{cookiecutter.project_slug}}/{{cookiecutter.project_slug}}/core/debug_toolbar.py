"""Local development only, with CSP on (the debug toolbar block of config/settings/local.py)."""


def csp_nonce_middleware(get_response):
    """Create the request's CSP nonce before the toolbar renders, so its tags carry it.

    django-csp makes ``request.csp_nonce`` lazily and the toolbar only uses a nonce that
    already exists; without this its <script> and <link> tags rely on 'self' alone.
    """

    def middleware(request):
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None:
            str(nonce)
        return get_response(request)

    return middleware
