//go:build !race

package server

// raceDetector: the tests are built with -race (see race_on_test.go).
const raceDetector = false
