"""Stops `make test` with one line when PostgreSQL or Redis is unreachable (never falls back)."""

import os
import socket
import sys

HOW = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def reachable(host, port):
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return True
    except OSError:
        return False


def main():
    checks = [
        ("PostgreSQL", os.environ.get("DVK_DB_HOST", "127.0.0.1"), os.environ.get("DVK_DB_PORT", "5432")),
        ("Redis", "127.0.0.1", "6379"),
    ]
    for name, host, port in checks:
        if not reachable(host, port):
            print(
                f"{name} is not reachable on {host}:{port}: start it with `{HOW[name]}` "
                "or `docker compose up -d db redis`, then run make test again.",
                file=sys.stderr,
            )
            sys.exit(1)


if __name__ == "__main__":
    main()
