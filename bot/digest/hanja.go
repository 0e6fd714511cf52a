package digest

import (
	"strings"
	"unicode/utf8"
)

// hanjaReadings are the one-character Hanja abbreviations of Korean
// headlines with their Hangul readings: the word a character stands for
// when it stands alone (北 북한, 尹 윤석열, 與 여당), and its syllable when it
// is part of a compound of such characters (北美 북미, 韓日 한일, 與野 여야,
// 訪中 방중), as the same compound is spelled in Hangul. Only the
// abbreviations of established use are listed: countries, the parties,
// the presidential office and the state bodies, the presidents named by
// one character, and the prefixes of titles and names (前 장관, 故 아무개).
var hanjaReadings = map[rune]struct{ word, syllable string }{
	// countries and the two Koreas
	'北': {"북한", "북"}, '南': {"남한", "남"}, '韓': {"한국", "한"}, '美': {"미국", "미"},
	'中': {"중국", "중"}, '日': {"일본", "일"}, '英': {"영국", "영"}, '佛': {"프랑스", "불"},
	'獨': {"독일", "독"}, '露': {"러시아", "러"}, '印': {"인도", "인"},
	// presidents named by their surname's character
	'尹': {"윤석열", "윤"}, '文': {"문재인", "문"}, '朴': {"박근혜", "박"}, '李': {"이", "이"},
	// parties, offices and state bodies
	'與': {"여당", "여"}, '野': {"야당", "야"}, '靑': {"청와대", "청"}, '軍': {"군", "군"},
	'檢': {"검찰", "검"}, '警': {"경찰", "경"}, '株': {"주식", "주"},
	// prefixes: 前 장관, 現 정부, 故 아무개, 新 냉전, 對 중국, 發 위기, 非 경찰대,
	// 親 윤석열, 反 이재명, 訪 미국
	'前': {"전", "전"}, '現': {"현", "현"}, '故': {"고", "고"}, '新': {"신", "신"},
	'對': {"대", "대"}, '發': {"발", "발"}, '非': {"비", "비"}, '親': {"친", "친"},
	'反': {"반", "반"}, '訪': {"방", "방"},
	// other characters of headlines: 女 선수, 父 살해, 年 1회, 外 인력, 行
	'女': {"여", "여"}, '父': {"부", "부"}, '年': {"년", "년"}, '外': {"외", "외"},
	'行': {"행", "행"}, '姜': {"강", "강"},
}

// readHanja spells out the Hanja abbreviations of a text in Hangul (see
// hanjaReadings), and reads 북 written alone as a word ("북, 미사일 발사",
// "북 매체") as 북한, as its Hanja 北 is: only 북 between a space or
// punctuation and another space or punctuation, other than the "·" of a
// pair of names (북·미).
func readHanja(s string) string {
	if !strings.Contains(s, "북") {
		ascii := true
		for _, r := range s {
			if _, ok := hanjaReadings[r]; ok {
				ascii = false
				break
			}
		}
		if ascii {
			return s
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	prev := rune(-1)
	for i, r := range s {
		next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
		if i+utf8.RuneLen(r) == len(s) {
			next = -1
		}
		switch h, ok := hanjaReadings[r]; {
		case ok && (isHanjaAbbr(prev) || isHanjaAbbr(next)):
			b.WriteString(h.syllable)
		case ok:
			b.WriteString(h.word)
		case r == '북' && !isLetterOrDigit(prev) && !isLetterOrDigit(next) && prev != '·' && next != '·' && next != -1:
			b.WriteString("북한")
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// isHanjaAbbr reports whether r is one of hanjaReadings: next to another,
// it is read as a syllable of a compound.
func isHanjaAbbr(r rune) bool {
	_, ok := hanjaReadings[r]
	return ok
}

// dayCounts writes the native Korean counts of days as figures (이틀 연속
// as 2일 연속, 사흘째 as 3일째), so two days of a daily count ("이틀 연속
// … '0'명" and "사흘째 … '0'명") give different figures, as "2일째" and
// "3일째" do. 하루 is left as it is: it says "a day" or "daily" more often
// than it counts one.
var dayCounts = strings.NewReplacer("이틀", "2일", "사흘", "3일", "나흘", "4일", "닷새", "5일", "엿새", "6일", "열흘", "10일")
