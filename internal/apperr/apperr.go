// Package apperr defines the error type shared by the storage layer and the
// transports: a machine-readable code plus a message that is safe to show to
// clients. Anything that is not an *Error is treated as internal.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients; transports map it to their own status.
type Code string

// Error codes, in the SCREAMING_SNAKE form clients see in extensions.code.
const (
	NotFound        Code = "NOT_FOUND"
	Forbidden       Code = "FORBIDDEN"
	InvalidArgument Code = "INVALID_ARGUMENT"
	Conflict        Code = "CONFLICT"
	Unavailable     Code = "UNAVAILABLE"
	Internal        Code = "INTERNAL"
)

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
