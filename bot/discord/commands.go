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

// option is a typed string option of a subcommand. Its name is the
// command core's key in Request.Args, where its value goes. In the text
// form (Request.Text, for the history and logs) it follows sep: "add
// <query> to <watch>" has query after " " and watch after " to ".
type option struct {
	name, desc string
	required   bool
	maxLen     int
	sep        string
}

// subcommand is one command word ("add") or a word in a group ("feed
// add").
type subcommand struct {
	words string
	desc  string
	opts  []option
}

// subcommands lists /news in the order Discord shows it; Commands and the
// interaction mapping are both built from it.
func subcommands() []subcommand {
	query := option{command.ArgQuery, "Keyword query, e.g. 반도체 or \"HBM\"", true, 200, " "}
	watch := option{command.ArgWatch, "Watch name", false, 100, " to "}
	target := option{command.ArgTarget, "A query or a watch name", true, 200, " "}
	return []subcommand{
		{"help", "Show what /news can do", nil},
		{"list", "List watches and their queries", nil},
		{"add", "Watch a keyword query", []option{query, watch}},
		{"remove", "Stop watching a query", []option{query, {command.ArgWatch, "Watch name", false, 100, " from "}}},
		{"feeds", "List the feeds", nil},
		{"feed add", "Add a feed", []option{{command.ArgURL, "Feed URL (RSS, Atom or JSON Feed)", true, 2048, " "}, {command.ArgName, "Short name for the feed", false, 100, " "}}},
		{"feed remove", "Remove a feed", []option{{command.ArgName, "Feed name", true, 100, " "}}},
		{"mute", "Mute a query or watch", []option{target, {command.ArgDuration, "For how long, e.g. 2h or 1d", false, 32, " for "}}},
		{"unmute", "Unmute a query or watch", []option{target}},
		{"test", "Show which watches a text or URL would match", []option{{command.ArgText, "Text or URL to test", true, 2000, " "}}},
		{"recent", "Show recent matches", []option{{command.ArgQuery, "Only matches of this query", false, 200, " "}}},
		{"digest", "Send the pending digest now", nil},
		{"status", "Show feed and delivery status", nil},
		{"history", "Show recent watchlist edits", nil},
	}
}

// Commands returns the /news application command: one subcommand per
// command word, "feed add" and "feed remove" in the subcommand group
// "feed", each with typed string options.
func Commands() []*discordgo.ApplicationCommand {
	root := &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        commandName,
		Description: "Watch news feeds for keywords",
	}
	groups := map[string]*discordgo.ApplicationCommandOption{}
	for _, sc := range subcommands() {
		sub := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Description: sc.desc}
		for _, o := range sc.opts {
			sub.Options = append(sub.Options, &discordgo.ApplicationCommandOption{
				Type:        discordgo.ApplicationCommandOptionString,
				Name:        o.name,
				Description: o.desc,
				Required:    o.required,
				MaxLength:   o.maxLen,
			})
		}
		group, name, ok := strings.Cut(sc.words, " ")
		if !ok {
			sub.Name = group
			root.Options = append(root.Options, sub)
			continue
		}
		sub.Name = name
		g := groups[group]
		if g == nil {
			g = &discordgo.ApplicationCommandOption{
				Type:        discordgo.ApplicationCommandOptionSubCommandGroup,
				Name:        group,
				Description: "Manage " + group + "s",
			}
			groups[group] = g
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

// Answers to interactions that are not a usable /news command.
const (
	unknownCommandText = "Unknown command. Try /news help."
	tooLongText        = "The %s option is too long (at most %d characters)."
)

// maxUserName bounds the display name taken from an interaction.
const maxUserName = 100

// parseInteraction maps a /news interaction to a command core request, or
// returns the reason (for the user) why it cannot. Args holds each given
// option of the subcommand by name (never nil), so the core need not
// split the text; Text is the command words, then each given option after
// its separator, in the order of the command's definition ("add " + query
// + " to " + watch), for the history and logs. Values are not quoted;
// runs of white space, newlines included, become one space.
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
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name != commandName || len(data.Options) == 0 || data.Options[0] == nil {
		return command.Request{}, unknownCommandText
	}
	first := data.Options[0]
	words, given := first.Name, first.Options
	if first.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
		if len(first.Options) == 0 || first.Options[0] == nil {
			return command.Request{}, unknownCommandText
		}
		words += " " + first.Options[0].Name
		given = first.Options[0].Options
	}
	idx := slices.IndexFunc(subcommands(), func(sc subcommand) bool { return sc.words == words })
	if idx < 0 {
		return command.Request{}, unknownCommandText
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
	for _, o := range sc.opts {
		v := values[o.name]
		if v == "" {
			continue
		}
		if utf8.RuneCountInString(v) > o.maxLen {
			return command.Request{}, fmt.Sprintf(tooLongText, o.name, o.maxLen)
		}
		text += o.sep + v
		args[o.name] = v
	}
	req := command.Request{Platform: "discord", ChannelID: i.ChannelID, Text: text, Args: args}
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
	return req, ""
}
