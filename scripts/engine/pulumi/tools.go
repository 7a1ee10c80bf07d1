//go:build tools

// Package tools pins the Pulumi CLI as a requirement of this module, so `go build
// github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` from here builds exactly the versions in go.sum.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
