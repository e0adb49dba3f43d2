// Package settings declares the values an operator sets, each once: its
// flag, environment twin, help text and the rules its value must keep.
// Modules list theirs (the Settings method of their Config); a command
// binds them to its flags and reports every refused value at once.
package settings

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A Setting is one value of a module's configuration and its flag.
type Setting struct {
	// Name is the flag's name, without dashes.
	Name string
	// Env is the environment twin ("API_" and the name in capitals unless
	// Twin says otherwise); "" when the flag has none.
	Env string
	// Usage is the flag's help text.
	Usage string
	// kind says what a value must look like, for the environment's errors.
	kind string
	// bind registers the flag on fs, its default the current value.
	bind func(fs *flag.FlagSet, usage string)
	// problem is what is wrong with the current value, "" if nothing.
	problem func() string
}

// Label names the setting in messages: "--addr (API_ADDR)".
func (s Setting) Label() string {
	if s.Env == "" {
		return "--" + s.Name
	}
	return fmt.Sprintf("--%s (%s)", s.Name, s.Env)
}

// Twin returns s with env as its environment twin ("" for none).
func (s Setting) Twin(env string) Setting {
	s.Env = env
	return s
}

// Help returns s with another help text.
func (s Setting) Help(usage string) Setting {
	s.Usage = usage
	return s
}

// Rule says what is wrong with a value, or "" if nothing.
type Rule[T any] func(T) string

type number interface{ ~int | ~int64 }

// AtLeast refuses values under min.
func AtLeast[T number](min T) Rule[T] {
	return func(v T) string {
		if v < min {
			return fmt.Sprintf("must be at least %v, got %v", min, v)
		}
		return ""
	}
}

// Between refuses values out of [min, max].
func Between[T number](min, max T) Rule[T] {
	return func(v T) string {
		if v < min || v > max {
			return fmt.Sprintf("must be between %v and %v, got %v", min, max, v)
		}
		return ""
	}
}

// Positive refuses zero and negative values.
func Positive[T number]() Rule[T] {
	return func(v T) string {
		if v <= 0 {
			return fmt.Sprintf("must be positive, got %v", v)
		}
		return ""
	}
}

// NotNegative refuses negative values.
func NotNegative[T number]() Rule[T] {
	return func(v T) string {
		if v < 0 {
			return fmt.Sprintf("must not be negative, got %v", v)
		}
		return ""
	}
}

// OneOf refuses strings other than values.
func OneOf(values ...string) Rule[string] {
	list := strings.Join(values, ", ")
	if n := len(values); n > 1 {
		list = strings.Join(values[:n-1], ", ") + " or " + values[n-1]
	}
	return func(v string) string {
		if slices.Contains(values, v) {
			return ""
		}
		return fmt.Sprintf("must be %s, got %q", list, v)
	}
}

// NotEmpty refuses the empty string.
func NotEmpty() Rule[string] {
	return func(v string) string {
		if v == "" {
			return "must not be empty"
		}
		return ""
	}
}

// Valid refuses the values check fails, with check's message.
func Valid[T any](check func(T) error) Rule[T] {
	return func(v T) string {
		if err := check(v); err != nil {
			return err.Error()
		}
		return ""
	}
}

// newSetting is a setting of *p, with the default twin of its name.
func newSetting[T any](p *T, name, usage, kind string, rules []Rule[T], bind func(fs *flag.FlagSet, usage string)) Setting {
	return Setting{
		Name: name, Env: "API_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")), Usage: usage, kind: kind, bind: bind,
		problem: func() string {
			for _, rule := range rules {
				if msg := rule(*p); msg != "" {
					return msg
				}
			}
			return ""
		},
	}
}

// String is a setting of *p.
func String(p *string, name, usage string, rules ...Rule[string]) Setting {
	return newSetting(p, name, usage, "", rules, func(fs *flag.FlagSet, usage string) { fs.StringVar(p, name, *p, usage) })
}

// Bool is a setting of *p.
func Bool(p *bool, name, usage string) Setting {
	return newSetting(p, name, usage, "true or false", nil, func(fs *flag.FlagSet, usage string) { fs.BoolVar(p, name, *p, usage) })
}

// Int is a setting of *p.
func Int(p *int, name, usage string, rules ...Rule[int]) Setting {
	return newSetting(p, name, usage, "an integer", rules, func(fs *flag.FlagSet, usage string) { fs.IntVar(p, name, *p, usage) })
}

// Int64 is a setting of *p.
func Int64(p *int64, name, usage string, rules ...Rule[int64]) Setting {
	return newSetting(p, name, usage, "an integer", rules, func(fs *flag.FlagSet, usage string) { fs.Int64Var(p, name, *p, usage) })
}

// Duration is a setting of *p.
func Duration(p *time.Duration, name, usage string, rules ...Rule[time.Duration]) Setting {
	return newSetting(p, name, usage, "a duration such as 10s", rules, func(fs *flag.FlagSet, usage string) { fs.DurationVar(p, name, *p, usage) })
}

// Check returns what is wrong with the values of sets, every problem
// joined (errors.Join) in the order of sets, each naming its flag.
func Check(sets ...Setting) error {
	var errs []error
	for _, s := range sets {
		if msg := s.problem(); msg != "" {
			errs = append(errs, fmt.Errorf("%s: %s", s.Label(), msg))
		}
	}
	return errors.Join(errs...)
}

// Flags are settings bound to a flag set and the environment.
type Flags struct {
	fs *flag.FlagSet
	// envErrs holds unreadable environment values by flag name; a flag
	// given on the command line replaces its twin, so clears its error.
	envErrs map[string]error
}

// Bind registers sets on fs, each defaulting to its current value, then
// reads their twins from getenv: a flag on the command line wins over its
// twin, which wins over the default.
func Bind(fs *flag.FlagSet, getenv func(string) string, sets ...Setting) *Flags {
	f := &Flags{fs: fs, envErrs: map[string]error{}}
	for _, s := range sets {
		usage := s.Usage
		if s.Env != "" {
			usage = fmt.Sprintf("%s (env %s)", usage, s.Env)
		}
		s.bind(fs, usage)
		if s.Env == "" {
			continue
		}
		if v := getenv(s.Env); v != "" {
			value := fs.Lookup(s.Name).Value
			before := value.String()
			if err := value.Set(v); err != nil {
				// The flag's parsers zero the value on failure: keep the
				// default, so the twin's error is the only one reported.
				_ = value.Set(before)
				f.envErrs[s.Name] = fmt.Errorf("%s: must be %s, got %q", s.Env, s.kind, v)
			}
		}
	}
	return f
}

// EnvErr returns, after fs is parsed, the unreadable twins whose flags were
// not given on the command line.
func (f *Flags) EnvErr() error {
	f.fs.Visit(func(set *flag.Flag) { delete(f.envErrs, set.Name) })
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(f.envErrs)) {
		errs = append(errs, f.envErrs[name])
	}
	return errors.Join(errs...)
}
