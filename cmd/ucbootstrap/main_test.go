package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

// TestMain makes the test binary double as the ucbootstrap command, which
// the scripts run with "exec ucbootstrap".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"ucbootstrap": main})
}

// TestScripts runs testdata/script/*.txtar. With -update, a failing
// "cmp stdout want" rewrites want in the archive.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exitcode": cmdExitcode},
	})
}

// cmdExitcode runs a program as exec does, keeping its stdout and stderr
// for the next commands, and checks its exit status:
//
//	exitcode N program [args...]
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	got := 0
	var ee *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// TestRunUnreadableStdin checks that a read error on standard input is an
// input error (exit code 2) that says what to do.
func TestRunUnreadableStdin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	stdin := iotest.ErrReader(errors.New("input/output error"))
	code := run([]string{"validate", "-"}, stdin, &stdout, &stderr)
	if code != exitUsage {
		t.Errorf("run(validate -) = %d, want %d", code, exitUsage)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
	const want = "ucbootstrap: read standard input: input/output error: pass the payload through a pipe or give its FILE\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// TestRunNilArgs checks that run(nil) does not fall back to os.Args, as
// cobra does when SetArgs is given nil.
func TestRunNilArgs(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(nil, strings.NewReader(""), &stdout, &stderr); code != exitUsage {
		t.Errorf("run(nil) = %d, want %d; stderr:\n%s", code, exitUsage, stderr.String())
	}
	if !strings.Contains(stderr.String(), "missing command") {
		t.Errorf("stderr = %q, want it to say the command is missing", stderr.String())
	}
}

// TestWriteFileAtomic checks that an existing file is replaced whole, keeps
// its permissions, and that no temporary file is left behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.sql")
	if err := os.WriteFile(out, []byte("old content that is longer than the new one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(out, []byte("new\n")); err != nil {
		t.Fatalf("writeFileAtomic: %v", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "new\n" {
		t.Errorf("content = %q, want %q", got, "new\n")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v (%v), want -rw-------", fi.Mode(), err)
	}
	assertOnly(t, dir, "out.sql")
}

// TestWriteFileAtomicNewFile checks the permissions of a new file and that
// a relative name is written in the current directory, not in os.TempDir.
func TestWriteFileAtomicNewFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := writeFileAtomic("new.sql", []byte("x\n")); err != nil {
		t.Fatalf("writeFileAtomic: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "new.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want -rw-r--r--", fi.Mode())
	}
	assertOnly(t, dir, "new.sql")
}

// TestWriteFileAtomicSymlink checks that a symbolic link is kept and the
// file it points to replaced.
func TestWriteFileAtomicSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.sql")
	link := filepath.Join(dir, "link.sql")
	if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target.sql", link); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	if err := writeFileAtomic(link, []byte("new\n")); err != nil {
		t.Fatalf("writeFileAtomic: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.sql is no longer a symbolic link (%v, %v)", fi, err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new\n" {
		t.Errorf("target content = %q, want %q", got, "new\n")
	}
}

// TestWriteFileAtomicDirectory checks that a directory is refused and no
// temporary file is left behind.
func TestWriteFileAtomicDirectory(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.sql")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	err := writeFileAtomic(out, []byte("x\n"))
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("writeFileAtomic(directory) = %v, want an error that says it is a directory", err)
	}
	assertOnly(t, dir, "out.sql")
}

// assertOnly fails unless dir holds exactly the named entries.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
