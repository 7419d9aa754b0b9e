package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/ucbootstrap/ucbootstrap"
)

// noSecrets is the decode option of the commands that never authenticate
// (generate, lint, the offline audit): a payload may leave its secrets
// out for them.
var noSecrets = ucbootstrap.ExternalSecrets()

// secretsFromEnv is the decode option of the commands that talk to the
// workspace: the payload may leave its secrets out when the environment
// has them (DATABRICKS_TOKEN, DATABRICKS_CLIENT_SECRET).
func secretsFromEnv() []ucbootstrap.Option {
	if os.Getenv("DATABRICKS_TOKEN") != "" || os.Getenv("DATABRICKS_CLIENT_SECRET") != "" {
		return []ucbootstrap.Option{ucbootstrap.ExternalSecrets()}
	}
	return nil
}

// stdinName is the file name diagnostics give standard input.
const stdinName = "<stdin>"

// A payload is a decoded payload file.
type payload struct {
	// name is the file as diagnostics name it: the path as given, or
	// stdinName.
	name string
	// in is the integration, or nil when the payload is invalid.
	in *ucbootstrap.Integration
	// diags holds every error and warning; only warnings when in is set.
	diags ucbootstrap.Diagnostics
}

// decodeFile reads and decodes the payload at path ("-" for stdin), with
// the decode options extra. An invalid payload is not an error: it gives a
// payload with a nil in. The error is for input that cannot be read (exit
// code 2).
func decodeFile(stdin io.Reader, path string, lenient bool, extra ...ucbootstrap.Option) (*payload, error) {
	name, data, err := readInput(stdin, path)
	if err != nil {
		return nil, err
	}
	opts := slices.Clone(extra)
	if lenient {
		opts = append(opts, ucbootstrap.Lenient())
	}
	in, err := ucbootstrap.Decode(name, data, opts...)
	if err == nil {
		return &payload{name: name, in: in, diags: in.Warnings()}, nil
	}
	var ds ucbootstrap.Diagnostics
	if !errors.As(err, &ds) || len(ds) == 0 {
		// Decode documents Diagnostics as its only error; keep a
		// different one visible rather than lose it.
		ds = ucbootstrap.Diagnostics{{Pos: ucbootstrap.Position{File: name}, Message: err.Error()}}
	}
	return &payload{name: name, diags: ds}, nil
}

// readInput returns the bytes of path, or of stdin when path is "-", with
// the name diagnostics should use. It reads at most one byte more than
// ucbootstrap.MaxPayloadSize, so that Decode reports a payload that is too
// large without the command reading all of it.
func readInput(stdin io.Reader, path string) (name string, data []byte, err error) {
	if path == "-" {
		data, err := readLimited(stdin)
		if err != nil {
			return "", nil, inputErrorf("read standard input: %v: pass the payload through a pipe or give its FILE", unwrapPath(err))
		}
		return stdinName, data, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", nil, inputErrorf("%s", openHint(path, "payload", err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return "", nil, inputErrorf("%s is a directory: give the payload file in it (JSON or YAML)", path)
	}
	data, err = readLimited(f)
	if err != nil {
		return "", nil, inputErrorf("read %s: %v: give a readable payload file (JSON or YAML)", path, unwrapPath(err))
	}
	return path, data, nil
}

func readLimited(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, ucbootstrap.MaxPayloadSize+1))
}

// openHint explains why path, a file of the kind what ("payload", "grant
// listing", "script"), cannot be opened, and how to fix it.
func openHint(path, what string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s: no such file: check the path, or pass - to read the %s from standard input", path, what)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%s: permission denied: make the file readable, or pass it on standard input with -", path)
	}
	return fmt.Sprintf("open %s: %v: give a readable %s file", path, unwrapPath(err), what)
}

// unwrapPath drops the "op path:" prefix of an *fs.PathError, whose path
// the caller already prints.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// printDiagnostics writes ds to w, one a line.
func printDiagnostics(w io.Writer, ds ucbootstrap.Diagnostics) {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}

// invalid prints the diagnostics of an invalid payload and a count line
// such as "payload.yaml: 3 errors, 1 warning" on w, and returns the error
// that ends the command with exit code 1.
func (p *payload) invalid(w io.Writer) error {
	printDiagnostics(w, p.diags)
	warnings := len(p.diags.Warnings())
	msg := p.name + ": " + plural(p.diags.Errors(), "error")
	if warnings > 0 {
		msg += ", " + plural(warnings, "warning")
	}
	fmt.Fprintln(w, msg)
	return findings()
}

// plural returns "1 error" or "3 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// diagnose prints the warnings of valid payloads and the diagnostics of
// invalid ones on w; when any is invalid, it returns the error that ends the
// command with exit code 1.
func diagnose(w io.Writer, payloads ...*payload) error {
	var err error
	for _, p := range payloads {
		if p.in == nil {
			err = p.invalid(w)
			continue
		}
		printDiagnostics(w, p.diags)
	}
	return err
}
