package config

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// memDocs is a DocStore in memory whose document another writer changes
// once, between the editor's read and its save.
type memDocs struct {
	mu       sync.Mutex
	data     []byte
	version  int64
	meddle   func([]byte) []byte
	conflict int
}

func (m *memDocs) Read(context.Context) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data...), m.version, nil
}

func (m *memDocs) Swap(_ context.Context, version int64, data []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.meddle != nil {
		m.data, m.meddle = m.meddle(m.data), nil
		m.version++
	}
	if version != m.version {
		m.conflict++
		return false, nil
	}
	m.data = append([]byte(nil), data...)
	m.version++
	return true, nil
}

// TestEditorOnDocStore: with Docs set the editor edits the stored
// document, not the file, and an edit saved elsewhere meanwhile is kept:
// the change is applied again on top of it.
func TestEditorOnDocStore(t *testing.T) {
	t.Parallel()
	const src = `# 공유 워치리스트
feeds:
  - {name: yna, url: "https://yna.example/rss"}
channels:
  team: {console: {}}
watches:
  - name: policy
    keywords: [오픈소스]  # 기본
    channels: [team]
`
	docs := &memDocs{data: []byte(src), version: 1, meddle: func(b []byte) []byte {
		return []byte(strings.Replace(string(b), "[오픈소스]", "[오픈소스, 반도체]", 1))
	}}
	ed := &Editor{Path: "/nonexistent/watchlist.yaml", Docs: docs}
	res, err := ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("policy", "트럼프") })
	if err != nil {
		t.Fatal(err)
	}
	if docs.conflict != 1 || docs.version != 3 {
		t.Errorf("conflicts %d, version %d; want 1 conflict and version 3", docs.conflict, docs.version)
	}
	got := readRaw(t, docs.data).keywords("policy")
	if strings.Join(got, ",") != "오픈소스,반도체,트럼프" {
		t.Errorf("keywords = %q, want the other edit kept and ours added", got)
	}
	if !strings.Contains(string(docs.data), "# 공유 워치리스트") || !strings.Contains(string(docs.data), "# 기본") {
		t.Errorf("comments lost:\n%s", docs.data)
	}
	if res.After != SourceHash(docs.data) {
		t.Error("EditResult.After is not the hash of the saved document")
	}
}
