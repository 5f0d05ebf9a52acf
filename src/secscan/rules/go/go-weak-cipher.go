package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rc4"
)

func Ciphers(key []byte) {
	// ruleid: go-weak-cipher
	d, _ := des.NewTripleDESCipher(key)
	// ruleid: go-weak-cipher
	r, _ := rc4.NewCipher(key)
	// ok: go-weak-cipher
	a, _ := aes.NewCipher(key)
	// ok: go-weak-cipher
	g, _ := cipher.NewGCM(a)
	_, _, _ = d, r, g
}
