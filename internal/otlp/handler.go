package otlp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// Content types of OTLP/HTTP.
const (
	contentProtobuf = "application/x-protobuf"
	contentJSON     = "application/json"
)

// ingestBatch caps the traces handed to one ingest.Service.Ingest call.
const ingestBatch = 100

type handler struct {
	svc  *ingest.Service
	opts Options
}

// NewHandler returns the OTLP/HTTP trace receiver writing through svc. It
// answers every path; mount it at /v1/traces.
// It panics if opts do not Validate once their zero fields take defaults.
func NewHandler(svc *ingest.Service, opts Options) http.Handler {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		panic("otlp: " + err.Error())
	}
	return budget.Middleware(opts.MemoryBytes, &handler{svc: svc, opts: opts})
}

// encoding is the wire format of a request, and so of its response.
type encoding int

const (
	encProtobuf encoding = iota
	encJSON
)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Without a known encoding, refusals are the JSON every endpoint answers.
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpx.WriteError(w, r, apperr.New(apperr.MethodNotAllowed, "OTLP/HTTP traces are sent with POST"))
		return
	}
	enc, ok := parseContentType(r.Header.Get("Content-Type"))
	if !ok {
		httpx.WriteError(w, r, apperr.New(apperr.UnsupportedMediaType, "unsupported Content-Type: send application/x-protobuf or application/json"))
		return
	}
	if !auth.From(r.Context()).CanIngest() {
		fail(w, r, enc, apperr.New(apperr.Forbidden, "an API key with the read role cannot ingest traces"))
		return
	}
	body, refused := httpx.ReadBody(w, r, httpx.Body{Max: h.opts.MaxBodyBytes, Gzip: true})
	if refused != nil {
		fail(w, r, enc, refused)
		return
	}
	var err error
	var appErr *apperr.Error
	var req *coltracepb.ExportTraceServiceRequest
	if enc == encJSON {
		if err = checkJSON(r.Context(), body); err == nil {
			req, err = decodeJSON(body)
		}
	} else if err = checkProto(r.Context(), body); err == nil {
		if req, err = decodeProto(body); err == nil {
			err = checkDepth(req)
		}
	}
	if err != nil {
		var limited *apperr.Error
		if errors.As(err, &limited) {
			fail(w, r, enc, limited)
			return
		}
		fail(w, r, enc, apperr.New(apperr.InvalidArgument, "%v", err))
		return
	}

	m := &mapper{opts: h.opts, validate: h.svc.ValidateTrace}
	res := m.convert(req)
	// Every project of the export is checked before anything is written.
	err = h.svc.CheckProjects(r.Context(), res.traces, "traces")
	if err == nil {
		err = h.store(r.Context(), res)
	}
	if errors.As(err, &appErr) && appErr.Code == apperr.Forbidden {
		fail(w, r, enc, appErr)
		return
	}
	if err != nil {
		if retryable(err) {
			slog.WarnContext(r.Context(), "otlp: database unavailable, asking the client to retry", "err", err)
			w.Header().Set("Retry-After", strconv.Itoa(int((h.opts.RetryAfter+time.Second-1)/time.Second)))
			fail(w, r, enc, apperr.New(apperr.Unavailable, "the database is unavailable; retry later"))
			return
		}
		slog.ErrorContext(r.Context(), "otlp: storing spans failed", "err", err)
		fail(w, r, enc, apperr.New(apperr.Internal, "internal error"))
		return
	}

	resp := &coltracepb.ExportTraceServiceResponse{}
	if res.rejected > 0 {
		resp.PartialSuccess = &coltracepb.ExportTracePartialSuccess{
			RejectedSpans: int64(res.rejected),
			ErrorMessage:  res.message(),
		}
	}
	writeMessage(w, enc, http.StatusOK, resp)
}

// store writes the mapped traces in batches. A batch the service refuses as
// invalid is retried trace by trace, and the spans of the refused traces are
// counted as rejected; any other error stops and is returned.
func (h *handler) store(ctx context.Context, res *result) error {
	for lo := 0; lo < len(res.traces); lo += ingestBatch {
		hi := min(lo+ingestBatch, len(res.traces))
		_, err := h.svc.Ingest(ctx, res.traces[lo:hi])
		if err == nil {
			continue
		}
		if apperr.CodeOf(err) != apperr.InvalidArgument || retryable(err) {
			return err
		}
		for i := lo; i < hi; i++ {
			if _, err := h.svc.Ingest(ctx, res.traces[i:i+1]); err != nil {
				if apperr.CodeOf(err) != apperr.InvalidArgument || retryable(err) {
					return err
				}
				res.reject(res.spans[i], fmt.Sprintf("trace %s: %v", res.traces[i].ExternalID, err))
			}
		}
	}
	return nil
}

// retryable reports errors the client should retry later: the database is
// unreachable or busy, the request ran out of time, or a concurrent write
// to the same rows got in the way.
func retryable(err error) bool {
	switch apperr.CodeOf(err) {
	case apperr.Unavailable, apperr.Conflict:
		return true
	}
	_, _, environment := httpx.Infrastructure(err)
	return environment
}

func parseContentType(header string) (encoding, bool) {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return 0, false
	}
	switch mt {
	case contentProtobuf, "application/protobuf":
		return encProtobuf, true
	case contentJSON:
		return encJSON, true
	}
	return 0, false
}

// fail answers with a google.rpc.Status, as OTLP/HTTP specifies for
// failures, with the HTTP status of e's code; e's code and the request id
// ride along as a google.rpc.ErrorInfo (reason: the code, metadata:
// requestId), as in every endpoint's errors.
func fail(w http.ResponseWriter, r *http.Request, enc encoding, e *apperr.Error) {
	st := &statuspb.Status{Code: int32(rpcCodes[e.Code]), Message: e.Error()}
	if st.Code == 0 {
		st.Code = int32(code.Code_UNKNOWN)
	}
	info := &errdetails.ErrorInfo{Reason: string(e.Code), Domain: "agentgraph"}
	if id := httpx.RequestID(r.Context()); id != "" {
		info.Metadata = map[string]string{"requestId": id}
	}
	if detail, err := anypb.New(info); err == nil {
		st.Details = append(st.Details, detail)
	}
	writeMessage(w, enc, e.Code.Status(), st)
}

// rpcCodes are the google.rpc codes of the application's.
var rpcCodes = map[apperr.Code]code.Code{
	apperr.InvalidArgument:      code.Code_INVALID_ARGUMENT,
	apperr.PayloadTooLarge:      code.Code_INVALID_ARGUMENT,
	apperr.UnsupportedMediaType: code.Code_INVALID_ARGUMENT,
	apperr.Unauthenticated:      code.Code_UNAUTHENTICATED,
	apperr.Forbidden:            code.Code_PERMISSION_DENIED,
	apperr.NotFound:             code.Code_NOT_FOUND,
	apperr.Conflict:             code.Code_ABORTED,
	apperr.TooManyRequests:      code.Code_RESOURCE_EXHAUSTED,
	apperr.RequestTimeout:       code.Code_DEADLINE_EXCEEDED,
	apperr.Timeout:              code.Code_UNAVAILABLE,
	apperr.Unavailable:          code.Code_UNAVAILABLE,
	apperr.Internal:             code.Code_INTERNAL,
}

func writeMessage(w http.ResponseWriter, enc encoding, httpStatus int, m proto.Message) {
	var body []byte
	var err error
	if enc == encJSON {
		w.Header().Set("Content-Type", contentJSON)
		body, err = protojson.Marshal(m)
	} else {
		w.Header().Set("Content-Type", contentProtobuf)
		body, err = proto.Marshal(m)
	}
	if err != nil {
		slog.Error("otlp: encoding a response failed", "err", err)
		http.Error(w, "internal error", apperr.Internal.Status())
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(httpStatus)
	_, _ = w.Write(body)
}
