// Package server is the integrations API over HTTP: configure, get, list,
// update and delete a Databricks Unity Catalog integration, and download
// its setup scripts, in the shapes and with the error texts of Immuta's
// integrations API.
//
// The handlers are thin: bodies are decoded and validated by
// [ucbootstrap.Decode], scripts come from the generator, and the state
// lives in a [store.Store]. POST and PUT run the validation tests (a
// [Validator]) before they answer; a job then moves the integration on
// (creating -> enabled or createError, editing -> enabled or editError
// with the previous configuration restored, deleting -> deleted or
// deleteError), applying scripts with an [Applier] for automatic setup
// (and recording the new payload's fingerprint after any edit). The real
// validator and applier are [LiveValidator] (package validation) and
// [LiveApplier] (package apply, whose statement ledger is kept in the
// job's checkpoint).
//
// A record's validationResults are always those of the configuration it
// holds. After an edit that failed, the previous configuration is applied
// again (rolled back; not when the failure shows that the edit changed
// nothing, since the edit back would revoke grants the failed edit did not
// make) and restored in the record, and its validation tests run again: the record shows those results (none when they cannot run;
// the error says why), and the failed edit's latest results (PUT's, or
// those after the edit) are in the status's error.validationResults.
//
// Nothing the server runs drops what ucbootstrap did not create: the
// delete of an integration whose bootstrap created nothing (it stopped at
// its first, reading statements, or at a catalog guard that refused the
// catalog) runs no cleanup, and a cleanup whose guard refuses the catalog
// (it exists and is not the integration's own) leaves that catalog as it
// is; both end deleted.
//
// The status is the lock: every transition is a compare-and-swap in the
// store, and a job runs under a renewed lease, so that a job whose server
// was killed is taken over, from its checkpoint, by the next server that
// claims it.
//
// Credentials are sealed (package datakey) before they reach the store,
// shown as REDACTED in every response, and never logged. Requests need an
// API key (package apikey) with the role the endpoint asks for; each key
// is rate-limited, bodies are size-limited, and [Server.HTTPServer] sets
// header, read and write timeouts.
package server
