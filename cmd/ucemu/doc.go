// Ucemu starts the workspace emulator of package internal/ucemu on a
// loopback address, so that ucbootstrap can be tried without a Databricks
// workspace:
//
//	ucemu --addr 127.0.0.1:8765 \
//	  --token TOKEN=PRINCIPAL --metastore-admin PRINCIPAL \
//	  --warehouse ID[=STATE] --cluster ID[=STATE] \
//	  --grants GRANTS --owners OWNERS --members MEMBERS \
//	  --setup SCRIPT.sql --setup-as PRINCIPAL ...
//
// It prints its URL and serves until interrupted (Ctrl-C, SIGTERM).
//
// The workspace starts empty but for the system catalog. --grants,
// --owners and --members read any listing that "ucbootstrap audit" reads
// (SHOW GRANTS output, information_schema rows, REST permissions JSON) and
// seed the emulator with it; --setup then runs SQL scripts as --setup-as
// (a line "-- as PRINCIPAL" runs what follows as PRINCIPAL), with the
// emulator's permission checks. --token maps a personal access
// token to a principal (an application ID is a service principal);
// --oauth-client accepts OAuth M2M credentials. Faults and latency can be
// added: --fail PATH=STATUS:N, --fail-statement TEXT, --pending-polls, --running-polls,
// --start-polls, --unassigned, --cancel-applies, --drop-after-accept,
// --latency.
//
// Exit status: 0 after an interrupt; 2 for a usage error, a seed file that
// cannot be read, a setup script that fails, or an address it cannot
// listen on.
package main
