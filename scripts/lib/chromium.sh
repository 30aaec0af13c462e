# Headless Chromium for the buyer page's browser test (Debian's 'chromium' package).
# Sourced by scripts/test.sh; exports ORDERCORE_CHROMIUM with the executable's path.

_chromium_log() { echo "[chromium] $*" >&2; }

_chromium_find() {
  local candidate
  for candidate in "${ORDERCORE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [[ -n "$candidate" && -x "$candidate" ]] && { echo "$candidate"; return 0; }
  done
  return 1
}

chromium_setup() {
  local found
  if ! found="$(_chromium_find)"; then
    _chromium_log "chromium not found; installing the 'chromium' package with apt-get"
    local sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    found="$(_chromium_find)" || { _chromium_log "ERROR: could not install chromium"; return 1; }
  fi
  export ORDERCORE_CHROMIUM="$found"
}
