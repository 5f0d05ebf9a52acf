package auth

import (
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand"
)

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func GenerateToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		// ruleid: go-math-rand-secret
		b[i] = letters[rand.Intn(len(letters))]
	}
	return string(b)
}

func NewUser(name string) map[string]string {
	// ruleid: go-math-rand-secret
	resetCode := fmt.Sprintf("%06d", rand.Intn(1000000))
	return map[string]string{"name": name, "code": resetCode}
}

func (s *Server) newSessionKey() []byte {
	key := make([]byte, 32)
	// ruleid: go-math-rand-secret
	rand.Read(key)
	return key
}

func SecureToken() (string, error) {
	b := make([]byte, 32)
	// ok: go-math-rand-secret
	if _, err := crand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func Jitter() int {
	// ok: go-math-rand-secret
	return rand.Intn(250)
}

func ShuffleQuestions(q []string) {
	// ok: go-math-rand-secret
	rand.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
}
