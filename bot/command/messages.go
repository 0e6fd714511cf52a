package command

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// lang is the language of a reply: the language of the command word used.
type lang int

const (
	english lang = iota
	korean
)

// messages holds every reply text, English then Korean, by key.
var messages = map[string][2]string{
	"denied":       {"Only watchlist admins can do that.", "워치리스트 관리자만 할 수 있습니다."},
	"internal":     {"Something went wrong; the details are in the bot's log.", "문제가 생겼습니다. 자세한 내용은 봇 로그에 있습니다."},
	"unknown":      {"I don't know %s. Try `/news help`.", "%s 명령은 없습니다. `/news 도움말`을 보세요."},
	"unknown_hint": {"I don't know %s. Did you mean %s? Try `/news help`.", "%s 명령은 없습니다. 혹시 %s인가요? `/news 도움말`을 보세요."},
	"did_you_mean": {" Did you mean %s?", " 혹시 %s인가요?"},
	"usage":        {"Usage: %s", "사용법: %s"},
	"bad_query":    {"That query is not valid: %s", "검색어가 올바르지 않습니다: %s"},
	"no_watch":     {"There is no watch named %[1]s, so I changed nothing.%[2]s Watches: %[3]s. (Quote a query that contains “to” or “from”.)", "%[1]s 워치가 없어 아무것도 바꾸지 않았습니다.%[2]s 워치: %[3]s. (검색어에 “to”나 “from”이 있으면 따옴표로 감싸세요.)"},
	"typed_sep":    {"I changed nothing: the query ends in “%[1]s %[2]s”, and %[2]s looks like the watch *%[3]s*. To use that watch, give it in the watch option; if “%[1]s” belongs to the query, put the query in quotes.", "아무것도 바꾸지 않았습니다. 검색어가 “%[1]s %[2]s”(으)로 끝나는데, %[2]s는 *%[3]s* 워치 이름 같습니다. 그 워치라면 watch 항목에 적고, “%[1]s”가 검색어의 일부라면 검색어를 따옴표로 감싸세요."},
	"added":        {"Added %[1]s to *%[2]s*. New items that match go to %[3]s.", "*%[2]s*에 %[1]s 추가했습니다. 새 기사부터 %[3]s(으)로 알립니다."},
	"added_new":    {"Created watch *%[2]s* for this channel with %[1]s. New items that match are posted here.", "이 채널용 워치 *%[2]s*를 만들고 %[1]s 추가했습니다. 새 기사부터 여기에 알립니다."},
	"dup_query":    {"*%s* already has %s.", "*%s*에 이미 %s 있습니다."},
	"many_watches": {"Several watches post here (%s); say which one: `%s`.", "이 채널에는 워치가 여러 개 있습니다(%s). 이렇게 지정하세요: `%s`."},
	"no_channel":   {"This channel is not in the watchlist; name a watch: `%s`.", "이 채널은 워치리스트에 없습니다. 워치를 지정하세요: `%s`."},
	"no_bot_token": {"This channel is not in the watchlist, and the bot has no %[1]s to post here, so I did not add it. Add the query to a watch instead: `%[2]s` (watches: %[3]s), or ask the bot's operator to set %[1]s. (If alerts reach this channel by webhook, set chat_channel on that channel in the watchlist.)", "이 채널은 워치리스트에 없고 봇에 여기로 보낼 %[1]s 값이 없어 추가하지 않았습니다. 대신 워치를 지정하세요: `%[2]s` (워치: %[3]s). 또는 봇 운영자에게 %[1]s 설정을 요청하세요. (이 채널에 웹훅으로 알림이 온다면 워치리스트의 그 채널에 chat_channel을 적으세요.)"},
	"w_no_chan":    {"I can't tell which chat channel this is, so I created no watch; run `watch add` in the channel the watch should post to.", "어느 채팅 채널인지 알 수 없어 워치를 만들지 않았습니다. 워치가 알림을 보낼 채널에서 `워치 추가`를 하세요."},
	"w_no_token":   {"This channel is not in the watchlist, and the bot has no %[1]s to post here, so I created no watch. If alerts reach this channel by webhook, set chat_channel on that channel in the watchlist; or ask the bot's operator to set %[1]s.", "이 채널은 워치리스트에 없고 봇에 여기로 보낼 %[1]s 값이 없어 워치를 만들지 않았습니다. 이 채널에 웹훅으로 알림이 온다면 워치리스트의 그 채널에 chat_channel을 적으세요. 또는 봇 운영자에게 %[1]s 설정을 요청하세요."},
	"w_exists":     {"There is already a watch named *%[1]s*; add a query to it with `add <query> to %[1]s`.", "*%[1]s* 워치가 이미 있습니다. 검색어는 `추가 <검색어> to %[1]s`로 더하세요."},
	"w_name_q":     {" Its name is its first query; add more with `add <query> to %s`.", " 이름을 첫 검색어로 썼습니다. 검색어는 `추가 <검색어> to %s`로 더하세요."},
	"w_gone":       {"Removed watch *%[1]s* (its queries were %[2]s).", "*%[1]s* 워치를 삭제했습니다(검색어: %[2]s)."},
	"w_gone_else":  {" It posted to %s, which no longer get its alerts.", " 이 워치가 알림을 보내던 %s 채널에도 더는 알림이 가지 않습니다."},
	"w_unbound":    {"*%[1]s* no longer posts here. It still posts to %[2]s and keeps running there; to delete it everywhere, run `watch remove %[1]s` there too, or edit the watchlist.", "*%[1]s* 워치는 이제 이 채널로 알리지 않습니다. %[2]s 채널로는 계속 알립니다. 완전히 지우려면 그 채널에서도 `워치 삭제 %[1]s`를 하거나 워치리스트를 고치세요."},
	"mute_lifted":  {" Its mute was lifted.", " 걸려 있던 음소거도 풀었습니다."},
	"removed":      {"Removed %s from *%s*.", "*%[2]s*에서 %[1]s 삭제했습니다."},
	"no_query":     {"No watch has the query %s.", "%s 검색어를 가진 워치가 없습니다."},
	"no_query_in":  {"*%s* has no query %s.", "*%s*에 %s 검색어가 없습니다."},
	"query_many":   {"%s is in several watches (%s); say which one: `%s`.", "%s 검색어가 여러 워치에 있습니다(%s). 이렇게 지정하세요: `%s`."},
	"file_invalid": {"The watchlist file has errors, so I won't edit it until they are fixed:\n%s", "워치리스트 파일에 오류가 있어 고칠 때까지 편집하지 않습니다:\n%s"},
	"edit_invalid": {"Refused: that would make the watchlist invalid:\n%s", "거부했습니다. 워치리스트가 올바르지 않게 됩니다:\n%s"},
	"conflict":     {"The watchlist file is being edited right now; try again in a moment.", "지금 워치리스트 파일이 편집되고 있습니다. 잠시 후 다시 해 보세요."},
	"layout":       {"That part of the watchlist is written in a way I can't edit safely (anchors or merge keys); please edit the file by hand.", "워치리스트의 그 부분은 안전하게 편집할 수 없는 형식(앵커, 병합 키)입니다. 파일을 직접 고쳐 주세요."},
	"not_applied":  {"\nSaved, but the bot could not apply it yet; see `/news status`.", "\n저장했지만 아직 적용하지 못했습니다. `/news 상태`를 보세요."},
	"feed_added":   {"Added feed *%s* (%d items there now; those are not alerted, new ones will be).", "피드 *%s* 추가했습니다(지금 있는 기사 %d개는 알리지 않고, 새 기사부터 알립니다)."},
	"feed_url":     {"That is not an http(s) URL.", "http(s) 주소가 아닙니다."},
	"feed_private": {"Refused: that URL does not lead to a public address.", "거부했습니다. 공개 주소가 아닌 곳을 가리키는 URL입니다."},
	"feed_resolve": {"I couldn't look up that host.", "그 호스트를 찾을 수 없습니다."},
	"feed_http":    {"The server answered HTTP %d.", "서버가 HTTP %d(으)로 응답했습니다."},
	"feed_bad":     {"I couldn't read a feed at that URL.", "그 URL에서 피드를 읽을 수 없습니다."},
	"feed_known":   {"That URL is already polled as *%s*.", "그 URL은 이미 *%s* 피드입니다."},
	"feed_dup":     {"There is already a feed named *%s*.", "*%s* 피드가 이미 있습니다."},
	"feed_removed": {"Removed feed *%s*.", "피드 *%s* 삭제했습니다."},
	"no_feed":      {"There is no feed named *%[1]s*.%[2]s Feeds: %[3]s.", "*%[1]s* 피드가 없습니다.%[2]s 피드: %[3]s."},
	"feed_last":    {"I kept feed *%[1]s*: *%[2]s* reads only that feed, and without it the watch would read every feed. Add another feed to its feeds in the watchlist first (or delete its feeds line, to read every feed), or remove the watch: `watch remove %[2]s`.", "*%[1]s* 피드를 삭제하지 않았습니다. *%[2]s* 워치가 이 피드만 읽는데, 빼면 모든 피드를 읽게 됩니다. 먼저 워치리스트에서 그 워치의 feeds에 다른 피드를 넣거나(모든 피드를 읽으려면 feeds 줄을 지우세요), 워치를 삭제하세요: `워치 삭제 %[2]s`."},
	"feed_left":    {" Also taken out of the feeds of %s.", " %s 워치의 feeds에서도 뺐습니다."},
	"feed_found":   {"That address is a web page; it advertises the feed %s.\n", "그 주소는 웹 페이지이고, 페이지가 알리는 피드 %s를 찾았습니다.\n"},
	"feed_no_link": {"That address is a web page that advertises no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed); give the feed's own address.", "그 주소는 피드를 알리지 않는 웹 페이지입니다(RSS, Atom, JSON Feed를 가리키는 <link rel=\"alternate\">가 없음). 피드 자체의 주소를 주세요."},
	"link_bad":     {"That page advertises %s, but: %s", "그 페이지가 알리는 피드는 %s인데, 문제가 있습니다: %s"},
	"poll_done":    {"Polled *%s* now: %d new items, %d matches (alerts go out with the next delivery).", "*%s* 피드를 지금 읽었습니다: 새 기사 %d개, 일치 %d건(알림은 다음 전송 때 나갑니다)."},
	"poll_fail":    {"Polling *%s* failed: %s", "*%s* 피드를 읽지 못했습니다: %s"},
	"feed_in_use":  {"Feed *%s* is used by %s; take it out of their feeds first.", "*%s* 피드를 %s 워치가 쓰고 있습니다. 먼저 그 워치의 feeds에서 빼 주세요."},
	"no_feeds":     {"No feeds.", "피드가 없습니다."},
	"muted_until":  {"Muted %s until %s.", "%s 알림을 %s까지 끕니다."},
	"muted":        {"Muted %s until you unmute it.", "%s 알림을 해제할 때까지 끕니다."},
	"unmuted":      {"Unmuted %s.", "%s 알림을 다시 켭니다."},
	"not_muted":    {"%s is not muted.", "%s 알림은 꺼져 있지 않습니다."},
	"no_target":    {"No watch or query is called %s.%s See `/news list`.", "%s(이)라는 워치나 검색어가 없습니다.%s `/news 목록`을 보세요."},
	"bad_duration": {"I can't read %[1]s as a time. Write a duration, `30m`, `2h`, `1d` (also `1w`, `1h30m`, `2시간`, `30분`; at most 366 days), or a time of day, `until 09:00` (the next 09:00, %[2]s).", "%[1]s 시간을 알 수 없습니다. `30분`, `2시간`, `1일` 같은 기간(`1주`, `30m`, `2h`, `1d`도 됩니다. 최대 366일)이나 `09:00까지`(`until 09:00`, %[2]s 기준 다음 09:00)처럼 쓰세요."},
	"no_match":     {"No watch matches.", "일치하는 워치가 없습니다."},
	"test_feed":    {"%d of %d items match:", "기사 %[2]d개 중 %[1]d개가 일치합니다:"},
	"test_text":    {"(Not a feed I could read; tested the text.)", "(읽을 수 있는 피드가 아니라서 글자 그대로 시험했습니다.)"},
	"muted_mark":   {" (muted)", " (알림 꺼짐)"},
	"not_bound":    {"No watch posts to this channel. (If alerts reach it by webhook, set chat_channel on that channel in the watchlist.)", "이 채널로 알림을 보내는 워치가 없습니다. (웹훅으로 알림이 온다면 워치리스트의 그 채널에 chat_channel을 적으세요.)"},
	"recent_none":  {"Nothing was delivered here yet.", "아직 이 채널로 보낸 알림이 없습니다."},
	"digest_sent":  {"Sent %d pending items.", "대기 중이던 기사 %d개를 보냈습니다."},
	"digest_none":  {"Nothing is pending for this channel.", "이 채널에 대기 중인 기사가 없습니다."},
	"digest_fail":  {"I couldn't send the digest now; it goes out on schedule.", "지금은 다이제스트를 보낼 수 없습니다. 예정된 시간에 보냅니다."},
	"report_sent":  {"Posted the report of the last 7 days here.", "최근 7일 리포트를 이 채널에 올렸습니다."},
	"report_fail":  {"I couldn't post the report now; try again later.", "지금은 리포트를 올릴 수 없습니다. 잠시 후 다시 해 보세요."},
	"history_none": {"No edits yet.", "아직 편집 기록이 없습니다."},
	"no_change":    {"Nothing changed.", "바뀐 것이 없습니다."},
	"none":         {"none", "없음"},
	"all_feeds":    {"all", "전체"},
	"instant":      {"instant", "즉시"},
	"until_unmute": {"until unmuted", "해제할 때까지"},
	"never":        {"never", "없음"},
	"ago":          {"%s ago", "%s 전"},
	"l_queries":    {"queries", "검색어"},
	"l_exclude":    {"exclude", "제외"},
	"l_feeds":      {"feeds", "피드"},
	"l_channels":   {"to", "채널"},
	"l_schedule":   {"schedule", "일정"},
	"l_muted":      {"muted", "알림 꺼짐"},
	"l_here":       {" (here)", " (이 채널)"},
	"feed_ok":      {"*%s*: ok %s, %d items seen", "*%s*: 정상 %s, 기사 %d개"},
	"feed_fail":    {"*%s*: failing (%d in a row): %s; last ok %s; %s", "*%s*: 실패 %d회 연속: %s; 마지막 성공 %s; %s"},
	"next_try":     {"next try %s (in %s)", "다음 시도 %s(%s 후)"},
	"next_now":     {"next try due now", "곧 다시 시도"},
	"next_none":    {"no try scheduled", "예정된 시도 없음"},
	"feed_new":     {"*%s*: not polled yet", "*%s*: 아직 읽지 않음"},
	"st_head":      {"newshound %s, up %s", "newshound %s, 가동 %s"},
	"st_feeds":     {"feeds: %d ok, %d failing", "피드: 정상 %d, 실패 %d"},
	"st_failing":   {"• *%s* (%d in a row): %s", "• *%s*(%d회 연속 실패): %s"},
	"st_pending":   {"pending: %s", "대기: %s"},
	"st_next":      {"next digest: %s", "다음 다이제스트: %s"},
	"st_config":    {"watchlist errors (the last good version keeps running):\n%s", "워치리스트 오류(마지막 정상 버전으로 동작 중):\n%s"},
	"st_config_ok": {"watchlist: ok", "워치리스트: 정상"},
	"st_removed":   {"channel not in the watchlist", "워치리스트에 없는 채널"},

	// Button actions.
	"action_unknown":           {"That alert is no longer known here.", "이 알림은 더 이상 찾을 수 없습니다."},
	"action_muted_story":       {"Muted this story in %s: no more updates of it.", "%s에서 이 기사 묶음을 음소거했습니다. 더는 갱신하지 않습니다."},
	"action_not_relevant":      {"Noted as not relevant to %s. Exclude one of its words from the watch?", "%s에 맞지 않는 기사로 기록했습니다. 이 단어를 워치에서 제외할까요?"},
	"action_not_relevant_none": {"Noted as not relevant to %s.", "%s에 맞지 않는 기사로 기록했습니다."},
	"action_vote_failed":       {"I couldn't record your vote that this is not relevant to %s; the details are in the bot's log.", "%s에 맞지 않는 기사라는 표시를 기록하지 못했습니다. 자세한 내용은 봇 로그에 있습니다."},
	"action_still_exclude":     {" You can still exclude one of its words:", " 이 단어를 제외할 수는 있습니다:"},
	"action_excluded":          {"%s is excluded from %s.", "%s을(를) %s에서 제외합니다."},
}

// help is the reply to "help", one line per command word.
var help = [2]string{
	"*/news* commands:\n" +
		"`list`: watches, queries, feeds, channels, schedules, mutes\n" +
		"`add <query> [to <watch>]`: e.g. `add 반도체 to ai-policy`, `add \"AI 국가안보각서\"`\n" +
		"`remove <query> [from <watch>]`: e.g. `remove HBM from chips`\n" +
		"`watch add <name> [query]`: a new watch posting here; `watch remove <name>`\n" +
		"`feeds`: feed health; `feed add <url or web page> [name]`; `feed remove <name>`; `poll <feed>`: read a feed now\n" +
		"`mute <query|watch> [for <duration>|until <HH:MM>]`: e.g. `mute chips for 2h`, `mute chips until 09:00`; `unmute <query|watch>`\n" +
		"`test <text or feed URL>`: which watches match and why\n" +
		"`recent [query]`: the last 10 alerts in this channel\n" +
		"`digest`: send this channel's pending digest now\n" +
		"`report`: post the report of the last 7 days here (matches per day with a chart, top stories, busiest outlets)\n" +
		"`status`: version, uptime, feeds, pending, next digests, watchlist errors\n" +
		"`history`: the last watchlist edits",
	"*/news* 명령:\n" +
		"`목록`: 워치, 검색어, 피드, 채널, 일정, 알림 끄기\n" +
		"`추가 <검색어> [to <워치>]`: 예) `추가 반도체 to ai-policy`, `추가 \"AI 국가안보각서\"`\n" +
		"`삭제 <검색어> [from <워치>]`: 예) `삭제 HBM from chips`\n" +
		"`워치 추가 <이름> [검색어]`: 이 채널로 알리는 새 워치; `워치 삭제 <이름>`\n" +
		"`피드`: 피드 상태; `피드 추가 <url 또는 웹 페이지> [이름]`; `피드 삭제 <이름>`; `폴링 <피드>`(`수집`): 피드를 지금 읽기\n" +
		"`음소거 <검색어|워치> [2시간 동안|09:00까지]`: 예) `음소거 chips 2시간`, `음소거 chips 09:00까지`; `해제 <검색어|워치>`\n" +
		"`테스트 <글 또는 피드 URL>`: 어떤 워치가 왜 일치하는지\n" +
		"`최근 [검색어]`: 이 채널의 최근 알림 10개\n" +
		"`다이제스트`: 이 채널의 대기 중인 다이제스트를 지금 보내기\n" +
		"`리포트`: 최근 7일 리포트(일별 건수 차트, 주요 기사, 많이 보도한 언론사)를 이 채널에 올리기\n" +
		"`상태`: 버전, 가동 시간, 피드, 대기, 다음 다이제스트, 워치리스트 오류\n" +
		"`기록`: 최근 워치리스트 편집",
}

// usages are shown when a word's arguments are missing or malformed.
var usages = map[string][2]string{
	"add":          {"`add <query> [to <watch>]`", "`추가 <검색어> [to <워치>]`"},
	"remove":       {"`remove <query> [from <watch>]`", "`삭제 <검색어> [from <워치>]`"},
	"feed":         {"`feed add <url> [name]` or `feed remove <name>`", "`피드 추가 <url> [이름]` 또는 `피드 삭제 <이름>`"},
	"feed add":     {"`feed add <url or web page> [name]`", "`피드 추가 <url 또는 웹 페이지> [이름]`"},
	"feed remove":  {"`feed remove <name>`", "`피드 삭제 <이름>`"},
	"mute":         {"`mute <query|watch> [for <duration>|until <HH:MM>]`, e.g. `for 30m`, `for 2h`, `for 1d`, `until 09:00`", "`음소거 <검색어|워치> [30분|2시간|1일|09:00까지]`"},
	"watch":        {"`watch add <name> [query]` or `watch remove <name>`", "`워치 추가 <이름> [검색어]` 또는 `워치 삭제 <이름>`"},
	"watch add":    {"`watch add <name> [query]`", "`워치 추가 <이름> [검색어]`"},
	"watch remove": {"`watch remove <name>`", "`워치 삭제 <이름>`"},
	"poll":         {"`poll <feed>`", "`폴링 <피드>`"},
	"unmute":       {"`unmute <query|watch>`", "`해제 <검색어|워치>`"},
	"test":         {"`test <text or feed URL>`", "`테스트 <글 또는 피드 URL>`"},
}

// t formats message key in language l.
func (l lang) t(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		panic("command: no message " + key)
	}
	if len(args) == 0 {
		return m[l]
	}
	return fmt.Sprintf(m[l], args...)
}

func (l lang) usage(word string) string { return l.t("usage", usages[word][l]) }

// code shows user text as inline code.
func code(s string) string {
	return "`" + strings.ReplaceAll(defang(s), "`", "'") + "`"
}

// defuse makes quoted feed or user text safe in a reply: it cannot ping
// (defang) and the reply markup's characters (\ * `) are escaped, so it
// never formats itself; ParseReply reads it back as literal text.
func defuse(s string) string { return markupEscaper.Replace(defang(s)) }

// markupEscaper escapes the characters of the reply markup.
var markupEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "`", "\\`")

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// defang keeps text from feeds or users from pinging anyone when a reply
// is posted: @everyone/@here/@channel and the <!…>, <@…> and <#…> mention forms.
func defang(s string) string {
	const zw = "\u200b"
	s = strings.NewReplacer("<!", "<"+zw+"!", "<@", "<"+zw+"@", "<#", "<"+zw+"#").Replace(s)
	for _, m := range []string{"@everyone", "@here", "@channel"} {
		s = replaceFold(s, m, "@"+zw+m[1:])
	}
	return s
}

// replaceFold replaces old (lowercase ASCII) in s regardless of case.
func replaceFold(s, old, repl string) string {
	lb := []byte(s)
	for i, c := range lb {
		if c >= 'A' && c <= 'Z' {
			lb[i] = c + 'a' - 'A'
		}
	}
	lower := string(lb)
	var b strings.Builder
	for {
		i := strings.Index(lower, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
