package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ucbootstrap/ucbootstrap"
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

// DataKeyUse returns the number of stored credentials (the current and the
// previous configurations') each data key seals, by key id.
func DataKeyUse(ctx context.Context, st store.Store) (map[string]int, error) {
	fields, err := st.Sealed(ctx)
	if err != nil {
		return nil, err
	}
	use := map[string]int{}
	for _, f := range fields {
		id, err := datakey.KeyOf(f.Value)
		if err != nil {
			return nil, fmt.Errorf("server: integration %d's %s: %w", f.IntegrationID, f.Field, err)
		}
		use[id]++
	}
	return use, nil
}

// A DataKeyInUseError refuses to drop a data key that stored credentials
// are still sealed with: dropping it would lose them.
type DataKeyInUseError struct {
	ID    string
	Count int // the credentials sealed with it
}

func (e *DataKeyInUseError) Error() string {
	return fmt.Sprintf("server: data key %s still seals %d stored %s: re-seal %s with the primary key first (rotate-data-key)", e.ID, e.Count, plural(e.Count, "credential", "credentials"), plural(e.Count, "it", "them"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DropDataKey removes the data key id from the key file path, refusing with
// a [*DataKeyInUseError] while any stored credential is sealed with it. A
// request that sealed a credential with the old key before the file
// changed can write it while the key is dropped: the server re-seals it
// after the write (it still has it in clear), and here the store is looked
// at again once the file is rewritten, the key put back if such a
// credential is there.
func DropDataKey(ctx context.Context, st store.Store, path, id string) error {
	use, err := DataKeyUse(ctx, st)
	if err != nil {
		return err
	}
	if n := use[id]; n > 0 {
		return &DataKeyInUseError{ID: id, Count: n}
	}
	old, err := datakey.RemoveKey(path, id)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	use, err = DataKeyUse(ctx, st)
	if err == nil && use[id] > 0 {
		err = &DataKeyInUseError{ID: id, Count: use[id]}
	}
	if err != nil {
		if werr := datakey.WriteFile(path, old); werr != nil {
			return fmt.Errorf("server: %w; putting the key back in %s failed too: %w", err, path, werr)
		}
		return err
	}
	return nil
}

// credentialMessage is the message, for the API's user, of an error of
// [Server.open]: which credential does not open, and what to do.
func credentialMessage(err error) string {
	var ke *datakey.KeyError
	if !errors.As(err, &ke) {
		msg := err.Error()
		for _, p := range []string{"server: ", "datakey: "} {
			msg = strings.TrimPrefix(msg, p)
		}
		return msg
	}
	what := "The " + ke.Field
	if ke.Field == "clientSecret" {
		what = "The OAuth client secret"
	}
	if !ke.Missing {
		return fmt.Sprintf("%s of integration %d does not open with data key %s: the stored value was altered, or copied from another integration. Restore the store from a backup.", what, ke.Integration, ke.Key)
	}
	if ke.File == "" {
		return fmt.Sprintf("%s of integration %d cannot be opened: it is sealed with data key %s, and this server was started without it (it has %s). Restart the server with data keys that include it, the primary key first, then repeat the request.", what, ke.Integration, ke.Key, strings.Join(ke.Have, ", "))
	}
	return fmt.Sprintf("%s of integration %d cannot be opened: it is sealed with data key %s, which the data key file %s does not hold (it holds %s). Put that key back in the file, after the primary key (the server rereads the file), then repeat the request; drop old keys only with ucbootstrap serve keys drop-data-key, which refuses while a credential needs them.", what, ke.Integration, ke.Key, ke.File, strings.Join(ke.Have, ", "))
}

// resealStale re-seals with the key file's current primary key the
// credentials of c, just written for integration id, that were sealed with
// another key: the key file changed between the sealing and the write (a
// rotation), and rotate-data-key or drop-data-key may have looked at the
// store before the write. The server still has the credentials in clear,
// so nothing depends on the old key. A value changed meanwhile is left as
// it is: whoever wrote it sealed it later.
func (s *Server) resealStale(ctx context.Context, id int64, in *ucbootstrap.Integration, c store.Config) {
	primary := s.keys.FreshPrimary()
	var fields []store.SealedField
	clear := map[string]string{}
	add := func(field string, sealed []byte, value string) {
		if k, err := datakey.KeyOf(sealed); sealed != nil && err == nil && k != primary {
			fields = append(fields, store.SealedField{IntegrationID: id, Field: field, Value: sealed})
			clear[field] = value
		}
	}
	add("token", c.Token, in.Config.Token.Reveal())
	if o := in.Config.OAuthClientConfig; o != nil {
		add("clientSecret", c.ClientSecret, o.ClientSecret.Reveal())
	}
	if len(fields) == 0 {
		return
	}
	err := s.st.Reseal(context.WithoutCancel(ctx), fields, func(f store.SealedField) ([]byte, error) {
		return s.keys.Seal(id, f.Field, clear[f.Field]), nil
	})
	if err != nil {
		s.log.Warn("a credential written during a data key rotation could not be re-sealed with the new key: run rotate-data-key again", "integration", id, "err", err.Error())
		return
	}
	s.log.Info("re-sealed a credential written during a data key rotation", "integration", id, "data_key", primary)
}
