"""Start an app under gunicorn on 127.0.0.1 and load it with a bounded load generator.

Machines are noisy, so every figure is printed next to a bare Flask "hello world" measured
in the same run. Load goes to loopback only, with a bounded number of requests and a time cap.
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
MAX_SECONDS = 120


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(app_spec="wsgi:app", env=None, workers=2, worker_class="sync", ready_path="/healthz"):
    """Run gunicorn on a free loopback port; yields the base URL and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app_spec, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", worker_class, "--log-level", "warning", "--chdir", str(ROOT), "--preload"]
    process_env = dict(os.environ, **(env or {}))
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=process_env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base_url + ready_path, timeout=2) as response:
                    if response.status < 500:
                        break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError("gunicorn did not start:\n" + log.read().decode(errors="replace")[-3000:])
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def hello_world(workers=2, worker_class="sync"):
    """The bare Flask baseline under the same gunicorn settings."""
    with serve("bench.hello_app:app", workers=workers, worker_class=worker_class) as url:
        yield url


def load(url, connections=32, requests=2000, method="GET", body_factory=None, headers=None, seconds=20,
         engine=None, variants=None):
    """Send a bounded load; returns dict(rps, p50_ms, p99_ms, errors, requests, engine).

    wrk (Debian package) is used when installed: it costs the server's two cores far less than a
    Python client. `variants`, a list of {"body", "headers"}, are sent in turn (wrk runs them from a
    Lua script); a body_factory (a new body per request) needs the Python client.
    """
    engine = engine or ("wrk" if shutil.which("wrk") and body_factory is None else "python")
    if engine == "wrk":
        return _load_wrk(url, connections, method, headers or {}, seconds, variants)
    if variants and body_factory is None:
        body_factory = lambda number: variants[number % len(variants)]  # noqa: E731
    return _load_python(url, connections, requests, method, body_factory, headers or {}, seconds)


def _lua_string(text):
    return "[==[" + text.replace("]==]", "") + "]==]"


def _load_wrk(url, connections, method, headers, seconds, variants=None):
    script = None
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{min(seconds, MAX_SECONDS)}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if method != "GET" or variants:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(f'wrk.method = "{method}"\n')
        if variants:
            rows = ",\n".join("{" + _lua_string(v.get("body") or "") + ", {" + ", ".join(
                f"[ {_lua_string(k)} ] = {_lua_string(val)}" for k, val in v.get("headers", {}).items()) + "}}"
                for v in variants)
            script.write(f"local variants = {{\n{rows}\n}}\nlocal n = 0\n"
                         "request = function()\n  n = n + 1\n  local v = variants[(n % #variants) + 1]\n"
                         f"  return wrk.format({_lua_string(method)}, nil, v[2], v[1])\nend\n")
        script.close()
        args += ["-s", script.name]
    result = subprocess.run(args + [url], capture_output=True, text=True, timeout=MAX_SECONDS + 30)
    if script:
        os.unlink(script.name)
    if result.returncode or result.stderr.strip():
        raise RuntimeError(f"wrk failed: {result.stderr.strip()[-500:]}")
    return _parse_wrk(result.stdout)


def _to_ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _parse_wrk(output):
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {
        "engine": "wrk",
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _to_ms(percentiles["50"]),
        "p99_ms": _to_ms(percentiles["99"]),
        "errors": errors,
    }


def _load_python(url, connections, requests, method, body_factory, headers, seconds):
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    latencies, errors, lock = [], [0], threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + min(seconds, MAX_SECONDS)

    def worker(index):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        local = []
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
                number = remaining[0]
            body = body_factory(number) if body_factory else None
            request_headers = dict(headers)
            if isinstance(body, dict):
                request_headers.update(body.get("headers", {}))
                body = body.get("body")
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=request_headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    with lock:
                        errors[0] += 1
            except Exception:
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            local.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "engine": "python",
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan"),
        "errors": errors[0],
    }


def report(name, result, baseline=None):
    """One printable line; with a baseline, the ratio of requests/s."""
    line = (f"{name:34} {result['rps']:9.1f} req/s   p50 {result['p50_ms']:7.1f} ms   p99 {result['p99_ms']:7.1f} ms"
            f"   errors {result['errors']}   ({result['requests']} requests, {result['engine']})")
    if baseline:
        line += f"   ratio {result['rps'] / baseline['rps']:.2f}x hello world"
    return line
