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

// TestUpdateContinuesAChecksum: a checksum continued over the rest of the
// bytes (Update, UpdateString) is that of all of them, wherever they are
// split, as hash/crc64's Update.
func TestUpdateContinuesAChecksum(t *testing.T) {
	ecma := crc64.MakeTable(crc64.ECMA)
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 300; n += 1 + n/20 {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		want := crc64.Checksum(p, ecma)
		for i := 0; i <= n; i++ {
			for j := i; j <= n; j += 1 + (j-i)/3 {
				got := Update(UpdateString(Checksum(p[:i]), string(p[i:j])), p[j:])
				if got != want {
					t.Fatalf("%d bytes split at %d and %d: %x, want %x", n, i, j, got, want)
				}
				if u := crc64.Update(crc64.Checksum(p[:i], ecma), ecma, p[i:]); Update(Checksum(p[:i]), p[i:]) != u {
					t.Fatalf("%d bytes split at %d: Update differs from crc64.Update", n, i)
				}
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
