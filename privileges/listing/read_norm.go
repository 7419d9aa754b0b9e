package listing

import (
	"math/bits"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// The caches and fast paths of the readers: a listing of a million rows
// spells a handful of privileges and object types, and names its objects
// in lower case.

type recentType struct {
	spelling string
	ot       *objType
}

// A privCache holds the privilege spellings read on one securable type:
// a few slots indexed by the spelling's length and letters in front of a
// map, so that the usual handful of spellings cost no hashing.
type privCache struct {
	slots [32]privSlot
	m     map[string]privSlot
}

type privSlot struct {
	spelling string
	v        privVal
}

func (c *privCache) slot(s string) *privSlot {
	h := uint(len(s))
	if len(s) > 0 {
		h += uint(s[0])*3 + uint(s[len(s)-1])*5 + uint(s[len(s)/2])*7
	}
	return &c.slots[h%uint(len(c.slots))]
}

type privVal struct {
	p            privileges.Privilege
	legacy, hive bool
}

// An objType is a SHOW GRANTS ObjectType as read.
type objType struct {
	spelling string
	t        privileges.SecurableType
	hive, ok bool
	privs    *privCache
}

// privilege normalises a spelling on a securable type; ok is false for a
// spelling without letters.
func (r *reader) privilege(spelling string, on privileges.SecurableType) (privVal, bool) {
	return r.privilegeIn(r.privsOf(on), spelling, on)
}

// privilegeIn is privilege with the cache of the type at hand (nil for
// none).
func (r *reader) privilegeIn(c *privCache, spelling string, on privileges.SecurableType) (privVal, bool) {
	var sl *privSlot
	if c != nil {
		if sl = c.slot(spelling); sl.spelling == spelling && sl.v.p != "" {
			return sl.v, true
		}
		if ps, ok := c.m[spelling]; ok {
			*sl = ps
			return ps.v, true
		}
	}
	p, legacy := privileges.Normalize(spelling, on)
	if p == "" {
		return privVal{}, false
	}
	v := privVal{p: privileges.Privilege(strings.Clone(string(p))), legacy: legacy, hive: hivePrivilege(p)}
	if c != nil && len(c.m) < maxCache {
		spelling = strings.Clone(spelling)
		*sl = privSlot{spelling, v}
		c.m[spelling] = *sl
	}
	return v, true
}

// hivePrivilege reports whether p exists only in hive_metastore listings:
// OWN and the DENIED_ privileges of legacy table ACLs.
func hivePrivilege(p privileges.Privilege) bool {
	return p == privileges.Own || strings.HasPrefix(string(p), "DENIED_")
}

// privsOf returns the privilege cache of a securable type, or nil once
// there are too many types.
func (r *reader) privsOf(t privileges.SecurableType) *privCache {
	if t == r.lastType && r.lastPrivs != nil {
		return r.lastPrivs
	}
	c, ok := r.privs[t]
	if !ok && len(r.privs) < maxTypes {
		c = &privCache{m: map[string]privSlot{}}
		r.privs[t] = c
	}
	r.lastType, r.lastPrivs = t, c
	return c
}

// objectType reads a SHOW GRANTS ObjectType, with the hive_metastore
// types. Results are cached per spelling, the last few in front.
func (r *reader) objectType(s string) *objType {
	for i := range r.recent {
		if rt := &r.recent[i]; rt.ot != nil && rt.spelling == s {
			return rt.ot
		}
	}
	v, ok := r.types[s]
	if !ok {
		v = r.newObjectType(s)
	}
	copy(r.recent[1:], r.recent[:])
	r.recent[0] = recentType{v.spelling, v}
	return v
}

func (r *reader) newObjectType(s string) *objType {
	v := &objType{spelling: strings.Clone(s)}
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "CATALOG$":
		v.t, v.hive, v.ok = privileges.Catalog, true, true
	case "ANY_FILE", "ANY FILE":
		v.t, v.hive, v.ok = anyFile, true, true
	case "ANONYMOUS_FUNCTION", "ANONYMOUS FUNCTION":
		v.t, v.hive, v.ok = anonymousFunction, true, true
	default:
		v.t, v.ok = privileges.ParseSecurableType(s)
	}
	if v.ok {
		v.privs = r.privsOf(v.t)
		if len(r.types) < maxTypes {
			r.types[v.spelling] = v
		}
	}
	return v
}

// isHive reports whether s is in the hive_metastore catalog.
func isHive(s privileges.Securable) bool {
	n := s.Name
	if len(n) < len(hiveMetastore) || n[0] != 'h' || n[:len(hiveMetastore)] != hiveMetastore {
		return false // the common case, in a comparison or two
	}
	return s.CatalogName() == hiveMetastore
}

// securable returns NewSecurable(t, name), without its work when the
// name is plain: ASCII without upper case or backticks.
func securable(t privileges.SecurableType, name string) privileges.Securable {
	if t == privileges.Metastore {
		return privileges.Securable{Type: privileges.Metastore}
	}
	if !plainName(name) {
		return privileges.NewSecurable(t, name)
	}
	return privileges.Securable{Type: t, Name: name}
}

// plainName reports whether NewSecurable would return name as it is: it
// has no upper case, no backtick and only ASCII.
func plainName(s string) bool {
	plain, _ := scanName(s)
	return plain
}

// scanName reports whether s is a plain name (see plainName) and, if it
// is, how many periods it has. It looks at eight bytes at a time.
func scanName(s string) (plain bool, dots int) {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '`' || 'A' <= c && c <= 'Z' || c >= 0x80:
				return false, 0
			case c == '.':
				dots++
			}
		}
		return true, dots
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := load64(s, i)
		if !plain8(w) {
			return false, 0
		}
		dots += bits.OnesCount64(dotBytes(w))
	}
	if i < len(s) {
		w := load64(s, len(s)-8)
		if !plain8(w) {
			return false, 0
		}
		// The low bytes of w were counted with the previous word.
		dots += bits.OnesCount64(dotBytes(w) >> (8 * (i - (len(s) - 8))))
	}
	return true, dots
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether none of the eight bytes in w is upper case, a
// backtick or beyond ASCII.
func plain8(w uint64) bool {
	if w&highs != 0 {
		return false
	}
	// With every byte below 0x80 no sum carries into the next byte: the
	// high bit of b+0x3F is b >= 'A', that of b+0x25 is b > 'Z'.
	upper := (w + 0x3F*ones) &^ (w + 0x25*ones) & highs
	x := w ^ '`'*ones // zero where a byte is a backtick
	tick := (x - ones) &^ x & highs
	return upper|tick == 0
}

// dotBytes has the high bit set in each byte of w that is a period, for
// a w whose bytes are all below 0x80.
func dotBytes(w uint64) uint64 {
	x := w ^ '.'*ones // zero where a byte is a period
	return ^((x&(0x7F*ones) + 0x7F*ones) | x) & highs
}

// load64 returns the eight bytes of s from i, little-endian.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// trimSpace is strings.TrimSpace, without a call when there is nothing to
// trim.
func trimSpace(s string) string {
	if len(s) > 0 && (s[0] <= ' ' || s[len(s)-1] <= ' ') {
		return strings.TrimSpace(s)
	}
	return s
}
