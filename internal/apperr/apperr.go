// Package apperr defines the error type shared by the storage layer and the
// transports: a machine-readable code plus a message that is safe to show to
// clients. Anything that is not an *Error is treated as internal.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error for clients; Status maps it to HTTP.
type Code string

// Error codes, in the SCREAMING_SNAKE form clients see in extensions.code.
const (
	NotFound             Code = "NOT_FOUND"
	Forbidden            Code = "FORBIDDEN"
	Unauthenticated      Code = "UNAUTHENTICATED"
	InvalidArgument      Code = "INVALID_ARGUMENT"
	Conflict             Code = "CONFLICT"
	PayloadTooLarge      Code = "PAYLOAD_TOO_LARGE"
	ResponseTooLarge     Code = "RESPONSE_TOO_LARGE"
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	MethodNotAllowed     Code = "METHOD_NOT_ALLOWED"
	TooManyRequests      Code = "TOO_MANY_REQUESTS"
	RequestTimeout       Code = "REQUEST_TIMEOUT"
	Timeout              Code = "TIMEOUT"
	Unavailable          Code = "UNAVAILABLE"
	Internal             Code = "INTERNAL"
)

// statuses is the one table from codes to HTTP statuses; codes not in it
// (gqlgen's own, such as GRAPHQL_VALIDATION_FAILED) are answered 400.
var statuses = map[Code]int{
	NotFound:             http.StatusNotFound,
	Forbidden:            http.StatusForbidden,
	Unauthenticated:      http.StatusUnauthorized,
	InvalidArgument:      http.StatusBadRequest,
	Conflict:             http.StatusConflict,
	PayloadTooLarge:      http.StatusRequestEntityTooLarge,
	ResponseTooLarge:     http.StatusBadRequest,
	UnsupportedMediaType: http.StatusUnsupportedMediaType,
	MethodNotAllowed:     http.StatusMethodNotAllowed,
	TooManyRequests:      http.StatusTooManyRequests,
	RequestTimeout:       http.StatusRequestTimeout,
	Timeout:              http.StatusServiceUnavailable,
	Unavailable:          http.StatusServiceUnavailable,
	Internal:             http.StatusInternalServerError,
}

// Status is the HTTP status of an answer refused with code c.
func (c Code) Status() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Codes are every code of the table above, for bounded metric labels.
func Codes() []Code {
	out := make([]Code, 0, len(statuses))
	for c := range statuses {
		out = append(out, c)
	}
	return out
}

// Error is an error whose message may be shown to clients as is.
type Error struct {
	Code    Code
	Message string
	// Field is the argument or input path the error is about, when there is one.
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// New returns an error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an INVALID_ARGUMENT error about the named field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: InvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NOT_FOUND error.
func NotFoundf(format string, args ...any) *Error {
	return New(NotFound, format, args...)
}

// CodeOf returns the code of err, or Internal when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
