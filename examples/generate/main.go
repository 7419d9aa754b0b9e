// Command generate shows the library API: it decodes a payload, prints its
// warnings, and writes the bootstrap script, the prerequisites script when
// setup is automatic, and the cleanup script.
//
//	go run ./examples/generate examples/payloads/auto-token.json
package main

import (
	"fmt"
	"os"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./examples/generate PAYLOAD")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	in, err := ucbootstrap.Decode(file, data)
	if err != nil {
		return err // every problem, each with file:line:col, field and hint
	}
	for _, w := range in.Warnings() {
		fmt.Fprintln(os.Stderr, w)
	}
	kinds := []generator.Kind{generator.Bootstrap, generator.Cleanup}
	if in.AutoBootstrap {
		kinds = []generator.Kind{generator.Prerequisites, generator.Bootstrap, generator.Cleanup}
	}
	for _, kind := range kinds {
		script, err := generator.Generate(in, kind)
		if err != nil {
			return err
		}
		fmt.Printf("-- ===== %s: %d statements =====\n", script.Title(), len(script.Statements))
		if err := script.Render(os.Stdout); err != nil {
			return err
		}
	}
	return nil
}
