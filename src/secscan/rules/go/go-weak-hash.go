package hashing

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
)

func Sum(data []byte) []byte {
	// ruleid: go-weak-hash
	a := md5.Sum(data)
	// ruleid: go-weak-hash
	h := sha1.New()
	// ok: go-weak-hash
	b := sha256.Sum256(data)
	// ok: go-weak-hash
	g := sha256.New()
	h.Write(data)
	g.Write(data)
	return append(append(a[:], b[:]...), h.Sum(nil)...)
}
