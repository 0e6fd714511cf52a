package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// trackingParams are query parameters that identify a campaign or a click,
// not a page. Parameters starting with "utm_" are dropped too.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "igshid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "wt.mc_id": true,
	"ref_src": true, "ref_url": true, "spm": true, "cmpid": true, "ncid": true, "sr_share": true,
}

// CanonicalURL returns a normal form of an http(s) link for comparing
// items: scheme and host lower-cased, default port, fragment and tracking
// parameters (utm_*, fbclid, gclid and the like) dropped, and the query
// sorted. It returns "" for anything that is not an absolute http(s) URL.
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && u.Port() == "80") || (u.Scheme == "https" && u.Port() == "443") {
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				delete(q, k)
			}
		}
		u.RawQuery = q.Encode() // sorted by key
	}
	u.ForceQuery = false
	return u.String()
}

// resolveLink makes ref absolute against base and returns it only if it is
// an http(s) URL; links with other schemes (javascript:, data:) are dropped.
func resolveLink(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// maxKeyBytes bounds a key; a longer one is replaced by its hash.
const maxKeyBytes = 512

// titleKeySep joins a canonical link and a title hash in a key. A
// canonical link has no fragment, so the key cannot be a real link.
const titleKeySep = "#title="

// itemKey is the identity of an item within its feed. Two entries are one
// item only when their ids (GUIDs) are equal, or when both lack ids and
// their links and titles are equal:
//
//   - the id, when there is one;
//   - else the canonical link and a hash of the title (NFC), so that
//     episodes sharing one page stay apart;
//   - else a hash of the title and the date (the title alone for an
//     undated item, so the key is the same on every poll).
func itemKey(guid, link, title string, published time.Time) string {
	key := func(k string) string {
		if len(k) > maxKeyBytes {
			return hashKey(k)
		}
		return k
	}
	if guid != "" {
		return key(guid)
	}
	if c := CanonicalURL(link); c != "" {
		sum := sha256.Sum256([]byte(norm.NFC.String(title)))
		return key(c + titleKeySep + hex.EncodeToString(sum[:8]))
	}
	if published.IsZero() {
		return hashKey(title)
	}
	return hashKey(title + "\x00" + published.UTC().Format(time.RFC3339Nano))
}

// legacyLinkKey is the key versions before link-and-title keys gave an
// item without an id: its canonical link.
func legacyLinkKey(link string) string {
	c := CanonicalURL(link)
	if len(c) > maxKeyBytes {
		return hashKey(c)
	}
	return c
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}
