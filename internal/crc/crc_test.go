package crc

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

// TestChecksumIsCRC64ECMA: the sums are those of hash/crc64 with the ECMA
// table (the stored fingerprints were made with it), at every length
// from nothing to past the standard library's own thresholds.
func TestChecksumIsCRC64ECMA(t *testing.T) {
	ecma := crc64.MakeTable(crc64.ECMA)
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 3000; n += 1 + n/50 {
		for range 5 {
			p := make([]byte, n)
			for i := range p {
				p[i] = byte(r.Uint32())
			}
			if got, want := Checksum(p), crc64.Checksum(p, ecma); got != want {
				t.Fatalf("%d bytes: %x, want %x", n, got, want)
			}
		}
	}
}

func BenchmarkChecksum(b *testing.B) {
	p := make([]byte, 700)
	for b.Loop() {
		Checksum(p)
	}
}

func BenchmarkCRC64(b *testing.B) {
	p := make([]byte, 700)
	ecma := crc64.MakeTable(crc64.ECMA)
	for b.Loop() {
		crc64.Checksum(p, ecma)
	}
}
