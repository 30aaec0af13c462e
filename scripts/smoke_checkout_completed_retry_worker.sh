#!/usr/bin/env bash
# Smoke test of the retry worker: a synthetic checkout.completed whose attempt 1 is recorded as a simulated
# failure must succeed on attempt 2 at every active endpoint that receives checkout.completed.
# Exit 0 when it did, 1 otherwise, 2 on a usage error.
#
#   ORDERCORE_API_KEY=oc_live_... [ORDERCORE_BASE_URL=http://127.0.0.1:8080] \
#     scripts/smoke_checkout_completed_retry_worker.sh [--timeout SECONDS]
#
# The retry comes after the first delay of the server's schedule (5 s by default), so allow for it.
exec bash "$(dirname "${BASH_SOURCE[0]}")/smoke_checkout_completed_webhook.sh" --mode retryable "$@"
