package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
)

// A search with filters looks through a bounded number of matches at a
// time (store.SearchResult.Stopped); its link "Look further back" goes on
// from below where it stopped (?before=). Signed in, that is the rowid of
// the oldest match looked through, as the store gives it. In public it is
// the same rowid sealed (AES, one block, with a key made when the server
// starts): a rowid is a request's or a document's id, and ids counted
// from one tell how many requests there are, private ones too. A sealed
// place from before a restart no longer opens: the page says to search
// again.

// publicCursorBlock is the cipher that seals a public search's place.
var publicCursorBlock = sync.OnceValue(func() cipher.Block {
	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		panic("server: no randomness for the public search's key: " + err.Error())
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	return b
})

// publicCursorCheck fills the sealed block's second half: opened with
// another key, or made up, it does not read back.
const publicCursorCheck = "foitrack"

// sealSearchPlace is the text of a search's place to go on from.
func sealSearchPlace(rowid int64, public bool) string {
	if !public {
		return strconv.FormatInt(rowid, 10)
	}
	var b [aes.BlockSize]byte
	binary.BigEndian.PutUint64(b[:8], uint64(rowid))
	copy(b[8:], publicCursorCheck)
	publicCursorBlock().Encrypt(b[:], b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// searchPlaceParam reads ?before= (0 when not given); one no search gave
// (typed, cut short, or sealed before the server restarted) is a 400
// that says what to do.
func searchPlaceParam(c echo.Context, public bool) (int64, error) {
	text := c.QueryParam("before")
	if text == "" {
		return 0, nil
	}
	bad := echo.NewHTTPError(http.StatusBadRequest,
		"The place to look further back from (before=) is not one this search gave, or is out of date: search again from the newest matches.")
	if !public {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n <= 0 || text[0] == '+' {
			return 0, bad
		}
		return n, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) != aes.BlockSize {
		return 0, bad
	}
	publicCursorBlock().Decrypt(raw, raw)
	n := int64(binary.BigEndian.Uint64(raw[:8]))
	if string(raw[8:]) != publicCursorCheck || n <= 0 {
		return 0, bad
	}
	return n, nil
}
