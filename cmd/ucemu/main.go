package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// A list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

type flags struct {
	addr, readyFile, setupAs                         string
	tokens, clients, admins, accountAdmins, members  list
	memberFiles, grants, owners, setup               list
	warehouses, clusters, systemSchemas, fails       list
	failStatements                                   list
	latency                                          time.Duration
	pageSize, startPolls, pendingPolls, runningPolls int
	unassigned, dropAfterAccept, chunkRows           int
	seed                                             uint64
	cancelApplies                                    bool
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	var f flags
	fs := flag.NewFlagSet("ucemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ucemu --addr 127.0.0.1:PORT [flags]\n\nucemu serves a stand-in Databricks workspace on a loopback address until interrupted.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8765", "the loopback `ADDRESS` to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&f.readyFile, "ready-file", "", "write the URL to `FILE` once listening (for scripts that wait for it)")
	fs.Var(&f.tokens, "token", "accept the personal access token as the principal: `TOKEN=PRINCIPAL` (an application ID is a service principal; repeatable)")
	fs.Var(&f.clients, "oauth-client", "accept OAuth M2M credentials of the service principal `ID=SECRET` (repeatable)")
	fs.Var(&f.admins, "metastore-admin", "make `PRINCIPAL` (a user, service principal or group) a metastore admin (repeatable)")
	fs.Var(&f.accountAdmins, "account-admin", "make `PRINCIPAL` an account admin (repeatable)")
	fs.Var(&f.members, "member", "make a principal a member of an account group: `PRINCIPAL=GROUP` (repeatable)")
	fs.Var(&f.memberFiles, "members", "read group memberships from `FILE` (principal,group rows; repeatable)")
	fs.Var(&f.grants, "grants", "seed the grants of a listing `FILE` that ucbootstrap audit reads (repeatable)")
	fs.Var(&f.owners, "owners", "seed the owners of `FILE` (information_schema *_owner rows or REST objects; repeatable)")
	fs.Var(&f.setup, "setup", "run the SQL script `FILE` at start-up as --setup-as (a line \"-- as PRINCIPAL\" switches principal), after the seeds (repeatable)")
	fs.StringVar(&f.setupAs, "setup-as", "", "the `PRINCIPAL` that runs the --setup scripts (default: the first --metastore-admin)")
	fs.Var(&f.warehouses, "warehouse", "add a SQL warehouse: `ID[=STATE]` (RUNNING by default; STOPPED starts when used; repeatable)")
	fs.Var(&f.clusters, "cluster", "add a cluster: `ID[=STATE]` (RUNNING by default; TERMINATED; repeatable)")
	fs.Var(&f.systemSchemas, "system-schema", "set the state of a system schema: `NAME=STATE` (ENABLE_COMPLETED to enable it; repeatable)")
	fs.Var(&f.fails, "fail", "fail the next N requests whose path starts with PREFIX (optionally \"METHOD /path\") with STATUS (0 drops the connection): `PREFIX=STATUS:N` (repeatable)")
	fs.Var(&f.failStatements, "fail-statement", "fail the next statement whose text contains `TEXT` (before it takes effect) with INTERNAL_ERROR, once; repeat the flag to fail more")
	fs.DurationVar(&f.latency, "latency", 0, "delay every response by `D`")
	fs.IntVar(&f.pageSize, "page-size", ucemu.DefaultPageSize, "privilege assignments per page of the permissions APIs")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the order of privilege assignments")
	fs.IntVar(&f.startPolls, "start-polls", ucemu.DefaultStartPolls, "polls a stopped warehouse or cluster takes to start")
	fs.IntVar(&f.pendingPolls, "pending-polls", 0, "polls every statement stays PENDING")
	fs.IntVar(&f.runningPolls, "running-polls", 0, "polls every statement stays RUNNING")
	fs.IntVar(&f.chunkRows, "chunk-rows", 0, "rows per result chunk (0: one chunk)")
	fs.IntVar(&f.unassigned, "unassigned", 0, "answer the first `N` metastore-assignment calls with no metastore (-1: all)")
	fs.IntVar(&f.dropAfterAccept, "drop-after-accept", 0, "accept and run the next `N` statements, then drop their connection")
	fs.BoolVar(&f.cancelApplies, "cancel-applies", false, "cancelled statements take effect before they report CANCELED")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	return &f, nil
}

// pair splits "a=b"; b may be optional.
func pair(flagName, s string, optional bool) (string, string, error) {
	a, b, ok := strings.Cut(s, "=")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || !ok && !optional || ok && b == "" {
		return "", "", fmt.Errorf("--%s %q: want KEY=VALUE", flagName, s)
	}
	return a, b, nil
}

// options turns the flags into emulator options.
func (f *flags) options() ([]ucemu.Option, error) {
	opts := []ucemu.Option{ucemu.Addr(f.addr), ucemu.PageSize(f.pageSize), ucemu.Seed(f.seed), ucemu.StartPolls(f.startPolls),
		ucemu.PendingPolls(f.pendingPolls), ucemu.RunningPolls(f.runningPolls), ucemu.ChunkRows(f.chunkRows)}
	if f.latency > 0 {
		opts = append(opts, ucemu.Latency(f.latency))
	}
	for _, s := range f.tokens {
		tok, p, err := pair("token", s, false)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ucemu.Token(tok, p))
	}
	for _, s := range f.clients {
		id, secret, err := pair("oauth-client", s, false)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ucemu.OAuthClient(id, secret))
	}
	for _, p := range f.admins {
		opts = append(opts, ucemu.MetastoreAdmin(p))
	}
	for _, p := range f.accountAdmins {
		opts = append(opts, ucemu.AccountAdmin(p))
	}
	for _, s := range f.members {
		p, g, err := pair("member", s, false)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ucemu.Member(p, g))
	}
	for _, s := range f.warehouses {
		id, state, err := pair("warehouse", s, true)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ucemu.Warehouse(id, cmpOr(state, "RUNNING")))
	}
	for _, s := range f.clusters {
		id, state, err := pair("cluster", s, true)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ucemu.Cluster(id, cmpOr(state, "RUNNING")))
	}
	for _, s := range f.systemSchemas {
		name, state, err := pair("system-schema", s, false)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ucemu.SystemSchema(name, state))
	}
	return opts, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// emu returns the emulator's name of a securable of a listing.
func emu(sec privileges.Securable) ucemu.Securable { return ucemu.Sec(string(sec.Type), sec.Name) }

// apply reads the listings and gives the emulator their grants, owners and
// memberships (parsed with package listing; the rules stay the
// emulator's own), sets the faults and runs the setup scripts.
func (f *flags) apply(s *ucemu.Server) error {
	for _, path := range f.grants {
		err := withFile(path, func(name string, r io.Reader) error {
			for g, err := range listing.Read(name, r) {
				if err != nil {
					return err
				}
				switch {
				case g.InheritedFrom != (privileges.Securable{}):
					// Effective permissions repeat a grant on every
					// securable that inherits it; the emulator inherits.
				case g.Privilege == privileges.Ownership || g.Privilege == privileges.Own:
					s.SetOwner(emu(g.On), g.Principal)
				default:
					s.Grant(g.Principal, string(g.Privilege), emu(g.On))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, path := range f.owners {
		err := withFile(path, func(name string, r io.Reader) error {
			owners, err := listing.ReadOwners(name, r)
			for sec, o := range owners {
				s.SetOwner(emu(sec), o)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, path := range f.memberFiles {
		err := withFile(path, func(name string, r io.Reader) error {
			members, err := listing.ReadMembers(name, r)
			for p, groups := range members {
				for _, g := range groups {
					s.AddMember(p, g)
				}
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, spec := range f.fails {
		prefix, rest, err := pair("fail", spec, false)
		if err != nil {
			return err
		}
		st, n, ok := strings.Cut(rest, ":")
		status, err1 := strconv.Atoi(st)
		count, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || count < 1 {
			return fmt.Errorf("--fail %q: want PREFIX=STATUS:N, such as /api/2.0/sql/statements=503:2", spec)
		}
		s.Fail(prefix, status, count)
	}
	for _, text := range f.failStatements {
		if text == "" {
			return errors.New("--fail-statement: want the text of the statement to fail")
		}
		s.FailStatement(text, 1)
	}
	if f.unassigned != 0 {
		s.Unassign(f.unassigned)
	}
	if f.dropAfterAccept > 0 {
		s.DropAfterAccept(f.dropAfterAccept)
	}
	s.CancelApplies(f.cancelApplies)
	if len(f.setup) > 0 {
		who := f.setupAs
		if who == "" && len(f.admins) > 0 {
			who = f.admins[0]
		}
		if who == "" {
			return errors.New("--setup needs --setup-as PRINCIPAL, or a --metastore-admin to run it")
		}
		for _, path := range f.setup {
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := s.ExecScript(who, path, src); err != nil {
				return fmt.Errorf("--setup %s as %s: %w", path, who, err)
			}
		}
	}
	return nil
}

func withFile(path string, read func(string, io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return read(path, f)
}

// run starts the emulator, prints its URL and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ucemu:", err)
		return 2
	}
	opts, err := f.options()
	if err != nil {
		fmt.Fprintln(stderr, "ucemu:", err)
		return 2
	}
	s, err := ucemu.Start(opts...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer s.Close()
	if err := f.apply(s); err != nil {
		fmt.Fprintln(stderr, "ucemu:", strings.TrimPrefix(err.Error(), "ucemu: "))
		return 2
	}
	fmt.Fprintf(stdout, "ucemu: serving a stand-in workspace at %s (Ctrl-C stops it)\n", s.URL)
	if f.readyFile != "" {
		if err := os.WriteFile(f.readyFile, []byte(s.URL+"\n"), 0o644); err != nil {
			fmt.Fprintln(stderr, "ucemu:", err)
			return 2
		}
	}
	<-ctx.Done()
	fmt.Fprintf(stdout, "ucemu: stopped after %d requests\n", s.Requests())
	return 0
}
