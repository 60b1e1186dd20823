//go:build race

package server

// raceDetector: the tests are built with -race, which makes SQLite (C
// translated to Go) many times slower.
const raceDetector = true
