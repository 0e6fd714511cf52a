package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/newshound/newshound/bot/notify"
)

func reportMsg(lines int) notify.Message {
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "■ 트럼프 <!channel> *굵게* %s %d\n", strings.Repeat("가", 40), i)
	}
	return notify.Message{Kind: notify.KindReport, Header: "Report 11/23 (월) – 11/29 (일): 1 watch", Text: b.String(),
		Image: &notify.Image{Name: "report.png", Type: "image/png", Alt: "chart", Data: []byte("\x89PNG fake")}}
}

// fakeWebAPI answers the Web API methods a report uses; fail names a
// method that answers ok:false.
type fakeWebAPI struct {
	mu    sync.Mutex
	calls []string
	texts []string
	fail  string
	srv   *httptest.Server
}

func newFakeWebAPI(t *testing.T, fail string) *fakeWebAPI {
	f := &fakeWebAPI{fail: fail}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseMultipartForm(1 << 20)
		_, _ = io.Copy(io.Discard, r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		name := strings.TrimPrefix(r.URL.Path, "/api/")
		f.calls = append(f.calls, name)
		w.Header().Set("Content-Type", "application/json")
		if name == f.fail {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		switch name {
		case "files.getUploadURLExternal":
			fmt.Fprintf(w, `{"ok":true,"upload_url":%q,"file_id":"F1"}`, f.srv.URL+"/upload")
		case "/upload":
			fmt.Fprint(w, "OK")
		case "chat.postMessage":
			f.texts = append(f.texts, r.FormValue("blocks"))
			fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"1.1"}`)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWebAPI) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func botNotifier(t *testing.T, f *fakeWebAPI) *Notifier {
	n, err := New("desk", Config{Channel: "#news-desk", APIURL: f.srv.URL + "/api/"}, Options{Token: "xoxb-test", Pacer: notify.NewPacer(1000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReportFilesV2(t *testing.T) {
	t.Parallel()
	f := newFakeWebAPI(t, "")
	n := botNotifier(t, f)
	parts := n.Split(reportMsg(200))
	if len(parts) < 2 || parts[0].Image == nil || parts[1].Image != nil {
		t.Fatalf("split into %d parts; the image must go with the first only", len(parts))
	}
	for _, p := range parts {
		if err := n.Send(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"files.getUploadURLExternal", "/upload", "chat.postMessage", "files.completeUploadExternal"}
	for range parts[1:] {
		want = append(want, "chat.postMessage")
	}
	if got := f.got(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	for _, blocks := range f.texts {
		if strings.Contains(blocks, "<!channel>") || !strings.Contains(blocks, `\u0026lt;!channel\u0026gt;`) {
			t.Errorf("report text not escaped: %.300s", blocks)
		}
		if len(blocks) > maxPayload+2000 {
			t.Errorf("blocks of %d bytes", len(blocks))
		}
	}
}

// TestReportFilesV2Failures: a failed upload sends nothing (the whole
// message is retried); a failed share after the text was posted is
// logged, and the text is not posted again.
func TestReportFilesV2Failures(t *testing.T) {
	t.Parallel()
	f := newFakeWebAPI(t, "files.getUploadURLExternal")
	if err := botNotifier(t, f).Send(context.Background(), reportMsg(3)); err == nil {
		t.Error("a failed getUploadURLExternal returned no error")
	}
	if got := f.got(); slices.Contains(got, "chat.postMessage") {
		t.Errorf("calls after a failed upload = %q: the text went out", got)
	}
	f = newFakeWebAPI(t, "files.completeUploadExternal")
	if err := botNotifier(t, f).Send(context.Background(), reportMsg(3)); err != nil {
		t.Errorf("a failed share after the text was posted: %v (the text would be posted twice)", err)
	}
}

// TestReportWebhookTextOnly: a webhook channel gets the report's text
// and no upload.
func TestReportWebhookTextOnly(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.URL.Path+" "+string(b))
		mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	n, err := New("hook", Config{WebhookURL: srv.URL + "/services/T/B/x"}, Options{Pacer: notify.NewPacer(1000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range n.Split(reportMsg(3)) {
		if err := n.Send(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || !strings.HasPrefix(bodies[0], "/services/T/B/x ") || !strings.Contains(bodies[0], "■ 트럼프") {
		t.Errorf("webhook got %q, want the report text once", bodies)
	}
}
