// Package web serves the browser pages of the api: the explorer at / and the
// GraphQL playground at /playground. Both are built by Vite from the sources
// in this directory into dist/, which is committed and embedded in the
// binary, so the server needs no Node.js and nothing loads from a CDN.
//
// Rebuild dist/ after changing the sources: `npm ci && npm run build` here
// (CI rebuilds it and fails when the committed copy differs).
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// securityPolicy lets pages load code, styles, fonts and images from this
// server only (data: URLs are GraphiQL's bundled fonts and icons) and talk to
// this server only.
const securityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

type file struct {
	name  string
	data  []byte
	ctype string
	etag  string

	gzOnce sync.Once
	gz     []byte // nil when compression does not pay
}

// Handler serves the embedded pages:
//
//   - files of dist/ at their paths, those under /assets/ (content-hashed
//     names) cached for a year, the others revalidated by ETag;
//   - /playground: the GraphiQL page;
//   - any other path without a file extension: the explorer's index.html, so
//     that deep links such as /projects/<id> and /traces/<id>?node=<id> load
//     the app, which routes on the client;
//   - 404 for missing files (paths under /assets/ or with an extension).
//
// Text is gzip-compressed for clients that accept it. Only GET and HEAD are
// allowed.
func Handler() http.Handler {
	root, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	files := map[string]*file{}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		files["/"+p] = &file{name: p, data: data, ctype: contentType(p), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	index, playground := files["/index.html"], files["/playground.html"]
	if index == nil || playground == nil {
		panic("web: dist/ lacks index.html or playground.html; run `npm ci && npm run build` in web/")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		f := files[p]
		switch {
		case p == "/playground":
			f = playground
		case f != nil:
		case p == "/assets" || strings.HasPrefix(p, "/assets/") || strings.Contains(path.Base(p), "."):
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		default:
			f = index
		}
		serve(w, r, f, strings.HasPrefix(p, "/assets/"))
	})
}

func serve(w http.ResponseWriter, r *http.Request, f *file, immutable bool) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if strings.HasPrefix(f.ctype, "text/html") {
		h.Set("Content-Security-Policy", securityPolicy)
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
	data, etag := f.data, f.etag
	if compressible(f.ctype) {
		h.Add("Vary", "Accept-Encoding")
		if gz := f.gzipped(); gz != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			data, etag = gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(data))
}

// gzipped compresses the file once, on first use; nil when it saves little.
func (f *file) gzipped() []byte {
	f.gzOnce.Do(func() {
		if len(f.data) < 1024 {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(f.data)
		_ = zw.Close()
		if buf.Len() < len(f.data)*9/10 {
			f.gz = buf.Bytes()
		}
	})
	return f.gz
}

func acceptsGzip(r *http.Request) bool {
	if r.Header.Get("Range") != "" {
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		for _, param := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(param, "=")
			if strings.TrimSpace(k) == "q" {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q == 0 {
					return false
				}
			}
		}
		return true
	}
	return false
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/json") ||
		strings.HasPrefix(ctype, "image/svg+xml") || strings.HasPrefix(ctype, "application/manifest+json")
}

var types = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".ttf":   "font/ttf",
	".txt":   "text/plain; charset=utf-8",
	".wasm":  "application/wasm",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
