package main

import (
	"errors"
	"fmt"
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
Authorization header (create, list, revoke), and re-seals the stored
credentials after a new data key is put first in the data key file
(rotate-data-key).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErrorf("missing command: use create, list, revoke, new-data-key or rotate-data-key")
		},
	}
	cmd.AddCommand(newKeysCreateCmd(), newKeysListCmd(), newKeysRevokeCmd(), newKeysNewDataKeyCmd(), newKeysRotateCmd())
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
		Long: `new-data-key prints a new random data key (256 bits, base64). To rotate, put
it as the first line of the data key file, keep the old key below it, run
rotate-data-key, then remove the old key.`,
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
include the ones the credentials were sealed with. Afterwards the old keys can
be removed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, err := f.ring(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			st, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := server.RotateDataKey(cmd.Context(), st, ring)
			if err != nil {
				return inputErrorf("%s", trimPrefix(err))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ucbootstrap: re-sealed %d credentials with data key %s\n", n, ring.Primary())
			return nil
		},
	}
	f.add(cmd)
	f.addDataKey(cmd)
	return cmd
}
