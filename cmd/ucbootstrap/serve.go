package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucbootstrap/ucbootstrap/apply"
	"github.com/ucbootstrap/ucbootstrap/server"
	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/validation"
	"github.com/ucbootstrap/ucbootstrap/web"
)

// dataKeyEnv names the variable that may hold the data keys instead of a
// file.
const dataKeyEnv = "UCBOOTSTRAP_DATA_KEY"

// backendOptions are what serve's flags tell the validator and the
// applier.
type backendOptions struct {
	// insecureLoopback: plain HTTP to the workspaces of payloads on a
	// loopback address.
	insecureLoopback bool
	// timeout bounds each statement (the warehouse's start-up included).
	timeout time.Duration
}

// serveBackends gives serve its validator and applier: the one place where
// the validation tests (package validation) and apply (package apply) plug
// into the server.
func serveBackends(o backendOptions) (server.Validator, server.Applier) {
	v := server.NewLiveValidator(validation.Options{InsecureLoopback: o.insecureLoopback, Timeout: o.timeout})
	a := server.NewLiveApplier(apply.Options{InsecureLoopback: o.insecureLoopback})
	return v, a
}

// servePage is the script download page (package web), mounted at /: the
// library compiled to WebAssembly, which keeps the payload in the browser.
var servePage http.Handler = web.Handler()

type storeFlags struct {
	store       string
	dataKeyFile string
}

func (f *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.store, "store", "ucbootstrap.db", "the store: a SQLite `FILE` (created when missing), or a postgres:// URL")
}

func (f *storeFlags) addDataKey(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataKeyFile, "data-key-file", "", "the `FILE` of the data keys that seal credentials at rest (created, with one new key, when missing; mode 600); or set $"+dataKeyEnv)
}

func (f *storeFlags) open(ctx context.Context) (store.Store, error) {
	st, err := store.Open(ctx, f.store, store.Options{})
	if err != nil {
		return nil, inputErrorf("%s", trimPrefix(err))
	}
	return st, nil
}

// ring loads the data keys: from --data-key-file, created when missing,
// or from $UCBOOTSTRAP_DATA_KEY. Never from the store.
func (f *storeFlags) ring(stderr io.Writer) (*datakey.Ring, error) {
	env := os.Getenv(dataKeyEnv)
	switch {
	case f.dataKeyFile != "" && env != "":
		return nil, usageErrorf("give the data keys once: --data-key-file or $%s, not both", dataKeyEnv)
	case f.dataKeyFile != "":
		if _, err := os.Stat(f.dataKeyFile); errors.Is(err, os.ErrNotExist) {
			if err := datakey.CreateFile(f.dataKeyFile); err != nil {
				return nil, inputErrorf("%s", trimPrefix(err))
			}
			fmt.Fprintf(stderr, "ucbootstrap: created the data key file %s: keep it, and keep it apart from the store's backups\n", f.dataKeyFile)
		}
		r, err := datakey.LoadFile(f.dataKeyFile)
		if err != nil {
			return nil, inputErrorf("%s", trimPrefix(err))
		}
		return r, nil
	case env != "":
		keys, err := datakey.Parse(env)
		if err != nil {
			return nil, inputErrorf("$%s: %s", dataKeyEnv, trimPrefix(err))
		}
		r, err := datakey.NewRing(keys...)
		if err != nil {
			return nil, inputErrorf("$%s: %s", dataKeyEnv, trimPrefix(err))
		}
		return r, nil
	}
	return nil, usageErrorf("serve needs the data keys that seal credentials: --data-key-file FILE (created when missing) or $%s", dataKeyEnv)
}

// trimPrefix drops a package prefix from an error, for ucbootstrap's own.
func trimPrefix(err error) string {
	msg := err.Error()
	for _, p := range []string{"store: ", "datakey: ", "server: ", "apikey: "} {
		if len(msg) > len(p) && msg[:len(p)] == p {
			return msg[len(p):]
		}
	}
	return msg
}

type serveFlags struct {
	storeFlags
	addr              string
	addrFile          string
	tlsCert, tlsKey   string
	insecureLoopback  bool
	validationTimeout time.Duration
	leaseTTL          time.Duration
	workers           int
	revalidateEvery   time.Duration
	rateLimit         float64
	rateBurst         int
	maxBody           int64
	lenient           bool
	logFormat         string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the integrations API over HTTP",
		Long: `serve runs the integrations API: configure, get, list, update and delete a
Databricks Unity Catalog integration, and download its setup scripts
(GET /openapi.json describes every endpoint). Its state lives in --store, a
SQLite file by default or a PostgreSQL database (for several replicas).

Every endpoint but /healthz and /openapi.json needs an API key: make one with
'ucbootstrap serve keys create'. Credentials sent in payloads are sealed at
rest with the data keys of --data-key-file (or $` + dataKeyEnv + `), which
never enter the store.

A running serve follows its --data-key-file, so a data key can be rotated
without a restart: before it seals a credential it rereads the file, and
seals with the file's first key; it rereads it too when it meets a
credential sealed with a key it does not hold. A file that does not load is
logged and the keys loaded before are kept. Keys given in $` + dataKeyEnv + `
are read only at start: restart every server with the new keys (the new one
first, the old ones after it) before rotate-data-key. See
'ucbootstrap serve keys new-data-key --help' for the steps.

serve listens on loopback unless --addr names another address, which needs
--tls-cert and --tls-key. It stops on SIGINT or SIGTERM; a job it was running
is taken up again, from its checkpoint, by the next server on the store.`,
		Example: `  ucbootstrap serve --data-key-file data.key
  ucbootstrap serve --store postgres://ucb@db.internal/ucb --data-key-file /etc/ucbootstrap/data.key \
    --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd, f) },
	}
	f.add(cmd)
	f.addDataKey(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	fl.StringVar(&f.addrFile, "addr-file", "", "once listening, write the address to `FILE` (for scripts, with --addr 127.0.0.1:0)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with the certificate `FILE` (PEM)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "the private key `FILE` of --tls-cert (PEM)")
	fl.BoolVar(&f.insecureLoopback, "insecure-loopback", false, "talk plain HTTP to a workspace on a loopback address (a local stand-in workspace)")
	fl.DurationVar(&f.validationTimeout, "validation-timeout", time.Minute, "how long POST and PUT wait for the validation tests before they answer")
	fl.DurationVar(&f.leaseTTL, "lease-ttl", 30*time.Second, "how long a job stays claimed without renewal; a stopped server's job is taken over after it")
	fl.IntVar(&f.workers, "workers", 4, "jobs run at once")
	fl.DurationVar(&f.revalidateEvery, "revalidate-every", time.Hour, "period of the revalidation of enabled integrations; 0 turns it off")
	fl.Float64Var(&f.rateLimit, "rate-limit", 20, "requests per second per API key; a negative value turns the limit off")
	fl.IntVar(&f.rateBurst, "rate-burst", 40, "requests an API key may make at once")
	fl.Int64Var(&f.maxBody, "max-body", 1<<20, "largest request body, in bytes")
	fl.BoolVar(&f.lenient, "lenient", false, "report unknown payload keys as warnings instead of errors")
	addChoice(cmd, &f.logFormat, "log-format", "json", "format", "log format on standard error: json or text", "json", "text")
	cmd.AddCommand(newServeKeysCmd())
	return cmd
}

func runServe(cmd *cobra.Command, f serveFlags) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usageErrorf("--tls-cert and --tls-key go together")
	}
	if _, _, err := net.SplitHostPort(f.addr); err != nil {
		return usageErrorf("--addr %s is not HOST:PORT", f.addr)
	}
	if f.tlsCert == "" && !server.IsLoopback(f.addr) {
		return usageErrorf("--addr %s is not a loopback address: give --tls-cert and --tls-key (API keys and credentials travel in the requests), or listen on 127.0.0.1 behind a TLS proxy", f.addr)
	}
	stderr := cmd.ErrOrStderr()
	var h slog.Handler = slog.NewJSONHandler(stderr, nil)
	if f.logFormat == "text" {
		h = slog.NewTextHandler(stderr, nil)
	}
	log := slog.New(h)
	ring, err := f.ring(stderr)
	if err != nil {
		return err
	}
	ring.SetLogger(log)
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	validator, applier := serveBackends(backendOptions{insecureLoopback: f.insecureLoopback, timeout: f.validationTimeout})
	srv, err := server.New(ctx, server.Config{
		Store:             st,
		Keys:              ring,
		Validator:         validator,
		Applier:           applier,
		Logger:            log,
		Page:              servePage,
		ValidationTimeout: f.validationTimeout,
		LeaseTTL:          f.leaseTTL,
		Workers:           f.workers,
		RevalidateEvery:   f.revalidateEvery,
		MaxBodyBytes:      f.maxBody,
		RateLimit:         f.rateLimit,
		RateBurst:         f.rateBurst,
		Lenient:           f.lenient,
	})
	if err != nil {
		return inputErrorf("%s", trimPrefix(err))
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return inputErrorf("%v", err)
	}
	hs := srv.HTTPServer(f.addr)
	srv.Start()
	defer srv.Stop()
	log.Info("serving the integrations API", "addr", ln.Addr().String(), "tls", f.tlsCert != "", "store", storeKind(f.store), "data_key", ring.Primary())
	if f.addrFile != "" {
		if err := writeFileAtomic(f.addrFile, []byte(ln.Addr().String()+"\n")); err != nil {
			return inputErrorf("--addr-file: %v", err)
		}
	}
	errc := make(chan error, 1)
	go func() {
		if f.tlsCert != "" {
			errc <- hs.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return inputErrorf("%v", err)
	case <-ctx.Done():
	}
	log.Info("stopping")
	sctx, cancel := context.WithTimeout(context.Background(), f.validationTimeout+5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return inputErrorf("shutdown: %v", err)
	}
	return nil
}

// storeKind names the kind of store for the log, never its URL (which may
// carry a password).
func storeKind(dsn string) string {
	if store.IsPostgres(dsn) {
		return "postgres"
	}
	return "sqlite:" + dsn
}
