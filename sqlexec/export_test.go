package sqlexec

import (
	"context"
	"time"
)

// SetSleep makes e wait with f instead of a timer, so that tests see the
// waits asked for without taking them.
func SetSleep(e *Executor, f func(ctx context.Context, d time.Duration) error) { e.sleep = f }
