//go:build tools

// Package tools pins the Pulumi YAML language host as a requirement of this module. It is a module
// of its own because pulumi-yaml requires an older github.com/pulumi/pulumi/pkg/v3 than the CLI.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
