package apperr

import "encoding/json"

// answer is the body of a refused request in the GraphQL error format, the
// one every endpoint answers errors with.
type answer struct {
	Errors [1]answerError `json:"errors"`
}

type answerError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code      Code   `json:"code"`
		Field     string `json:"field,omitempty"`
		RequestID string `json:"requestId,omitempty"`
	} `json:"extensions"`
}

// Body is the JSON answer refusing a request with e:
// {"errors":[{"message","extensions":{"code","field","requestId"}}]},
// the message prefixed with the field when there is one.
func (e *Error) Body(requestID string) []byte {
	var a answer
	a.Errors[0].Message = e.Error()
	ext := &a.Errors[0].Extensions
	ext.Code, ext.Field, ext.RequestID = e.Code, e.Field, requestID
	out, _ := json.Marshal(a)
	return out
}
