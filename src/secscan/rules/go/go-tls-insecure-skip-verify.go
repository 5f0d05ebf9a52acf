package client

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

func Insecure() *http.Client {
	tr := &http.Transport{
		// ruleid: go-tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	return &http.Client{Transport: tr}
}

func InsecureLater(cfg *tls.Config) {
	// ruleid: go-tls-insecure-skip-verify
	cfg.InsecureSkipVerify = true
}

func Secure() *http.Client {
	tr := &http.Transport{
		// ok: go-tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &http.Client{Transport: tr}
}

func PrivateCA(pool *x509.CertPool) *tls.Config {
	// ok: go-tls-insecure-skip-verify
	return &tls.Config{RootCAs: pool, InsecureSkipVerify: false}
}
