//go:build tools

// Package tools pins the Pulumi CLI's module so that `go build` of its main package resolves from go.sum.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
