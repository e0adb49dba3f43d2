package budget

import "net/http"

// Middleware gives every request to next a budget of its own of limit
// bytes (<= 0: unbounded).
func Middleware(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), New(limit))))
	})
}
