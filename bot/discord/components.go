package discord

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
)

// foreignButtonText answers a click on a component newshound did not make.
const foreignButtonText = "This button is not one of newshound's."

// maxButtons is how many exclude: buttons a reply shows (one action row
// holds five).
const maxButtons = 5

// alertComponents are the buttons under a bot-channel alert whose story
// is outbox row row: Mute story, Not relevant, Mute watch 1 h. Webhook
// messages carry none: Discord allows components only on messages of an
// application.
func alertComponents(row int64) []discordgo.MessageComponent {
	button := func(label, kind string, style discordgo.ButtonStyle) discordgo.MessageComponent {
		return discordgo.Button{Label: label, Style: style, CustomID: command.Action{Kind: kind, Row: row}.String()}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		button("Mute story", command.ActionMuteStory, discordgo.SecondaryButton),
		button("Not relevant", command.ActionNotRelevant, discordgo.SecondaryButton),
		button("Mute watch 1h", command.ActionMuteWatch, discordgo.SecondaryButton),
	}}}
}

// replyComponents renders a reply's buttons as one action row.
func replyComponents(bs []command.Button) []discordgo.MessageComponent {
	if len(bs) == 0 {
		return nil
	}
	var row []discordgo.MessageComponent
	for _, b := range bs[:min(len(bs), maxButtons)] {
		row = append(row, discordgo.Button{Label: plainTrunc(b.Label, 80), Style: discordgo.SecondaryButton, CustomID: b.Value})
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
}

// parseComponent reads a button click: who clicked in which channel and
// the newshound action of the button. Any other interaction, component
// or custom_id is an error.
func parseComponent(i *discordgo.Interaction) (command.Request, command.Action, error) {
	if i == nil || i.Type != discordgo.InteractionMessageComponent {
		return command.Request{}, command.Action{}, errors.New("not a component interaction")
	}
	data, ok := i.Data.(discordgo.MessageComponentInteractionData)
	if !ok || data.ComponentType != discordgo.ButtonComponent {
		return command.Request{}, command.Action{}, errors.New("not a button")
	}
	a, err := command.ParseAction(data.CustomID)
	if err != nil {
		return command.Request{}, command.Action{}, err
	}
	req := command.Request{Platform: Platform, ChannelID: i.ChannelID, Text: "button " + a.Kind}
	setUser(&req, i)
	return req, a, nil
}

// handleComponent answers a button click with an ephemeral reply, within
// deferAfter or deferred like a command.
func (d *dispatcher) handleComponent(ctx context.Context, i *discordgo.Interaction, respond func(*discordgo.InteractionResponse) error) {
	req, a, err := parseComponent(i)
	actor, isActor := d.runner.(command.Actor)
	if err != nil || !isActor {
		reason := "buttons are not handled here"
		if err != nil {
			reason = err.Error()
		}
		d.logger.Info("discord button ignored", "reason", reason)
		d.respond(i, respond, d.message(command.Reply{Text: foreignButtonText}))
		return
	}
	d.logger.Info("discord button", "user", req.User, "action", a.Kind)
	d.answer(ctx, i, respond, func(ctx context.Context) command.Reply { return actor.Act(ctx, req, a) })
}
