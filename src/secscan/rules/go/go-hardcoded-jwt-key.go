package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"os"

	"github.com/golang-jwt/jwt/v5"
)

func Sign(t *jwt.Token) (string, error) {
	// ruleid: go-hardcoded-jwt-key
	return t.SignedString([]byte("dev-only-not-a-secret"))
}

func SignEnv(t *jwt.Token) (string, error) {
	// ok: go-hardcoded-jwt-key
	return t.SignedString([]byte(os.Getenv("JWT_KEY")))
}

func Mac(data []byte) []byte {
	// ruleid: go-hardcoded-jwt-key
	m := hmac.New(sha256.New, []byte("not-a-real-key"))
	// ok: go-hardcoded-jwt-key
	n := hmac.New(sha256.New, []byte(os.Getenv("MAC_KEY")))
	m.Write(data)
	n.Write(data)
	return m.Sum(nil)
}
