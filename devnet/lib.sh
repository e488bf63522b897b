# Shared by devnet/up, devnet/down and devnet/status (sourced, not run).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${LEDGER_DEVNET_DIR:-$root/.data/devnet}"
state="$dir/devnet.json"

# Stops every process whose pid file is in $dir/pids (SIGTERM, then SIGKILL after 15 s), and removes the pid files.
stop_all() {
  local f pid i
  [ -d "$dir/pids" ] || return 0
  for f in "$dir"/pids/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$dir"/pids/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}
