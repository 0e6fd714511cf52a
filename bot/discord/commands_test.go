package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
)

func TestRegisterCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, guild, path string
	}{
		{"guild", "555", "/api/v9/applications/app1/guilds/555/commands"},
		{"global", "", "/api/v9/applications/app1/commands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			s, err := newSession(botToken, f.URL+"/api/v9/", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := RegisterCommands(context.Background(), s, "app1", tt.guild); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if len(reqs) != 1 || reqs[0].Method != "PUT" || reqs[0].Path != tt.path {
				t.Fatalf("requests %+v", reqs)
			}
			f.validateAll(t)
			var cmds []struct {
				Name    string `json:"name"`
				Options []struct {
					Name    string `json:"name"`
					Type    int    `json:"type"`
					Options []struct {
						Name string `json:"name"`
						Type int    `json:"type"`
					} `json:"options"`
				} `json:"options"`
			}
			if err := json.Unmarshal(reqs[0].Body, &cmds); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range cmds[0].Options {
				names = append(names, fmt.Sprintf("%s/%d", o.Name, o.Type))
				if o.Type == 2 {
					for _, sub := range o.Options {
						names = append(names, fmt.Sprintf("%s %s/%d", o.Name, sub.Name, sub.Type))
					}
				}
			}
			want := "help/1 list/1 add/1 remove/1 feeds/1 feed/2 feed add/1 feed remove/1 poll/1 watch/2 watch add/1 watch remove/1 mute/1 unmute/1 test/1 recent/1 digest/1 report/1 status/1 history/1"
			if got := strings.Join(names, " "); len(cmds) != 1 || cmds[0].Name != "news" || got != want {
				t.Errorf("registered %s\nwant %s", got, want)
			}
		})
	}
	t.Run("error", func(t *testing.T) {
		f := newFakeDiscord(t, canned{status: 401, body: `{"message":"401: Unauthorized","code":0}`})
		s, _ := newSession(botToken, f.URL+"/api/v9", nil, nil)
		err := RegisterCommands(context.Background(), s, "app1", "")
		if err == nil {
			t.Fatal("RegisterCommands ignored a 401")
		}
		assertNoSecret(t, err.Error(), botToken)
	})
}

// commandInteraction builds a /news interaction as Discord sends it.
func commandInteraction(t *testing.T, sub string, opts map[string]string) *discordgo.Interaction {
	t.Helper()
	var options []map[string]any
	for _, k := range sortedKeys(opts) {
		options = append(options, map[string]any{"name": k, "type": 3, "value": opts[k]})
	}
	top := map[string]any{"name": sub, "type": 1, "options": options}
	if group, name, ok := strings.Cut(sub, " "); ok {
		top = map[string]any{"name": group, "type": 2, "options": []any{map[string]any{"name": name, "type": 1, "options": options}}}
	}
	raw, _ := json.Marshal(map[string]any{
		"id": "in1", "application_id": "app1", "type": 2, "token": "itoken-SECRET", "channel_id": "c1", "guild_id": "g1",
		"member": map[string]any{"nick": "김기자", "roles": []string{"r1", "r2"}, "user": map[string]any{"id": "u1", "username": "kim"}},
		"data":   map[string]any{"id": "cmd1", "name": "news", "type": 1, "options": []any{top}},
	})
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		t.Fatal(err)
	}
	return &i
}

// sortedKeys returns m's keys in reverse order on purpose: the mapping
// must not depend on the order Discord sends options in.
func sortedKeys(m map[string]string) []string {
	ks := slices.Sorted(maps.Keys(m))
	slices.Reverse(ks)
	return ks
}

func TestRequestFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sub  string
		opts map[string]string
		want string
		// args is the wanted Request.Args when it is not opts.
		args map[string]string
	}{
		{"help", nil, "help", nil},
		{"list", nil, "list", nil},
		{"add", map[string]string{"query": "반도체"}, "add 반도체", nil},
		{"add", map[string]string{"query": `"HBM" 삼성전자`, "watch": "ai-policy"}, `add "HBM" 삼성전자 to ai-policy`, nil},
		{"remove", map[string]string{"query": "반도체", "watch": "chips"}, "remove 반도체 from chips", nil},
		{"feeds", nil, "feeds", nil},
		{"feed add", map[string]string{"url": "https://www.yna.co.kr/rss/news.xml", "name": "yonhap"}, "feed add https://www.yna.co.kr/rss/news.xml yonhap", nil},
		{"feed add", map[string]string{"url": "https://example.com/feed"}, "feed add https://example.com/feed", nil},
		{"feed remove", map[string]string{"name": "yonhap"}, "feed remove yonhap", nil},
		{"mute", map[string]string{"target": "ai-policy", "duration": "2h"}, "mute ai-policy for 2h", nil},
		{"unmute", map[string]string{"target": "반도체"}, "unmute 반도체", nil},
		{"test", map[string]string{"text": "삼성전자가\n반도체   투자"}, "test 삼성전자가 반도체 투자", map[string]string{"text": "삼성전자가 반도체 투자"}},
		{"recent", nil, "recent", nil},
		{"recent", map[string]string{"query": "AI"}, "recent AI", nil},
		{"digest", nil, "digest", nil},
		{"status", nil, "status", nil},
		{"history", nil, "history", nil},
		// Separator words and quotes inside a value stay in it: the core
		// reads Args, not the text.
		{"add", map[string]string{"query": "cars to go"}, "add cars to go", nil},
		{"add", map[string]string{"query": `"road to seoul"`, "watch": "travel"}, `add "road to seoul" to travel`, nil},
		{"remove", map[string]string{"query": "news from home"}, "remove news from home", nil},
		{"mute", map[string]string{"target": "closed for 2d"}, "mute closed for 2d", nil},
		{"mute", map[string]string{"target": "closed for 2d", "duration": "2h"}, "mute closed for 2d for 2h", nil},
		{"mute", map[string]string{"target": "chips", "duration": "until 09:00"}, "mute chips until 09:00", nil},
		{"mute", map[string]string{"target": "chips", "duration": "09:00까지"}, "mute chips for 09:00까지", nil},
		// Options whose Discord name is not the core's key.
		{"poll", map[string]string{"feed": "yonhap"}, "poll yonhap", map[string]string{command.ArgName: "yonhap"}},
		{"watch add", map[string]string{"name": "chips", "query": `"HBM" 삼성`}, `watch add chips "HBM" 삼성`, map[string]string{command.ArgWatch: "chips", command.ArgQuery: `"HBM" 삼성`}},
		{"watch add", map[string]string{"name": "반도체"}, "watch add 반도체", map[string]string{command.ArgWatch: "반도체"}},
		{"watch remove", map[string]string{"name": "chips"}, "watch remove chips", map[string]string{command.ArgWatch: "chips"}},
		// An option the subcommand does not define is dropped.
		{"unmute", map[string]string{"target": "x", "watch": "y"}, "unmute x", map[string]string{"target": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, ok := requestFrom(commandInteraction(t, tt.sub, tt.opts))
			args := tt.args
			if args == nil {
				args = maps.Clone(tt.opts)
			}
			if args == nil {
				args = map[string]string{}
			}
			want := command.Request{Platform: "discord", User: "u1", UserName: "김기자", Roles: []string{"r1", "r2"}, ChannelID: "c1", Text: tt.want, Args: args}
			if !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("requestFrom = %+v, %v\nwant %+v", got, ok, want)
			}
		})
	}
	t.Run("every subcommand maps", func(t *testing.T) {
		for _, sc := range subcommands() {
			opts, args := map[string]string{}, map[string]string{}
			for _, o := range sc.opts {
				opts[o.name] = "v"
				args[o.key()] = "v"
			}
			got, ok := requestFrom(commandInteraction(t, sc.words, opts))
			if !ok || !strings.HasPrefix(got.Text, sc.words) || strings.Count(got.Text, "v") < len(sc.opts) || !maps.Equal(got.Args, args) || len(args) != len(sc.opts) {
				t.Errorf("%s: %q", sc.words, got.Text)
			}
		}
	})
	t.Run("dm user", func(t *testing.T) {
		i := commandInteraction(t, "list", nil)
		i.Member = nil
		i.User = &discordgo.User{ID: "u9", Username: "lee", GlobalName: "Lee"}
		got, ok := requestFrom(i)
		if !ok || got.User != "u9" || got.UserName != "Lee" || got.Roles != nil {
			t.Errorf("requestFrom = %+v", got)
		}
	})
	t.Run("other command", func(t *testing.T) {
		i := commandInteraction(t, "list", nil)
		d := i.Data.(discordgo.ApplicationCommandInteractionData)
		d.Name = "weather"
		i.Data = d
		if _, ok := requestFrom(i); ok {
			t.Error("mapped a command that is not /news")
		}
	})
}
