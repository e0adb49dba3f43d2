package db

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// Error messages of one kind differ in the values they quote: numbers, ids,
// quoted strings. Masking those gives the normalized message, and its hash
// with the error type the fingerprint that error groups gather by.
var (
	quotedValue = regexp.MustCompile("'[^']*'|\"[^\"]*\"|`[^`]*`")
	uuidValue   = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	digitWord   = regexp.MustCompile(`[\w.]*\d[\w.]*`)
	spaces      = regexp.MustCompile(`\s+`)
)

// maxNormalizedBytes bounds the stored normalized message.
const maxNormalizedBytes = 500

// NormalizeErrorMessage masks the variable parts of an error message:
// quoted values become "*", UUIDs "<id>", and words with digits "<n>".
func NormalizeErrorMessage(msg string) string {
	s := quotedValue.ReplaceAllString(msg, `"*"`)
	s = uuidValue.ReplaceAllString(s, "<id>")
	s = digitWord.ReplaceAllString(s, "<n>")
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	if len(s) > maxNormalizedBytes {
		s = s[:maxNormalizedBytes]
	}
	return s
}

// ErrorFingerprint identifies errors of one type with one normalized message.
func ErrorFingerprint(errorType, normalized string) string {
	sum := sha1.Sum([]byte(strings.ToLower(errorType) + "\n" + normalized))
	return hex.EncodeToString(sum[:8])
}

// fingerprint fills in e's normalized message and fingerprint.
func (e *TraceError) fingerprint() {
	msg := ""
	if e.ErrorMessage != nil {
		msg = *e.ErrorMessage
	}
	norm := NormalizeErrorMessage(msg)
	fp := ErrorFingerprint(e.ErrorType, norm)
	e.NormalizedMessage, e.Fingerprint = &norm, &fp
}

// backfillFingerprints fingerprints errors stored before fingerprints were
// (AgentNeo imports and databases migrated from version 3), in batches.
func (d *DB) backfillFingerprints(ctx context.Context) error {
	for {
		var rows []TraceError
		err := d.conn(ctx).Select("id", "error_type", "error_message").
			Where("fingerprint IS NULL").Order("id").Limit(1000).Find(&rows).Error
		if err != nil || len(rows) == 0 {
			return err
		}
		err = d.Transaction(ctx, func(tx *DB) error {
			for i := range rows {
				rows[i].fingerprint()
				err := tx.conn(ctx).Model(&TraceError{}).Where("id = ?", rows[i].ID).Updates(map[string]any{
					"fingerprint": rows[i].Fingerprint, "normalized_message": rows[i].NormalizedMessage,
				}).Error
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fingerprint errors: %w", err)
		}
	}
}
