package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered schema change, written once per dialect.
type migration struct {
	version int
	name    string
	sql     string
}

// migrationSteps is Go work some migrations do after their SQL, in the
// same transaction: what SQL cannot do the way the application does it.
var migrationSteps = map[Dialect]map[int]func(*DB, context.Context) error{
	Postgres: {8: (*DB).backfillTraceSearch},
}

// loadMigrations reads the embedded migrations of a dialect in version order.
func loadMigrations(dialect Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: rest, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations of %s: expected version %d, found %d", dialect, i+1, m.version)
		}
	}
	return out, nil
}

// LatestVersion is the schema version this build migrates to.
func LatestVersion() int {
	sqliteMigrations, err := loadMigrations(SQLite)
	if err != nil {
		panic(err)
	}
	pgMigrations, err := loadMigrations(Postgres)
	if err != nil {
		panic(err)
	}
	if len(sqliteMigrations) != len(pgMigrations) {
		panic("migrations: sqlite and postgres have different versions")
	}
	return len(pgMigrations)
}

// SchemaVersion returns the version the database is at (0 when empty).
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	if err := d.ensureMigrationTable(ctx); err != nil {
		return 0, err
	}
	var v int
	err := d.conn(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v).Error
	return v, err
}

func (d *DB) ensureMigrationTable(ctx context.Context) error {
	return d.conn(ctx).Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`).Error
}

// Migrate applies every migration above the current version up to target, each
// in its own transaction. Concurrent servers on one PostgreSQL database
// serialize on an advisory lock, so each migration runs once.
func (d *DB) Migrate(ctx context.Context, target int) error {
	all, err := loadMigrations(d.dialect.name())
	if err != nil {
		return err
	}
	if target > len(all) {
		return fmt.Errorf("migrate: target version %d is newer than this build (%d)", target, len(all))
	}
	if err := d.ensureMigrationTable(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range all[:target] {
		err := d.conn(ctx).Transaction(func(tx *gorm.DB) error {
			if err := d.dialect.lockMigrations(tx); err != nil {
				return err
			}
			var applied int64
			if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&applied).Error; err != nil {
				return err
			}
			if applied > 0 {
				return nil
			}
			if err := tx.Exec(m.sql).Error; err != nil {
				return err
			}
			if step := migrationSteps[d.dialect.name()][m.version]; step != nil {
				if err := step(&DB{gorm: tx, dialect: d.dialect}, ctx); err != nil {
					return err
				}
			}
			return tx.Exec(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name).Error
		})
		if err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
		}
	}
	current, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if current >= 4 {
		if err := d.backfillFingerprints(ctx); err != nil {
			return err
		}
	}
	if current > len(all) {
		return fmt.Errorf("migrate: database is at version %d, newer than this build (%d)", current, len(all))
	}
	return nil
}
