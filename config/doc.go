// Package config loads the watchlist: the YAML file that lists the feeds to
// read, the channels to post to and the keyword watches that connect them.
//
// [Parse] decodes strictly and reports every problem at once, in file order,
// each as "FILE:LINE:COL: path.to.field: message" ([Errors]): unknown or
// duplicate keys, wrong types, duplicate names, references to undefined
// feeds or channels, bad durations, URLs, time zones, times of day, days
// and keyword queries. Problems that do not stop loading, such as a poll
// interval under a minute, are kept in [Config.Warnings].
//
// Text values may refer to the environment as ${NAME}; a variable that is
// not set is an error. Write $$ for a literal dollar sign before a brace
// ("$${" stays "${"); a $ not followed by { or $ is kept as it is.
//
// [Validate] adds the rules that need the environment the bot runs in (a
// channel that posts as the bot needs its token, …), taken as an injected
// lookup;
// `check`, `run`, reloads and chat edits all validate through it, so they
// agree. [Parse] checks the file on its own.
//
// [Editor] changes the file in place for chat commands. It writes every
// value literally (a $ as $$), so chat text is never an environment
// reference, validates the result with Validate before writing, and
// serializes edits across goroutines and processes with an advisory lock.
//
// After loading every default is applied: timezone UTC, poll interval 5m,
// timeout 20s, max_bytes 10 MiB, concurrency 8, per_host 2, story_window
// 24h; each feed inherits the poll interval and timeout, a google_news feed
// gets its search URL. A channel block's own defaults are its type's.
//
// Channel types are not named here: each is a package (under bot/) that
// registers a [Receiver] from its init function, which decodes its block
// (reporting problems through a [Block], with positions), names the
// environment it needs, writes the block back for chat edits, binds chat
// channels and describes itself in the schema. Importing the package is
// what makes the type known.
//
// watchlist.schema.json is generated from the Go types and the
// registered channel types' schema fragments (go generate) and
// describes the same file for editors; watchlist.example.yaml is a
// commented starting point.
package config

//go:generate go run ./internal/gen-schema
