package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// A choice is a string flag whose value must be one of a fixed list. A bad
// value fails flag parsing, which makes it a usage error.
type choice struct {
	value   *string
	choices []string
	typ     string
}

// newChoice sets *p to def and returns a flag value that accepts only
// choices.
func newChoice(p *string, def, typ string, choices ...string) *choice {
	*p = def
	return &choice{value: p, choices: choices, typ: typ}
}

func (c *choice) String() string { return *c.value }

// Set accepts s when it is one of the choices.
func (c *choice) Set(s string) error {
	if !slices.Contains(c.choices, s) {
		return fmt.Errorf("use %s", orList(c.choices))
	}
	*c.value = s
	return nil
}

// Type names the value in the help text.
func (c *choice) Type() string { return c.typ }

// complete offers the choices to shell completion.
func (c *choice) complete(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return c.choices, cobra.ShellCompDirectiveNoFileComp
}

// addChoice defines a choice flag on cmd and its completion.
func addChoice(cmd *cobra.Command, p *string, name, def, typ, usage string, choices ...string) {
	c := newChoice(p, def, typ, choices...)
	cmd.Flags().Var(c, name, usage)
	if err := cmd.RegisterFlagCompletionFunc(name, c.complete); err != nil {
		panic(err) // the flag was defined just above
	}
}

// orList returns "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// payloadExts are the file extensions that shell completion offers for
// payload files.
var payloadExts = []string{"yaml", "yml", "json"}

// oneFile checks that a command got exactly one FILE argument and sets up
// its completion.
func oneFile(cmd *cobra.Command) {
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageErrorf("%s needs a payload FILE (JSON or YAML), or - to read standard input", cmd.Name())
		case len(args) > 1:
			return usageErrorf("%s takes one payload FILE, not %d (%s)", cmd.Name(), len(args), strings.Join(args, " "))
		}
		return nil
	}
	cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return payloadExts, cobra.ShellCompDirectiveFilterFileExt
	}
}
