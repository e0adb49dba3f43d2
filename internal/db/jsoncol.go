package db

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSON is a column holding V encoded as JSON (jsonb on PostgreSQL, text on
// SQLite). SQL NULL decodes to the zero value with Valid false.
type JSON[V any] struct {
	V     V
	Valid bool
}

// NewJSON returns a non-null JSON column value.
func NewJSON[V any](v V) JSON[V] { return JSON[V]{V: v, Valid: true} }

// GormDataType tells GORM the column is a JSON document, not a relation.
func (JSON[V]) GormDataType() string { return "json" }

// Scan implements sql.Scanner.
func (j *JSON[V]) Scan(src any) error {
	var raw []byte
	switch s := src.(type) {
	case nil:
		*j = JSON[V]{}
		return nil
	case []byte:
		raw = s
	case string:
		raw = []byte(s)
	default:
		return fmt.Errorf("json column: cannot scan %T", src)
	}
	var v V
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	*j = JSON[V]{V: v, Valid: true}
	return nil
}

// Value implements driver.Valuer; it encodes as a string so both drivers
// accept it for text and jsonb columns.
func (j JSON[V]) Value() (driver.Value, error) {
	if !j.Valid {
		return nil, nil
	}
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// RawJSON is a column holding a free-form JSON document, passed through
// without decoding. SQL NULL is a nil RawJSON.
type RawJSON []byte

// Scan implements sql.Scanner.
func (r *RawJSON) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		*r = nil
	case []byte:
		*r = append(RawJSON(nil), s...)
	case string:
		*r = RawJSON(s)
	default:
		return fmt.Errorf("json column: cannot scan %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (r RawJSON) Value() (driver.Value, error) {
	if r == nil {
		return nil, nil
	}
	if !json.Valid(r) {
		return nil, fmt.Errorf("json column: invalid JSON document")
	}
	return string(r), nil
}
