"""The command spec against the API's OpenAPI document, docs/cli.md and the README against the spec, and the
reference's command lines run as written."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import urllib.request
from pathlib import Path

import support

sys.path.insert(0, str(support.SCRIPTS))
import gen_cli_docs  # noqa: E402

ROOT = support.SCRIPTS.parent
UNAVAILABLE = {"buyer-link-create", "buyer-links-batch-from-csv", "buyer-link-regenerate"}


def normalized(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


class SpecTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with urllib.request.urlopen(support.service()[0] + "/openapi/v1.json", timeout=30) as r:
            cls.openapi = json.loads(r.read())
        cls.operations = {(method.upper(), normalized(path)): op
                          for path, item in cls.openapi["paths"].items() for method, op in item.items()}

    def schema(self, ref_or_schema: dict) -> dict:
        return self.resolve(ref_or_schema)

    def resolve(self, ref_or_object: dict) -> dict:
        """The object itself, or the component a {"$ref": "#/components/<kind>/<name>"} points at."""
        ref = ref_or_object.get("$ref")
        if not ref:
            return ref_or_object
        _, _, kind, name = ref.split("/", 3)
        return self.openapi["components"][kind][name]

    def test_every_available_command_is_an_operation_of_the_api(self):
        checked = 0
        for command in support.SPEC["commands"]:
            if command.get("builtin") or "composite" in command:
                continue
            if command.get("available") is False:
                self.assertIn(command["name"], UNAVAILABLE, "only the buyer-link commands may wait for their routes")
                continue
            with self.subTest(command=command["name"]):
                operation = self.operations.get((command["method"], normalized(command["path"])))
                self.assertIsNotNone(operation, f"{command['method']} {command['path']} is not in the OpenAPI document")
                params = {(p["in"], p["name"]) for p in map(self.resolve, operation.get("parameters", []))}
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                fields = set(self.schema(body).get("properties", {})) if body else set()
                for option in command["options"]:
                    where = option.get("in")
                    if where in ("query", "path"):
                        self.assertIn((where, option["field"]), params, f"--{option['name']}")
                    elif where == "body":
                        self.assertIn(option["field"].split(".")[0], fields, f"--{option['name']}")
                checked += 1
        self.assertGreaterEqual(checked, 14)

    def test_composite_commands_call_commands_of_the_spec(self):
        names = {c["name"] for c in support.SPEC["commands"]}
        for command in support.SPEC["commands"]:
            for call in command.get("composite", {}).get("calls", []):
                self.assertIn(call["command"], names)

    def test_unavailable_commands_are_still_missing_from_the_api(self):
        # When a buyer-link route lands, this fails: wire the command and drop its "available": false.
        for command in support.SPEC["commands"]:
            if command.get("available") is False:
                self.assertNotIn((command["method"], normalized(command["path"])), self.operations, command["name"])

    def test_sdk_names_are_the_camel_case_command_names(self):
        for command in support.SPEC["commands"]:
            if not command.get("builtin"):
                self.assertEqual(command["sdk"], re.sub(r"-([a-z])", lambda m: m.group(1).upper(), command["name"]))

    def test_every_available_command_has_a_test_case(self):
        wanted = {c["name"] for c in support.SPEC["commands"] if not c.get("builtin") and c.get("available") is not False}
        self.assertEqual(set(support.CASES), wanted)

    def test_docs_cli_md_is_generated_from_the_spec(self):
        self.assertEqual((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), gen_cli_docs.render(support.SPEC),
                         "run python3 scripts/gen_cli_docs.py")
        with tempfile.TemporaryDirectory() as tmp:
            stale = Path(tmp) / "cli.md"
            stale.write_text("stale", encoding="utf-8")
            original, gen_cli_docs.DOC = gen_cli_docs.DOC, stale
            try:
                self.assertEqual(gen_cli_docs.main(["--check"]), 1)
            finally:
                gen_cli_docs.DOC = original

    def test_readme_has_the_cli_section(self):
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        section = readme.split("## CLI and scripts", 1)[1].split("\n## ", 1)[0]
        for name in ("ordercore_merchant_helper.py", "ordercore_merchant_helper.mjs", "ordercore_merchant_sdk.mjs",
                     "smoke_checkout_completed_webhook.sh", "smoke_checkout_completed_retry_worker.sh", "ordercore_quick_setup.sh",
                     "ordercore_connector_quick_setup.sh", "docs/cli.md"):
            self.assertIn(name, section)


class ReferenceCommandLineTests(unittest.TestCase):
    """Each scripts/... line of the API reference's CLI, smoke and wizard sections, as a merchant pastes it (the
    ORDERCORE_API_KEY=oc_live_xxx prefixes stand for the merchant's key, which the environment holds here)."""

    def test_reference_command_lines_run_as_written(self):
        receiver = support.Receiver()
        key = support.new_tenant("reference")
        seed = support.api(key, "POST", "/v1/onboarding/demo-data", {})
        support.api(key, "POST", "/v1/orders", {"items": [seed["sample_order_item"]], "merchant_reference_id": "lead-123"})
        support.api(key, "POST", "/v1/webhooks/endpoints", {"url": receiver.url, "events": ["checkout.completed"]})
        lines = json.loads((Path(__file__).with_name("reference_commands.json")).read_text(encoding="utf-8"))
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("ORDERCORE_")},
               "ORDERCORE_API_KEY": key, "ORDERCORE_BASE_URL": support.service()[0]}
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "catalog.csv").write_text(support.CATALOG_CSV, encoding="utf-8")
            (Path(tmp) / "scripts").symlink_to(support.SCRIPTS)
            try:
                for line in lines:
                    with self.subTest(line=line["command"]):
                        result = subprocess.run(["bash", "-c", line["command"]], cwd=tmp, env=env, capture_output=True,
                                                stdin=subprocess.DEVNULL, timeout=120)
                        self.assertIn(result.returncode, line["exit"], (result.stdout, result.stderr))
                        if "stdout" in line:
                            self.assertIn(line["stdout"], result.stdout.decode())
            finally:
                receiver.close()


if __name__ == "__main__":
    unittest.main()
