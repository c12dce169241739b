//go:build !race

package ctdne

// raceEnabled: built with -race, the skip-gram runs on one goroutine (Hogwild's unsynchronised
// updates are races by design, and would hide real ones).
const raceEnabled = false
