package match

import "github.com/newshound/newshound/feeds"

// ItemDocument is the one place that decides what text of a feed item is
// matched: the whole title and body (summary and content, each once and
// in full; feeds.Item.Body) with the feed's name for source: scopes and
// Rule.Feeds. The poller, `/news test`, `fetch` and `match` all build their
// documents with it, so a query behaves the same everywhere. An item of no
// feed (Feed "": text typed by a person) is tested against every watch,
// whatever its feeds: list.
func ItemDocument(it feeds.Item) Document {
	return Document{Title: it.Title, Body: it.Body(), Source: it.Feed, AnyFeed: it.Feed == ""}
}
