"""The Python CLI against the live service: exit codes, errors, --allow-missing, go-live-preflight,
idempotency keys, retries, help and output details. Every command in every output format: test_parity.py."""
from __future__ import annotations

import csv
import io
import json
import sys
import time
import unittest

import support

sys.path.insert(0, str(support.SCRIPTS))
import ordercore_merchant_helper as helper  # noqa: E402


def command(name: str) -> dict:
    return helper.find_command(support.SPEC, name)


class PythonCliTests(support.TenantTestCase):
    tenant_name = "py-cli"

    def cli(self, *args, key=None, **kwargs):
        return support.run_cli("py", list(args), key=key or self.key, **kwargs)

    # --- exit codes and errors -------------------------------------------------------------------------------

    def test_api_error_goes_to_stderr_with_exit_1(self):
        result = self.cli("orders-get", "--order-id", "order_missing")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, b"")
        error = json.loads(result.stderr)
        self.assertEqual((error["error"], error["status"]), ("not_found", 404))
        self.assertEqual(error["message"], "No order with id order_missing")
        self.assertTrue(error["request_id"].startswith("req_"))

    def test_wrong_key_is_unauthorized_and_not_echoed(self):
        result = self.cli("account-auth", key="oc_live_wrong-key-123")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(json.loads(result.stderr)["error"], "unauthorized")
        self.assertNotIn(b"wrong-key-123", result.stdout + result.stderr)

    def test_missing_key_is_a_usage_error(self):
        result = support.run_cli("py", ["account-auth"])
        self.assertEqual(result.returncode, 2)
        self.assertEqual(json.loads(result.stderr)["error"], "missing_api_key")

    def test_usage_errors_exit_2(self):
        cases = {
            ("nope",): 'unknown command "nope"; run "ordercore_merchant_helper help"',
            ("orders-list", "--bogus"): "unknown option --bogus for orders-list",
            ("orders-list", "--per-page", "x"): '--per-page must be an integer, not "x"',
            ("orders-list", "--status", "lost"): '--status must be one of pending, confirmed, fulfilled, cancelled, not "lost"',
            ("orders-get",): "orders-get needs --order-id",
            ("orders-get", "--order-id"): "--order-id needs a value",
            ("orders-lookup", "--merchant-reference-id", "x", "--allow-missing=yes"): "--allow-missing takes no value",
            ("orders-create", "--items-json", "[oops"): "--items-json must be JSON",
            ("catalog-csv-import", "--csv-file", "/nonexistent.csv"): '--csv-file: cannot read "/nonexistent.csv"',
            ("account-auth", "stray"): 'unexpected argument "stray"',
            (): 'missing command; run "ordercore_merchant_helper help"',
        }
        for args, message in cases.items():
            with self.subTest(args=args):
                result = self.cli(*args)
                self.assertEqual(result.returncode, 2)
                self.assertEqual(json.loads(result.stderr), {"error": "usage_error", "message": message})

    def test_buyer_links_from_a_sku_a_csv_row_and_a_range_and_regenerated(self):
        url = self.cli("buyer-link-create", "--sku-id", self.values["sku_id"], "--merchant-reference-id", "lead-cli", "--url-only")
        self.assertEqual(url.returncode, 0, url.stderr)
        self.assertRegex(url.stdout.decode(), r"^http://[^ ]+/direct-ai-buyer-checkout\?token=bl_[^ ]+\n$")
        row = json.loads(self.cli("buyer-link-create", "--catalog-csv", self.values["links_csv"], "--from-csv-row", "1").stdout)
        self.assertEqual((row["sku_code"], row["quantity"]), ("DEMO-GIFT-25", 1))
        batch = self.cli("buyer-links-batch-from-csv", "--catalog-csv", self.values["links_csv"], "--end-row", "1",
                         "--merchant-reference-prefix", "launch", "--output", "csv")
        self.assertEqual(list(csv.reader(io.StringIO(batch.stdout.decode(), newline="")))[1][:3], ["1", "DEMO-GIFT-25", "launch-1"])
        again = self.cli("buyer-link-regenerate", "--buyer-checkout-url", url.stdout.decode().strip(), "--output", "json")
        self.assertEqual(json.loads(again.stdout)["merchant_reference_id"], "lead-cli")
        for args, message in [
            (("buyer-link-create",), "buyer-link-create needs --sku-id or --catalog-csv with --from-csv-row"),
            (("buyer-link-create", "--catalog-csv", self.values["links_csv"]), "buyer-link-create: give --sku-id, or --catalog-csv with --from-csv-row"),
            (("buyer-link-create", "--catalog-csv", self.values["links_csv"], "--from-csv-row", "9"), "--from-csv-row 9: the CSV has 1 data rows"),
        ]:
            with self.subTest(args=args):
                result = self.cli(*args)
                self.assertEqual(result.returncode, 2)
                self.assertEqual(json.loads(result.stderr), {"error": "usage_error", "message": message})

    # --- lookups -----------------------------------------------------------------------------------------

    def test_lookup_finds_the_order(self):
        result = self.cli("orders-lookup", "--merchant-reference-id", "lead-123")
        self.assertEqual(json.loads(result.stdout)["order"]["id"], self.values["order_id"])

    def test_allow_missing_prints_not_found_and_exits_0(self):
        for fmt, expected in (("json", b'{"status":"not_found"}\n'), ("jsonl", b'{"status":"not_found"}\n'),
                              ("csv", b"status\r\nnot_found\r\n")):
            result = self.cli("orders-lookup", "--merchant-reference-id", "lead-none", "--allow-missing", "--output", fmt)
            self.assertEqual((result.returncode, result.stdout, result.stderr), (0, expected, b""))

    def test_missing_without_allow_missing_exits_1(self):
        result = self.cli("orders-lookup", "--merchant-reference-id", "lead-none")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(json.loads(result.stderr)["status"], 404)

    # --- go-live-preflight -------------------------------------------------------------------------------

    def test_go_live_preflight_says_no_go_for_an_empty_tenant(self):
        result = self.cli("go-live-preflight", key=support.new_tenant("py-nogo"))
        self.assertEqual(result.returncode, 1, result.stderr)
        verdict = json.loads(result.stdout)
        self.assertEqual(verdict["verdict"], "no-go")
        self.assertIn("catalog", verdict["failed_checks"])
        self.assertIn("webhook_event_succeeded", verdict["failed_checks"])

    def test_go_live_preflight_says_go_once_everything_works(self):
        deadline = time.time() + 30
        while support.api(self.key, "GET", "/v1/webhooks/metrics?event_type=checkout.completed")["succeeded"] == 0:
            self.assertLess(time.time(), deadline, "the smoke delivery never succeeded")
            time.sleep(0.5)
        result = self.cli("go-live-preflight", "--event-type", "checkout.completed", "--window-hours", "24", "--output", "csv")
        self.assertEqual(result.returncode, 0, result.stdout)
        rows = list(csv.DictReader(io.StringIO(result.stdout.decode(), newline="")))
        self.assertEqual((rows[0]["verdict"], rows[0]["ready"], rows[0]["failed_checks"]), ("go", "true", ""))

    def test_go_live_preflight_errors_exit_2(self):
        self.assertEqual(self.cli("go-live-preflight", key="oc_live_nobody").returncode, 2)
        self.assertEqual(self.cli("go-live-preflight", "--window-hours", "x").returncode, 2)

    # --- creates: idempotency keys and retries -----------------------------------------------------------

    def test_idempotency_key_makes_a_retry_return_the_same_order(self):
        args = ("orders-create", "--sku-code", "DEMO-GIFT-25", "--idempotency-key", f"py-test-{time.time_ns()}")
        first, second = json.loads(self.cli(*args).stdout), json.loads(self.cli(*args).stdout)
        self.assertEqual(first["id"], second["id"])
        third = json.loads(self.cli(*args[:3]).stdout)
        self.assertNotEqual(third["id"], first["id"])

    def test_items_json_replaces_the_single_line(self):
        result = self.cli("orders-create", "--items-json", '[{"sku_code":"DEMO-GIFT-25","quantity":3}]', "--sku-code", "ignored")
        order = json.loads(result.stdout)
        self.assertEqual([(i["sku_code"], i["quantity"]) for i in order["items"]], [("DEMO-GIFT-25", 3)])

    def test_5xx_is_retried_with_the_same_idempotency_key(self):
        answers = [(503, b'{"error":"unavailable","message":"try later"}'), (201, b'{"id":"order_1","status":"pending"}')]
        fake = support.LocalServer(lambda method, path, headers, body: (
            fake.requests.append(headers["Idempotency-Key"]) or (answers[len(fake.requests) - 1][0], {}, answers[len(fake.requests) - 1][1])))
        try:
            result = self.cli("orders-create", "--sku-id", "sku_1", base_url=fake.url)
            self.assertEqual((result.returncode, result.stdout), (0, b'{"id":"order_1","status":"pending"}\n'))
            self.assertEqual(len(fake.requests), 2)
            self.assertEqual(fake.requests[0], fake.requests[1])
            self.assertTrue(fake.requests[0].startswith("oc-cli-"))
        finally:
            fake.close()

    def test_5xx_after_the_last_retry_is_an_error(self):
        fake = support.LocalServer(lambda method, path, headers, body: (500, {}, b"<html>oops</html>"))
        try:
            result = self.cli("account-auth", "--retries", "0", base_url=fake.url)
            self.assertEqual(result.returncode, 1)
            self.assertEqual(json.loads(result.stderr), {"error": "http_500", "message": "HTTP 500", "status": 500})
        finally:
            fake.close()

    def test_timeout_and_unreachable_service(self):
        fake = support.LocalServer(lambda method, path, headers, body: (time.sleep(1.5), (200, {}, b"{}"))[1])
        try:
            result = self.cli("account-auth", "--retries", "0", "--timeout", "0.3", base_url=fake.url)
            self.assertEqual(json.loads(result.stderr), {"error": "timeout", "message": f"no answer from {fake.url} within 0.3 s"})
        finally:
            fake.close()
        result = self.cli("account-auth", "--retries", "0", base_url="http://127.0.0.1:9")
        self.assertEqual((result.returncode, json.loads(result.stderr)),
                         (1, {"error": "connection_failed", "message": "could not reach http://127.0.0.1:9"}))

    # --- help --------------------------------------------------------------------------------------------

    def test_help_json_is_the_spec_and_one_command_its_entry(self):
        self.assertEqual(json.loads(self.cli("help", "--format", "json").stdout), support.SPEC)
        entry = json.loads(self.cli("help", "--command", "webhook-metrics", "--format", "json").stdout)
        self.assertEqual(entry, command("webhook-metrics"))

    def test_help_text_lists_every_command_and_needs_no_key(self):
        result = support.run_cli("py", ["help"])
        self.assertEqual(result.returncode, 0)
        for c in support.SPEC["commands"]:
            self.assertIn(f"  {c['name']} ", result.stdout.decode())
        own = support.run_cli("py", ["orders-lookup", "--help"])
        self.assertIn(b"--merchant-reference-id VALUE  (required)", own.stdout)
        self.assertEqual(own.stdout, support.run_cli("py", ["help", "--command", "orders-lookup"]).stdout)

    # --- output details ----------------------------------------------------------------------------------

    def test_csv_quotes_per_rfc_4180_and_table_flattens_lines(self):
        spec = {"columns": ["a", "b.c", "d"]}
        result = {"a": 'say "hi", twice', "b": {"c": "line1\nline2"}, "d": ["x", 1.5, True, None]}
        self.assertEqual(helper.render(spec, result, "csv"), 'a,b.c,d\r\n"say ""hi"", twice","line1\nline2",x;1.5;true;\r\n')
        self.assertEqual(helper.render(spec, result, "table"), "a                b.c          d\nsay \"hi\", twice  line1 line2  x;1.5;true;\n")

    def test_numbers_print_as_javascript_prints_them(self):
        for value, text in ((49.0, "49"), (12.5, "12.5"), (0.000015, "0.000015"), (1e-7, "1e-7"), (1e21, "1e+21"), (123, "123"),
                            (0.1 + 0.2, "0.30000000000000004")):
            self.assertEqual(helper.js_number(value), text)

    def test_base_url_defaults_to_local_8080(self):
        self.assertEqual(helper.resolve_base_url({}, env={}), "http://127.0.0.1:8080")
        self.assertEqual(helper.resolve_base_url({}, env={"ORDERCORE_BASE_URL": "http://h:1/"}), "http://h:1")
        self.assertEqual(helper.resolve_base_url({"base-url": "http://flag"}, env={"ORDERCORE_BASE_URL": "http://h:1"}), "http://flag")


if __name__ == "__main__":
    unittest.main()
