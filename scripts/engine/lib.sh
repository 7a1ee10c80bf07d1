# Sourced by build.sh and tofu.sh: where the engine goes (the git-ignored .engine/), build stamps and
# a `go build` that shows it is alive. The caller defines `say`.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENGINE_SRC="$ROOT/scripts/engine"
OUT="$ROOT/.engine"
BIN="$OUT/bin"
STAMPS="$OUT/stamps"
mkdir -p "$BIN" "$STAMPS"

elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# The stamp of a piece: a hash of everything its output depends on (the output of the command given).
stamp_of() { { "$@"; } 2>/dev/null | sha256sum | cut -d' ' -f1; }
# is_current PIECE OUTPUT STAMP: OUTPUT is executable and was built from inputs with this stamp.
is_current() { [[ -x "$2" && -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$3" ]]; }

# go_build LABEL DIR TARGET OUTPUT LDFLAGS LOG: builds TARGET in module DIR into OUTPUT (replaced only
# when the build succeeds), niced on a shared machine, with a heartbeat every 30 s (-v names each
# package as it is compiled; cached ones are not named). Lines are said prefixed with LABEL.
go_build() {
  local label="$1" dir="$2" target="$3" output="$4" ldflags="$5" log="$6" pid start next
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly nice -n 10 go build -v -trimpath -ldflags "$ldflags" -o "$output.tmp" "$target") >"$log" 2>&1 &
  pid=$!
  start=$(date +%s)
  next=$((start + 30))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if kill -0 "$pid" 2>/dev/null && (($(date +%s) >= next)); then
      next=$((next + 30))
      say "$label$(elapsed "$start"), $(grep -cE '^[A-Za-z0-9._~/-]+$' "$log") packages compiled so far"
    fi
  done
  if wait "$pid"; then
    mv "$output.tmp" "$output"
    return 0
  fi
  rm -f "$output.tmp"
  # The go command's own error, without the -v list of package names.
  say "${label}the go command failed (full log: ${log#"$ROOT/"}):"
  grep -vE '^[A-Za-z0-9._~/-]+$' "$log" | tail -n 25 | sed 's/^/    /'
  return 1
}
