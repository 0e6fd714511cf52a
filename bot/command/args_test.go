package command

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// typed is one command sent with typed arguments (Request.Args), as
// Discord sends it: Text is the command as the platform shows it.
type typed struct {
	text string
	args map[string]string
	want string
}

func TestTypedArgs(t *testing.T) {
	t.Parallel()
	srv := feedServer(t)
	muted := func(target string, until time.Time) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			ms, err := e.bot.st.Mutes(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(ms, func(m store.Mute) bool { return m.Target == target && m.Until.Equal(until) }) {
				t.Errorf("mutes = %+v, want %q until %v", ms, target, until)
			}
		}
	}
	keywords := func(watch string, want ...string) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			if got := e.keywords(watch); !slices.Equal(got, want) {
				t.Errorf("%s keywords = %q, want %q", watch, got, want)
			}
		}
	}
	tests := []struct {
		name  string
		req   Request
		edit  func(string) string
		steps []typed
		check func(*testing.T, *env)
	}{
		{
			name:  "add: to in the query, no watch",
			req:   adminOps,
			steps: []typed{{"add cars to go", map[string]string{ArgQuery: "cars to go"}, "Created watch *ops* for this channel with `cars to go`"}},
			check: func(t *testing.T, e *env) {
				keywords("ops", "cars to go")(t, e)
				es, _ := e.bot.st.Edits(context.Background(), 10)
				if len(es) != 1 || es[0].Command != "add cars to go" || es[0].Platform != "discord" {
					t.Errorf("history = %+v, want the command's text", es)
				}
			},
		},
		{
			name:  "add: to in the query, with a watch",
			req:   adminGeneral,
			steps: []typed{{"add cars to go to chips", map[string]string{ArgQuery: "cars to go", ArgWatch: "chips"}, "Added `cars to go` to *chips*"}},
			check: keywords("chips", "HBM", "cars to go"),
		},
		{
			name: "add: quotes kept in the query, removed from the watch",
			req:  adminGeneral,
			steps: []typed{{`add "path to war" to "ai-policy"`, map[string]string{ArgQuery: ` "path to war" `, ArgWatch: `"ai-policy"`},
				"Added `\"path to war\"` to *ai-policy*"}},
			check: keywords("ai-policy", "AI 규제", `"AI 국가안보각서"`, `"path to war"`),
		},
		{
			name: "add: refusals",
			req:  adminGeneral,
			steps: []typed{
				{"add", map[string]string{}, "Usage: `add <query>"},
				{"add to chips", map[string]string{ArgWatch: "chips"}, "Usage: `add <query>"},
				{"add x to nope", map[string]string{ArgQuery: "x", ArgWatch: "nope"}, "There is no watch named `nope`"},
				{"add a b", map[string]string{ArgQuery: "a\nb", ArgWatch: "chips"}, "Usage: `add <query>"},
				// A typo'd watch typed into the query is not made part of it.
				{"add 반도체 to ai-policyy", map[string]string{ArgQuery: "반도체 to ai-policyy"},
					"I changed nothing: the query ends in “to `ai-policyy`”, and `ai-policyy` looks like the watch *ai-policy*"},
				{"add 반도체 to chips", map[string]string{ArgQuery: "반도체 to chips"}, "looks like the watch *chips*"},
				{"추가 반도체 to chip", map[string]string{ArgQuery: "반도체 to chip"}, "아무것도 바꾸지 않았습니다. 검색어가 “to `chip`”(으)로 끝나는데"},
				{"remove HBM from chipz", map[string]string{ArgQuery: "HBM from chipz"}, "the query ends in “from `chipz`”, and `chipz` looks like the watch *chips*"},
			},
			check: func(t *testing.T, e *env) { e.unchanged() },
		},
		{
			name: "remove: from in the query, no watch",
			req:  adminGeneral,
			steps: []typed{
				{"add news from home to chips", map[string]string{ArgQuery: "news from home", ArgWatch: "chips"}, "Added `news from home` to *chips*"},
				{"remove news from home", map[string]string{ArgQuery: "news from home"}, "Removed `news from home` from *chips*"},
			},
			check: keywords("chips", "HBM"),
		},
		{
			name: "remove: from in the query, with a watch",
			req:  adminGeneral,
			steps: []typed{
				{"add news from home to chips", map[string]string{ArgQuery: "news from home", ArgWatch: "chips"}, "Added"},
				{"remove news from home from ai-policy", map[string]string{ArgQuery: "news from home", ArgWatch: "ai-policy"}, "*ai-policy* has no query `news from home`"},
				{"remove news from home from chips", map[string]string{ArgQuery: "news from home", ArgWatch: "chips"}, "Removed `news from home` from *chips*"},
			},
			check: keywords("chips", "HBM"),
		},
		{
			name: "mute: for in the target, no duration",
			req:  adminGeneral,
			steps: []typed{
				{"add closed for 2d to chips", map[string]string{ArgQuery: "closed for 2d", ArgWatch: "chips"}, "Added"},
				{"mute closed for 2d", map[string]string{ArgTarget: "closed for 2d"}, "Muted `closed for 2d` until you unmute it"},
			},
			check: muted("closed for 2d", time.Time{}),
		},
		{
			name: "mute: for in the target, with a duration",
			req:  adminGeneral,
			steps: []typed{
				{"add closed for 2d to chips", map[string]string{ArgQuery: "closed for 2d", ArgWatch: "chips"}, "Added"},
				{"mute closed for 2d for 2h", map[string]string{ArgTarget: "closed for 2d", ArgDuration: "2h"}, "Muted `closed for 2d` until 05-01 20:00 KST"},
			},
			check: muted("closed for 2d", testNow.Add(2*time.Hour)),
		},
		{
			name: "mute: durations typed as in the text form",
			req:  adminGeneral,
			steps: []typed{
				{"mute chips for 30m", map[string]string{ArgTarget: "chips", ArgDuration: "for 30m"}, "Muted `chips` until 05-01 18:30 KST"},
				{"음소거 HBM 2시간 동안", map[string]string{ArgTarget: "HBM", ArgDuration: "2시간 동안"}, "`HBM` 알림을 05-01 20:00 KST까지 끕니다"},
				{"mute chips for forever", map[string]string{ArgTarget: "chips", ArgDuration: "forever"}, "I can't read `forever` as a time. Write a duration, `30m`, `2h`, `1d`"},
				{"mute for 2h", map[string]string{ArgDuration: "2h"}, "Usage: `mute"},
				{"mute HBM until 09:00", map[string]string{ArgTarget: "HBM", ArgDuration: "until 09:00"}, "Muted `HBM` until 05-02 09:00 KST"},
				{"음소거 ai 규제 19:30까지", map[string]string{ArgTarget: "ai 규제", ArgDuration: "19:30까지"}, "`AI 규제` 알림을 05-01 19:30 KST까지 끕니다"},
				{"mute HBM until 25:00", map[string]string{ArgTarget: "HBM", ArgDuration: "until 25:00"}, "`until 25:00`"},
			},
			check: func(t *testing.T, e *env) {
				muted("chips", testNow.Add(30*time.Minute))(t, e)
				muted("HBM", time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC))(t, e) // 09:00 KST
				muted("AI 규제", testNow.Add(90*time.Minute))(t, e)
			},
		},
		{
			name: "unmute: for in the target",
			req:  adminGeneral,
			steps: []typed{
				{"add closed for 2d to chips", map[string]string{ArgQuery: "closed for 2d", ArgWatch: "chips"}, "Added"},
				{"mute closed for 2d", map[string]string{ArgTarget: "closed for 2d"}, "Muted"},
				{"unmute closed for 2d", map[string]string{ArgTarget: "closed for 2d"}, "Unmuted `closed for 2d`"},
				{"unmute", map[string]string{}, "Usage: `unmute"},
			},
		},
		{
			name: "feed add",
			req:  adminGeneral,
			edit: allowPrivate,
			steps: []typed{
				{"feed add " + srv.URL + "/feed.xml my feed", map[string]string{ArgURL: srv.URL + "/feed.xml", ArgName: "tech"}, "Added feed *tech* (3 items"},
				{"feed add " + srv.URL + "/feed.xml?x=2", map[string]string{ArgURL: srv.URL + "/feed.xml?x=2"}, "Added feed *test* (3 items"},
				{"feed add " + srv.URL + "/page-with-feed.html", map[string]string{ArgURL: srv.URL + "/page-with-feed.html"},
					"That address is a web page; it advertises the feed `" + srv.URL + "/feed.xml?from=page`.\nAdded feed *test-2* (3 items"},
				{"feed add ftp://example.com/x", map[string]string{ArgURL: "ftp://example.com/x"}, "not an http(s) URL"},
				{"feed add x", map[string]string{ArgName: "x"}, "Usage: `feed add"},
			},
		},
		{
			name: "feed remove, test and recent",
			req:  adminGeneral,
			steps: []typed{
				{"feed remove local", map[string]string{ArgName: "local"}, "I kept feed *local*: *chips* reads only that feed"},
				{"feed remove locl", map[string]string{ArgName: "locl"}, "There is no feed named *locl*. Did you mean `local`? Feeds: local."},
				{"poll local", map[string]string{ArgName: "local"}, "Polled *local* now: 0 new items, 0 matches"},
				{"poll lcal", map[string]string{ArgName: "lcal"}, "There is no feed named *lcal*. Did you mean `local`?"},
				{"watch add desk 반도체 to go", map[string]string{ArgWatch: "desk", ArgQuery: "반도체 to go"}, "Created watch *desk* for this channel with `반도체 to go`"},
				{"watch add desk", map[string]string{ArgWatch: "desk"}, "There is already a watch named *desk*"},
				{"watch add", map[string]string{ArgQuery: "x"}, "Usage: `watch add"},
				{"watch remove desk", map[string]string{ArgWatch: "desk"}, "Removed watch *desk* (its queries were `반도체 to go`)"},
				{"feed remove", map[string]string{}, "Usage: `feed remove"},
				{"test HBM to go", map[string]string{ArgText: "HBM to go"}, "*chips* `HBM`"},
				{"recent (x", map[string]string{ArgQuery: "(x"}, "not valid"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.edit, nil)
			for _, s := range tt.steps {
				req := tt.req
				req.Args = s.args
				contains(t, e.run(req, s.text), s.want)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

// TestTextSplitsAtSeparators shows what typed arguments avoid: the text
// alone is split at the last separator word, as Slack's must be.
func TestTextSplitsAtSeparators(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	contains(t, e.run(adminOps, "add cars to go"), "There is no watch named `go`")
	contains(t, e.run(adminGeneral, "remove news from home"), "There is no watch named `home`")
	contains(t, e.run(adminGeneral, "mute closed for 2d"), "No watch or query is called `closed`")
	e.unchanged()
}
