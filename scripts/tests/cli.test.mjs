// The Node CLI against the live service: every command in every output format, exit codes, --allow-missing,
// go-live-preflight and help.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CASES, SPEC, caseArgs, localServer, newTenant, runCli, tenantWithData } from "./support.mjs";

const FORMATS = ["json", "jsonl", "csv", "table"];
const command = (name) => SPEC.commands.find((c) => c.name === name);

describe("node CLI", () => {
  let receiver, values;
  before(async () => {
    receiver = await localServer(() => [204, {}, ""]);
    values = await tenantWithData("node-cli", receiver.url);
  });
  after(() => receiver.close());

  for (const name of Object.keys(CASES)) {
    for (const fmt of FORMATS) {
      test(`${name} --output ${fmt}`, async () => {
        const r = await runCli([name, ...caseArgs(name, values), "--output", fmt], { key: values.key });
        assert.ok(name === "go-live-preflight" ? [0, 1].includes(r.code) : r.code === 0, r.stderr);
        assert.ok(!r.stdout.includes(values.key));
        const spec = command(name);
        if (fmt === "json") {
          assert.equal(typeof JSON.parse(r.stdout), "object");
          assert.equal(r.stdout.split("\n").length, 2);
        } else if (fmt === "jsonl") {
          const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
          assert.ok(lines.length > 0);
          if (spec.rows === "data") assert.ok(lines.every((l) => "id" in l));
        } else {
          const lines = r.stdout.split(fmt === "csv" ? "\r\n" : "\n").filter(Boolean);
          assert.deepEqual(fmt === "csv" ? lines[0].split(",") : lines[0].split(/\s+/), spec.columns);
          assert.ok(lines.length >= 2);
        }
      });
    }
  }

  test("an API error goes to stderr with exit 1", async () => {
    const r = await runCli(["orders-get", "--order-id", "order_missing"], { key: values.key });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const error = JSON.parse(r.stderr);
    assert.deepEqual([error.error, error.status, error.message], ["not_found", 404, "No order with id order_missing"]);
  });

  test("--allow-missing prints not_found and exits 0; without it the miss is exit 1", async () => {
    const args = ["orders-lookup", "--merchant-reference-id", "lead-none"];
    assert.deepEqual(await runCli([...args, "--allow-missing", "--output", "jsonl"], { key: values.key }),
      { code: 0, stdout: '{"status":"not_found"}\n', stderr: "" });
    assert.equal((await runCli(args, { key: values.key })).code, 1);
    assert.equal(JSON.parse((await runCli(["orders-lookup", "--merchant-reference-id", "lead-123"], { key: values.key })).stdout).order.id, values.order_id);
  });

  test("go-live-preflight: no-go (exit 1) for an empty tenant, go (exit 0) once a delivery succeeded, 2 on errors", async () => {
    const empty = await runCli(["go-live-preflight"], { key: await newTenant("node-nogo") });
    assert.equal(empty.code, 1);
    assert.equal(JSON.parse(empty.stdout).verdict, "no-go");
    const deadline = Date.now() + 30000;
    let r;
    do {
      r = await runCli(["go-live-preflight", "--event-type", "checkout.completed", "--window-hours", "24"], { key: values.key });
      if (r.code === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (true);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(JSON.parse(r.stdout).failed_checks, []);
    assert.equal((await runCli(["go-live-preflight"], { key: "oc_live_nobody" })).code, 2);
  });

  test("usage errors exit 2, also of the buyer-link commands", async () => {
    assert.deepEqual(JSON.parse((await runCli(["orders-get"], { key: values.key })).stderr), { error: "usage_error", message: "orders-get needs --order-id" });
    assert.equal((await runCli(["account-auth"])).code, 2);
    assert.equal((await runCli(["account-auth", "--output", "xml"], { key: values.key })).code, 2);
    for (const name of ["buyer-link-create", "buyer-links-batch-from-csv"]) {
      const r = await runCli([name], { key: values.key });
      assert.equal(r.code, 2);
      assert.equal(JSON.parse(r.stderr).error, "usage_error");
    }
  });

  test("help --format json is the spec, help --command X its entry", async () => {
    assert.deepEqual(JSON.parse((await runCli(["help", "--format", "json"])).stdout), SPEC);
    assert.deepEqual(JSON.parse((await runCli(["help", "--command", "webhook-metrics", "--format", "json"])).stdout), command("webhook-metrics"));
    assert.match((await runCli(["webhook-metrics", "--help"])).stdout, /^usage: ordercore_merchant_helper webhook-metrics/);
  });
});
