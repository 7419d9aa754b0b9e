package lint_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/lint"
	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// TestConcurrentUse shares one decoded integration between goroutines that
// validate it, generate every script from it, derive its requirements and
// lint its bootstrap script at once, as the HTTP server does. Under -race
// it fails if any of them writes to the value; without, it checks that
// every goroutine sees the same output.
func TestConcurrentUse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "payloads", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example payloads: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		in, err := ucbootstrap.Decode(file, data)
		if err != nil {
			t.Fatal(err)
		}
		want := allScripts(t, in)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if err := in.Validate(); err != nil {
					t.Error(err)
				}
				_ = in.Warnings()
				if _, err := privileges.Required(in); err != nil && in.Config.ServicePrincipalID() != "" {
					t.Error(err)
				}
				if got := allScripts(t, in); !bytes.Equal(got, want) {
					t.Errorf("%s: scripts differ between goroutines", file)
				}
				if in.Config.ServicePrincipalID() != "" || in.AutoBootstrap {
					if _, err := lint.Run("bootstrap.sql", want, in, generator.Bootstrap); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}
}

// allScripts returns every script the integration makes, one after the other.
func allScripts(t *testing.T, in *ucbootstrap.Integration) []byte {
	var b bytes.Buffer
	for _, k := range []generator.Kind{generator.Bootstrap, generator.Prerequisites, generator.Cleanup} {
		s, err := generator.Generate(in, k)
		if err != nil {
			continue // prerequisites of a manual payload, a bootstrap without a service principal
		}
		if err := s.Render(&b); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}
