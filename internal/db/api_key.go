package db

import (
	"context"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// APIKey is a row of api_keys. The secret itself is never stored: only its
// hash, and a short prefix by which people tell keys apart.
type APIKey struct {
	ID          int64
	Prefix      string
	SecretHash  string
	Role        string
	AllProjects bool
	Note        string
	CreatedAt   time.Time
	RevokedAt   *time.Time
	// ProjectIDs are the projects a key is scoped to (unless AllProjects).
	ProjectIDs []int64 `gorm:"-"`
	// ProjectNames are those projects' names, filled by ListAPIKeys.
	ProjectNames []string `gorm:"-"`
}

// TableName names the table of keys.
func (APIKey) TableName() string { return "api_keys" }

type apiKeyProject struct {
	KeyID     int64
	ProjectID int64
}

func (apiKeyProject) TableName() string { return "api_key_projects" }

// CreateAPIKey stores a key and its projects in one transaction.
func (d *DB) CreateAPIKey(ctx context.Context, k *APIKey) error {
	k.CreatedAt = time.Now().UTC()
	return d.Transaction(ctx, func(tx *DB) error {
		if err := tx.conn(ctx).Omit("RevokedAt").Create(k).Error; err != nil {
			return err
		}
		for _, p := range k.ProjectIDs {
			if err := tx.conn(ctx).Create(&apiKeyProject{KeyID: k.ID, ProjectID: p}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// FindActiveAPIKey returns the unrevoked key with the given secret hash, with
// its projects, or NOT_FOUND.
func (d *DB) FindActiveAPIKey(ctx context.Context, secretHash string) (*APIKey, error) {
	k, err := findRow[APIKey](ctx, d, Cond{SQL: "t.secret_hash = ? AND t.revoked_at IS NULL", Args: []any{secretHash}})
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, apperr.NotFoundf("no such key")
	}
	if !k.AllProjects {
		err = d.conn(ctx).Model(&apiKeyProject{}).Where("key_id = ?", k.ID).Order("project_id").Pluck("project_id", &k.ProjectIDs).Error
	}
	return k, err
}

// HasActiveAPIKeys reports whether any unrevoked key exists.
func (d *DB) HasActiveAPIKeys(ctx context.Context) (bool, error) {
	var ids []int64
	err := d.conn(ctx).Model(&APIKey{}).Where("revoked_at IS NULL").Limit(1).Pluck("id", &ids).Error
	return len(ids) > 0, err
}

// ListAPIKeys returns every key, revoked ones too, oldest first, with the
// names of their projects.
func (d *DB) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := findRows[APIKey](ctx, d, Cond{}, "ORDER BY t.id")
	if err != nil {
		return nil, err
	}
	keys := make([]APIKey, len(rows))
	for i, k := range rows {
		keys[i] = *k
	}
	var links []struct {
		KeyID       int64
		ProjectID   int64
		ProjectName string
	}
	err = d.conn(ctx).Raw(`SELECT k.key_id, k.project_id, p.project_name FROM api_key_projects k
		JOIN project_info p ON p.id = k.project_id ORDER BY k.key_id, p.project_name`).Scan(&links).Error
	if err != nil {
		return nil, err
	}
	byKey := map[int64]*APIKey{}
	for i := range keys {
		byKey[keys[i].ID] = &keys[i]
	}
	for _, l := range links {
		if k := byKey[l.KeyID]; k != nil {
			k.ProjectIDs = append(k.ProjectIDs, l.ProjectID)
			k.ProjectNames = append(k.ProjectNames, l.ProjectName)
		}
	}
	return keys, nil
}

// RevokeAPIKeys revokes the unrevoked keys whose prefix or id is given and
// returns how many it revoked.
func (d *DB) RevokeAPIKeys(ctx context.Context, prefixOrID string) (int64, error) {
	res := d.conn(ctx).Model(&APIKey{}).
		Where("revoked_at IS NULL AND (prefix = ? OR CAST(id AS TEXT) = ?)", prefixOrID, prefixOrID).
		Update("revoked_at", time.Now().UTC())
	return res.RowsAffected, res.Error
}
