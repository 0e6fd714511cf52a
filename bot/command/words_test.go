package command

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

// An unknown word, or a word of a group that is not one, answers with
// the nearest word in English or Korean.
func TestUnknownWordSuggests(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	for _, tc := range []struct{ text, want string }{
		{"lst", "I don't know `lst`. Did you mean `list`? Try `/news help`."},
		{"stauts", "Did you mean `status`?"},
		{"mutee chips", "Did you mean `mute`?"},
		{"wach add x", "Did you mean `watch add`?"},
		{"feeed remove x", "Did you mean `feed remove`?"},
		{"feed ad https://example.com/", "I don't know `feed ad`. Did you mean `feed add`?"},
		{"watch delet x", "I don't know `watch delet`. Did you mean `watch delete`?"},
		{"목룍", "`목룍` 명령은 없습니다. 혹시 `목록`인가요?"},
		{"피드 추가하기 https://example.com/", "혹시 `피드 추가`인가요?"},
		{"워치 삭재 x", "혹시 `워치 삭제`인가요?"},
		{"폴림 local", "혹시 `폴링`인가요?"},
	} {
		t.Run(tc.text, func(t *testing.T) { contains(t, e.run(userGeneral, tc.text), tc.want) })
	}
	// Nothing near: no guess.
	for _, text := range []string{"frobnicate x", "하하"} {
		if r := e.run(userGeneral, text); strings.Contains(r.Text, "Did you mean") || strings.Contains(r.Text, "혹시") {
			t.Errorf("%q: a guess for a word near nothing: %q", text, r.Text)
		}
	}
	contains(t, e.run(userGeneral, "watch"), "Usage: `watch add <name> [query]` or `watch remove <name>`")
	contains(t, e.run(userGeneral, "help"), "`watch add <name> [query]`", "`poll <feed>`", "until <HH:MM>")
	contains(t, e.run(userGeneral, "도움말"), "`워치 추가 <이름> [검색어]`", "`폴링 <피드>`", "09:00까지")
}

// A watch, query or feed that does not exist is refused with what does,
// and the nearest name; nothing changes.
func TestUnknownTargetsSuggest(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"add 반도체 to ai-policyy", []string{"There is no watch named `ai-policyy`, so I changed nothing. Did you mean `ai-policy`? Watches: ai-policy, chips."}},
		{"추가 반도체 to chipz", []string{"`chipz` 워치가 없어 아무것도 바꾸지 않았습니다. 혹시 `chips`인가요? 워치: ai-policy, chips."}},
		{"add 반도체 to zzz", []string{"There is no watch named `zzz`, so I changed nothing. Watches: ai-policy, chips."}},
		{"remove HBM from chipss", []string{"There is no watch named `chipss`", "Did you mean `chips`?"}},
		{"mute chps for 1h", []string{"No watch or query is called `chps`. Did you mean `chips`? See `/news list`."}},
		{"mute hbmm", []string{"Did you mean `HBM`?"}},
		{"음소거 칩스", []string{"`칩스`(이)라는 워치나 검색어가 없습니다. `/news 목록`을 보세요."}},
		{"unmute chps", []string{"No watch or query is called `chps`. Did you mean `chips`?"}},
		{"unmute chips", []string{"`chips` is not muted."}},
		{"poll locl", []string{"There is no feed named *locl*. Did you mean `local`? Feeds: local."}},
		{"폴링 없음", []string{"*없음* 피드가 없습니다. 피드: local."}},
	} {
		t.Run(tc.text, func(t *testing.T) { contains(t, e.run(adminGeneral, tc.text), tc.want...) })
	}
	e.unchanged()
	if ms, _ := e.bot.st.Mutes(context.Background()); len(ms) != 0 {
		t.Errorf("mutes = %+v", ms)
	}
	if len(e.bot.polled) != 0 {
		t.Errorf("polled %q", e.bot.polled)
	}
}

// A mute length that cannot be read says which forms can; until HH:MM
// ends at the next such time in the watchlist's zone (KST, 9 hours ahead
// of testNow's UTC: 18:00 KST).
func TestMuteLengths(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	until := func(target string) time.Time {
		t.Helper()
		ms, _ := e.bot.st.Mutes(ctx)
		i := slices.IndexFunc(ms, func(m store.Mute) bool { return m.Target == target })
		if i < 0 {
			t.Fatalf("%s not muted: %+v", target, ms)
		}
		return ms[i].Until
	}
	kst := func(day, h, m int) time.Time { return time.Date(2025, 5, day, h-9, m, 0, 0, time.UTC) }
	contains(t, e.run(adminGeneral, "mute chips until 09:00"), "Muted `chips` until 05-02 09:00 KST")
	if got := until("chips"); !got.Equal(kst(2, 9, 0)) {
		t.Errorf("until = %v", got)
	}
	contains(t, e.run(adminGeneral, "mute HBM until 23:30"), "Muted `HBM` until 05-01 23:30 KST")
	if got := until("HBM"); !got.Equal(kst(1, 23, 30)) {
		t.Errorf("until = %v", got)
	}
	contains(t, e.run(adminGeneral, "음소거 ai-policy 07:00까지"), "`ai-policy` 알림을 05-02 07:00 KST까지 끕니다")
	for _, tc := range []struct{ text, bad string }{
		{"mute chips for 2x", "`for 2x`"},
		{"mute chips 2x", "`2x`"},
		{"mute chips for 400d", "`for 400d`"},
		{"mute chips until 9", "`until 9`"},
		{"mute chips until 25:00", "`until 25:00`"},
		{"mute ai 규제 for soon", "`for soon`"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			contains(t, e.run(adminGeneral, tc.text), "I can't read "+tc.bad+" as a time. Write a duration, `30m`, `2h`, `1d` (also `1w`, `1h30m`, `2시간`, `30분`; at most 366 days), or a time of day, `until 09:00` (the next 09:00, Asia/Seoul).")
		})
	}
	contains(t, e.run(adminGeneral, "음소거 chips 내일까지"), "`내일까지` 시간을 알 수 없습니다. `30분`, `2시간`, `1일` 같은 기간", "`09:00까지`")
	// The refusals muted nothing new.
	if got := until("chips"); !got.Equal(kst(2, 9, 0)) {
		t.Errorf("a refused mute changed chips: %v", got)
	}
	contains(t, e.run(adminGeneral, "mute"), "Usage: `mute <query|watch> [for <duration>|until <HH:MM>]`")
}

func TestWatchAddRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("add in a channel the watchlist has", func(t *testing.T) {
		e := setup(t, nil, nil)
		r := e.run(adminGeneral, `watch add memo "AI 국가안보각서" 트럼프`)
		contains(t, r, "Created watch *memo* for this channel with `\"AI 국가안보각서\" 트럼프`. New items that match are posted here.")
		if !r.Public {
			t.Error("a new watch should be announced in the channel")
		}
		w, ok := e.bot.Config().WatchByName("memo")
		if !ok || !slices.Equal(w.Keywords, []string{`"AI 국가안보각서" 트럼프`}) || !slices.Equal(w.Channels, []string{"general"}) {
			t.Fatalf("memo = %+v, %v", w, ok)
		}
		e.kept(0)
		hits, _ := e.bot.Test(ctx, feeds.Item{Title: "트럼프, AI 국가안보각서 서명"})
		if !slices.ContainsFunc(hits, func(h match.Hit) bool { return h.Watch == "memo" }) {
			t.Errorf("the new watch does not match: %+v", hits)
		}
		// add now finds several watches here.
		contains(t, e.run(adminGeneral, "add 반도체"), "Several watches post here (ai-policy, chips, memo)")
		contains(t, e.run(adminGeneral, "watch add memo x"), "There is already a watch named *memo*; add a query to it with `add <query> to memo`.")
		contains(t, e.run(adminGeneral, "워치 추가 memo x"), "*memo* 워치가 이미 있습니다")
	})
	t.Run("the name is the query when none is given", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminOps, "워치 추가 반도체"), "이 채널용 워치 *반도체*를 만들고 `반도체` 추가했습니다", "이름을 첫 검색어로 썼습니다")
		w, _ := e.bot.Config().WatchByName("반도체")
		if !slices.Equal(w.Keywords, []string{"반도체"}) || !slices.Equal(w.Channels, []string{"ops"}) {
			t.Errorf("watch = %+v", w)
		}
	})
	t.Run("add in a new channel adds it", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminNew, "watch add breaking 속보"), "Created watch *breaking*")
		if ch, ok := e.bot.Config().Channels["random-news"]; !ok || ch.Kind != "slack" || blockValue(ch, "channel") != "C0NEW" {
			t.Fatalf("channels = %+v", e.bot.Config().Channels)
		}
		hookOps := func(s string) string {
			return strings.Replace(s, "    discord:\n      channel_id: \"111\"", "    discord:\n      webhook_url: https://discord.com/api/webhooks/1/abc", 1)
		}
		e = setupEnv(t, hookOps, nil, map[string]string{"SLACK_BOT_TOKEN": "xoxb-test"})
		contains(t, e.run(Request{Platform: "discord", User: "999", ChannelID: "777"}, "watch add breaking 속보"),
			"This channel is not in the watchlist, and the bot has no DISCORD_BOT_TOKEN to post here, so I created no watch. If alerts reach this channel by webhook, set chat_channel")
		contains(t, e.run(Request{Platform: "console", Operator: true}, "watch add breaking 속보"), "I can't tell which chat channel this is")
		e.unchanged()
	})
	t.Run("refusals", func(t *testing.T) {
		e := setup(t, nil, nil)
		for _, tc := range []struct {
			req        Request
			text, want string
		}{
			{adminGeneral, "watch add", "Usage: `watch add <name> [query]`"},
			{adminGeneral, "watch add x (AI", "That query is not valid"},
			{adminGeneral, `watch add "two words" x`, "Refused: that would make the watchlist invalid:\n• watches[2].name: name \"two words\" contains a space"},
			{userGeneral, "watch add x y", "Only watchlist admins"},
			{userGeneral, "watch remove chips", "Only watchlist admins"},
			{adminGeneral, "watch remove", "Usage: `watch remove <name>`"},
			{adminGeneral, "watch remove chipz", "There is no watch named `chipz`, so I changed nothing. Did you mean `chips`?"},
		} {
			contains(t, e.run(tc.req, tc.text), tc.want)
		}
		e.unchanged()
	})
	t.Run("remove a watch that posts here only", func(t *testing.T) {
		e := setup(t, nil, nil)
		if err := e.bot.st.PutMute(ctx, store.Mute{Target: "chips"}); err != nil {
			t.Fatal(err)
		}
		r := e.run(adminGeneral, "watch remove chips")
		contains(t, r, "Removed watch *chips* (its queries were `HBM`). Its mute was lifted.")
		if _, ok := e.bot.Config().WatchByName("chips"); ok {
			t.Error("chips is still in force")
		}
		if ms, _ := e.bot.st.Mutes(ctx); len(ms) != 0 {
			t.Errorf("mutes = %+v", ms)
		}
		e.kept(4)
		es, _ := e.bot.st.Edits(ctx, 10)
		if len(es) != 1 || es[0].Command != "watch remove chips" {
			t.Errorf("history = %+v", es)
		}
		contains(t, e.run(adminGeneral, "워치 삭제 ai-policy"), "*ai-policy* 워치를 삭제했습니다(검색어: `AI 규제`, `\"AI 국가안보각서\"`).")
	})
	t.Run("remove a watch from a channel it does not post to", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminOps, "watch remove chips"), "Removed watch *chips* (its queries were `HBM`). It posted to general, which no longer get its alerts.")
	})
	t.Run("a watch that also posts elsewhere only stops posting here", func(t *testing.T) {
		e := setup(t, func(s string) string {
			return strings.Replace(s, "feeds: [local]\n    channels: [general]", "feeds: [local]\n    channels: [general, ops]", 1)
		}, nil)
		contains(t, e.run(adminGeneral, "watch remove chips"),
			"*chips* no longer posts here. It still posts to ops and keeps running there; to delete it everywhere, run `watch remove chips` there too, or edit the watchlist.")
		w, ok := e.bot.Config().WatchByName("chips")
		if !ok || !slices.Equal(w.Channels, []string{"ops"}) {
			t.Errorf("chips = %+v, %v", w, ok)
		}
		contains(t, e.run(adminOps, "watch remove chips"), "Removed watch *chips*")
		if _, ok := e.bot.Config().WatchByName("chips"); ok {
			t.Error("chips is still there")
		}
	})
}

// webhookChannels adds a Slack and a Discord channel that post by
// webhook and name their chat channel, each with a watch.
func webhookChannels(chat bool) func(string) string {
	return func(s string) string {
		slack, discord := "\n      chat_channel: \"#desk\"", "\n      chat_channel: \"222\""
		if !chat {
			slack, discord = "", ""
		}
		s = strings.Replace(s, "channels:\n", "channels:\n"+
			"  desk-hook:\n    slack:\n      webhook_url: https://hooks.slack.com/services/T0/B0/XYZ"+slack+"\n"+
			"  ops-hook:\n    discord:\n      webhook_url: https://discord.com/api/webhooks/1/abc"+discord+"\n", 1)
		return strings.Replace(s, "watches:\n", "watches:\n"+
			"  - name: desk\n    keywords: [속보]\n    channels: [desk-hook]\n"+
			"  - name: ops-news\n    keywords: [장애]\n    channels: [ops-hook]\n", 1)
	}
}

// A channel that gets alerts by webhook names its chat channel with
// chat_channel, and commands typed there find its watches.
func TestChatChannelBinding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	deskByName := Request{Platform: "slack", User: "UADMIN", ChannelID: "C0DESK", ChannelName: "desk"}
	deskByID := Request{Platform: "slack", User: "UADMIN", ChannelID: "C0DESK"}
	opsHook := Request{Platform: "discord", User: "999", ChannelID: "222"}

	t.Run("without chat_channel", func(t *testing.T) {
		e := setup(t, webhookChannels(false), nil)
		contains(t, e.run(deskByName, "recent"), "No watch posts to this channel. (If alerts reach it by webhook, set chat_channel on that channel in the watchlist.)")
		contains(t, e.run(opsHook, "최근"), "웹훅으로 알림이 온다면 워치리스트의 그 채널에 chat_channel을 적으세요")
	})
	e := setup(t, webhookChannels(true), nil)
	if _, err := e.bot.st.Enqueue(ctx, []store.Delivery{{Channel: "desk-hook", ItemKey: "a", Watch: "desk", Title: "속보 하나", Status: store.StatusPending, Created: testNow, Due: testNow}}); err != nil {
		t.Fatal(err)
	}
	if got := boundChannels(e.bot.Config(), deskByID); len(got) != 0 {
		t.Errorf("bound by ID to %v, but the file names #desk and the request no name", got)
	}
	contains(t, e.run(deskByName, "list"), "*desk* (here)")
	contains(t, e.run(deskByName, "recent"), "Nothing was delivered here yet")
	contains(t, e.run(deskByName, "digest"), "Sent 1 pending items")
	contains(t, e.run(deskByName, "add 단독"), "Added `단독` to *desk*. New items that match go to desk-hook.")
	contains(t, e.run(opsHook, "add 점검"), "Added `점검` to *ops-news*")
	contains(t, e.run(opsHook, "watch add outage 먹통"), "Created watch *outage* for this channel")
	if w, _ := e.bot.Config().WatchByName("outage"); !slices.Equal(w.Channels, []string{"ops-hook"}) {
		t.Errorf("outage posts to %q, want the webhook channel", w.Channels)
	}
	if n := len(e.bot.Config().Channels); n != 4 {
		t.Errorf("%d channels; a command from a webhook's chat channel added one", n)
	}
	// A channel ID in chat_channel matches by ID.
	e = setup(t, func(s string) string { return strings.Replace(webhookChannels(true)(s), `"#desk"`, "C0DESK", 1) }, nil)
	contains(t, e.run(deskByID, "list"), "*desk* (here)")
	contains(t, e.run(Request{Platform: "slack", User: "UADMIN", ChannelID: "C0OTHER", ChannelName: "desk"}, "recent"), "No watch posts to this channel")
}

func TestPoll(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	e.bot.pollNew, e.bot.pollMatches = 4, 2
	// Anyone may ask for a poll.
	r := e.run(userGeneral, "poll local")
	contains(t, r, "Polled *local* now: 4 new items, 2 matches (alerts go out with the next delivery).")
	if r.Public {
		t.Error("a poll reply need not go to the channel")
	}
	contains(t, e.run(userGeneral, "수집 local"), "*local* 피드를 지금 읽었습니다: 새 기사 4개, 일치 2건")
	contains(t, e.run(userGeneral, "폴링 local"), "새 기사 4개")
	e.bot.pollErr = errors.New("bot: feed local: feeds: http://127.0.0.1:9/feed.xml: connection refused @here")
	r = e.run(userGeneral, "poll local")
	contains(t, r, "Polling *local* failed: bot: feed local: feeds: http://127.0.0.1:9/feed.xml: connection refused")
	if strings.Contains(r.Text, "@here") {
		t.Errorf("the error pings: %q", r.Text)
	}
	contains(t, e.run(userGeneral, "poll"), "Usage: `poll <feed>`")
	req := userGeneral
	req.Args = map[string]string{ArgName: "local"}
	contains(t, e.run(req, "poll local"), "Polling *local* failed")
	if got := strings.Join(e.bot.polled, ","); got != "local,local,local,local,local" {
		t.Errorf("polled %q", got)
	}
	e.unchanged()
}
