"""A small Starlette API with CORSMiddleware, one of the configurations in configs.json.

Usage: /usr/bin/python3 app.py --config NAME --port PORT (listens on 127.0.0.1 only).
"""
import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

# Each configuration is the middleware a team adds to its application.
CONFIGS = {
    "allowlist": Middleware(
        CORSMiddleware,
        allow_origins=["https://app.example.com", "https://admin.example.com", "http://localhost:3000"],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "X-Request-Id", "Authorization"],
        expose_headers=["X-Request-Id", "X-Total-Count"],
        max_age=600,
    ),
    "public-wildcard": Middleware(
        CORSMiddleware,
        allow_origins=["*"],
    ),
    "wildcard-credentials": Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    ),
}


async def health(request):
    return PlainTextResponse("ok")


async def items(request):
    return JSONResponse({"ok": True}, headers={"X-Request-Id": "42", "X-Total-Count": "1"})


async def public_info(request):
    return PlainTextResponse("public info")


async def admin_stats(request):
    return PlainTextResponse("admin stats")


ITEM_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ROUTES = [
    Route("/health", health),
    Route("/api/items", items, methods=ITEM_METHODS),
    Route("/api/items/{item_id:int}", items, methods=ITEM_METHODS),
    Route("/public/info", public_info),
    Route("/admin/stats", admin_stats, methods=["GET", "POST"]),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.config not in CONFIGS:
        raise SystemExit(f"unknown configuration {args.config!r}")
    app = Starlette(routes=ROUTES, middleware=[CONFIGS[args.config]])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
