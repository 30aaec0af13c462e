#!/usr/bin/env python3
"""OrderCore merchant CLI (Python 3.11+, standard library only).

Every command, option, column and example comes from ordercore_commands.json beside this file; the
Node CLI (ordercore_merchant_helper.mjs) reads the same spec and prints the same bytes for the same
answers. Run `python3 scripts/ordercore_merchant_helper.py help` for the commands.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().with_name("ordercore_commands.json")
EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3
METAVARS = {"integer": "N", "number": "SECONDS", "list": "A,B", "json": "JSON", "file": "FILE", "string": "VALUE"}


class CliError(Exception):
    """An answer for stderr ({"error","message",...}) and the exit code that goes with it."""

    def __init__(self, body: dict, exit_code: int):
        super().__init__(body.get("message"))
        self.body, self.exit_code = body, exit_code


def usage_error(message: str) -> CliError:
    return CliError({"error": "usage_error", "message": message}, EXIT_USAGE)


def load_spec() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def find_command(spec: dict, name: str) -> dict | None:
    return next((c for c in spec["commands"] if c["name"] == name), None)


def options_of(spec: dict, command: dict) -> list[dict]:
    extra = spec["post_options"] if command.get("method") == "POST" else []
    return command.get("options", []) + ([] if command.get("builtin") else spec["global_options"] + extra)


# --- output: JSON as JavaScript's JSON.stringify writes it, so both CLIs print the same bytes ---------------

def js_number(x) -> str:
    if isinstance(x, int):
        return str(x)
    if x != x or x in (float("inf"), float("-inf")):
        return "null"
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    text = repr(x)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if -7 < int(exponent) < 21:
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if int(exponent) > 0 else '-'}{abs(int(exponent))}"


def js_keys(obj: dict) -> list[str]:
    """Keys in JavaScript's order: array-index keys ("0", "17") first, ascending; then the rest as inserted."""
    index = sorted((k for k in obj if re.fullmatch(r"0|[1-9][0-9]{0,9}", k) and int(k) < 2**32 - 1), key=int)
    return index + [k for k in obj if k not in set(index)]


def to_json(value) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + to_json(value[k]) for k in js_keys(value)) + "}"


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ";".join(cell(v) for v in value)
    return to_json(value)


def get_path(obj, path: str):
    for part in path.split("."):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\r\n') else text


def render(command: dict, result, output: str) -> str:
    missing = command.get("allow_missing")
    is_missing = bool(missing) and result == missing["result"]
    if output == "json":
        return to_json(result) + "\n"
    rows_key = None if is_missing else command.get("rows")
    rows = result.get(rows_key, []) if rows_key and isinstance(result, dict) else [result]
    if output == "jsonl":
        return "".join(to_json(r) + "\n" for r in rows)
    columns = list(result) if is_missing else command.get("columns") or (js_keys(rows[0]) if rows else [])
    table = [columns] + [[cell(get_path(r, c)) for c in columns] for r in rows]
    if output == "csv":
        return "".join(",".join(csv_field(v) for v in line) + "\r\n" for line in table)
    table = [[re.sub(r"\r\n|\r|\n", " ", v) for v in line] for line in table]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return "".join("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() + "\n" for line in table)


# --- help -------------------------------------------------------------------------------------------------

def option_label(option: dict) -> str:
    if option["type"] == "boolean":
        return "--" + option["name"]
    meta = "|".join(option["choices"]) if option["type"] == "choice" else METAVARS[option["type"]]
    return f"--{option['name']} {meta}"


def option_help(option: dict) -> str:
    text = ("(required) " if option.get("required") else "") + option.get("help", "")
    if "default" in option:
        text += f" (default {cell(option['default'])})"
    return text


def aligned(pairs: list[tuple[str, str]]) -> list[str]:
    width = max((len(a) for a, _ in pairs), default=0)
    return [f"  {a.ljust(width)}  {b}".rstrip() for a, b in pairs]


def exit_code_text(codes: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in codes.items())


def help_text(spec: dict, command: dict | None = None) -> str:
    program = spec["program"]
    if command is None:
        lines = [f"usage: {program} <command> [options]", "", "Commands:"]
        lines += aligned([(c["name"], ("(not available yet) " if c.get("available") is False else "") + c["summary"])
                          for c in spec["commands"]])
        lines += ["", "Options of every command:"]
        lines += aligned([(option_label(o), option_help(o)) for o in spec["global_options"]])
        lines += ["", "Options of every POST command:"]
        lines += aligned([(option_label(o), option_help(o)) for o in spec["post_options"]])
        lines += ["", f"Environment: {spec['env']['api_key']}, {spec['env']['base_url']} (default {spec['default_base_url']})",
                  f"Exit codes: {exit_code_text(spec['exit_codes'])}",
                  f'Run "{program} help --command NAME" for one command.']
        return "\n".join(lines) + "\n"
    lines = [f"usage: {program} {command['name']} [options]", "", command["summary"]]
    if "composite" in command:
        lines.append("Calls: " + ", ".join(c["command"] for c in command["composite"]["calls"]))
    elif "method" in command:
        lines.append(f"Request: {command['method']} {command['path']}")
    if command.get("available") is False:
        lines.append(f"Not available yet: this OrderCore has no {command['method']} {command['path']} (exit {EXIT_UNAVAILABLE}).")
    if command.get("options"):
        lines += ["", "Options:"] + aligned([(option_label(o), option_help(o)) for o in command["options"]])
    if not command.get("builtin"):
        common = [o["name"] for o in spec["global_options"] + (spec["post_options"] if command.get("method") == "POST" else [])]
        lines += ["", "Also: " + ", ".join("--" + n for n in common) + f' (see "{program} help")']
    if command.get("columns"):
        lines.append("Columns (csv, table): " + ", ".join(command["columns"]))
    if command.get("exit_codes"):
        lines.append(f"Exit codes: {exit_code_text(command['exit_codes'])}")
    lines += ["", "Examples:"] + [f"  {program} {e}" for e in command.get("examples", [])]
    return "\n".join(lines) + "\n"


# --- arguments ---------------------------------------------------------------------------------------------

def convert(option: dict, raw: str):
    kind, flag = option["type"], "--" + option["name"]
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", raw):
            raise usage_error(f'{flag} must be an integer, not "{raw}"')
        return int(raw)
    if kind == "number":
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw):
            raise usage_error(f'{flag} must be a number, not "{raw}"')
        return float(raw)
    if kind == "choice" and raw not in option["choices"]:
        raise usage_error(f"{flag} must be one of {', '.join(option['choices'])}, not \"{raw}\"")
    if kind == "list":
        return [p.strip() for p in raw.split(",") if p.strip()]
    if kind == "json":
        try:
            return json.loads(raw)
        except ValueError:
            raise usage_error(f"{flag} must be JSON") from None
    return raw  # string; file: read after the checks, by read_files


def read_files(command: dict, values: dict) -> None:
    for option in command.get("options", []):
        if option["type"] == "file" and isinstance(values.get(option["name"]), str):
            try:
                values[option["name"]] = Path(values[option["name"]]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise usage_error(f'--{option["name"]}: cannot read "{values[option["name"]]}"') from None


def parse_args(spec: dict, command: dict, argv: list[str]) -> dict:
    """Option name -> typed value; defaults filled in."""
    by_name = {o["name"]: o for o in options_of(spec, command)}
    values: dict = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("--"):
            raise usage_error(f'unexpected argument "{arg}"')
        name, has_value, raw = arg[2:].partition("=")
        option = by_name.get(name)
        if option is None:
            raise usage_error(f"unknown option --{name} for {command['name']}")
        if option["type"] == "boolean":
            if has_value:
                raise usage_error(f"--{name} takes no value")
            values[name] = True
        else:
            if not has_value:
                if i + 1 >= len(argv):
                    raise usage_error(f"--{name} needs a value")
                i += 1
                raw = argv[i]
            values[name] = convert(option, raw)
        i += 1
    for option in by_name.values():
        if option["name"] not in values and "default" in option:
            values[option["name"]] = option["default"] if option["type"] != "list" else convert(option, option["default"])
    return values


# --- requests ----------------------------------------------------------------------------------------------

def resolve_api_key(values: dict, env=os.environ, spec: dict | None = None) -> str:
    spec = spec or load_spec()
    key = values.get("api-key") or env.get(spec["env"]["api_key"], "")
    if not key.strip():
        raise CliError({"error": "missing_api_key", "message": f"no API key: set {spec['env']['api_key']} or pass --api-key"}, EXIT_USAGE)
    return key.strip()


def resolve_base_url(values: dict, env=os.environ, spec: dict | None = None) -> str:
    spec = spec or load_spec()
    return (values.get("base-url") or env.get(spec["env"]["base_url"]) or spec["default_base_url"]).rstrip("/")


def set_path(target: dict, path: str, value) -> None:
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]
    current = target
    for part, following in zip(parts, parts[1:]):
        empty = [] if isinstance(following, int) else {}
        if isinstance(current, list):
            while len(current) <= part:
                current.append(None)
            current[part] = current[part] if current[part] is not None else empty
        elif part not in current:
            current[part] = empty
        current = current[part]
    if isinstance(current, list):
        while len(current) <= parts[-1]:
            current.append(None)
    current[parts[-1]] = value


def build_request(command: dict, values: dict) -> tuple[str, dict | None]:
    path, query, body = command["path"], [], {}
    for option in command.get("options", []):
        value, where = values.get(option["name"]), option.get("in")
        if value is None or where is None:
            continue
        if where == "path":
            path = path.replace("{" + option["field"] + "}", urllib.parse.quote(str(value), safe=""))
        elif where == "query":
            query.append((option["field"], cell(value)))
        else:
            set_path(body, option["field"], value)
    if query:
        path += "?" + urllib.parse.urlencode(query)
    return path, (body if command["method"] in ("POST", "PUT", "PATCH") else None)


def api_error(status: int, text: str) -> CliError:
    try:
        problem = json.loads(text)
    except ValueError:
        problem = None
    problem = problem if isinstance(problem, dict) else {}
    body = {"error": problem.get("error") or f"http_{status}", "message": problem.get("message") or f"HTTP {status}", "status": status}
    body.update({k: problem[k] for k in ("request_id", "errors") if k in problem})
    return CliError(body, EXIT_API)


def send(spec: dict, values: dict, method: str, path: str, body: dict | None):
    """One API call with retries of timeouts, connection failures and 5xx (same Idempotency-Key)."""
    base_url, api_key = resolve_base_url(values, spec=spec), resolve_api_key(values, spec=spec)
    headers = {"X-API-Key": api_key, "Accept": "application/json", "User-Agent": spec["user_agent"]}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode("utf-8")
    if method == "POST":
        headers["Idempotency-Key"] = values.get("idempotency-key") or f"oc-cli-{uuid.uuid4()}"
    delays = spec["retry"]["delays_ms"]
    retries, timeout = values["retries"], values["timeout"]
    for attempt in range(retries + 1):
        request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as e:
            timed_out = isinstance(e, TimeoutError) or isinstance(getattr(e, "reason", None), (TimeoutError, socket.timeout))
            failure = CliError({"error": "timeout", "message": f"no answer from {base_url} within {js_number(timeout)} s"}
                               if timed_out else {"error": "connection_failed", "message": f"could not reach {base_url}"}, EXIT_API)
            status, text = None, None
        if status is not None and status < 500:
            if status >= 400:
                raise api_error(status, text)
            try:
                return json.loads(text) if text.strip() else {}
            except ValueError:
                raise CliError({"error": "invalid_response", "message": f"the answer from {base_url} is not JSON",
                                "status": status}, EXIT_API) from None
        if status is not None:
            failure = api_error(status, text)
        if attempt < retries:
            time.sleep(delays[min(attempt, len(delays) - 1)] / 1000)
    raise failure


def run_simple(spec: dict, command: dict, values: dict, extra: dict | None = None):
    path, body = build_request(command, values)
    if extra:
        body.update(extra)
    missing = command.get("allow_missing")
    try:
        return send(spec, values, command["method"], path, body)
    except CliError as e:
        if missing and values.get(missing["option"]) and e.body.get("status") == missing["status"]:
            return missing["result"]
        raise


def csv_rows(text: str) -> list[dict]:
    """The data rows of a catalog CSV as {column: value} (RFC 4180, the header row names the columns)."""
    return [{k.strip(): (v or "") for k, v in row.items() if k is not None} for row in csv.DictReader(io.StringIO(text))]


def csv_sku(rows: list[dict], n: int, option: str, field: str) -> str:
    if not 1 <= n <= len(rows):
        raise usage_error(f"--{option} {n}: the CSV has {len(rows)} data rows")
    value = rows[n - 1].get(field, "").strip()
    if not value:
        raise usage_error(f"row {n} of the CSV has no {field}")
    return value


def run_catalog_row(spec: dict, command: dict, values: dict):
    """buyer-link-create: the SKU from --sku-id, or from a row of --catalog-csv."""
    row = command["catalog_row"]
    if values.get(row["csv"]) is None:
        if values.get(row["instead_of"]) is None:
            raise usage_error(f"{command['name']} needs --{row['instead_of']} or --{row['csv']} with --{row['row']}")
        return run_simple(spec, command, values)
    if values.get(row["instead_of"]) is not None or values.get(row["row"]) is None:
        raise usage_error(f"{command['name']}: give --{row['instead_of']}, or --{row['csv']} with --{row['row']}")
    sku = csv_sku(csv_rows(values[row["csv"]]), values[row["row"]], row["row"], row["field"])
    return run_simple(spec, command, values, {row["field"]: sku})


def run_batch(spec: dict, command: dict, values: dict) -> dict:
    """One call per CSV row of the range; each row's Idempotency-Key is the given one plus -<row>."""
    batch = command["batch"]
    rows = csv_rows(values[batch["csv"]])
    start, end = values.get(batch["start"]) or 1, values.get(batch["end"]) or len(rows)
    if not 1 <= start <= end <= len(rows):
        raise usage_error(f"rows {start} to {end}: the CSV has {len(rows)} data rows")
    prefix, key, data = values.get(batch["reference_prefix"]), values.get("idempotency-key"), []
    for n in range(start, end + 1):
        sku = csv_sku(rows, n, batch["start"], batch["field"])
        extra = {batch["field"]: sku, **({"merchant_reference_id": f"{prefix}-{n}"} if prefix else {})}
        link = run_simple(spec, command, {**values, "idempotency-key": f"{key}-{n}" if key else None}, extra)
        data.append({"id": link.get("id"), "row": n, "sku_code": sku, "merchant_reference_id": link.get("merchant_reference_id"),
                     "buyer_checkout_url": link.get("buyer_checkout_url")})
    return {"data": data}


def run_composite(spec: dict, command: dict, values: dict) -> dict:
    context = {}
    for call in command["composite"]["calls"]:
        context[call["as"]] = run_simple(spec, find_command(spec, call["command"]), values)
    readiness, metrics = context["readiness"], context["metrics"]
    checks = list(readiness.get("checks", []))
    for check in command["composite"]["checks"]:
        value = get_path(context, check["value"]) or 0
        ok = ("min" not in check or value >= check["min"]) and ("max" not in check or value <= check["max"])
        detail = check["detail"].format(value=js_number(value), event_type=metrics.get("event_type") or "all",
                                        window_hours=js_number(metrics.get("window_hours")))
        checks.append({"name": check["name"], "status": "pass" if ok else "fail", "detail": detail})
    failed = [c["name"] for c in checks if c["status"] == "fail"]
    return {"verdict": "no-go" if failed else "go", **metrics, "ready": readiness.get("ready"), "failed_checks": failed, "checks": checks}


def run(argv: list[str], stdout=sys.stdout, stderr=sys.stderr) -> int:
    spec = load_spec()
    command = None
    try:
        if not argv or argv[0] in ("--help", "-h"):
            if not argv:
                raise usage_error(f'missing command; run "{spec["program"]} help"')
            stdout.write(help_text(spec))
            return EXIT_OK
        command = find_command(spec, argv[0])
        if command is None:
            raise usage_error(f'unknown command "{argv[0]}"; run "{spec["program"]} help"')
        values = parse_args(spec, command, argv[1:])
        if command.get("builtin"):
            return run_help(spec, values, stdout)
        if values.get("help"):
            stdout.write(help_text(spec, command))
            return EXIT_OK
        if command.get("available") is False:
            raise CliError({"error": "not_available", "message":
                            f"{command['name']} needs {command['method']} {command['path']}, which this OrderCore does not have yet"},
                           EXIT_UNAVAILABLE)
        for option in command.get("options", []):
            if option.get("required") and values.get(option["name"]) is None:
                raise usage_error(f"{command['name']} needs --{option['name']}")
        read_files(command, values)
        if "composite" in command:
            result = run_composite(spec, command, values)
            stdout.write(render(command, result, values["output"]))
            return EXIT_OK if result["verdict"] == "go" else 1
        result = run_batch(spec, command, values) if "batch" in command \
            else run_catalog_row(spec, command, values) if "catalog_row" in command \
            else run_simple(spec, command, values)
        only = command.get("print_only")
        stdout.write(f"{result.get(only['field'])}\n" if only and values.get(only["option"]) else render(command, result, values["output"]))
        return EXIT_OK
    except CliError as e:
        stderr.write(to_json(e.body) + "\n")
        # go-live-preflight keeps 1 for no-go: every error is 2 there.
        return 2 if command and command.get("exit_codes") else e.exit_code


def run_help(spec: dict, values: dict, stdout) -> int:
    command = None
    if values.get("command"):
        command = find_command(spec, values["command"])
        if command is None:
            raise usage_error(f'unknown command "{values["command"]}"; run "{spec["program"]} help"')
    if values["format"] == "json":
        stdout.write(to_json(command or spec) + "\n")
    else:
        stdout.write(help_text(spec, command))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
