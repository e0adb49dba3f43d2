package model

import (
	"encoding/base64"
	"strconv"
)

// GlobalID returns the opaque id of a row: its GraphQL type and row id.
// GraphQL's answers and POST /v1/ingest's give ids made by it.
func GlobalID(typeName string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typeName + ":" + strconv.FormatInt(id, 10)))
}
