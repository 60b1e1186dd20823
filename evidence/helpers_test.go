package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
