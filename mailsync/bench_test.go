package mailsync

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseMessage measures parsing the project's own test messages
// (a PDF reply, nested mail, broken charsets, HTML), one message per op.
func BenchmarkParseMessage(b *testing.B) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatal("no test messages", err)
	}
	var msgs [][]byte
	var total int64
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
		total += int64(len(raw))
	}
	b.SetBytes(total / int64(len(msgs)))
	i := 0
	for b.Loop() {
		if _, err := ParseMessage(msgs[i%len(msgs)], DefaultLimits); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkClassify measures reading a reply (kind and exemptions) over the
// labelled replies, one reply per op.
func BenchmarkClassify(b *testing.B) {
	replies := readLabelledReplies(b)
	i := 0
	for b.Loop() {
		r := replies[i%len(replies)]
		Classify(nil, r.subject, r.body, r.law)
		i++
	}
}
