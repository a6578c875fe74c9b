from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """A page made for a signed-in reader (student records, messages, attachments) is never
    kept by the browser or a proxy: on a shared computer the next person could read it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
