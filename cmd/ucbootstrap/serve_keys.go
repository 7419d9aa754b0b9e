package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap/server"
	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

func newServeKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the API keys and data keys of serve",
		Long: `keys manages, in the store of serve, the API keys that callers send in the
Authorization header (create, list, revoke), and the data keys that seal the
stored credentials: new-data-key makes one, rotate-data-key re-seals the
credentials after a new key is put first in the data key file, data-keys
lists the keys with the number of credentials each seals, and drop-data-key
removes an old key once nothing is sealed with it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErrorf("missing command: use create, list, revoke, new-data-key, data-keys, rotate-data-key or drop-data-key")
		},
	}
	cmd.AddCommand(newKeysCreateCmd(), newKeysListCmd(), newKeysRevokeCmd(), newKeysNewDataKeyCmd(), newKeysDataKeysCmd(), newKeysRotateCmd(), newKeysDropCmd())
	return cmd
}

func newKeysCreateCmd() *cobra.Command {
	var f storeFlags
	var name, role string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an API key and print it (the only time it is shown)",
		Long: `create makes an API key, stores its SHA-256 (never the key) and prints the
key on standard output: save it, it cannot be shown again. An admin key may
call every endpoint; a read key only those that change nothing (the GETs and
the scripts endpoints).`,
		Example: `  ucbootstrap serve keys create --name ci --role admin`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			key, k, err := server.CreateAPIKey(cmd.Context(), st, name, store.Role(role))
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			fmt.Fprintln(cmd.OutOrStdout(), key)
			fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: created %s key %s (%s); it is printed once, on standard output\n", k.Role, k.ID, k.Name)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&name, "name", "", "a `NAME` that tells the key apart (required)")
	addChoice(cmd, &role, "role", string(store.Admin), "role", "what the key may do: admin or read", string(store.Admin), string(store.ReadOnly))
	must(cmd.MarkFlagRequired("name"))
	return cmd
}

func newKeysListCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the API keys (ids, names, roles; never the keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			keys, err := st.Keys(cmd.Context())
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tROLE\tCREATED\tREVOKED")
			for _, k := range keys {
				revoked := "-"
				if !k.Revoked.IsZero() {
					revoked = k.Revoked.Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.Created.Format(time.RFC3339), revoked)
			}
			return w.Flush()
		},
	}
	f.add(cmd)
	return cmd
}

func newKeysRevokeCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API key (it stops working within two seconds)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("revoke takes one key ID (as keys list shows it)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeKey(cmd.Context(), args[0]); errors.Is(err, store.ErrNotFound) {
				return inputErrorf("no API key %s: keys list shows the ids", args[0])
			} else if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: revoked API key %s\n", args[0])
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func newKeysNewDataKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new-data-key",
		Short: "Print a new data key, for a data key file or $" + dataKeyEnv,
		Long: `new-data-key prints a new random data key (256 bits, base64).

To rotate the data key, with the servers running:
  1. put the new key as the first line of the data key file, the old keys
     below it (replace the file at once, mode 600: write a new file and mv
     it over the old one). Each server rereads its --data-key-file before
     it seals a credential, so new credentials are sealed with the new key
     and credentials re-sealed with it open. With several servers, update
     every server's copy of the file first; keys given in $` + dataKeyEnv + `
     need a restart of every server instead.
  2. run rotate-data-key: it re-seals every stored credential with the new
     key.
  3. run drop-data-key with the old key's id (rotate-data-key prints it): it
     removes the key from the file, and refuses while any stored credential
     is still sealed with it (run rotate-data-key again then). A credential
     sealed with a key that was thrown away is lost: remove keys only this
     way.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), datakey.Generate())
			return nil
		},
	}
	return cmd
}

func newKeysRotateCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "rotate-data-key",
		Short: "Re-seal every stored credential with the first key of the data keys",
		Long: `rotate-data-key re-seals every credential in the store with the primary data
key (the first of --data-key-file or $` + dataKeyEnv + `); the keys below it must
include the ones the credentials were sealed with. Then drop the old keys with
drop-data-key (see new-data-key --help for the steps).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, st, err := f.keysAndStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := server.RotateDataKey(cmd.Context(), st, ring)
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			what := "credentials"
			if n == 1 {
				what = "credential"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: re-sealed %d %s with data key %s\n", n, what, ring.Primary())
			use, err := server.DataKeyUse(cmd.Context(), st)
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			for _, id := range ring.IDs()[1:] {
				if use[id] == 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: data key %s seals nothing now: drop it with 'ucbootstrap serve keys drop-data-key%s %s'\n", id, f.args(), id)
				}
			}
			return nil
		},
	}
	f.add(cmd)
	f.addDataKey(cmd)
	return cmd
}

func newKeysDropCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "drop-data-key KEY-ID",
		Short: "Remove an old data key from the data key file, once nothing is sealed with it",
		Long: `drop-data-key removes the data key KEY-ID (as rotate-data-key and serve's log
name it) from --data-key-file. It refuses while any stored credential is
sealed with that key, naming how many: run rotate-data-key first. It refuses
to remove the first key, which seals new credentials. The file is replaced at
once (mode 600), and running servers follow it.

With $` + dataKeyEnv + ` instead of a file, it only checks that nothing is
sealed with the key: then remove the key from the variable and restart the
servers.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("drop-data-key takes one data key id (as data-keys shows it)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			ring, st, err := f.keysAndStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if !slices.Contains(ring.IDs(), id) {
				return inputErrorf("the data keys given hold no key %s (they hold %s)", id, strings.Join(ring.IDs(), ", "))
			}
			if id == ring.Primary() {
				return inputErrorf("data key %s is the primary key: it seals new credentials. To retire it, put a new key first (new-data-key), run rotate-data-key, then drop it", id)
			}
			if err := server.CheckKeys(cmd.Context(), st, ring); err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			if ring.File() == "" {
				use, err := server.DataKeyUse(cmd.Context(), st)
				if err != nil {
					return inputErrorf("%s", trimPrefix(err))
				}
				if n := use[id]; n > 0 {
					return f.inUse(&server.DataKeyInUseError{ID: id, Count: n})
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: no stored credential is sealed with data key %s: remove it from $%s and restart the servers\n", id, dataKeyEnv)
				return nil
			}
			err = server.DropDataKey(cmd.Context(), st, ring.File(), id)
			var inUse *server.DataKeyInUseError
			if errors.As(err, &inUse) {
				return f.inUse(inUse)
			}
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: dropped data key %s from %s\n", id, ring.File())
			return nil
		},
	}
	f.add(cmd)
	f.addDataKey(cmd)
	return cmd
}

// inUse is the message of a refused drop-data-key.
func (f *storeFlags) inUse(e *server.DataKeyInUseError) error {
	what, it := "credentials", "them"
	if e.Count == 1 {
		what, it = "credential", "it"
	}
	return inputErrorf("data key %s still seals %d stored %s: dropping the key would lose %s. Re-seal first with 'ucbootstrap serve keys rotate-data-key%s', then drop the key", e.ID, e.Count, what, it, f.args())
}

// args gives back the store and data key flags, for a command to suggest.
func (f *storeFlags) args() string {
	var b strings.Builder
	if f.store != "ucbootstrap.db" {
		st := f.store
		if u, err := url.Parse(st); err == nil && u.User != nil {
			st = u.Redacted() // never a password in a message
		}
		b.WriteString(" --store " + shellQuote(st))
	}
	if f.dataKeyFile != "" {
		b.WriteString(" --data-key-file " + shellQuote(f.dataKeyFile))
	}
	return b.String()
}

func newKeysDataKeysCmd() *cobra.Command {
	var f storeFlags
	cmd := &cobra.Command{
		Use:   "data-keys",
		Short: "List the data keys and the number of stored credentials each seals",
		Long: `data-keys lists the ids of the data keys of --data-key-file (or $` + dataKeyEnv + `),
the first one "primary" (it seals new credentials), the others "old", with the
number of stored credentials each seals; a key that seals stored credentials
but is not among the keys given is listed as "missing". An old key that seals
nothing can be dropped with drop-data-key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, st, err := f.keysAndStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			use, err := server.DataKeyUse(cmd.Context(), st)
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tKEY\tCREDENTIALS")
			ids := ring.IDs()
			for i, id := range ids {
				role := "old"
				if i == 0 {
					role = "primary"
				}
				fmt.Fprintf(w, "%s\t%s\t%d\n", id, role, use[id])
			}
			var missing []string
			for id := range use {
				if !slices.Contains(ids, id) {
					missing = append(missing, id)
				}
			}
			slices.Sort(missing)
			for _, id := range missing {
				fmt.Fprintf(w, "%s\t%s\t%d\n", id, "missing", use[id])
			}
			return w.Flush()
		},
	}
	f.add(cmd)
	f.addDataKey(cmd)
	return cmd
}

// keysAndStore loads the data keys for the commands that use existing
// ones (a missing --data-key-file is an error, not created) and opens the
// store.
func (f *storeFlags) keysAndStore(cmd *cobra.Command) (*datakey.Ring, store.Store, error) {
	if f.dataKeyFile != "" {
		if _, err := os.Stat(f.dataKeyFile); err != nil {
			return nil, nil, inputErrorf("%s", trimPrefix(fmt.Errorf("datakey: %w", err)))
		}
	}
	ring, err := f.ring(cmd.ErrOrStderr())
	if err != nil {
		return nil, nil, err
	}
	st, err := f.open(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	return ring, st, nil
}
