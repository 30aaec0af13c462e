"""What the script suites share: the live service, tenants of their own, the CLIs as processes, and
local HTTP servers (a webhook receiver, a scripted fake API, a recording proxy).

The service comes from ORDERCORE_TEST_BASE_URL and ORDERCORE_TEST_ADMIN_TOKEN (scripts/test.sh starts one
with http:// and loopback webhook targets allowed and a 1 s retry delay)."""
from __future__ import annotations

import csv
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
CASES = json.loads((Path(__file__).with_name("cases.json")).read_text(encoding="utf-8"))
SPEC = json.loads((SCRIPTS / "ordercore_commands.json").read_text(encoding="utf-8"))
CATALOG_CSV = "product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,STARTER-1,49.00,10\n\"Mug, red\",MUG-RED,12.50,5\n"


def service() -> tuple[str, str]:
    base, token = os.environ.get("ORDERCORE_TEST_BASE_URL"), os.environ.get("ORDERCORE_TEST_ADMIN_TOKEN")
    if not base or not token:
        raise RuntimeError("set ORDERCORE_TEST_BASE_URL and ORDERCORE_TEST_ADMIN_TOKEN (scripts/test.sh does)")
    return base.rstrip("/"), token


def http_json(method: str, url: str, body=None, headers=None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def new_tenant(name: str) -> str:
    """A fresh tenant; answers its API key."""
    base, token = service()
    status, body = http_json("POST", f"{base}/admin/v1/tenants", {"name": name}, {"Authorization": f"Bearer {token}"})
    assert status == 201, body
    return body["api_key"]["key"]


def api(key: str, method: str, path: str, body=None) -> dict:
    status, answer = http_json(method, service()[0] + path, body, {"X-API-Key": key})
    assert 200 <= status < 300, (method, path, status, answer)
    return answer


def run_cli(lang: str, args: list[str], key: str | None = None, base_url: str | None = None, extra_env=None,
            cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERCORE_")}
    env["ORDERCORE_BASE_URL"] = base_url or service()[0]
    if key:
        env["ORDERCORE_API_KEY"] = key
    env.update(extra_env or {})
    program = [sys.executable, str(SCRIPTS / "ordercore_merchant_helper.py")] if lang == "py" else \
        ["node", str(SCRIPTS / "ordercore_merchant_helper.mjs")]
    return subprocess.run(program + args, env=env, capture_output=True, timeout=120, cwd=cwd)


def run_script(name: str, args: list[str], key: str | None, stdin: str = "", extra_env=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERCORE_")}
    env["ORDERCORE_BASE_URL"] = service()[0]
    if key:
        env["ORDERCORE_API_KEY"] = key
    env.update(extra_env or {})
    return subprocess.run(["bash", str(SCRIPTS / name)] + args, env=env, input=stdin.encode(), capture_output=True, timeout=180)


def case_args(command: str, values: dict) -> list[str]:
    """The test invocation of a command from cases.json, placeholders filled in."""
    return [a.format(**values) for a in CASES[command]]


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 whose handler is handle(method, path, headers, body) -> (status, headers, bytes)."""

    def __init__(self, handle):
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, payload = handle(self.command, self.path, self.headers, body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda *args: None  # a client that gave up (timeout tests) is expected
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Receiver(LocalServer):
    """A webhook receiver answering 204 and keeping what it got."""

    def __init__(self):
        super().__init__(lambda method, path, headers, body: (self.requests.append((path, dict(headers), body)) or (204, {}, b"")))


class RecordingProxy(LocalServer):
    """Forwards each distinct request (method, path, body) to the service once and replays the recorded answer
    to every repeat, so two CLIs asked the same thing see the same bytes (request ids included)."""

    def __init__(self):
        self.recorded: dict = {}
        self.lock = threading.Lock()
        super().__init__(self._forward)

    def _forward(self, method, path, headers, body):
        with self.lock:
            key = (method, path, json.dumps(json.loads(body), sort_keys=True) if body else "")
            if key not in self.recorded:
                forward = {k: v for k, v in headers.items() if k.lower() in ("x-api-key", "content-type", "accept", "idempotency-key")}
                request = urllib.request.Request(service()[0] + path, data=body or None, method=method, headers=forward)
                try:
                    with urllib.request.urlopen(request, timeout=30) as r:
                        self.recorded[key] = (r.status, r.headers.get("Content-Type", ""), r.read())
                except urllib.error.HTTPError as e:
                    self.recorded[key] = (e.code, e.headers.get("Content-Type", ""), e.read())
            status, content_type, payload = self.recorded[key]
        return status, {"Content-Type": content_type}, payload


def tenant_with_data(name: str, receiver: Receiver, tmp: Path) -> dict:
    """A tenant with demo data, an order with a merchant reference, an endpoint to the receiver and a
    delivered smoke event: the placeholder values of cases.json."""
    key = new_tenant(name)
    seed = api(key, "POST", "/v1/onboarding/demo-data", {})
    order = api(key, "POST", "/v1/orders", {"items": [seed["sample_order_item"]], "merchant_reference_id": "lead-123"})
    endpoint = api(key, "POST", "/v1/webhooks/endpoints", {"url": receiver.url + "/hook", "events": ["checkout.completed"]})
    api(key, "POST", "/v1/webhooks/smoke", {"mode": "standard"})
    spare = api(key, "POST", "/v1/webhooks/endpoints", {"url": receiver.url + "/spare", "events": ["order.*"]})
    link = api(key, "POST", "/v1/account/buyer-checkout-links", {"sku_id": seed["sample_order_item"]["sku_id"], "quantity": 1,
                                                                  "merchant_reference_id": "lead-link"})
    csv = tmp / "catalog.csv"
    csv.write_text(CATALOG_CSV, encoding="utf-8")
    links_csv = tmp / "links.csv"
    links_csv.write_text("product_name,sku_code,unit_price,quantity_on_hand\n\"Gift card, 25\",DEMO-GIFT-25,25.00,0\n", encoding="utf-8")
    return {"key": key, "order_id": order["id"], "endpoint_id": endpoint["id"], "spare_endpoint_id": spare["id"], "csv": str(csv),
            "receiver": receiver.url, "links_csv": str(links_csv), "sku_id": seed["sample_order_item"]["sku_id"],
            "buyer_checkout_url": link["buyer_checkout_url"]}


def check_output(test, command: dict, fmt: str, out: str) -> None:
    """The output of a command in one format has that format's shape: one JSON document, JSON lines (one per
    item of a list), or CSV/table with the spec's columns as header and at least one row."""
    if fmt == "json":
        test.assertIsInstance(json.loads(out), dict)
        test.assertEqual(out.count("\n"), 1)
    elif fmt == "jsonl":
        lines = [json.loads(line) for line in out.splitlines()]
        test.assertTrue(lines)
        if command.get("rows") == "data":
            test.assertTrue(all("id" in line for line in lines))
    else:
        if fmt == "csv":
            test.assertTrue(out.endswith("\r\n"))
            rows = list(csv.reader(io.StringIO(out, newline="")))
        else:
            rows = [line.split() for line in out.splitlines()]
        test.assertEqual(rows[0], command["columns"])
        test.assertGreaterEqual(len(rows), 2)


class TenantTestCase(unittest.TestCase):
    """A test class with a receiver and a tenant_with_data of its own (cls.values, cls.key)."""

    tenant_name = "tests"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.receiver = Receiver()
        cls.values = tenant_with_data(cls.tenant_name, cls.receiver, Path(cls.tmp.name))
        cls.key = cls.values["key"]

    @classmethod
    def tearDownClass(cls):
        cls.receiver.close()
        cls.tmp.cleanup()
