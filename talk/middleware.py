from asgiref.sync import iscoroutinefunction, sync_to_async
from django.urls import reverse
from django.utils.decorators import sync_and_async_middleware

from .views import healthz


@sync_and_async_middleware
def healthz_first(get_response):
    """Answer /healthz before anything checks the Host header or redirects
    to HTTPS. A container's health check asks on 127.0.0.1 over plain HTTP,
    whatever ALLOWED_HOSTS and SECURE_SSL_REDIRECT say; the answer ("ok" or
    "database unavailable") names no host and links nowhere, so skipping
    those checks for it gives nothing away. First in MIDDLEWARE."""
    path = reverse("healthz")

    if iscoroutinefunction(get_response):

        async def middleware(request):
            if request.path_info == path:
                return await sync_to_async(healthz)(request)
            return await get_response(request)

    else:

        def middleware(request):
            if request.path_info == path:
                return healthz(request)
            return get_response(request)

    return middleware
