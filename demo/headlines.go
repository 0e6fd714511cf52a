package demo

// Headline is one story of the replay.
type Headline struct {
	// Lang is "ko" (served in the RSS feed) or "en" (in the Atom feed).
	Lang  string
	Title string
	Body  string
}

// DefaultInitial is how many headlines newshound demo publishes before
// the bot's first poll: the bot records them without alerting, as it does
// with the existing items of every new feed.
const DefaultInitial = 6

// Headlines returns the replay, in publishing order: Korean and English
// headlines and bodies written for the demo in the style of a news wire
// (none of them is real reporting). A few carry the example watchlist's
// keywords (오픈소스, 트럼프, "AI 국가안보각서"; "open source", Linux,
// "AI Action Plan"), with particles, spacing variants and an excluded
// word, and the first one after [DefaultInitial] matches, so the first
// alert comes with the first new headline.
func Headlines() []Headline {
	return []Headline{
		// Published before the first poll: recorded, never alerted.
		{"ko", "수도권 출근길 영하권 추위…서해안 최대 5㎝ 눈",
			"기상청은 내일 아침 서울의 최저기온이 영하 4도까지 떨어지고 충남 서해안에는 최대 5㎝의 눈이 쌓이겠다고 예보했다. 출근길 빙판길 사고에 유의해야 한다."},
		{"en", "Chipmakers brace for another quarter of tight memory supply",
			"Memory makers told investors that demand from data-centre customers would keep supply tight into next year, as contract prices for server memory rose for a fourth straight quarter."},
		{"ko", "트럼프 행정부, 반도체 장비 수출 통제 추가 검토…업계 긴장",
			"미국 정부가 첨단 반도체 장비의 수출 통제 대상을 넓히는 방안을 검토하고 있는 것으로 알려졌다. 국내 업계는 현지 공장 운영에 미칠 영향을 점검하고 있다."},
		{"ko", "서울시, 심야 자율주행 버스 노선 3개로 늘린다",
			"서울시는 시범 운행 중인 심야 자율주행 버스 노선을 다음 달부터 3개로 확대한다고 밝혔다. 요금은 당분간 무료로 유지된다."},
		{"en", "European regulators open consultation on cloud switching fees",
			"The consultation asks whether fees charged to customers moving data between cloud providers should be capped, and closes at the end of next month."},
		{"ko", "스타트업 투자 3분기 연속 감소…AI 분야만 늘어",
			"중소벤처기업부 집계에 따르면 3분기 벤처 투자액은 지난해 같은 기간보다 12% 줄었다. 인공지능 분야 투자만 유일하게 증가했다."},

		// Published one every few seconds after the first poll.
		{"ko", "정부, 공공기관 소프트웨어 도입 때 오픈소스 우선 검토 의무화",
			"과학기술정보통신부는 공공기관이 새 소프트웨어를 도입할 때 오픈소스를 먼저 검토하도록 하는 지침 개정안을 행정예고했다. 보안 점검 절차도 함께 마련한다."},
		{"en", "Airline grounds flights for three hours after a failed software update",
			"The carrier said a routine update to its crew-scheduling system failed overnight, delaying more than 200 departures before a rollback restored service."},
		{"ko", "트럼프 관세 발언에 반도체 주가 일제히 하락",
			"미국 대통령의 추가 관세 언급 이후 코스피 반도체 대형주가 3% 안팎 하락했다. 외국인 투자자는 이날 4천억원어치를 순매도했다."},
		{"en", "New Linux kernel release speeds up boot on Arm laptops",
			"The release adds support for several Arm-based laptops and cuts boot times by up to a third, according to the maintainers' announcement."},
		{"ko", "한은, 기준금리 동결…\"물가 경로 불확실성 여전\"",
			"한국은행 금융통화위원회는 기준금리를 연 3.0%로 유지했다. 위원회는 환율과 국제유가의 변동성이 커 물가 경로의 불확실성이 여전하다고 밝혔다."},
		{"ko", "백악관 'AI 국가안보각서' 후속 지침 공개…동맹국 협력 강조",
			"백악관은 AI 국가안보각서의 후속 이행 지침을 공개하고 동맹국과의 연구 협력과 첨단 반도체 공급망 공조를 강조했다. 정부는 세부 내용을 분석 중이다."},
		{"en", "City council votes to publish its transport data under an open licence",
			"Timetables, live bus positions and cycle-lane counts will be released under an open licence from January, the council said after a unanimous vote."},
		{"ko", "국내 포털, 사내 형태소 분석기 오픈소스로 공개",
			"한 국내 포털 기업이 검색 서비스에 써 온 한국어 형태소 분석기를 오픈소스로 공개했다. 연구자와 개발자가 자유롭게 수정하고 배포할 수 있다."},
		{"en", "Regulators question cloud giants over AI chip deals",
			"Competition authorities sent questionnaires to three cloud providers about exclusive supply agreements for accelerator chips signed this year."},
		{"ko", "전기차 화재 대응 매뉴얼 개정…지하주차장 진압 장비 의무화",
			"소방청은 전기차 화재 대응 매뉴얼을 개정해 대형 지하주차장에 질식소화포와 이동식 수조를 갖추도록 했다."},
		{"en", "White House publishes progress report on the AI Action Plan",
			"The report lists the actions completed under the AI Action Plan so far, including new guidance for federal agencies buying AI systems."},
		{"ko", "트럼프가 언급한 '동맹 비용 분담'…외교부 \"긴밀히 협의 중\"",
			"외교부는 방위비 분담 문제와 관련해 미국 측과 긴밀히 협의하고 있다며 구체적인 액수는 정해진 바 없다고 밝혔다."},
		{"ko", "수능 영어 절대평가 개편안 공청회 열려",
			"교육부는 수능 영어 영역 평가 방식 개편안을 두고 공청회를 열었다. 현행 9등급 절대평가를 유지하되 문항 구성을 바꾸는 방안이 논의됐다."},
		{"en", "Open-source maintainers warn of burnout as funding stalls",
			"A survey of more than 1,000 maintainers found that most work unpaid, and nearly half have considered stepping away from their projects in the past year."},
		{"ko", "국방부, AI국가안보각서 관련 한미 실무협의 진행",
			"국방부는 미국의 AI국가안보각서 이행과 관련해 한미 국방 당국 간 실무협의를 진행했다고 밝혔다. 인공지능 무기체계의 시험·평가 기준이 주요 의제였다."},
		{"en", "Storm knocks out power to 40,000 homes along the coast",
			"Utility crews were working through the night to restore power after gusts of up to 110 km/h brought down lines across the region."},
		{"ko", "K-콘텐츠 수출 역대 최대…게임이 절반 차지",
			"문화체육관광부에 따르면 지난해 콘텐츠 수출액이 역대 최대를 기록했다. 품목별로는 게임이 절반가량을 차지했다."},
		{"en", "Retailers report strong holiday sales despite higher prices",
			"Sales in the six weeks to the end of December rose 4% on the year, an industry group said, with online orders growing fastest."},
		{"ko", "오픈소스 공급망 보안 가이드라인 나왔다…\"구성요소 목록 관리해야\"",
			"정부가 오픈소스 소프트웨어 공급망 보안 가이드라인을 발표했다. 기업은 사용하는 구성요소 목록(SBOM)을 만들고 취약점 공지를 추적해야 한다."},
		{"en", "Agencies told to inventory their Linux servers after a critical flaw",
			"The cybersecurity agency gave departments two weeks to list every Linux server exposed to the internet and apply the vendor patches."},
		{"ko", "국내 연구진, 상온에서 작동하는 고효율 태양전지 개발",
			"국내 연구진이 상온 공정으로 만들 수 있는 페로브스카이트 태양전지를 개발했다. 변환 효율은 25%를 넘었다."},
		{"en", "Streaming service raises prices for the second time this year",
			"Subscribers will pay about 10% more from next month; the company said the increase would fund more local productions."},
		{"ko", "트럼프, 한국산 세탁기 관세 재검토 지시",
			"미국 대통령이 수입 세탁기에 대한 관세를 재검토하라고 지시했다. 업계는 현지 생산 비중이 높아 영향이 제한적일 것으로 보고 있다."},
		{"ko", "프로야구 포스트시즌 입장권 10분 만에 매진",
			"한국시리즈 1·2차전 입장권이 예매 시작 10분 만에 모두 팔렸다. 암표 거래 단속도 강화된다."},
		{"en", "Satellite start-up launches 12 small satellites on a shared rocket",
			"The company said all twelve satellites had made contact with ground stations and would begin imaging services next spring."},
		{"ko", "공정위, 온라인 플랫폼 자사우대 제재 착수",
			"공정거래위원회는 검색 결과에서 자사 상품을 우선 노출한 혐의로 온라인 플랫폼 2곳에 심사보고서를 보냈다."},
		{"en", "Browser maker moves its rendering engine to an open source foundation",
			"The engine will be governed by an independent foundation, which the company said would let other vendors contribute on equal terms."},
		{"ko", "의대 정원 조정 협의체 다음 주 첫 회의",
			"정부와 의료계, 환자단체가 참여하는 협의체가 다음 주 첫 회의를 열고 논의 일정을 정한다."},
		{"en", "Bank fined for failing to report suspicious transfers",
			"The regulator said the bank's monitoring system missed thousands of transfers over three years because of a misconfigured threshold."},
		{"ko", "정부 'AI 국가안보각서' 대응 TF 출범…R&D·수출통제 점검",
			"정부는 미국의 AI 국가안보각서에 대응하는 범부처 태스크포스를 출범했다. TF는 연구개발(R&D) 협력과 수출통제 영향을 점검한다."},
		{"en", "Smartphone shipments rise for the first time in two years",
			"Shipments grew 3% in the quarter, led by mid-range models, according to an industry tracker."},
		{"ko", "고속철 신규 노선 2030년 개통 목표…예타 면제 추진",
			"국토교통부는 지방 거점 도시를 잇는 고속철 신규 노선을 2030년까지 개통하는 것을 목표로 예비타당성 조사 면제를 추진한다."},
		{"en", "Researchers find a decade-old bug in a widely used Linux utility",
			"The flaw, present since 2014, could let a local user read files they should not; fixed packages are available for the major distributions."},
		{"ko", "트럼프 발언 여파…원·달러 환율 1,400원대 재진입",
			"원·달러 환율이 미국 대통령의 통상 관련 발언 이후 1,400원대로 올라섰다. 외환당국은 시장 상황을 면밀히 지켜보겠다고 밝혔다."},
	}
}
