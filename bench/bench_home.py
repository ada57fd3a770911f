"""Home page under gunicorn next to a bare Flask hello world, measured in the same run.

    python -m bench.bench_home [--connections 32] [--seconds 10]
"""

import argparse
import os
import subprocess
import sys
import tempfile

from bench.harness import hello_world, load, report, serve


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20000, help="cap for the Python load generator")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        env = {
            "LANGNGHE_ENV": "production",
            "SECRET_KEY": "bench-secret",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "PROXY_COUNT": "0",
        }
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env=dict(os.environ, **env),
                       check=True, capture_output=True)
        with hello_world() as url:
            load(url + "/", connections=4, requests=200, seconds=2)  # warm-up
            baseline = load(url + "/", args.connections, args.requests, seconds=args.seconds)
        with serve("wsgi:app", env=env) as url:
            load(url + "/", connections=4, requests=200, seconds=2)
            home = load(url + "/", args.connections, args.requests, seconds=args.seconds)
            health = load(url + "/healthz", args.connections, args.requests, seconds=args.seconds)
    print(f"connections: {args.connections}, duration per run: {args.seconds} s, 2 gunicorn sync workers")
    print(report("hello world (bare Flask)", baseline))
    print(report("home page /", home, baseline))
    print(report("/healthz (database check)", health, baseline))


if __name__ == "__main__":
    main()
