"""A single-file Django project with django-cors-headers, one of the configurations in configs.json.

Usage: /usr/bin/python3 app.py --config NAME --port PORT (listens on 127.0.0.1 only).
"""
import argparse
import signal
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from corsheaders.defaults import default_headers
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

# Each configuration is the CORS part of a settings.py, as a team writes it.
CONFIGS = {
    "api-allowlist": dict(
        CORS_ALLOWED_ORIGINS=["https://app.example.com", "https://admin.example.com", "http://localhost:3000"],
        CORS_URLS_REGEX=r"^/api/.*$",
        CORS_ALLOW_CREDENTIALS=True,
        CORS_ALLOW_HEADERS=list(default_headers) + ["x-request-id"],
        CORS_EXPOSE_HEADERS=["X-Request-Id", "X-Total-Count"],
        CORS_PREFLIGHT_MAX_AGE=600,
    ),
    "allow-all": dict(
        CORS_ALLOW_ALL_ORIGINS=True,
    ),
    "reflect-credentials": dict(
        CORS_ALLOW_ALL_ORIGINS=True,
        CORS_ALLOW_CREDENTIALS=True,
    ),
}


@require_http_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
def items(request, item_id=None):
    response = JsonResponse({"ok": True})
    response["X-Request-Id"] = "42"
    response["X-Total-Count"] = "1"
    return response


@require_http_methods(["GET"])
def health(request):
    return HttpResponse("ok", content_type="text/plain")


@require_http_methods(["GET"])
def public_info(request):
    return HttpResponse("public info", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def admin_stats(request):
    return HttpResponse("admin stats", content_type="text/plain")


urlpatterns = [
    path("health", health),
    path("api/items", items),
    path("api/items/<int:item_id>", items),
    path("public/info", public_info),
    path("admin/stats", admin_stats),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.config not in CONFIGS:
        raise SystemExit(f"unknown configuration {args.config!r}")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="corswasm-e2e-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["corsheaders"],
        MIDDLEWARE=["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
        **CONFIGS[args.config],
    )
    django.setup()
    from django.core.wsgi import get_wsgi_application

    server = make_server("127.0.0.1", args.port, get_wsgi_application(),
                         server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
