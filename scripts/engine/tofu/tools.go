//go:build tools

// Package tools makes OpenTofu's CLI a dependency of this module, so that
// `go build github.com/opentofu/opentofu/cmd/tofu` (scripts/engine/tofu.sh) builds it from the Go
// module proxy with every module checked against go.sum.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
