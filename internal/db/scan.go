package db

import (
	"fmt"
	"time"
)

// scanTime reads a time from any driver: PostgreSQL returns time.Time, while
// SQLite returns text where it cannot see a column's declared type (as in
// RETURNING clauses).
type scanTime struct {
	Time  time.Time
	Valid bool
}

// sqliteTimeFormats are the text forms SQLite columns hold.
var sqliteTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// Scan implements sql.Scanner.
func (s *scanTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s = scanTime{}
		return nil
	case time.Time:
		*s = scanTime{Time: v.UTC(), Valid: true}
		return nil
	case []byte:
		return s.Scan(string(v))
	case string:
		for _, f := range sqliteTimeFormats {
			if t, err := time.Parse(f, v); err == nil {
				*s = scanTime{Time: t.UTC(), Valid: true}
				return nil
			}
		}
		return fmt.Errorf("time column: cannot parse %q", v)
	}
	return fmt.Errorf("time column: cannot scan %T", src)
}

// ptr returns the time, or nil when NULL.
func (s scanTime) ptr() *time.Time {
	if !s.Valid {
		return nil
	}
	t := s.Time
	return &t
}

// GormDataType keeps GORM from reading the struct as a relation.
func (scanTime) GormDataType() string { return "time" }
