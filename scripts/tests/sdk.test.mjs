// The Node SDK: the reference's example, key and base URL resolution, errors, idempotency keys and retries.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as sdk from "../ordercore_merchant_sdk.mjs";
import { SPEC, localServer, service, tenantWithData } from "./support.mjs";

describe("node SDK", () => {
  let receiver, values, base;
  before(async () => {
    receiver = await localServer(() => [204, {}, ""]);
    values = await tenantWithData("node-sdk", receiver.url);
    base = service().base;
  });
  after(() => receiver.close());

  test("the reference's example: ordersLookup with allowMissing and webhookMetrics", async () => {
    const apiKey = sdk.resolveApiKey({ env: { ORDERCORE_API_KEY: values.key } });
    const lookup = await sdk.ordersLookup({ apiKey, baseUrl: base, merchantReferenceId: "lead-none", allowMissing: true });
    assert.deepEqual(lookup, { status: "not_found" });
    const found = await sdk.ordersLookup({ apiKey, baseUrl: base, merchantReferenceId: "lead-123", allowMissing: true });
    assert.equal(found.order.id, values.order_id);
    const metrics = await sdk.webhookMetrics({ apiKey, baseUrl: base, eventType: "checkout.completed", windowHours: 24 });
    assert.deepEqual([metrics.event_type, metrics.window_hours], ["checkout.completed", 24]);
  });

  test("baseUrl comes from the argument, then ORDERCORE_BASE_URL, then http://127.0.0.1:8080", async () => {
    assert.equal(sdk.resolveBaseUrl({ env: {} }), "http://127.0.0.1:8080");
    assert.equal(sdk.resolveBaseUrl({ env: { ORDERCORE_BASE_URL: "http://h:1/" } }), "http://h:1");
    assert.equal(sdk.resolveBaseUrl({ baseUrl: "http://arg", env: { ORDERCORE_BASE_URL: "http://h:1" } }), "http://arg");
    const auth = await sdk.accountAuth({ apiKey: values.key, env: { ORDERCORE_BASE_URL: base } });
    assert.equal(auth.auth_mode, "api_key");
  });

  test("resolveApiKey takes the argument, then the environment, and refuses none", () => {
    assert.equal(sdk.resolveApiKey({ apiKey: "a", env: { ORDERCORE_API_KEY: "b" } }), "a");
    assert.equal(sdk.resolveApiKey({ env: { ORDERCORE_API_KEY: " b " } }), "b");
    assert.throws(() => sdk.resolveApiKey({ env: {} }), (e) => e.body.error === "missing_api_key" && e.exitCode === 2);
  });

  test("an API error rejects with an OrderCoreError carrying the problem", async () => {
    await assert.rejects(sdk.ordersGet({ apiKey: values.key, baseUrl: base, orderId: "order_missing" }),
      (e) => e instanceof sdk.OrderCoreError && e.status === 404 && e.body.error === "not_found" && e.exitCode === 1);
    await assert.rejects(sdk.ordersGet({ apiKey: values.key, baseUrl: base }), (e) => e.body.message === "orders-get needs --order-id");
  });

  test("creates: the same idempotencyKey replays the same order; without one each call is new", async () => {
    const params = { apiKey: values.key, baseUrl: base, skuCode: "DEMO-GIFT-25", idempotencyKey: `sdk-${Date.now()}` };
    const [a, b] = [await sdk.ordersCreate(params), await sdk.ordersCreate(params)];
    assert.equal(a.id, b.id);
    const c = await sdk.ordersCreate({ ...params, idempotencyKey: undefined });
    assert.notEqual(c.id, a.id);
  });

  test("catalogCsvImport reads the file; webhookEndpointsCreate splits nothing (events is a list)", async () => {
    const imported = await sdk.catalogCsvImport({ apiKey: values.key, baseUrl: base, csvFile: values.csv, priceListCode: "SDK" });
    assert.deepEqual([imported.imported_rows, imported.price_list_code], [2, "SDK"]);
    const endpoint = await sdk.webhookEndpointsCreate({ apiKey: values.key, baseUrl: base, url: `${receiver.url}/sdk`, events: ["order.*"] });
    assert.deepEqual(endpoint.events, ["order.*"]);
    const deleted = await sdk.webhookEndpointsDelete({ apiKey: values.key, baseUrl: base, endpointId: endpoint.id });
    assert.equal(deleted.active, false);
  });

  test("timeouts, connection failures and 5xx are retried with the same Idempotency-Key", async () => {
    const fake = await localServer((req, body, requests) => (requests.length === 1 ? [502, {}, "bad gateway"] : [201, {}, '{"id":"x"}']));
    try {
      assert.deepEqual(await sdk.webhookSmokeTrigger({ apiKey: "k", baseUrl: fake.url }), { id: "x" });
      assert.equal(fake.requests.length, 2);
      assert.equal(fake.requests[0].headers["idempotency-key"], fake.requests[1].headers["idempotency-key"]);
      assert.deepEqual(JSON.parse(fake.requests[0].body), { mode: "standard" });
    } finally {
      fake.close();
    }
    await assert.rejects(sdk.accountAuth({ apiKey: "k", baseUrl: "http://127.0.0.1:9", retries: 0 }),
      (e) => e.body.error === "connection_failed");
  });

  test("goLivePreflight combines readiness and metrics", async () => {
    const result = await sdk.goLivePreflight({ apiKey: values.key, baseUrl: base });
    assert.ok(["go", "no-go"].includes(result.verdict));
    assert.deepEqual(result.checks.slice(-2).map((c) => c.name), ["webhook_event_succeeded", "webhook_event_abandoned"]);
    assert.equal(result.event_type, "checkout.completed");
  });

  test("every command of the spec is exported under its sdk name; a CSV row names the buyer link's SKU", async () => {
    for (const command of SPEC.commands.filter((c) => !c.builtin)) assert.equal(typeof sdk[command.sdk], "function", command.sdk);
    assert.deepEqual(sdk.csvRows('a,sku_code\r\n"x, ""y""",S-1\n\n'), [{ a: 'x, "y"', sku_code: "S-1" }]);
    await assert.rejects(sdk.buyerLinkCreate({ apiKey: "k" }), (e) => e.exitCode === 2 && e.body.error === "usage_error");
  });
});
