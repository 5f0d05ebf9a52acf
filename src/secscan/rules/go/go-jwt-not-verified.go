package auth

import "github.com/golang-jwt/jwt/v5"

func Claims(raw string, key []byte) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	// ruleid: go-jwt-not-verified
	_, _, err := jwt.NewParser().ParseUnverified(raw, claims)
	// ok: go-jwt-not-verified
	_, err2 := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (interface{}, error) { return key, nil }, jwt.WithValidMethods([]string{"HS256"}))
	// ruleid: go-jwt-not-verified
	_, err3 := jwt.Parse(raw, func(t *jwt.Token) (interface{}, error) { return jwt.UnsafeAllowNoneSignatureType, nil })
	// ok: go-jwt-not-verified
	_, err4 := jwt.Parse(raw, func(t *jwt.Token) (interface{}, error) { return key, nil })
	_, _, _ = err2, err3, err4
	return claims, err
}
