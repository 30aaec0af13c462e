// What the Node suites share: the live service (ORDERCORE_TEST_BASE_URL, ORDERCORE_TEST_ADMIN_TOKEN, as
// scripts/test.sh sets them), tenants of their own, local HTTP servers and the Node CLI as a process.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SCRIPTS = new URL("..", import.meta.url).pathname;
export const CASES = JSON.parse(readFileSync(new URL("./cases.json", import.meta.url), "utf8"));
export const SPEC = JSON.parse(readFileSync(new URL("../ordercore_commands.json", import.meta.url), "utf8"));
export const CATALOG_CSV = 'product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,STARTER-1,49.00,10\n"Mug, red",MUG-RED,12.50,5\n';

export function service() {
  const base = process.env.ORDERCORE_TEST_BASE_URL;
  const token = process.env.ORDERCORE_TEST_ADMIN_TOKEN;
  if (!base || !token) throw new Error("set ORDERCORE_TEST_BASE_URL and ORDERCORE_TEST_ADMIN_TOKEN (scripts/test.sh does)");
  return { base: base.replace(/\/+$/, ""), token };
}

export async function api(key, method, path, body) {
  const response = await fetch(service().base + path, {
    method, headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

export async function newTenant(name) {
  const { base, token } = service();
  const response = await fetch(`${base}/admin/v1/tenants`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`tenant: ${response.status}`);
  return (await response.json()).api_key.key;
}

/** A server on 127.0.0.1: handle(req, body) -> [status, headers, text]. */
export async function localServer(handle) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const [status, headers, text] = await handle(req, body, requests);
      res.writeHead(status, headers).end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close: () => server.close() };
}

/** A tenant with demo data, an order (merchant reference lead-123), an endpoint to a receiver and a smoke event. */
export async function tenantWithData(name, receiverUrl) {
  const key = await newTenant(name);
  const seed = await api(key, "POST", "/v1/onboarding/demo-data", {});
  const order = await api(key, "POST", "/v1/orders", { items: [seed.sample_order_item], merchant_reference_id: "lead-123" });
  const endpoint = await api(key, "POST", "/v1/webhooks/endpoints", { url: `${receiverUrl}/hook`, events: ["checkout.completed"] });
  await api(key, "POST", "/v1/webhooks/smoke", { mode: "standard" });
  const spare = await api(key, "POST", "/v1/webhooks/endpoints", { url: `${receiverUrl}/spare`, events: ["order.*"] });
  const link = await api(key, "POST", "/v1/account/buyer-checkout-links",
    { sku_id: seed.sample_order_item.sku_id, quantity: 1, merchant_reference_id: "lead-link" });
  const dir = mkdtempSync(join(tmpdir(), "ordercore-node-"));
  const csv = join(dir, "catalog.csv");
  writeFileSync(csv, CATALOG_CSV);
  const linksCsv = join(dir, "links.csv");
  writeFileSync(linksCsv, 'product_name,sku_code,unit_price,quantity_on_hand\n"Gift card, 25",DEMO-GIFT-25,25.00,0\n');
  return { key, order_id: order.id, endpoint_id: endpoint.id, spare_endpoint_id: spare.id, csv, receiver: receiverUrl,
    links_csv: linksCsv, sku_id: seed.sample_order_item.sku_id, buyer_checkout_url: link.buyer_checkout_url };
}

export const caseArgs = (command, values) => CASES[command].map((a) => a.replace(/\{(\w+)\}/g, (_, k) => values[k]));

/** The Node CLI as a child process; asynchronous, so that a receiver in this process keeps answering meanwhile. */
export function runCli(args, { key, baseUrl } = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ORDERCORE_")));
  env.ORDERCORE_BASE_URL = baseUrl ?? service().base;
  if (key) env.ORDERCORE_API_KEY = key;
  const child = spawn(process.execPath, [join(SCRIPTS, "ordercore_merchant_helper.mjs"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
