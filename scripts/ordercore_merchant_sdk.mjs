// OrderCore merchant SDK (Node 18+, no dependencies): every command of ordercore_commands.json as an async
// function taking {apiKey, baseUrl?, ...options in camelCase}. The Node CLI (ordercore_merchant_helper.mjs)
// is built on it.
//
//   import { ordersLookup, resolveApiKey } from "./scripts/ordercore_merchant_sdk.mjs";
//   const lookup = await ordersLookup({ apiKey: resolveApiKey({ env: process.env }), merchantReferenceId: "lead-123", allowMissing: true });
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

export const spec = JSON.parse(readFileSync(new URL("./ordercore_commands.json", import.meta.url), "utf8"));

/** An answer for stderr ({error, message, ...}) and the CLI exit code that goes with it. */
export class OrderCoreError extends Error {
  constructor(body, exitCode) {
    super(body.message);
    this.name = "OrderCoreError";
    this.body = body;
    this.exitCode = exitCode;
    this.status = body.status;
  }
}

export const usageError = (message) => new OrderCoreError({ error: "usage_error", message }, 2);

export const camelCase = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

export const findCommand = (name) => spec.commands.find((c) => c.name === name);

/** The API key from {apiKey} or the environment (ORDERCORE_API_KEY); throws a usage error when there is none. */
export function resolveApiKey({ apiKey, env = process.env } = {}) {
  const key = (apiKey || env[spec.env.api_key] || "").trim();
  if (!key) {
    throw new OrderCoreError({ error: "missing_api_key", message: `no API key: set ${spec.env.api_key} or pass --api-key` }, 2);
  }
  return key;
}

/** {baseUrl}, else ORDERCORE_BASE_URL, else http://127.0.0.1:8080; without a trailing slash. */
export const resolveBaseUrl = ({ baseUrl, env = process.env } = {}) =>
  (baseUrl || env[spec.env.base_url] || spec.default_base_url).replace(/\/+$/, "");

/** Text for a CSV/table cell or a query value; also how numbers print (as JSON.stringify writes them). */
export function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) return value.map(cell).join(";");
  return JSON.stringify(value);
}

export function getPath(obj, path) {
  for (const part of path.split(".")) {
    if (obj === null || typeof obj !== "object") return null;
    obj = obj[part] ?? null;
  }
  return obj;
}

function setPath(target, path, value) {
  const parts = path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let current = target;
  parts.slice(0, -1).forEach((part, i) => {
    current[part] ??= typeof parts[i + 1] === "number" ? [] : {};
    current = current[part];
  });
  current[parts.at(-1)] = value;
}

function buildRequest(command, params) {
  let path = command.path;
  const query = new URLSearchParams();
  const body = {};
  for (const option of command.options ?? []) {
    const value = params[camelCase(option.name)];
    if (value === undefined || value === null || !option.in) continue;
    if (option.in === "path") path = path.replace(`{${option.field}}`, encodeURIComponent(String(value)));
    else if (option.in === "query") query.append(option.field, cell(value));
    else setPath(body, option.field, value);
  }
  if ([...query].length) path += `?${query}`;
  return { path, body: ["POST", "PUT", "PATCH"].includes(command.method) ? body : undefined };
}

function apiError(status, text) {
  let problem;
  try {
    problem = JSON.parse(text);
  } catch {
    problem = null;
  }
  if (problem === null || typeof problem !== "object" || Array.isArray(problem)) problem = {};
  const body = { error: problem.error || `http_${status}`, message: problem.message || `HTTP ${status}`, status };
  for (const k of ["request_id", "errors"]) if (k in problem) body[k] = problem[k];
  return new OrderCoreError(body, 1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One API call with retries of timeouts, connection failures and 5xx answers (same Idempotency-Key). */
export async function request({ apiKey, baseUrl, env, method, path, body, idempotencyKey, timeout = 30, retries = 2 }) {
  const base = resolveBaseUrl({ baseUrl, env });
  const headers = { "X-API-Key": resolveApiKey({ apiKey, env }), Accept: "application/json", "User-Agent": spec.user_agent };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method === "POST") headers["Idempotency-Key"] = idempotencyKey || `oc-cli-${randomUUID()}`;
  const delays = spec.retry.delays_ms;
  let failure;
  for (let attempt = 0; attempt <= retries; attempt++) {
    let status, text;
    try {
      const response = await fetch(base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(Math.round(timeout * 1000)),
      });
      status = response.status;
      text = await response.text();
    } catch (e) {
      failure = new OrderCoreError(e.name === "TimeoutError"
        ? { error: "timeout", message: `no answer from ${base} within ${timeout} s` }
        : { error: "connection_failed", message: `could not reach ${base}` }, 1);
    }
    if (status !== undefined && status < 500) {
      if (status >= 400) throw apiError(status, text);
      try {
        return text.trim() ? JSON.parse(text) : {};
      } catch {
        throw new OrderCoreError({ error: "invalid_response", message: `the answer from ${base} is not JSON`, status }, 1);
      }
    }
    if (status !== undefined) failure = apiError(status, text);
    if (attempt < retries) await sleep(delays[Math.min(attempt, delays.length - 1)]);
  }
  throw failure;
}

function withDefaults(command, params) {
  const filled = { ...params };
  for (const option of command.options ?? []) {
    const key = camelCase(option.name);
    if (filled[key] === undefined && "default" in option) {
      filled[key] = option.type === "list" ? option.default.split(",").map((s) => s.trim()).filter(Boolean) : option.default;
    }
  }
  return filled;
}

async function runSimple(command, params, extra) {
  const { path, body } = buildRequest(command, params);
  if (extra) Object.assign(body, extra);
  const missing = command.allow_missing;
  try {
    return await request({ ...params, method: command.method, path, body });
  } catch (e) {
    if (missing && params[camelCase(missing.option)] && e.status === missing.status) return { ...missing.result };
    throw e;
  }
}

/** The data rows of a catalog CSV as {column: value} (RFC 4180, the header row names the columns). */
export function csvRows(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) rows.push([...row, field]);
  const [header = [], ...data] = rows.filter((r) => !(r.length === 1 && r[0] === ""));
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ""])));
}

function csvSku(rows, n, option, field) {
  if (!(n >= 1 && n <= rows.length)) throw usageError(`--${option} ${n}: the CSV has ${rows.length} data rows`);
  const value = (rows[n - 1][field] ?? "").trim();
  if (!value) throw usageError(`row ${n} of the CSV has no ${field}`);
  return value;
}

/** buyer-link-create: the SKU from --sku-id, or from a row of --catalog-csv. */
function runCatalogRow(command, params) {
  const row = command.catalog_row;
  const [csv, instead, n] = [params[camelCase(row.csv)], params[camelCase(row.instead_of)], params[camelCase(row.row)]];
  if (csv === undefined || csv === null) {
    if (instead === undefined || instead === null) throw usageError(`${command.name} needs --${row.instead_of} or --${row.csv} with --${row.row}`);
    return runSimple(command, params);
  }
  if ((instead !== undefined && instead !== null) || n === undefined || n === null) {
    throw usageError(`${command.name}: give --${row.instead_of}, or --${row.csv} with --${row.row}`);
  }
  return runSimple(command, params, { [row.field]: csvSku(csvRows(csv), n, row.row, row.field) });
}

/** One call per CSV row of the range; each row's Idempotency-Key is the given one plus -<row>. */
async function runBatch(command, params) {
  const batch = command.batch;
  const rows = csvRows(params[camelCase(batch.csv)]);
  const start = params[camelCase(batch.start)] || 1;
  const end = params[camelCase(batch.end)] || rows.length;
  if (!(start >= 1 && start <= end && end <= rows.length)) throw usageError(`rows ${start} to ${end}: the CSV has ${rows.length} data rows`);
  const prefix = params[camelCase(batch.reference_prefix)];
  const data = [];
  for (let n = start; n <= end; n++) {
    const sku = csvSku(rows, n, batch.start, batch.field);
    const extra = { [batch.field]: sku, ...(prefix ? { merchant_reference_id: `${prefix}-${n}` } : {}) };
    const link = await runSimple(command, { ...params, idempotencyKey: params.idempotencyKey ? `${params.idempotencyKey}-${n}` : undefined }, extra);
    data.push({ id: link.id ?? null, row: n, sku_code: sku, merchant_reference_id: link.merchant_reference_id ?? null,
      buyer_checkout_url: link.buyer_checkout_url ?? null });
  }
  return { data };
}

async function runComposite(command, params) {
  const context = {};
  for (const call of command.composite.calls) {
    const sub = findCommand(call.command);
    context[call.as] = await runSimple(sub, withDefaults(sub, params));
  }
  const { readiness, metrics } = context;
  const checks = [...(readiness.checks ?? [])];
  for (const check of command.composite.checks) {
    const value = getPath(context, check.value) || 0;
    const ok = (!("min" in check) || value >= check.min) && (!("max" in check) || value <= check.max);
    const detail = check.detail.replace("{value}", String(value)).replace("{event_type}", metrics.event_type || "all")
      .replace("{window_hours}", String(metrics.window_hours));
    checks.push({ name: check.name, status: ok ? "pass" : "fail", detail });
  }
  const failed = checks.filter((c) => c.status === "fail").map((c) => c.name);
  return { verdict: failed.length ? "no-go" : "go", ...metrics, ready: readiness.ready, failed_checks: failed, checks };
}

/**
 * Runs one command of the spec: params are its options in camelCase (file options take a path,
 * csvFile: "./catalog.csv") plus apiKey, baseUrl, env, timeout, retries, idempotencyKey.
 */
export async function runCommand(name, params = {}) {
  const command = findCommand(name);
  if (!command || command.builtin) throw usageError(`unknown command "${name}"`);
  if (command.available === false) {
    throw new OrderCoreError({
      error: "not_available", message: `${command.name} needs ${command.method} ${command.path}, which this OrderCore does not have yet`,
    }, 3);
  }
  const filled = withDefaults(command, params);
  for (const option of command.options ?? []) {
    const key = camelCase(option.name);
    if (option.required && (filled[key] === undefined || filled[key] === null)) throw usageError(`${command.name} needs --${option.name}`);
    if (option.type === "file" && typeof filled[key] === "string") filled[key] = readText(option, filled[key]);
  }
  if (command.composite) return runComposite(command, filled);
  if (command.batch) return runBatch(command, filled);
  return command.catalog_row ? runCatalogRow(command, filled) : runSimple(command, filled);
}

function readText(option, path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw usageError(`--${option.name}: cannot read "${path}"`);
  }
}

const op = (name) => (params) => runCommand(name, params);
export const accountAuth = op("account-auth");
export const accountStatus = op("account-status");
export const accountUsage = op("account-usage");
export const accountReadiness = op("account-readiness");
export const goLivePreflight = op("go-live-preflight");
export const ordersCreate = op("orders-create");
export const ordersGet = op("orders-get");
export const ordersList = op("orders-list");
export const ordersLookup = op("orders-lookup");
export const catalogCsvImport = op("catalog-csv-import");
export const webhookEndpointsList = op("webhook-endpoints-list");
export const webhookEndpointsCreate = op("webhook-endpoints-create");
export const webhookEndpointsDelete = op("webhook-endpoints-delete");
export const webhookDeliveriesList = op("webhook-deliveries-list");
export const webhookMetrics = op("webhook-metrics");
export const webhookSmokeTrigger = op("webhook-smoke-trigger");
export const buyerLinkCreate = op("buyer-link-create");
export const buyerLinksBatchFromCsv = op("buyer-links-batch-from-csv");
export const buyerLinkRegenerate = op("buyer-link-regenerate");
