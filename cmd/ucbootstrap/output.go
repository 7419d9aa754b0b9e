package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// writeOutput writes data to stdout when path is "" or "-", and to the file
// path (named by the flag, for messages) otherwise, atomically.
func writeOutput(stdout io.Writer, flag, path string, data []byte) error {
	if path == "" || path == "-" {
		if _, err := stdout.Write(data); err != nil {
			return inputErrorf("write standard output: %v", err)
		}
		return nil
	}
	if err := writeFileAtomic(path, data); err != nil {
		return inputErrorf("%s %s: %v", flag, path, err)
	}
	return nil
}

// writeFileAtomic replaces the file path with data: it writes a temporary
// file in the same directory and renames it over path, so that a failure
// leaves path as it was, never half written. A symbolic link is followed,
// and an existing file keeps its permissions. A device or named pipe (such
// as /dev/stdout) is written directly, as it cannot be replaced.
func writeFileAtomic(path string, data []byte) error {
	target, err := resolveLink(path)
	if err != nil {
		return err
	}
	perm := fs.FileMode(0o644)
	switch fi, err := os.Stat(target); {
	case err == nil && fi.IsDir():
		return errors.New("is a directory: give a file name, such as " + filepath.Join(path, "bootstrap.sql"))
	case err == nil && !fi.Mode().IsRegular():
		return os.WriteFile(target, data, perm)
	case err == nil:
		perm = fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return unwrapPath(err)
	}
	return replaceFile(target, data, perm)
}

// replaceFile writes data to a temporary file next to target and renames it
// to target.
func replaceFile(target string, data []byte, perm fs.FileMode) (err error) {
	// filepath.Dir gives "." rather than "", for which CreateTemp would use
	// os.TempDir, possibly on another file system.
	dir, base := filepath.Dir(target), filepath.Base(target)
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot create a temporary file in %s: %v: check that the directory exists and is writable", dir, unwrapPath(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return unwrapPath(err)
	}
	if err := f.Sync(); err != nil {
		return unwrapPath(err)
	}
	if err := f.Chmod(perm); err != nil {
		return unwrapPath(err)
	}
	if err := f.Close(); err != nil {
		return unwrapPath(err)
	}
	if err := os.Rename(tmp, target); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err
		}
		return fmt.Errorf("cannot replace the file: %v", err)
	}
	return nil
}

// resolveLink follows path when it is a symbolic link, so that the link is
// kept and its target replaced.
func resolveLink(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("cannot follow the symbolic link: %v", unwrapPath(err))
	}
	return target, nil
}

// writeJSON writes v to w as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	data, err := marshalJSON(v)
	if err != nil {
		return err
	}
	return writeOutput(w, "", "", data)
}

// marshalJSON returns v as indented JSON and a newline, without escaping
// <, > and & (file names such as <stdin> stay readable).
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, &exitError{code: exitFindings, err: fmt.Errorf("ucbootstrap: encode JSON: %w", err)}
	}
	return b.Bytes(), nil
}

// A namedPath is a file that a command reads or writes, with the flag (or
// argument) that names it, for messages.
type namedPath struct {
	what string // "-o", "--fix-sql", "the payload"
	path string
}

// checkPaths refuses, with a usage error, an output that is one of the
// inputs or another output: the same path in another spelling (./a, a/../a),
// a symbolic link to it, or a hard link. At most one output may go to
// standard output: "-", or "" for -o.
func checkPaths(inputs, outputs []namedPath) error {
	toStdout := 0
	var stdoutNames []string
	for _, o := range outputs {
		if o.path == "-" || o.path == "" && o.what == "-o" {
			toStdout++
			stdoutNames = append(stdoutNames, o.what)
		}
	}
	if toStdout > 1 {
		return usageErrorf("%s all go to standard output: give all but one of them a file", orList(stdoutNames))
	}
	for i, o := range outputs {
		if o.path == "" || o.path == "-" {
			continue
		}
		for _, in := range inputs {
			if samePath(o.path, in.path) {
				return usageErrorf("%s %s would overwrite %s %s: write it to another file", o.what, o.path, in.what, in.path)
			}
		}
		for _, other := range outputs[:i] {
			if samePath(o.path, other.path) {
				return usageErrorf("%s %s and %s %s are the same file: one would replace the other; give each its own file", other.what, other.path, o.what, o.path)
			}
		}
	}
	return nil
}

// samePath reports whether the paths a and b name one file: one existing
// file (through any link), or, when either does not exist yet, the same
// place once its directory's links are resolved.
func samePath(a, b string) bool {
	if a == "" || a == "-" || b == "" || b == "-" {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	return place(a) == place(b)
}

// place returns the absolute path of a file that may not exist, with the
// links of its directory resolved.
func place(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if target, err := filepath.EvalSymlinks(abs); err == nil {
		return target
	}
	dir, base := filepath.Split(abs)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	return filepath.Join(dir, base)
}
