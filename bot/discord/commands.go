package discord

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
)

// commandName is the application command's name: /news.
const commandName = "news"

// korean is the one locale the command is translated to.
const korean = discordgo.Korean

// option is a typed string option of a subcommand. Its value goes to
// Request.Args under arg, or under its name when arg is "". In the text
// form (Request.Text, for the history and logs) it follows sep: "add
// <query> to <watch>" has query after " " and watch after " to ". ko and
// koDesc are its Korean name and description.
type option struct {
	name, desc string
	required   bool
	maxLen     int
	sep        string
	ko, koDesc string
	arg        string
}

// key is the option's key in Request.Args.
func (o option) key() string {
	if o.arg != "" {
		return o.arg
	}
	return o.name
}

// subcommand is one command word ("add") or a word in a group ("feed
// add"). ko is the same command in the core's Korean words ("피드 추가"):
// a Korean client sees its last word as the subcommand's name unless
// koName is set, and the request text is written with it, so the core
// answers in Korean.
type subcommand struct {
	words, ko    string
	koName       string
	desc, koDesc string
	opts         []option
}

// group is a subcommand group: its descriptions and Korean name.
type group struct {
	desc, ko, koDesc string
}

// groupDef returns the definition of the subcommand group name.
func groupDef(name string) group {
	switch name {
	case "feed":
		return group{desc: "Add or remove a feed", ko: "피드", koDesc: "피드 추가, 삭제"}
	case "watch":
		return group{desc: "Create or delete a watch", ko: "워치", koDesc: "워치 만들기, 삭제"}
	}
	return group{desc: "Manage " + name + "s", ko: name, koDesc: name}
}

// subcommands lists /news in the order Discord shows it; Commands and the
// interaction mapping are both built from it. The Korean words are the
// command core's own aliases (see command.words).
func subcommands() []subcommand {
	query := option{name: command.ArgQuery, desc: "Keyword query, e.g. 반도체 or \"HBM\"", required: true, maxLen: 200, sep: " ",
		ko: "검색어", koDesc: "검색어 (예: 반도체, \"HBM\")"}
	watch := func(sep string) option {
		return option{name: command.ArgWatch, desc: "Watch name", maxLen: 100, sep: sep, ko: "워치", koDesc: "워치 이름"}
	}
	target := option{name: command.ArgTarget, desc: "A query or a watch name", required: true, maxLen: 200, sep: " ",
		ko: "대상", koDesc: "검색어 또는 워치 이름"}
	feedName := option{name: command.ArgName, desc: "Feed name", required: true, maxLen: 100, sep: " ", ko: "이름", koDesc: "피드 이름"}
	return []subcommand{
		{words: "help", ko: "도움말", desc: "Show what /news can do", koDesc: "/news 명령 도움말"},
		{words: "list", ko: "목록", desc: "List watches and their queries", koDesc: "워치와 검색어 목록"},
		{words: "add", ko: "추가", desc: "Watch a keyword query", koDesc: "검색어 추가", opts: []option{query, watch(" to ")}},
		{words: "remove", ko: "삭제", desc: "Stop watching a query", koDesc: "검색어 삭제", opts: []option{query, watch(" from ")}},
		// "피드" alone is the feed list in the core, but a Korean name may
		// not repeat its sibling group's ("피드"), so the list shows as
		// 피드목록.
		{words: "feeds", ko: "피드", koName: "피드목록", desc: "List the feeds", koDesc: "피드 목록과 상태"},
		{words: "feed add", ko: "피드 추가", desc: "Add a feed", koDesc: "피드 추가", opts: []option{
			{name: command.ArgURL, desc: "Feed URL (RSS, Atom or JSON Feed), or a page that links one", required: true, maxLen: 2048, sep: " ",
				ko: "주소", koDesc: "피드 URL (RSS, Atom, JSON Feed) 또는 피드를 알리는 웹 페이지"},
			{name: command.ArgName, desc: "Short name for the feed", maxLen: 100, sep: " ", ko: "이름", koDesc: "피드의 짧은 이름"},
		}},
		{words: "feed remove", ko: "피드 삭제", desc: "Remove a feed", koDesc: "피드 삭제", opts: []option{feedName}},
		{words: "poll", ko: "폴링", desc: "Read a feed now", koDesc: "피드를 지금 읽기", opts: []option{
			{name: "feed", arg: command.ArgName, desc: "Feed name", required: true, maxLen: 100, sep: " ", ko: "피드", koDesc: "피드 이름"},
		}},
		{words: "watch add", ko: "워치 추가", desc: "Create a watch that posts to this channel", koDesc: "이 채널로 알리는 워치 만들기", opts: []option{
			{name: "name", arg: command.ArgWatch, desc: "Name of the new watch", required: true, maxLen: 100, sep: " ", ko: "이름", koDesc: "새 워치의 이름"},
			{name: command.ArgQuery, desc: "Its first query (default: the name)", maxLen: 200, sep: " ", ko: "검색어", koDesc: "첫 검색어 (없으면 이름)"},
		}},
		{words: "watch remove", ko: "워치 삭제", desc: "Delete a watch, or stop it posting here", koDesc: "워치 삭제 (또는 이 채널로 알리지 않기)", opts: []option{
			{name: "name", arg: command.ArgWatch, desc: "Watch name", required: true, maxLen: 100, sep: " ", ko: "이름", koDesc: "워치 이름"},
		}},
		{words: "mute", ko: "음소거", desc: "Mute a query or watch", koDesc: "검색어나 워치 알림 끄기", opts: []option{target,
			{name: command.ArgDuration, desc: "For how long or until when: 2h, 1d, until 09:00", maxLen: 32, sep: " for ",
				ko: "기간", koDesc: "얼마 동안 또는 언제까지 (예: 2시간, 1일, 09:00까지)"},
		}},
		{words: "unmute", ko: "해제", desc: "Unmute a query or watch", koDesc: "알림 다시 켜기", opts: []option{target}},
		{words: "test", ko: "테스트", desc: "Show which watches a text or URL would match", koDesc: "글이나 URL이 어느 워치와 일치하는지 보기", opts: []option{
			{name: command.ArgText, desc: "Text or URL to test", required: true, maxLen: 2000, sep: " ", ko: "글", koDesc: "시험할 글 또는 URL"},
		}},
		{words: "recent", ko: "최근", desc: "Show recent matches", koDesc: "최근 알림 보기", opts: []option{
			{name: command.ArgQuery, desc: "Only matches of this query", maxLen: 200, sep: " ", ko: "검색어", koDesc: "이 검색어의 알림만"},
		}},
		{words: "digest", ko: "다이제스트", desc: "Send the pending digest now", koDesc: "대기 중인 다이제스트 지금 보내기"},
		{words: "report", ko: "리포트", desc: "Post the report of the last 7 days here", koDesc: "최근 7일 리포트를 이 채널에 올리기"},
		{words: "status", ko: "상태", desc: "Show feed and delivery status", koDesc: "피드와 전송 상태 보기"},
		{words: "history", ko: "기록", desc: "Show recent watchlist edits", koDesc: "최근 워치리스트 편집 기록"},
	}
}

// localized returns a localization map with the Korean text.
func localized(ko string) map[discordgo.Locale]string {
	return map[discordgo.Locale]string{korean: ko}
}

// koShown is the Korean name a client shows for sc.
func (sc subcommand) koShown() string {
	if sc.koName != "" {
		return sc.koName
	}
	f := strings.Fields(sc.ko)
	return f[len(f)-1]
}

// Commands returns the /news application command: one subcommand per
// command word, the two-word ones ("feed add", "watch remove") in
// subcommand groups, each with typed string options. The subcommands, groups and
// options carry Korean names and descriptions, so a Korean client shows
// /news 추가 (the command itself stays /news, as the replies name it).
func Commands() []*discordgo.ApplicationCommand {
	rootKo := localized("키워드로 뉴스 피드 지켜보기")
	root := &discordgo.ApplicationCommand{
		Type:                     discordgo.ChatApplicationCommand,
		Name:                     commandName,
		Description:              "Watch news feeds for keywords",
		DescriptionLocalizations: &rootKo,
	}
	made := map[string]*discordgo.ApplicationCommandOption{}
	for _, sc := range subcommands() {
		sub := &discordgo.ApplicationCommandOption{
			Type:                     discordgo.ApplicationCommandOptionSubCommand,
			Description:              sc.desc,
			NameLocalizations:        localized(sc.koShown()),
			DescriptionLocalizations: localized(sc.koDesc),
		}
		for _, o := range sc.opts {
			sub.Options = append(sub.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     o.name,
				NameLocalizations:        localized(o.ko),
				Description:              o.desc,
				DescriptionLocalizations: localized(o.koDesc),
				Required:                 o.required,
				MaxLength:                o.maxLen,
			})
		}
		name, subName, ok := strings.Cut(sc.words, " ")
		if !ok {
			sub.Name = name
			root.Options = append(root.Options, sub)
			continue
		}
		sub.Name = subName
		g := made[name]
		if g == nil {
			def := groupDef(name)
			g = &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionSubCommandGroup,
				Name:                     name,
				NameLocalizations:        localized(def.ko),
				Description:              def.desc,
				DescriptionLocalizations: localized(def.koDesc),
			}
			made[name] = g
			root.Options = append(root.Options, g)
		}
		g.Options = append(g.Options, sub)
	}
	return []*discordgo.ApplicationCommand{root}
}

// RegisterCommands replaces the application's commands with Commands() by
// bulk overwrite: in the guild when guildID is set (updates show at
// once), globally otherwise.
func RegisterCommands(ctx context.Context, s *discordgo.Session, appID, guildID string) error {
	if _, err := s.ApplicationCommandBulkOverwrite(appID, guildID, Commands(), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: register /news commands: %w", err)
	}
	return nil
}

// requestFrom maps a /news interaction to a command core request; it
// reports false for anything parseInteraction refuses.
func requestFrom(i *discordgo.Interaction) (command.Request, bool) {
	req, problem := parseInteraction(i)
	return req, problem == ""
}

// Answers to interactions that are not a usable /news command, in
// English and, for a Korean client, in Korean.
const (
	unknownCommandText   = "Unknown command. Try /news help."
	unknownCommandTextKo = "없는 명령입니다. /news 도움말을 보세요."
	tooLongText          = "The %s option is too long (at most %d characters)."
	tooLongTextKo        = "%s 값이 너무 깁니다(최대 %d자)."
)

// maxUserName bounds the display name taken from an interaction.
const maxUserName = 100

// parseInteraction maps a /news interaction to a command core request, or
// returns the reason (for the user) why it cannot. Args holds each given
// option of the subcommand by name (never nil), so the core need not
// split the text; Text is the command words, then each given option after
// its separator, in the order of the command's definition ("add " + query
// + " to " + watch), for the history and logs. Values are not quoted;
// runs of white space, newlines included, become one space. When the
// user's client is Korean the words are the core's Korean ones ("추가"),
// so the reply is Korean too.
//
// The interaction is untrusted input: anything but a /news subcommand
// defined by subcommands() (missing data, an empty or unknown subcommand
// name, null options) is refused, options of other types and unknown
// names are ignored, and a value longer than its option's limit is
// refused rather than cut.
func parseInteraction(i *discordgo.Interaction) (command.Request, string) {
	if i == nil || i.Type != discordgo.InteractionApplicationCommand {
		return command.Request{}, unknownCommandText
	}
	ko := i.Locale == korean
	unknown := unknownCommandText
	if ko {
		unknown = unknownCommandTextKo
	}
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name != commandName || len(data.Options) == 0 || data.Options[0] == nil {
		return command.Request{}, unknown
	}
	first := data.Options[0]
	words, given := first.Name, first.Options
	if first.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
		if len(first.Options) == 0 || first.Options[0] == nil {
			return command.Request{}, unknown
		}
		words += " " + first.Options[0].Name
		given = first.Options[0].Options
	}
	idx := slices.IndexFunc(subcommands(), func(sc subcommand) bool { return sc.words == words })
	if idx < 0 {
		return command.Request{}, unknown
	}
	sc := subcommands()[idx]
	values := map[string]string{}
	for _, o := range given {
		if o == nil {
			continue
		}
		if v, ok := o.Value.(string); ok {
			values[o.Name] = strings.Join(strings.Fields(v), " ")
		}
	}
	text, args := words, map[string]string{}
	if ko {
		text = sc.ko
	}
	for _, o := range sc.opts {
		v := values[o.name]
		if v == "" {
			continue
		}
		if utf8.RuneCountInString(v) > o.maxLen {
			if ko {
				return command.Request{}, fmt.Sprintf(tooLongTextKo, o.ko, o.maxLen)
			}
			return command.Request{}, fmt.Sprintf(tooLongText, o.name, o.maxLen)
		}
		sep := o.sep
		if o.key() == command.ArgDuration && (v[0] < '0' || v[0] > '9') {
			sep = " " // already phrased: "until 09:00", "for 2h"
		}
		text += sep + v
		args[o.key()] = v
	}
	req := command.Request{Platform: Platform, ChannelID: i.ChannelID, Text: text, Args: args}
	setUser(&req, i)
	return req, ""
}

// setUser fills in who sent interaction i: the member's user (in a
// server) or the user (in a DM), the member's roles, and a display name
// (nickname, global name or user name, cut to maxUserName).
func setUser(req *command.Request, i *discordgo.Interaction) {
	user := i.User
	if i.Member != nil {
		req.Roles = i.Member.Roles
		if i.Member.User != nil {
			user = i.Member.User
		}
		req.UserName = i.Member.Nick
	}
	if user != nil {
		req.User = user.ID
		if req.UserName == "" {
			req.UserName = user.GlobalName
		}
		if req.UserName == "" {
			req.UserName = user.Username
		}
	}
	req.UserName = notify.Truncate(req.UserName, maxUserName)
}
