package settings_test

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/settings"
)

type config struct {
	Size  int
	Wait  time.Duration
	Mode  string
	Debug bool
}

func (c *config) settings() []settings.Setting {
	return []settings.Setting{
		settings.Int(&c.Size, "size", "how big", settings.Between(1, 10)),
		settings.Duration(&c.Wait, "wait", "how long", settings.Positive[time.Duration]()),
		settings.String(&c.Mode, "mode", "which", settings.OneOf("a", "b")).Twin("MODE"),
		settings.Bool(&c.Debug, "debug", "whether").Twin(""),
	}
}

func parse(t *testing.T, args []string, env map[string]string) (config, error) {
	t.Helper()
	c := config{Size: 5, Wait: time.Second, Mode: "a"}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := settings.Bind(fs, func(k string) string { return env[k] }, c.settings()...)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := f.EnvErr(); err != nil {
		return c, err
	}
	return c, settings.Check(c.settings()...)
}

func TestPrecedence(t *testing.T) {
	c, err := parse(t, nil, nil)
	if err != nil || c.Size != 5 || c.Mode != "a" {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	c, err = parse(t, nil, map[string]string{"API_SIZE": "7", "MODE": "b", "API_WAIT": "2s"})
	if err != nil || c.Size != 7 || c.Mode != "b" || c.Wait != 2*time.Second {
		t.Errorf("twins: %+v, %v", c, err)
	}
	c, err = parse(t, []string{"--size", "3", "--mode=a"}, map[string]string{"API_SIZE": "huge", "MODE": "b"})
	if err != nil || c.Size != 3 || c.Mode != "a" {
		t.Errorf("flags over twins: %+v, %v", c, err)
	}
	// A flag without a twin reads no variable.
	c, _ = parse(t, nil, map[string]string{"API_DEBUG": "true"})
	if c.Debug {
		t.Error("--debug read API_DEBUG")
	}
}

func TestEveryProblemOnce(t *testing.T) {
	_, err := parse(t, []string{"--size", "0", "--wait", "0s", "--mode", "c"}, nil)
	want := "--size (API_SIZE): must be between 1 and 10, got 0\n" +
		"--wait (API_WAIT): must be positive, got 0s\n" +
		`--mode (MODE): must be a or b, got "c"`
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
	// An unreadable twin is reported as such, and its setting keeps its
	// default rather than a zero that would be reported again.
	c, err := parse(t, nil, map[string]string{"API_SIZE": "big", "API_WAIT": "soon"})
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !strings.Contains(err.Error(), `API_SIZE: must be an integer, got "big"`) ||
		!strings.Contains(err.Error(), `API_WAIT: must be a duration such as 10s, got "soon"`) {
		t.Errorf("unreadable twins: %v", err)
	}
	if c.Size != 5 || c.Wait != time.Second || settings.Check(c.settings()...) != nil {
		t.Errorf("after unreadable twins: %+v", c)
	}
}
