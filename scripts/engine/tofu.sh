#!/usr/bin/env bash
# `npm run tofu`: OpenTofu's CLI for `npm run test:tofu`, built from the Go module proxy into the
# git-ignored .engine/bin/tofu (beside the Pulumi engine of `npm run engine`), and the plugin
# protocol's definition (tfplugin6.10.proto, from the same module) copied to .engine/proto/ and
# bin/proto/, where terraform-provider-vps loads it (provider/terraform/proto.ts).
#
# The Go module is scripts/engine/tofu (go.mod, go.sum, tools.go): it requires
# github.com/opentofu/opentofu v1.12.6 and repeats the one `replace` of OpenTofu's own go.mod, which a
# dependent module does not inherit. go.mod and go.sum are committed; when they are missing they are
# made again (go mod tidy). The binary is reused while go.mod, go.sum, the Go version and the flags
# are unchanged, so a second run takes a second.
set -uo pipefail

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
MOD="$ENGINE_SRC/tofu"
LOG="$OUT/tofu.log"
TOFU_MODULE="github.com/opentofu/opentofu"
TOFU_VERSION="v1.12.6"
HCL_REPLACE="github.com/hashicorp/hcl/v2=github.com/opentofu/hcl/v2@v2.20.2-0.20251021132045-587d123c2828"
TARGET="$TOFU_MODULE/cmd/tofu"
LDFLAGS="-s -w -X $TOFU_MODULE/version.dev=no"
PROTO="tfplugin6.10.proto"
mkdir -p "$OUT/proto" "$ROOT/bin/proto"

say() { printf 'tofu: %s\n' "$*"; }
# Its own empty CLI configuration: a TF_CLI_CONFIG_FILE naming a missing file would only add a warning.
tofu_version() { TF_CLI_CONFIG_FILE=/dev/null "$BIN/tofu" version 2>/dev/null | grep -m1 '^OpenTofu'; }
started=$(date +%s)

if ! command -v go >/dev/null; then
  say "no go command on PATH (Go 1.26.6 or later is needed to build OpenTofu $TOFU_VERSION)"
  exit 1
fi

if [[ ! -f "$MOD/go.mod" || ! -f "$MOD/go.sum" ]]; then
  say "writing scripts/engine/tofu/go.mod for $TOFU_MODULE $TOFU_VERSION (go mod tidy)"
  t=$(date +%s)
  rm -f "$MOD/go.mod" "$MOD/go.sum"
  if ! (cd "$MOD" && go mod init pulumi-vps/engine/tofu && go mod edit -require="$TOFU_MODULE@$TOFU_VERSION" -replace="$HCL_REPLACE" && go mod tidy) >"$LOG" 2>&1; then
    say "go mod tidy failed (full log: .engine/tofu.log):"
    tail -n 20 "$LOG" | sed 's/^/    /'
    exit 1
  fi
  say "go.mod and go.sum written in $(elapsed "$t"); commit them"
fi

# The protocol definition, from the module the binary is built from.
dir=$(cd "$MOD" && go mod download -json "$TOFU_MODULE@$TOFU_VERSION" 2>>"$LOG" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [[ -z "$dir" || ! -f "$dir/docs/plugin-protocol/$PROTO" ]]; then
  say "cannot download $TOFU_MODULE@$TOFU_VERSION from the Go module proxy (see .engine/tofu.log)"
  exit 1
fi
install -m 0644 "$dir/docs/plugin-protocol/$PROTO" "$OUT/proto/$PROTO"
install -m 0644 "$dir/docs/plugin-protocol/$PROTO" "$ROOT/bin/proto/$PROTO"
say "$PROTO copied to .engine/proto/ and bin/proto/ (OpenTofu, MPL-2.0)"

key=$(stamp_of cat "$MOD/go.mod" "$MOD/go.sum" "$MOD/tools.go" <(go version) <(echo "$TARGET $LDFLAGS CGO_ENABLED=0 -trimpath"))
if is_current tofu "$BIN/tofu" "$key"; then
  say "up to date (.engine/bin/tofu: $(tofu_version)) in $(elapsed "$started")"
  exit 0
fi

say "building $TARGET $TOFU_VERSION (about 5 CPU-minutes with an empty Go build cache; progress every 30 s)"
t=$(date +%s)
go_build "" "$MOD" "$TARGET" "$BIN/tofu" "$LDFLAGS" "$LOG" || exit 1
echo "$key" >"$STAMPS/tofu"
say "built .engine/bin/tofu in $(elapsed "$t") ($(du -m "$BIN/tofu" | cut -f1) MB): $(tofu_version)"
