// Package auth authenticates requests by API key and says what a caller may
// do: its role, and the projects it is limited to.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Role is what a key may do with the data of its projects.
type Role string

// The roles of keys.
const (
	// Read queries and exports everything, writes nothing.
	Read Role = "read"
	// Ingest records traces and metrics, and reads none of what was recorded.
	Ingest Role = "ingest"
	// Admin reads, records, deletes and sets retention.
	Admin Role = "admin"
)

// ParseRole returns the role called s.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case Read, Ingest, Admin:
		return r, nil
	}
	return "", fmt.Errorf("role %q: want read, ingest or admin", s)
}

// keyPrefix starts every secret, so leaked keys are easy to recognise and scan for.
const keyPrefix = "agk_"

// NewSecret returns a new random secret and the short prefix shown in lists.
func NewSecret() (secret, prefix string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = keyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, secret[:len(keyPrefix)+8], nil
}

// HashSecret is what is stored of a secret. The secrets are 256 random bits,
// so a fast hash is enough: there is nothing to brute-force.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
