#!/usr/bin/env node
// OrderCore merchant CLI (Node 18+, no dependencies). Every command, option, column and example comes from
// ordercore_commands.json beside this file; the Python CLI (ordercore_merchant_helper.py) reads the same spec
// and prints the same bytes for the same answers. The calls go through ordercore_merchant_sdk.mjs.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { camelCase, cell, findCommand, getPath, OrderCoreError, runCommand, spec, usageError } from "./ordercore_merchant_sdk.mjs";

const METAVARS = { integer: "N", number: "SECONDS", list: "A,B", json: "JSON", file: "FILE", string: "VALUE" };
const width = (s) => [...s].length;
const pad = (s, w) => s + " ".repeat(Math.max(0, w - width(s)));

const optionsOf = (command) => [
  ...(command.options ?? []),
  ...(command.builtin ? [] : [...spec.global_options, ...(command.method === "POST" ? spec.post_options : [])]),
];

// --- output ----------------------------------------------------------------------------------------------

const csvField = (text) => (/[,"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

export function render(command, result, output) {
  const missing = command.allow_missing;
  const isMissing = Boolean(missing) && JSON.stringify(result) === JSON.stringify(missing.result);
  if (output === "json") return `${JSON.stringify(result)}\n`;
  const rowsKey = isMissing ? null : command.rows;
  const rows = rowsKey && result && typeof result === "object" ? result[rowsKey] ?? [] : [result];
  if (output === "jsonl") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  const columns = isMissing ? Object.keys(result) : command.columns ?? (rows.length ? Object.keys(rows[0]) : []);
  let table = [columns, ...rows.map((r) => columns.map((c) => cell(getPath(r, c))))];
  if (output === "csv") return table.map((line) => `${line.map(csvField).join(",")}\r\n`).join("");
  table = table.map((line) => line.map((v) => v.replace(/\r\n|\r|\n/g, " ")));
  const widths = columns.map((_, i) => Math.max(...table.map((line) => width(line[i]))));
  return table.map((line) => `${line.map((v, i) => pad(v, widths[i])).join("  ").trimEnd()}\n`).join("");
}

// --- help --------------------------------------------------------------------------------------------------

const optionLabel = (o) => (o.type === "boolean" ? `--${o.name}` : `--${o.name} ${o.type === "choice" ? o.choices.join("|") : METAVARS[o.type]}`);
const optionHelp = (o) => `${o.required ? "(required) " : ""}${o.help ?? ""}${"default" in o ? ` (default ${cell(o.default)})` : ""}`;
const aligned = (pairs) => {
  const w = Math.max(0, ...pairs.map(([a]) => width(a)));
  return pairs.map(([a, b]) => `  ${pad(a, w)}  ${b}`.trimEnd());
};
const exitCodeText = (codes) => Object.entries(codes).map(([k, v]) => `${k} ${v}`).join(", ");
const optionLines = (options) => aligned(options.map((o) => [optionLabel(o), optionHelp(o)]));

export function helpText(command) {
  const program = spec.program;
  if (!command) {
    return [
      `usage: ${program} <command> [options]`, "", "Commands:",
      ...aligned(spec.commands.map((c) => [c.name, `${c.available === false ? "(not available yet) " : ""}${c.summary}`])),
      "", "Options of every command:", ...optionLines(spec.global_options),
      "", "Options of every POST command:", ...optionLines(spec.post_options),
      "", `Environment: ${spec.env.api_key}, ${spec.env.base_url} (default ${spec.default_base_url})`,
      `Exit codes: ${exitCodeText(spec.exit_codes)}`,
      `Run "${program} help --command NAME" for one command.`,
    ].join("\n") + "\n";
  }
  const lines = [`usage: ${program} ${command.name} [options]`, "", command.summary];
  if (command.composite) lines.push(`Calls: ${command.composite.calls.map((c) => c.command).join(", ")}`);
  else if (command.method) lines.push(`Request: ${command.method} ${command.path}`);
  if (command.available === false) lines.push(`Not available yet: this OrderCore has no ${command.method} ${command.path} (exit 3).`);
  if (command.options?.length) lines.push("", "Options:", ...optionLines(command.options));
  if (!command.builtin) {
    const common = [...spec.global_options, ...(command.method === "POST" ? spec.post_options : [])].map((o) => `--${o.name}`);
    lines.push("", `Also: ${common.join(", ")} (see "${program} help")`);
  }
  if (command.columns) lines.push(`Columns (csv, table): ${command.columns.join(", ")}`);
  if (command.exit_codes) lines.push(`Exit codes: ${exitCodeText(command.exit_codes)}`);
  lines.push("", "Examples:", ...(command.examples ?? []).map((e) => `  ${program} ${e}`));
  return lines.join("\n") + "\n";
}

// --- arguments -----------------------------------------------------------------------------------------------

function convert(option, raw) {
  const flag = `--${option.name}`;
  switch (option.type) {
    case "integer":
      if (!/^-?[0-9]+$/.test(raw)) throw usageError(`${flag} must be an integer, not "${raw}"`);
      return Number(raw);
    case "number":
      if (!/^[0-9]+(\.[0-9]+)?$/.test(raw)) throw usageError(`${flag} must be a number, not "${raw}"`);
      return Number(raw);
    case "choice":
      if (!option.choices.includes(raw)) throw usageError(`${flag} must be one of ${option.choices.join(", ")}, not "${raw}"`);
      return raw;
    case "list":
      return raw.split(",").map((p) => p.trim()).filter(Boolean);
    case "json":
      try {
        return JSON.parse(raw);
      } catch {
        throw usageError(`${flag} must be JSON`);
      }
    default:
      return raw; // string; file: the SDK reads the path
  }
}

/** Option name -> typed value (defaults are the SDK's business, except the CLI's own options). */
export function parseArgs(command, argv) {
  const byName = new Map(optionsOf(command).map((o) => [o.name, o]));
  const values = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw usageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const option = byName.get(name);
    if (!option) throw usageError(`unknown option --${name} for ${command.name}`);
    if (option.type === "boolean") {
      if (eq >= 0) throw usageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let raw = eq < 0 ? undefined : arg.slice(eq + 1);
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw usageError(`--${name} needs a value`);
      raw = argv[++i];
    }
    values[name] = convert(option, raw);
  }
  for (const o of [...spec.global_options, ...(command.builtin ? command.options : [])]) {
    if (!(o.name in values) && "default" in o) values[o.name] = o.default;
  }
  return values;
}

export async function run(argv, out = process.stdout, err = process.stderr) {
  let command;
  try {
    if (!argv.length) throw usageError(`missing command; run "${spec.program} help"`);
    if (argv[0] === "--help" || argv[0] === "-h") {
      out.write(helpText());
      return 0;
    }
    command = findCommand(argv[0]);
    if (!command) throw usageError(`unknown command "${argv[0]}"; run "${spec.program} help"`);
    const values = parseArgs(command, argv.slice(1));
    if (command.builtin) {
      const target = values.command ? findCommand(values.command) : undefined;
      if (values.command && !target) throw usageError(`unknown command "${values.command}"; run "${spec.program} help"`);
      out.write(values.format === "json" ? `${JSON.stringify(target ?? spec)}\n` : helpText(target));
      return 0;
    }
    if (values.help) {
      out.write(helpText(command));
      return 0;
    }
    const params = Object.fromEntries(Object.entries(values).map(([k, v]) => [camelCase(k), v]));
    const result = await runCommand(command.name, params);
    const only = command.print_only;
    out.write(only && values[only.option] ? `${result[only.field] ?? "None"}\n` : render(command, result, values.output));
    return command.composite && result.verdict !== "go" ? 1 : 0;
  } catch (e) {
    if (!(e instanceof OrderCoreError)) throw e;
    err.write(`${JSON.stringify(e.body)}\n`);
    // go-live-preflight keeps 1 for no-go: every error is 2 there.
    return command?.exit_codes ? 2 : e.exitCode;
  }
}

// Run as a program (also through a symlink, which import.meta.url has already resolved), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2));
}
