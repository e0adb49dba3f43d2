package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPages(t *testing.T) {
	h := Handler()
	index, _ := fs.ReadFile(dist, "dist/index.html")
	playground, _ := fs.ReadFile(dist, "dist/playground.html")
	tests := []struct {
		name, path string
		want       []byte
	}{
		{"root", "/", index},
		{"index file", "/index.html", index},
		{"project deep link", "/projects/UHJvamVjdDox", index},
		{"trace deep link with node", "/traces/VHJhY2U6Ng?node=TExNQ2FsbDoyNg", index},
		{"unknown route", "/no/such/page", index},
		{"playground", "/playground", playground},
		{"playground slash", "/playground/", playground},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, http.MethodGet, tt.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", tt.path, rec.Code)
			}
			if !bytes.Equal(rec.Body.Bytes(), tt.want) {
				t.Errorf("GET %s served the wrong page: %.120s", tt.path, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", cc)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
		})
	}
}

func TestMissingFiles(t *testing.T) {
	h := Handler()
	for _, p := range []string{"/assets/missing-0000.js", "/assets/", "/favicon.ico", "/robots.txt", "/traces/x/app.js"} {
		if rec := get(t, h, http.MethodGet, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	if rec := get(t, h, http.MethodPost, "/"); rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d (Allow %q), want 405", rec.Code, rec.Header().Get("Allow"))
	}
}

var assetRef = regexp.MustCompile(`(?:src|href)="([^"]+)"`)

// TestBuiltPages checks the pages Vite wrote: every file they reference is
// embedded and served with a long cache lifetime, and none comes from
// another origin.
func TestBuiltPages(t *testing.T) {
	h := Handler()
	for _, page := range []string{"dist/index.html", "dist/playground.html"} {
		html, err := fs.ReadFile(dist, page)
		if err != nil {
			t.Fatalf("%s is missing: run `npm ci && npm run build` in web/", page)
		}
		refs := assetRef.FindAllStringSubmatch(string(html), -1)
		if len(refs) < 2 {
			t.Fatalf("%s references %d files, want its script and stylesheet", page, len(refs))
		}
		for _, m := range refs {
			ref := m[1]
			if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
				t.Errorf("%s references %q, not a file of this server", page, ref)
				continue
			}
			rec := get(t, h, http.MethodGet, ref)
			if rec.Code != http.StatusOK {
				t.Errorf("%s references %s, which answers %d", page, ref, rec.Code)
			}
			if strings.HasPrefix(ref, "/assets/") && !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
				t.Errorf("%s: Cache-Control %q, want immutable", ref, rec.Header().Get("Cache-Control"))
			}
		}
	}
	err := fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") && !strings.HasSuffix(p, ".css") {
			return err
		}
		data, _ := fs.ReadFile(dist, p)
		if m := regexp.MustCompile(`(?:src=|href=|url\()["']?(?:https?:)?//`).Find(data); m != nil {
			t.Errorf("%s loads something from another origin: %s", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCompressionAndCaching(t *testing.T) {
	h := Handler()
	entries, err := fs.ReadDir(dist, "dist/assets")
	if err != nil {
		t.Fatal(err)
	}
	var js string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "index-") && strings.HasSuffix(e.Name(), ".js") {
			js = "/assets/" + e.Name()
		}
	}
	if js == "" {
		t.Fatal("no explorer script in dist/assets")
	}
	plain := get(t, h, http.MethodGet, js)
	if plain.Code != http.StatusOK || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("GET %s = %d, Content-Encoding %q", js, plain.Code, plain.Header().Get("Content-Encoding"))
	}
	if ct := plain.Header().Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	zipped := get(t, h, http.MethodGet, js, "Accept-Encoding", "br, gzip")
	if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("with Accept-Encoding gzip: Content-Encoding %q, Vary %q", zipped.Header().Get("Content-Encoding"), zipped.Header().Get("Vary"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain.Body.Bytes()) {
		t.Error("the gzipped script differs from the plain one")
	}
	if rec := get(t, h, http.MethodGet, js, "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}
	if rec := get(t, h, http.MethodGet, js, "If-None-Match", plain.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag = %d, want 304", rec.Code)
	}
	if rec := get(t, h, http.MethodHead, js); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD = %d with %d bytes", rec.Code, rec.Body.Len())
	}
}
