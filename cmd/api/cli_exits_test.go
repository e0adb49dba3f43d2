package main

import (
	"strings"
	"testing"
	"time"
)

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := runAPI(t, "frobnicate")
	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("stderr = %q, want it to name the unknown command", stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"serve", "--help"}} {
		code, stdout, stderr := runAPI(t, args...)
		if code != 0 {
			t.Errorf("api %s: exit code = %d, want 0", strings.Join(args, " "), code)
		}
		out := stdout + stderr
		for _, want := range []string{"Usage: api", "-addr", "API_ADDR", "-database-url", "DATABASE_URL", "-demo"} {
			if !strings.Contains(out, want) {
				t.Errorf("api %s: help lacks %q:\n%s", strings.Join(args, " "), want, out)
			}
		}
	}
}

func TestInvalidFlagsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"serve", "extra"}, "unexpected arguments: extra"},
	} {
		code, _, stderr := runAPI(t, tc.args...)
		if code != 2 {
			t.Errorf("api %s: exit code = %d, want 2", strings.Join(tc.args, " "), code)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("api %s: stderr %q does not mention %q", strings.Join(tc.args, " "), stderr, tc.want)
		}
	}
}

func TestUnreachableDatabase(t *testing.T) {
	const secret = "s3cret"
	for _, dbURL := range []string{
		"postgres://postgres:" + secret + "@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
		"mysql://root:" + secret + "@127.0.0.1:1/none",
	} {
		start := time.Now()
		code, stdout, stderr := runAPI(t, "--addr", "127.0.0.1:0", "--database-url", dbURL)
		t.Logf("%s: exit %d after %s: %s", strings.SplitN(dbURL, ":", 2)[0], code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(stderr))
		if code == 0 {
			t.Errorf("%s: exit code 0, want non-zero", dbURL)
		}
		out := stdout + stderr
		if !strings.Contains(stderr, "api: ") {
			t.Errorf("%s: stderr %q has no error message", dbURL, stderr)
		}
		if strings.Contains(out, secret) {
			t.Errorf("%s: output reveals the password: %q", dbURL, out)
		}
		if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic") {
			t.Errorf("%s: output has a stack trace: %q", dbURL, out)
		}
		if strings.Contains(out, "listening") {
			t.Errorf("%s: the server listened without a database: %q", dbURL, out)
		}
	}
}
