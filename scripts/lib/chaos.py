#!/usr/bin/env python3
"""Helpers of scripts/chaos.sh (python3 standard library only, loopback only).

  chaos.py receiver PORT LOG          webhook receiver: answers 200 and appends "<epoch> <webhook-id> <delivery id>" per delivery
  chaos.py load BASE KEYFILE SKU WORKERS STOPFILE LOG
                                      order creation under load: each worker sends POST /v1/orders with a fresh Idempotency-Key
                                      and repeats it (same key, same body) until it gets a 2xx or 4xx answer, logging every
                                      answer as a JSON line; ends its current key when STOPFILE exists
  chaos.py report LOAD RECEIVED FAULTS ORDERS EVENTS
                                      the figures; exit 1 on a loss (an acknowledged order missing, a key with two orders,
                                      an event not delivered) or a 5xx other than 503 while no primary existed
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def receiver(port, log):
    lock = threading.Lock()
    out = open(log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 with keep-alive, as receivers in production answer. (With http.server's HTTP/1.0 default, which closes
        # after each answer, .NET's client reused the closing connections and a quarter of first attempts failed before
        # OrderCore gave such receivers a connection per attempt; WebhookDeliveryTests covers that case.)
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                out.write(f"{time.time():.3f} {self.headers.get('webhook-id')} {self.headers.get('X-OrderCore-Delivery-ID')}\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        # The default backlog of 5 refuses connections when the delivery worker sends many at once.
        request_queue_size = 256
        daemon_threads = True

    Server(("127.0.0.1", int(port)), Handler).serve_forever()


def load(base, keyfile, sku, workers, stopfile, log):
    api_key = open(keyfile).read().strip()
    lock = threading.Lock()
    out = open(log, "a", buffering=1)
    body = json.dumps({"items": [{"sku_id": sku, "quantity": 1}]}).encode()

    def write(record):
        with lock:
            out.write(json.dumps(record) + "\n")

    def worker():
        while not os.path.exists(stopfile):
            key = f"chaos-{uuid.uuid4()}"
            deadline = time.time() + 120
            while time.time() < deadline:
                request = urllib.request.Request(f"{base}/v1/orders", data=body, method="POST", headers={
                    "X-API-Key": api_key, "Idempotency-Key": key, "Content-Type": "application/json"})
                started = time.time()
                status, order, replayed = 0, None, False
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status = response.status
                        order = json.loads(response.read()).get("id")
                        replayed = response.headers.get("Idempotent-Replayed") == "true"
                except urllib.error.HTTPError as e:
                    status = e.code
                    e.read()
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    status = 0
                write({"key": key, "start": started, "end": time.time(), "status": status, "order": order, "replayed": replayed})
                # 409 idempotency_key_in_use and 429 are answers to retry, like 5xx and no answer at all.
                if 200 <= status < 300 or (400 <= status < 500 and status not in (409, 429)):
                    break
                time.sleep(0.2)

    threads = [threading.Thread(target=worker) for _ in range(int(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def report(load_log, received_log, faults_file, orders_file, events_file):
    answers = [json.loads(line) for line in open(load_log) if line.strip()]
    received = [line.split() for line in open(received_log) if line.strip()]
    faults = [line.split() for line in open(faults_file) if line.strip()]
    stored_orders = {line.strip() for line in open(orders_file) if line.strip()}
    events = {line.strip() for line in open(events_file) if line.strip()}
    starts = [(name, float(at)) for name, at in faults]

    def phase(t):
        current = "before faults"
        for name, at in starts:
            if t >= at:
                current = name
        return current

    acknowledged = defaultdict(set)
    for a in answers:
        if 200 <= a["status"] < 300:
            acknowledged[a["key"]].add(a["order"])
    acked_orders = set().union(*acknowledged.values()) if acknowledged else set()
    lost = acked_orders - stored_orders
    keys_with_two = [k for k, orders in acknowledged.items() if len(orders) > 1]
    unacknowledged = stored_orders - acked_orders  # an order no key was answered with: a second order for a retried key
    receipts = Counter(r[1] for r in received)
    not_delivered = events - set(receipts)
    twice = defaultdict(int)
    seen = set()
    for at, event, _ in sorted(received, key=lambda r: float(r[0])):
        if event in seen:
            twice[phase(float(at))] += 1
        seen.add(event)

    failures = []
    print(f"orders acknowledged: {len(acked_orders)} ({len(answers)} answers, {sum(1 for a in answers if a['replayed'])} replays)")
    print(f"acknowledged orders lost: {len(lost)}")
    print(f"keys with two orders: {len(keys_with_two) + len(unacknowledged)}")
    print(f"order.created events: {len(events)}; not delivered: {len(not_delivered)}")
    if lost:
        failures.append(f"{len(lost)} acknowledged order(s) lost, e.g. {sorted(lost)[:3]}")
    if keys_with_two or unacknowledged:
        failures.append(f"{len(keys_with_two)} key(s) answered with two orders, {len(unacknowledged)} stored order(s) no key was answered with")
    if not_delivered:
        failures.append(f"{len(not_delivered)} event(s) not delivered, e.g. {sorted(not_delivered)[:3]}")

    names = ["before faults"] + [name for name, _ in starts]
    print(f"{'phase':<22}{'answers':>9}{'2xx':>7}{'no answer':>11}{'500':>6}{'503':>6}{'other 5xx':>11}{'sent twice':>12}{'longest stall':>15}")
    for i, name in enumerate(names):
        in_phase = [a for a in answers if phase(a["end"]) == name]
        statuses = Counter(a["status"] for a in in_phase)
        other5xx = sum(n for s, n in statuses.items() if s >= 500 and s not in (500, 503))
        recovery = "-"
        if i > 0:
            # The longest stretch without an order answered 2xx, from the last one before the fault to the end of the phase.
            at, until = starts[i - 1][1], starts[i][1] if i < len(starts) else float("inf")
            served = sorted(a["end"] for a in answers if 200 <= a["status"] < 300 and a["end"] < until)
            before = [t for t in served if t < at][-1:] or [at]
            after = [t for t in served if t >= at]
            if after:
                points = before + after
                recovery = f"{max(b - a for a, b in zip(points, points[1:])):.1f} s"
            else:
                recovery = "never"
                failures.append(f"the API never served an order after {name}")
        print(f"{name:<22}{len(in_phase):>9}{sum(n for s, n in statuses.items() if 200 <= s < 300):>7}{statuses[0]:>11}"
              f"{statuses[500]:>6}{statuses[503]:>6}{other5xx:>11}{twice[name]:>12}{recovery:>15}")
        unexpected = statuses[500] + other5xx + (0 if name == "failover" else statuses[503])
        if unexpected:
            failures.append(f"{unexpected} unexpected 5xx answer(s) during {name}")
        if name == "postgres-restart" and twice[name]:
            failures.append(f"{twice[name]} delivery(ies) sent twice across the PostgreSQL restart")
    print(f"deliveries sent twice: {sum(twice.values())}")
    for failure in failures:
        print(f"FAIL  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "receiver":
        receiver(*args)
    elif command == "load":
        load(*args)
    elif command == "report":
        sys.exit(report(*args))
    else:
        sys.exit(f"unknown command {command}")
