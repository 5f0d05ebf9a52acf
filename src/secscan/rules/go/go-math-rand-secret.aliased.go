package auth

import (
	"crypto/rand"
	"encoding/base64"
	mrand "math/rand"
)

func NewAPIKey() string {
	b := make([]byte, 24)
	for i := range b {
		// ruleid: go-math-rand-secret
		b[i] = byte(mrand.Intn(256))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func NewNonce() []byte {
	n := make([]byte, 12)
	// ok: go-math-rand-secret
	_, _ = rand.Read(n)
	return n
}

func Backoff(attempt int) int {
	// ok: go-math-rand-secret
	return attempt*100 + mrand.Intn(100)
}
