package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/fair"
)

// Options says what callers without a key may do.
type Options struct {
	// AllowAnonymous lets requests without a key in while the store has no
	// active key: servers on loopback, or started with --insecure.
	AllowAnonymous bool
	// AnonymousIntrospection lets those callers read the schema: true on
	// loopback, false for an insecure server on another address.
	AnonymousIntrospection bool
}

// anonymousCheckEvery bounds how often "does any key exist?" is asked for
// anonymous requests. Keys themselves are looked up on every request, so a
// new or revoked key takes effect at once; only the switch from an open
// server to one that needs keys may take this long.
const anonymousCheckEvery = time.Second

// Authenticator finds the caller of a request.
type Authenticator struct {
	store *db.DB
	opts  Options

	mu      sync.Mutex
	checked time.Time
	hasKeys bool
}

// New returns an authenticator over the keys in store.
func New(store *db.DB, opts Options) *Authenticator {
	return &Authenticator{store: store, opts: opts}
}

// Denial is why a request was turned away; its code gives the status.
type Denial = apperr.Error

// Unauthenticated is the code of requests without a valid key.
const Unauthenticated = apperr.Unauthenticated

// Authenticate returns the caller of r, or why r may not go on.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, *Denial) {
	ctx := r.Context()
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, a.anonymous(ctx)
	}
	scheme, secret, _ := strings.Cut(header, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, denied("the Authorization header must be \"Bearer <API key>\"")
	}
	k, err := a.store.FindActiveAPIKey(ctx, HashSecret(secret))
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		return nil, denied("the API key is unknown or revoked")
	case err != nil:
		return nil, unavailable(ctx, err)
	}
	return &Principal{KeyID: k.ID, Prefix: k.Prefix, Role: Role(k.Role), AllProjects: k.AllProjects, Projects: k.ProjectIDs}, nil
}

// anonymous decides on a request without a key.
func (a *Authenticator) anonymous(ctx context.Context) *Denial {
	required := denied("an API key is required: send it as \"Authorization: Bearer <API key>\"")
	if !a.opts.AllowAnonymous {
		return required
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if time.Since(a.checked) >= anonymousCheckEvery {
		has, err := a.store.HasActiveAPIKeys(ctx)
		if err != nil {
			return unavailable(ctx, err)
		}
		a.hasKeys, a.checked = has, time.Now()
	}
	if a.hasKeys {
		return required
	}
	return nil
}

func unavailable(ctx context.Context, err error) *Denial {
	slog.WarnContext(ctx, "API key lookup failed", "error", err)
	return apperr.New(apperr.Unavailable, "the database is unavailable; retry later")
}

// denied is the denial of a request without a valid key.
func denied(message string) *Denial { return &Denial{Code: Unauthenticated, Message: message} }

// Middleware authenticates every request before next sees it; deny writes
// the answer to requests turned away, in the endpoint's own format.
func (a *Authenticator) Middleware(next http.Handler, deny func(http.ResponseWriter, *http.Request, *Denial)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, denial := a.Authenticate(r)
		if denial != nil {
			switch denial.Code {
			case Unauthenticated:
				w.Header().Set("WWW-Authenticate", `Bearer realm="agentgraph"`)
			case apperr.Unavailable:
				w.Header().Set("Retry-After", "5")
			}
			deny(w, r, denial)
			return
		}
		introspect, client := a.opts.AnonymousIntrospection, ""
		if p != nil {
			introspect, client = p.CanIntrospect(), "key:"+strconv.FormatInt(p.KeyID, 10)
		} else {
			client = fair.RemoteClient(r)
		}
		ctx := context.WithValue(With(r.Context(), p), introspectKey{}, introspect)
		// Limiters and the database pool share their turns by this client.
		ctx = fair.WithClient(ctx, client)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type introspectKey struct{}

// MayIntrospect reports whether the caller of ctx may read the schema;
// requests that did not pass the middleware may.
func MayIntrospect(ctx context.Context) bool {
	v, ok := ctx.Value(introspectKey{}).(bool)
	return !ok || v
}
