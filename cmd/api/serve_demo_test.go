package main

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

const graphQLResponseJSON = "application/graphql-response+json"

const projectsQuery = `{ projects { totalCount nodes { projectName traces(first: 2) { totalCount nodes { id llmCalls(first: 1) { nodes { model tokenUsage { total } } } } } } } }`

type projectsData struct {
	Projects struct {
		TotalCount int `json:"totalCount"`
		Nodes      []struct {
			ProjectName string `json:"projectName"`
			Traces      struct {
				TotalCount int `json:"totalCount"`
				Nodes      []struct {
					ID       string `json:"id"`
					LLMCalls struct {
						Nodes []struct {
							Model      *string `json:"model"`
							TokenUsage struct {
								Total int `json:"total"`
							} `json:"tokenUsage"`
						} `json:"nodes"`
					} `json:"llmCalls"`
				} `json:"nodes"`
			} `json:"traces"`
		} `json:"nodes"`
	} `json:"projects"`
}

// checkDemoProjects requires exactly the demo data set's projects and traces.
func checkDemoProjects(t *testing.T, d projectsData) {
	t.Helper()
	scale := demo.DefaultScale()
	if d.Projects.TotalCount != scale.Projects || len(d.Projects.Nodes) != scale.Projects {
		t.Fatalf("projects: totalCount %d, %d nodes; want %d", d.Projects.TotalCount, len(d.Projects.Nodes), scale.Projects)
	}
	seenIDs := map[string]bool{}
	for i, p := range d.Projects.Nodes {
		// Oldest first: the demo creates them in order.
		if want := demo.ProjectName(i); p.ProjectName != want {
			t.Errorf("project %d is %q, want %q", i, p.ProjectName, want)
		}
		if p.Traces.TotalCount != scale.TracesPerProject {
			t.Errorf("project %s: traces.totalCount = %d, want %d", p.ProjectName, p.Traces.TotalCount, scale.TracesPerProject)
		}
		if len(p.Traces.Nodes) != 2 {
			t.Errorf("project %s: traces(first: 2) gave %d nodes", p.ProjectName, len(p.Traces.Nodes))
		}
		for _, tr := range p.Traces.Nodes {
			if tr.ID == "" || seenIDs[tr.ID] {
				t.Errorf("project %s: empty or repeated trace id %q", p.ProjectName, tr.ID)
			}
			seenIDs[tr.ID] = true
			if len(tr.LLMCalls.Nodes) != 1 {
				t.Errorf("trace %s: llmCalls(first: 1) gave %d nodes", tr.ID, len(tr.LLMCalls.Nodes))
				continue
			}
			c := tr.LLMCalls.Nodes[0]
			if c.Model == nil || *c.Model == "" {
				t.Errorf("trace %s: LLM call without a model", tr.ID)
			}
			if c.TokenUsage.Total <= 0 {
				t.Errorf("trace %s: LLM call with %d tokens", tr.ID, c.TokenUsage.Total)
			}
		}
	}
}

type countsData struct {
	Projects struct {
		TotalCount int `json:"totalCount"`
	} `json:"projects"`
	Traces struct {
		TotalCount int `json:"totalCount"`
	} `json:"traces"`
}

func TestServeDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		p := startAPI(t, b.NewURL(t), "--demo")
		if _, ok := p.stderr.find("demo data loaded"); !ok {
			t.Errorf("no \"demo data loaded\" log line on an empty database")
		}
		if rec, ok := p.stderr.find("database ready"); !ok || rec["dialect"] != b.Name {
			t.Errorf("database ready log line = %v, want dialect %s", rec, b.Name)
		}

		t.Run("healthz", func(t *testing.T) {
			resp, body := get(t, p.URL+"/healthz")
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != "ok" {
				t.Errorf("GET /healthz = %d %q, want 200 \"ok\"", resp.StatusCode, body)
			}
		})
		t.Run("readyz", func(t *testing.T) {
			resp, body := get(t, p.URL+"/readyz")
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /readyz = %d %q, want 200", resp.StatusCode, body)
			}
		})
		t.Run("post", func(t *testing.T) {
			for _, accept := range []string{"", graphQLResponseJSON} {
				resp, body := postGraphQL(t, p.URL, projectsQuery, accept)
				if mt := mediaType(t, resp); mt != graphQLResponseJSON {
					t.Errorf("Accept %q: Content-Type %q, want %s", accept, mt, graphQLResponseJSON)
				}
				checkDemoProjects(t, decodeGraphQL[projectsData](t, resp, body))
			}
		})
		t.Run("get query", func(t *testing.T) {
			resp, body := get(t, p.URL+"/graphql?query="+url.QueryEscape(`{ projects { totalCount } traces { totalCount } }`))
			d := decodeGraphQL[countsData](t, resp, []byte(body))
			scale := demo.DefaultScale()
			if d.Projects.TotalCount != scale.Projects || d.Traces.TotalCount != scale.Projects*scale.TracesPerProject {
				t.Errorf("GET counts = %+v, want %d projects and %d traces", d, scale.Projects, scale.Projects*scale.TracesPerProject)
			}
		})
		t.Run("get mutation refused", func(t *testing.T) {
			resp, body := get(t, p.URL+"/graphql?query="+url.QueryEscape(`mutation { __typename }`))
			if resp.StatusCode == http.StatusOK {
				t.Errorf("GET with a mutation = 200 %s, want it refused", body)
			}
			if !strings.Contains(body, `"errors"`) {
				t.Errorf("GET with a mutation: body %s has no errors", body)
			}
		})
		t.Run("landing page", func(t *testing.T) {
			resp, body := get(t, p.URL+"/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d", resp.StatusCode)
			}
			if mt := mediaType(t, resp); mt != "text/html" {
				t.Errorf("GET / Content-Type = %q, want text/html", mt)
			}
			if !strings.Contains(strings.ToLower(body), "<html") || !strings.Contains(body, "agentgraph") {
				t.Errorf("GET / is not the landing page: %.200s", body)
			}
		})

		t.Run("healthcheck subcommand", func(t *testing.T) {
			code, stdout, stderr := runAPI(t, "healthcheck", "--url", p.URL+"/readyz")
			if code != 0 || strings.TrimSpace(stdout) != "ready" {
				t.Errorf("api healthcheck = %d, stdout %q, stderr %q; want 0 \"ready\"", code, stdout, stderr)
			}
		})

		p.stop(t)
		if _, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			t.Errorf("%s still accepts connections after the process exited", p.addr)
		}
		if code, _, stderr := runAPI(t, "healthcheck", "--url", p.URL+"/readyz", "--timeout", "2s"); code != 1 {
			t.Errorf("api healthcheck on a stopped server = %d (stderr %q), want 1", code, stderr)
		}
	})
}

func TestRestartKeepsDemoData(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		dbURL := b.NewURL(t)
		first := startAPI(t, dbURL, "--demo")
		if _, ok := first.stderr.find("demo data loaded"); !ok {
			t.Fatalf("first start did not load the demo data")
		}
		first.stop(t)

		// Same database: migrations must find it current, and the demo must
		// not be loaded on top of itself.
		second := startAPI(t, dbURL, "--demo")
		if _, ok := second.stderr.find("demo data loaded"); ok {
			t.Errorf("second start loaded the demo data again")
		}
		if _, ok := second.stderr.find("demo data not loaded: the database already has projects"); !ok {
			t.Errorf("second start did not log that it skipped the demo data")
		}
		resp, body := postGraphQL(t, second.URL, projectsQuery, "")
		checkDemoProjects(t, decodeGraphQL[projectsData](t, resp, body))
		resp, body = postGraphQL(t, second.URL, `{ projects { totalCount } traces { totalCount } }`, "")
		d := decodeGraphQL[countsData](t, resp, body)
		scale := demo.DefaultScale()
		if d.Traces.TotalCount != scale.Projects*scale.TracesPerProject {
			t.Errorf("after restart: %d traces, want %d", d.Traces.TotalCount, scale.Projects*scale.TracesPerProject)
		}
		second.stop(t)
	})
}
