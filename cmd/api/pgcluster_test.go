package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// pgCluster is a private PostgreSQL server in a temporary directory, so a
// test may stop and start it without disturbing the shared one.
type pgCluster struct {
	bin  string // directory of initdb, pg_ctl
	dir  string // owned by the server's user
	data string
	port int
	uid  int // -1: run the tools as the current user
	gid  int
}

// newPGCluster initdbs and starts a cluster on a free loopback port; it is
// stopped and removed at cleanup. Without initdb it skips, except in CI.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if path, err := exec.LookPath("initdb"); err == nil {
			bins = []string{path}
		}
	}
	if len(bins) == 0 {
		if dbtest.RequirePostgres() {
			t.Fatal("initdb not found (/usr/lib/postgresql/*/bin or PATH); CI must run the fault tests")
		}
		t.Skip("initdb not found; install postgresql to run the fault tests")
	}
	sort.Strings(bins)
	c := &pgCluster{bin: filepath.Dir(bins[len(bins)-1]), uid: -1, gid: -1}

	base := ""
	if os.Geteuid() == 0 {
		base = "/tmp" // TMPDIR may be private to root; postgres must reach the directory
	}
	dir, err := os.MkdirTemp(base, "agentgraph-pgfault-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir, c.data = dir, filepath.Join(dir, "data")
	t.Cleanup(func() {
		_ = c.pgctl("stop", "-m", "immediate", "-w", "-t", "30")
		_ = os.RemoveAll(dir)
	})
	// initdb refuses to run as root: hand the directory to postgres.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		c.uid, _ = strconv.Atoi(u.Uid)
		c.gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chown(dir, c.uid, c.gid); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if out, err := c.command(ctx, "initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.port = freePort(t)
	// fsync=off only matters for an operating-system crash; a killed server
	// still finds every committed transaction in the WAL.
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"+
		"fsync = off\nshared_buffers = 16MB\nmax_connections = 40\n", c.port, dir)
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	c.start(t)
	return c
}

// URL is the cluster's postgres database, over TCP.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", c.port)
}

// command runs a PostgreSQL tool as the cluster's owner.
func (c *pgCluster) command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, tool)
	var cmd *exec.Cmd
	if c.uid >= 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.dir
	return cmd
}

func (c *pgCluster) pgctl(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := c.command(ctx, "pg_ctl", append([]string{"-D", c.data}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

func (c *pgCluster) start(t *testing.T) {
	t.Helper()
	if err := c.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "server.log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		t.Fatalf("%v\nserver.log:\n%s", err, log)
	}
}

// stop stops the server with a pg_ctl shutdown mode: fast or immediate.
func (c *pgCluster) stop(t *testing.T, mode string) {
	t.Helper()
	if err := c.pgctl("stop", "-m", mode, "-w", "-t", "60"); err != nil {
		t.Fatal(err)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
