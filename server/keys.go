package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/server/apikey"
	"github.com/ucbootstrap/ucbootstrap/server/datakey"
	"github.com/ucbootstrap/ucbootstrap/server/store"
)

// CreateAPIKey makes an API key with the given name and role, stores its
// hash, and returns the key: the only time it is seen.
func CreateAPIKey(ctx context.Context, st store.Store, name string, role store.Role) (string, *store.APIKey, error) {
	if strings.TrimSpace(name) == "" {
		return "", nil, fmt.Errorf("server: an API key needs a name, to tell keys apart when revoking one")
	}
	key, k, err := apikey.New(name, role)
	if err != nil {
		return "", nil, err
	}
	if err := st.CreateKey(ctx, k); err != nil {
		return "", nil, err
	}
	return key, k, nil
}

// RotateDataKey re-seals every credential of the store with the ring's
// primary key (the ring must also hold the keys they were sealed with),
// records the primary key's sentinel, and returns the number of values
// re-sealed. Afterwards the old keys can be dropped from the key file.
func RotateDataKey(ctx context.Context, st store.Store, ring *datakey.Ring) (int, error) {
	if err := CheckKeys(ctx, st, ring); err != nil {
		return 0, err
	}
	fields, err := st.Sealed(ctx)
	if err != nil {
		return 0, err
	}
	var todo []store.SealedField
	for _, f := range fields {
		if id, _ := datakey.KeyOf(f.Value); id != ring.Primary() {
			todo = append(todo, f)
		}
	}
	err = st.Reseal(ctx, todo, func(f store.SealedField) ([]byte, error) {
		field := strings.TrimPrefix(f.Field, "previous.")
		v, err := ring.Open(f.IntegrationID, field, f.Value)
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		return ring.Seal(f.IntegrationID, field, v), nil
	})
	if err != nil {
		return 0, err
	}
	return len(todo), nil
}
