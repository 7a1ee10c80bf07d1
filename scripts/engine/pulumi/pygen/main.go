// Command pulumi-vps-pygen writes the Python SDK of schema.json: the code `pulumi package gen-sdk
// --language python` would write, without the Python language host that command asks for (the Go
// module proxy does not serve it). Usage: pulumi-vps-pygen <schema.json> <output dir>.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// onlyThisPackage is the schema loader: schema.json references no other package, and binding must
// never go looking for plugins (a nil loader panics), so any other package is an error.
type onlyThisPackage struct{}

func refuse(name string) error {
	return fmt.Errorf("schema.json refers to package %q; pulumi-vps-pygen generates only the vps package and loads no other", name)
}

func (onlyThisPackage) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, refuse(name)
}

func (onlyThisPackage) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, refuse(d.Name)
}

func (onlyThisPackage) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, refuse(name)
}

func (onlyThisPackage) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, refuse(d.Name)
}

func run(schemaPath, outDir string) (int, error) {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return 0, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return 0, fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, onlyThisPackage{}, schema.ValidationOptions{})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return 0, fmt.Errorf("%s does not bind: %s", schemaPath, diags.Error())
	}
	files, err := python.GeneratePackage("pulumi-vps-pygen", pkg, nil, onlyThisPackage{})
	if err != nil {
		return 0, err
	}
	for name, content := range files {
		target := filepath.Join(outDir, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(target, content, 0o644); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-vps-pygen <schema.json> <output dir>")
		os.Exit(2)
	}
	n, err := run(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-vps-pygen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d files to %s\n", n, os.Args[2])
}
