"""A small Flask API with Flask-CORS, one of the configurations in configs.json.

Usage: /usr/bin/python3 app.py --config NAME --port PORT (listens on 127.0.0.1 only).
"""
import argparse
import logging
import signal
import sys

from flask import Flask, jsonify
from flask_cors import CORS
from werkzeug.serving import make_server


def configure_cors(app, name):
    """Applies the named configuration, written as a team writes it."""
    if name == "api-allowlist":
        CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com", "https://admin.example.com", "http://localhost:3000"]}},
             methods=["GET", "POST", "PUT", "DELETE"],
             allow_headers=["Content-Type", "X-Request-Id", "Authorization"],
             expose_headers=["X-Request-Id", "X-Total-Count"],
             supports_credentials=True,
             max_age=600)
    elif name == "defaults":
        CORS(app)
    elif name == "reflect-credentials":
        CORS(app, supports_credentials=True)
    else:
        raise SystemExit(f"unknown configuration {name!r}")


def create_app(name):
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return "ok"

    @app.route("/api/items", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/api/items/<int:item_id>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def items(item_id=None):
        return jsonify(ok=True), 200, {"X-Request-Id": "42", "X-Total-Count": "1"}

    @app.get("/public/info")
    def public_info():
        return "public info"

    @app.route("/admin/stats", methods=["GET", "POST"])
    def admin_stats():
        return "admin stats"

    configure_cors(app, name)
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", args.port, create_app(args.config), threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
