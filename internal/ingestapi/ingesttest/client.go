// Package ingesttest is a client of POST /v1/ingest for tests, shared by
// the packages that test the endpoint.
package ingesttest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Error is an error of an answer, in the format every endpoint answers with.
type Error struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// Reply is an answer of POST /v1/ingest.
type Reply struct {
	Traces []struct {
		ID         string  `json:"id"`
		ExternalID *string `json:"externalId"`
	} `json:"traces"`
	Errors []Error `json:"errors"`
	Status int     `json:"-"`
	Header http.Header
	Body   []byte
}

// Code is the first error's extensions.code, "" without errors.
func (r Reply) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

// Field is the first error's extensions.field, nil without errors.
func (r Reply) Field() any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions["field"]
}

// Post sends body to url as JSON; header holds more header pairs. The
// answer must be JSON.
func Post(t testing.TB, url string, body []byte, header ...string) Reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", res.StatusCode, raw)
	}
	r.Status, r.Header, r.Body = res.StatusCode, res.Header, raw
	return r
}
