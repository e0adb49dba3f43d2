package db

import (
	"fmt"
	"strconv"
)

// Scanners of nullable columns into pointer fields. database/sql converts
// into a **string or **int64 by reflection, a tenth of the CPU of reading a
// page of calls; these take the few value types the two drivers return.

type nullStringScan struct{ dst **string }

func (s *nullStringScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.dst = nil
	case string:
		*s.dst = &v
	case []byte:
		str := string(v)
		*s.dst = &str
	default:
		return fmt.Errorf("text column: cannot scan %T", src)
	}
	return nil
}

type nullInt64Scan struct{ dst **int64 }

func (s *nullInt64Scan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.dst = nil
	case int64:
		*s.dst = &v
	case float64:
		if v != float64(int64(v)) {
			return fmt.Errorf("integer column: %v is not an integer", v)
		}
		n := int64(v)
		*s.dst = &n
	case []byte:
		return s.parse(string(v))
	case string:
		return s.parse(v)
	default:
		return fmt.Errorf("integer column: cannot scan %T", src)
	}
	return nil
}

func (s *nullInt64Scan) parse(text string) error {
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("integer column: %w", err)
	}
	*s.dst = &n
	return nil
}

type nullFloat64Scan struct{ dst **float64 }

func (s *nullFloat64Scan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.dst = nil
	case float64:
		*s.dst = &v
	case int64:
		f := float64(v)
		*s.dst = &f
	case []byte:
		return s.parse(string(v))
	case string:
		return s.parse(v)
	default:
		return fmt.Errorf("float column: cannot scan %T", src)
	}
	return nil
}

func (s *nullFloat64Scan) parse(text string) error {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return fmt.Errorf("float column: %w", err)
	}
	*s.dst = &f
	return nil
}
