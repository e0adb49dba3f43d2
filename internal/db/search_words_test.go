package db

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// fieldsOfLower is the definition eachWord must equal: split the
// lowercased text where a rune is neither a letter nor a digit.
func fieldsOfLower(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

var trickyTexts = []string{
	"", "   ", "Hello, World!", "foo.bar.com", "foo-bar_baz", "Ünïcödé ÇAFÉ", "ΣΊΣΥΦΟΣ", "İstanbul KELVIN \u212a",
	"x²y ③ ٣٤ 12.5", "日本語のテキスト", "emoji👍word", "tab\tnew\nline", "bad\xffutf8\xc3", "a'b\\c\"d", "ǅungla ǈ",
	"\u0301accent e\u0301", "ﬁne ﬂow", "ß STRASSE", strings.Repeat("long", 700),
}

func TestEachWordEqualsFieldsOfLower(t *testing.T) {
	for _, text := range trickyTexts {
		if got, want := searchWords(text), fieldsOfLower(text); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", text, got, want)
		}
	}
}

func FuzzEachWord(f *testing.F) {
	for _, text := range trickyTexts {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := searchWords(text), fieldsOfLower(text); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", text, got, want)
		}
	})
}

// searchWords splits a query into words.
func searchWords(query string) []string {
	var out []string
	eachWord(query, func(w []byte) { out = append(out, string(w)) })
	return out
}
