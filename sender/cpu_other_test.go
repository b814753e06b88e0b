//go:build !unix

package sender

import "time"

// processCPU is unknown here: the benchmark reports no CPU figures.
func processCPU() time.Duration { return 0 }
