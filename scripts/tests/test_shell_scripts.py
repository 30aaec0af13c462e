"""The smoke scripts and the wizards against the live service, with webhook receivers on 127.0.0.1."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import tempfile
import unittest
from pathlib import Path

import support


class SmokeScriptTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = support.Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.close()

    def test_without_an_endpoint_it_says_so_and_fails(self):
        key = support.new_tenant("smoke-none")
        # An endpoint for other events does not count.
        support.api(key, "POST", "/v1/webhooks/endpoints", {"url": self.receiver.url, "events": ["order.created"]})
        result = support.run_script("smoke_checkout_completed_webhook.sh", [], key)
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"ok    health", result.stdout)
        self.assertIn(b"FAIL  endpoints: no active webhook endpoint of this tenant receives checkout.completed", result.stderr)

    def test_a_signed_checkout_completed_reaches_the_endpoint(self):
        key = support.new_tenant("smoke-ok")
        endpoint = support.api(key, "POST", "/v1/webhooks/endpoints", {"url": self.receiver.url + "/ok", "events": ["checkout.*"]})
        result = support.run_script("smoke_checkout_completed_webhook.sh", [], key)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"to {endpoint['id']}: succeeded on attempt 1".encode(), result.stdout)
        path, headers, body = next(r for r in self.receiver.requests if r[0] == "/ok")
        self.assertEqual(headers["X-OrderCore-Event"], "checkout.completed")
        expected = "sha256=" + hmac.new(endpoint["secret"].encode(), body, hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-OrderCore-Signature"], expected)
        self.assertNotIn(key.encode(), result.stdout + result.stderr)

    def test_a_receiver_that_rejects_fails_the_smoke_test(self):
        rejecting = support.LocalServer(lambda method, path, headers, body: (400, {}, b"no"))
        try:
            key = support.new_tenant("smoke-rejected")
            support.api(key, "POST", "/v1/webhooks/endpoints", {"url": rejecting.url, "events": ["checkout.completed"]})
            result = support.run_script("smoke_checkout_completed_webhook.sh", ["--timeout", "20"], key)
            self.assertEqual(result.returncode, 1)
            self.assertIn(b": failed on attempt 1 (HTTP 400", result.stderr)
        finally:
            rejecting.close()

    def test_the_retry_worker_delivers_on_attempt_2(self):
        key = support.new_tenant("smoke-retry")
        support.api(key, "POST", "/v1/webhooks/endpoints", {"url": self.receiver.url + "/retry", "events": ["*"]})
        result = support.run_script("smoke_checkout_completed_retry_worker.sh", [], key)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"succeeded on attempt 2 (HTTP 204", result.stdout)
        self.assertIn(b"after the simulated failure of attempt 1", result.stdout)

    def test_usage_errors(self):
        self.assertEqual(support.run_script("smoke_checkout_completed_webhook.sh", [], None).returncode, 2)
        self.assertEqual(support.run_script("smoke_checkout_completed_webhook.sh", ["--mode", "loud"], "k").returncode, 2)
        self.assertEqual(support.run_script("smoke_checkout_completed_retry_worker.sh", ["--bogus"], "k").returncode, 2)


class QuickSetupTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = support.Receiver()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.close()
        cls.tmp.cleanup()

    def test_yes_with_demo_data_and_a_webhook_ends_ready_and_keeps_the_secret_out_of_the_log(self):
        key = support.new_tenant("wizard-demo")
        secret_file = Path(self.tmp.name) / "secret"
        args = ["--yes", "--webhook-url", self.receiver.url + "/wizard", "--secret-file", str(secret_file)]
        result = support.run_script("ordercore_quick_setup.sh", args, key)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        out = result.stdout.decode()
        for step in ("ok    health", "ok    key: ", "ok    catalog: demo data created", "ok    order: OC-000001",
                     "ok    webhook: endpoint we_", "ok    smoke: every endpoint", "ok    readiness order_created", "ok    ready to go live"):
            self.assertIn(step, out)
        secret = secret_file.read_text()
        self.assertTrue(secret.startswith("whsec_"))
        self.assertEqual(stat.S_IMODE(os.stat(secret_file).st_mode), 0o600)
        self.assertNotIn(secret, out)
        self.assertNotIn(key, out + result.stderr.decode())
        # A second run reuses everything: still one order, one endpoint.
        again = support.run_script("ordercore_quick_setup.sh", ["--yes"], key)
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        self.assertIn(b"ok    order: OC-000001", again.stdout)
        self.assertIn(b"already receives checkout.completed", again.stdout)
        self.assertEqual(support.api(key, "GET", "/v1/orders")["total"], 1)

    def test_yes_with_a_catalog_csv_imports_it(self):
        key = support.new_tenant("wizard-csv")
        csv = Path(self.tmp.name) / "catalog.csv"
        csv.write_text(support.CATALOG_CSV, encoding="utf-8")
        args = ["--yes", "--catalog-csv", str(csv), "--price-list-code", "LAUNCH", "--webhook-url", self.receiver.url + "/csv"]
        result = support.run_script("ordercore_quick_setup.sh", args, key)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(b"ok    catalog: imported 2 row(s)", result.stdout)
        self.assertIn(b"into price list LAUNCH", result.stdout)
        self.assertIn(b"not saved (pass --secret-file", result.stdout)
        self.assertEqual(support.api(key, "GET", "/v1/skus/MUG-RED")["sku_code"], "MUG-RED")

    def test_interactive_answers_come_from_stdin_and_the_secret_is_shown_once(self):
        key = support.new_tenant("wizard-interactive")
        # API key prompt, catalog (Enter: demo data), webhook URL.
        result = support.run_script("ordercore_quick_setup.sh", [], None, stdin=f"{key}\n\n{self.receiver.url}/interactive\n")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        endpoint = support.api(key, "GET", "/v1/webhooks/endpoints")["data"][0]
        self.assertEqual(endpoint["url"], self.receiver.url + "/interactive")
        self.assertRegex(result.stdout.decode(), r"its secret \(shown only now, store it\): whsec_\S{20,}")

    def test_without_a_webhook_it_is_not_ready(self):
        key = support.new_tenant("wizard-nohook")
        result = support.run_script("ordercore_quick_setup.sh", ["--yes"], key)
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"FAIL  readiness webhook_endpoint", result.stdout)
        self.assertIn(b"FAIL  not ready yet", result.stderr)

    def test_usage_errors(self):
        self.assertEqual(support.run_script("ordercore_quick_setup.sh", ["--yes"], None).returncode, 2)
        self.assertEqual(support.run_script("ordercore_quick_setup.sh", ["--catalog-csv", "/nonexistent.csv"], "k").returncode, 2)
        self.assertEqual(support.run_script("ordercore_quick_setup.sh", ["--frobnicate"], "k").returncode, 2)


class ConnectorQuickSetupTests(unittest.TestCase):
    def test_shopify_diagnostics_without_setup_flags(self):
        result = support.run_script("ordercore_connector_quick_setup.sh", ["--platform", "shopify"], support.new_tenant("connector"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"ok    shopify: GET /integrations/shopify/status", result.stdout)
        self.assertIn(b"ok    shopify: GET /v1/integrations/shopify/status", result.stdout)
        self.assertIn(b"Connect a store:", result.stdout)

    def test_setup_flags_connect_a_store(self):
        key = support.new_tenant("connector-setup")
        result = support.run_script("ordercore_connector_quick_setup.sh",
                                    ["--platform", "shopify", "--shop-domain", "wizard-test.myshopify.com", "--webhook-secret",
                                     "wizard-secret", "--no-test", "--yes"], key)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"wizard-test.myshopify.com", result.stdout)
        self.assertIn(b"/integrations/shopify/webhooks", result.stdout)
        self.assertNotIn(b"wizard-secret", result.stdout + result.stderr)

    def test_a_missing_connector_exits_3(self):
        fake = support.LocalServer(lambda method, path, headers, body: (
            (200, {"Content-Type": "application/json"}, b'{"status":"ok","database":"ok"}') if path == "/health"
            else (404, {"Content-Type": "application/json"}, b"{}")))
        try:
            result = support.run_script("ordercore_connector_quick_setup.sh", ["--platform", "shopify"], None,
                                        extra_env={"ORDERCORE_BASE_URL": fake.url})
            self.assertEqual(result.returncode, 3, result.stderr)
            self.assertIn(b"The shopify connector is not available yet", result.stdout)
        finally:
            fake.close()

    def test_a_present_connector_is_shown(self):
        fake = support.LocalServer(lambda method, path, headers, body: (
            (200, {"Content-Type": "application/json"}, json.dumps({"status": "ok", "path": path}).encode())))
        try:
            result = support.run_script("ordercore_connector_quick_setup.sh", ["--platform", "shopify"], None,
                                        extra_env={"ORDERCORE_BASE_URL": fake.url})
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(b"ok    shopify: GET /integrations/shopify/status", result.stdout)
        finally:
            fake.close()

    def test_unknown_or_missing_platform_is_a_usage_error(self):
        self.assertEqual(support.run_script("ordercore_connector_quick_setup.sh", ["--platform", "magento"], None).returncode, 2)
        self.assertEqual(support.run_script("ordercore_connector_quick_setup.sh", [], None).returncode, 2)


if __name__ == "__main__":
    unittest.main()
