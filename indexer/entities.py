"""Who and where: people, places and organisations named in an article, tagged at index time.

Three sources, in this order of trust:
- the newsroom dictionary (indexer/data/newsroom_dict.txt): its nr/ns/nt entries are names;
- patterns: 记者/通讯员 bylines give people; a place word followed by 省/市/县/区/州 … and
  the names of the administrative levels (X省, X市, X县) give places;
- jieba's part-of-speech tags (through rjieba, the same segmenter as the index): nr, ns, nt,
  kept only when they pass the checks below.

The checks exist because the raw tags are noisy (measured on 200 hand-tagged sentences,
docs/entities.md): jieba calls 隆重举行 a person and 西路 a place. A person must be 2–4
characters starting with a common surname (or a transliterated name with a middle dot); a
place must be a dictionary place, end in an administrative suffix, or be a known country or
province-level name; an organisation must be a dictionary or jieba nt word of at least three
characters, or end in a suffix only organisations have. nz (other proper nouns) is left out:
it is mostly events, slogans and products.

Places are shown without a final 省/市 (武汉市 and 武汉 are one place). Entities are tagged in
normalised text (indexer/analysis.normalize), so 人物:钟南山 in a query matches them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from pathlib import Path

import rjieba

from indexer.analysis import DICT_PATH, normalize

ENTITY_TYPES = ("person", "place", "organization")
GAZETTEER = DICT_PATH.parent / "entity_names.txt"

# The 120 most common single-character surnames, and the compound ones still in use.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟"
    "邝栗"
)
COMPOUND_SURNAMES = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"}
# Words jieba tags nr that are not names, seen in news text.
NOT_PEOPLE = {
    "隆重举行", "高度评价", "高质量", "高水平", "高标准", "高新技术", "高峰论坛", "张灯结彩",
    "周年", "周边", "方面", "方式", "方案", "常态", "常委", "金融", "石油", "文明", "文化",
    "明确", "安全", "康复", "严格", "严重", "温暖", "万元", "万人", "于是", "马上", "和平",
    "华人", "华侨", "时间", "时代", "宁静", "齐心", "向前", "应急", "应对", "任务", "成果",
    "解放", "管理", "司机", "连续", "全面", "全国", "尚未", "单位", "邵阳", "江山", "黄金",
    "龙头", "龙舟", "向上", "田间", "史诗", "白天", "冷链", "关键", "车辆", "雷锋精神",
    "贺信", "金白银", "高精尖", "向世卫", "施策", "蓝天", "关怀", "卫星", "华为",
}  # fmt: skip
# Countries and China's province-level names jieba knows only as "ns" (many also as other
# words): accepted as places without a suffix.
KNOWN_PLACES = set(
    [
        "中国",
        "中华人民共和国",
        "北京",
        "天津",
        "上海",
        "重庆",
        "河北",
        "山西",
        "辽宁",
        "吉林",
        "黑龙江",
        "江苏",
        "浙江",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "海南",
        "四川",
        "贵州",
        "云南",
        "陕西",
        "甘肃",
        "青海",
        "台湾",
        "内蒙古",
        "广西",
        "西藏",
        "宁夏",
        "新疆",
        "香港",
        "澳门",
        "美国",
        "英国",
        "法国",
        "德国",
        "日本",
        "韩国",
        "朝鲜",
        "俄罗斯",
        "印度",
        "巴基斯坦",
        "阿富汗",
        "伊朗",
        "伊拉克",
        "叙利亚",
        "以色列",
        "巴勒斯坦",
        "沙特",
        "沙特阿拉伯",
        "阿联酋",
        "土耳其",
        "埃及",
        "南非",
        "尼日利亚",
        "埃塞俄比亚",
        "肯尼亚",
        "巴西",
        "阿根廷",
        "墨西哥",
        "加拿大",
        "澳大利亚",
        "新西兰",
        "意大利",
        "西班牙",
        "葡萄牙",
        "希腊",
        "荷兰",
        "比利时",
        "瑞士",
        "瑞典",
        "挪威",
        "芬兰",
        "丹麦",
        "波兰",
        "乌克兰",
        "白俄罗斯",
        "哈萨克斯坦",
        "乌兹别克斯坦",
        "蒙古",
        "越南",
        "老挝",
        "柬埔寨",
        "泰国",
        "缅甸",
        "马来西亚",
        "新加坡",
        "印度尼西亚",
        "印尼",
        "菲律宾",
        "斯里兰卡",
        "孟加拉国",
        "尼泊尔",
        "也门",
        "卡塔尔",
        "科威特",
        "阿曼",
        "约旦",
        "黎巴嫩",
        "古巴",
        "委内瑞拉",
        "智利",
        "秘鲁",
        "哥伦比亚",
        "塞尔维亚",
        "匈牙利",
        "捷克",
        "奥地利",
        "爱尔兰",
        "冰岛",
        "欧洲",
        "亚洲",
        "非洲",
        "拉美",
        "北美",
        "亚太",
        "东亚",
        "中东",
        "武汉",
        "广州",
        "深圳",
        "南京",
        "杭州",
        "成都",
        "西安",
        "长沙",
        "郑州",
        "济南",
        "沈阳",
        "哈尔滨",
        "长春",
        "石家庄",
        "太原",
        "合肥",
        "南昌",
        "福州",
        "厦门",
        "昆明",
        "贵阳",
        "南宁",
        "兰州",
        "西宁",
        "银川",
        "乌鲁木齐",
        "拉萨",
        "呼和浩特",
        "海口",
        "三亚",
        "苏州",
        "青岛",
        "大连",
        "宁波",
        "无锡",
        "温州",
        "东莞",
        "佛山",
        "珠海",
        "伦敦",
        "巴黎",
        "柏林",
        "莫斯科",
        "东京",
        "首尔",
        "平壤",
        "华盛顿",
        "纽约",
        "新德里",
        "伊斯兰堡",
        "德黑兰",
        "开罗",
        "曼谷",
        "河内",
        "马尼拉",
        "雅加达",
        "悉尼",
    ]
)
# Final characters of place names at the administrative levels (X省 …) and a few feature
# words; a jieba ns word with one of them is taken as a place.
PLACE_SUFFIXES = (
    "省",
    "市",
    "县",
    "区",
    "州",
    "镇",
    "乡",
    "村",
    "旗",
    "盟",
    "岛",
    "湖",
    "江",
    "河",
    "山",
)
ADMIN_SUFFIXES = ("省", "市", "县", "区", "州", "镇", "乡", "村", "旗")
FACILITY_SUFFIXES = ("大桥", "医院", "机场", "广场", "公园", "车站", "港口城")
NOT_PLACES = {
    "大城",
    "偏远",
    "沿海",
    "周边",
    "北方",
    "南方",
    "中华",
    "华夏",
    "西路",
    "东路",
    "南路",
    "北路",
    "中路",
    "大街",
    "内地",
    "两岸",
    "神州",
}
# Organisation words: jieba nt words of three or more characters, and words ending like these.
ORG_SUFFIXES = (
    "委员会", "人民政府", "办公厅", "办公室", "管理局", "集团", "有限公司", "股份公司", "公司",
    "银行", "大学", "学院", "研究院", "研究所", "科学院", "协会", "联合会", "基金会", "商会",
    "总局", "总署", "法院", "检察院", "出版社", "报社", "电视台", "通讯社", "新华社", "书店",
    "组织", "中心", "联盟", "党", "队", "部", "厅", "委", "署", "院", "会",
)  # fmt: skip
# A name right after one of these, or right before one of those, is a person's.
PERSON_TITLES = (
    "记者", "通讯员", "总统", "总理", "主席", "委员长", "部长", "大臣", "书记", "大使", "主任",
    "院士", "教授", "专家", "医生", "医师", "市长", "省长", "县长", "村民", "负责人", "队长",
    "选手", "球员", "总干事", "秘书长", "首相", "国王", "女士", "先生", "董事长", "总经理",
)  # fmt: skip
PERSON_VERBS = ("说", "表示", "指出", "强调", "介绍", "认为", "告诉", "坦言", "回忆", "提醒")
NOT_ORGS = {"中央", "国家", "政府", "党委", "人民", "部门", "机关", "干部", "全部", "内部", "外部",
            "基层", "本部", "局部", "头部", "底部", "东部", "西部", "南部", "北部", "中部", "腹部"}  # fmt: skip

_BYLINE = re.compile(r"(?:记者|通讯员|撰稿|摄影)[:：]?\s*((?:[\u4e00-\u9fff]{2,3}[、，,\s]*){1,6})")
_NOT_NAME_ENDINGS = tuple("感性化界村省市县区乡镇委部厅局办证星书")
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_FOREIGN = re.compile(r"^[\u4e00-\u9fff]{2,6}(?:[·・][\u4e00-\u9fff]{1,6}){1,3}$")
_REGION = re.compile(r"(?:壮族|维吾尔|回族)?自治区$|特别行政区$|特区$")
_TITLE = re.compile(r"《[^》]{0,80}》")
_NOT_CHINA = ("特色", "故事", "梦", "方案", "智慧", "声音")
_LONE_SUFFIXES = {"镇", "乡", "村", "县", "区"}
_ADMIN = re.compile(r"^(.{2,6}?)(省|市)$")
_ADMIN_PART = re.compile(r".{2,8}?(?:自治州|自治区|自治县|省|市|县|区|州|镇|乡|村)")


@dataclass
class Entities:
    """The distinct people, places and organisations of a text, in order of first mention."""

    person: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    organization: list[str] = field(default_factory=list)

    def add(self, kind: str, name: str) -> None:
        values = getattr(self, kind)
        if name and name not in values:
            values.append(name)

    def items(self) -> list[tuple[str, str]]:
        return [(kind, name) for kind in ENTITY_TYPES for name in getattr(self, kind)]


@cache
def dictionary_entities() -> dict[str, str]:
    """The newsroom dictionary's names: normalised word → entity type."""
    kinds = {"nr": "person", "ns": "place", "nt": "organization"}
    found: dict[str, str] = {}
    if not DICT_PATH.exists():
        return found
    for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and not parts[0].startswith("#") and parts[2] in kinds:
            found[normalize(parts[0])] = kinds[parts[2]]
    return found


def canonical_place(name: str) -> str:
    """武汉市 → 武汉, 湖北省 → 湖北, 广西壮族自治区 → 广西, 香港特区 → 香港: one facet
    value for a place however it is written."""
    name = _REGION.sub("", name) if len(name) >= 4 else name
    if name == "中华人民共和国":
        return "中国"
    match = _ADMIN.match(name)
    return match.group(1) if match else name


def is_person(word: str) -> bool:
    """A Chinese name (common surname, 2–3 characters; compound surname, 3–4) or a
    transliterated one with a middle dot (萨迪克·汗)."""
    if word in NOT_PEOPLE:
        return False
    if _FOREIGN.match(word):
        return True
    if not _NAME.match(word) or word.endswith(_NOT_NAME_ENDINGS):
        return False
    if word[:2] in COMPOUND_SURNAMES:
        return len(word) >= 3
    return word[0] in SURNAMES and len(word) <= 3


def is_place(word: str) -> bool:
    if word in NOT_PLACES or len(word) < 2 or word.endswith(FACILITY_SUFFIXES):
        return False
    if word.endswith(GENERIC_PLACE_ENDINGS) or word.startswith(("各", "省市", "周边")):
        return False
    return (
        word in KNOWN_PLACES
        or canonical_place(word) in KNOWN_PLACES
        or (len(word) >= 3 and word.endswith(PLACE_SUFFIXES))
    )


GENERIC_PLACE_ENDINGS = (
    "园区", "先行区", "高新区", "无人区", "深水区", "体验区", "优势区", "开发区", "经开区",
    "城区", "示范区", "试验区", "保护区", "景区", "社区", "片区", "辖区", "山区", "牧区", "库区",
    "灾区", "疫区", "摘帽县", "贫困县", "贫困村", "示范县", "重点县", "城中村", "中心村", "自治县", "乡镇", "城", "亚洲区", "功能区",
    "新区", "湾区", "街区", "园区", "矿区", "校区", "厂区", "市区", "郊区", "林区", "老区",
)  # fmt: skip
GENERIC_PLACE_ENDINGS = tuple(e for e in GENERIC_PLACE_ENDINGS if e not in ("新区", "湾区"))
# Organisation words that name a kind of body, not one body: frequent, so they would fill the
# facet (seen in the top 300 of the 人民日报 corpus).
GENERIC_ORGS = {
    "党组织", "商业银行", "卫生院", "中西部", "国家队", "人民军队", "党工委", "公立医院",
    "法学院", "中医药大学", "镇党委", "上市公司", "团组织", "中医院", "中心医院", "军医大学",
    "交易中心", "农业大学", "联组会", "中医医院", "信息中心", "儿童医院", "京剧院", "理工大学",
    "经济委员会", "商学院", "文学院", "对外部", "全国代表大会", "协商会", "党员大会",
    "社会科学院", "音乐厅", "音乐会", "施工队", "交警大队", "日报社", "工商大学", "国际联盟",
    "参政党", "党代会", "人民代表大会", "人民法院", "人民检察院", "人民银行", "理工学院",
    "国立大学", "中央银行", "民主党", "法律委员会", "财政经济委员会", "农科院", "建设部",
    "社会保障部", "共产党", "人大常委会", "合作社", "居委会", "村委会", "党支部", "党委会",
    "常委会", "代表大会", "中央政治局常委", "中共中央国务院", "管委会", "研究院", "研究所", "科学院", "委员会", "联合会", "工作组",
}  # fmt: skip


def is_organization(word: str) -> bool:
    """jieba's nt words are kept only when they end like an organisation (…部, …大学, …党)
    and are more than that ending: its nt also covers 新格局 and 最大化."""
    if word in NOT_ORGS or word in ORG_SUFFIXES or word in GENERIC_ORGS:
        return False
    return any(word.endswith(end) and len(word) > len(end) for end in ORG_SUFFIXES)


@cache
def _jieba_dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """From jieba's own dictionary, read once per process: (its words tagged nr, its common
    words of two or three characters that are not names). The nr words are mostly not names
    in news text (师生, 史实, 沙特, 李子 …): a name jieba found by itself is trusted more."""
    import jieba

    names, common = set(), set()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            word, _, rest = line.partition(" ")
            if not 2 <= len(word) <= 4:
                continue
            freq, _, tag = rest.strip().partition(" ")
            if tag == "nr":
                names.add(word)
            elif len(word) <= 3 and freq.isdigit() and int(freq) >= COMMON_WORD_FREQUENCY:
                common.add(word)
    return frozenset(names), frozenset(common)


def _common_nr_words() -> frozenset[str]:
    return _jieba_dictionary()[0]


def _is_common_word(word: str) -> bool:
    """A word of jieba's dictionary that is not a name, used often enough to be a word."""
    return word in _jieba_dictionary()[1]


@cache
def gazetteer() -> dict[str, str]:
    """indexer/data/entity_names.txt: names found in the text as they are."""
    found: dict[str, str] = {}
    if GAZETTEER.exists():
        for line in GAZETTEER.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and not line.startswith("#") and parts[1] in ENTITY_TYPES:
                found[normalize(parts[0])] = parts[1]
    return found


_NAME_TAGS = ("nr", "nrfg", "nrt")
COMMON_WORD_FREQUENCY = 300  # jieba's dictionary counts; 时间 is 50k, 素质 6k
_JOIN_TAGS = ("nr", "nrfg", "nrt", "zg", "ng")
_JOIN_TAGS_SET = frozenset(_JOIN_TAGS)


def _merged(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Tokens with a name split by jieba put back together: 王明+峰, 丁+薛祥, 赵苍+璧 (adjacent
    name pieces, at least one tagged nr) become one token tagged "nr?": a candidate to check."""
    join = _JOIN_TAGS_SET
    # Most texts have no two name pieces in a row: return them as they are, untouched.
    if not any(
        a[1] in join and b[1] in join and len(b[0]) <= 2
        for a, b in zip(tokens, tokens[1:], strict=False)
    ):
        return tokens
    out: list[tuple[str, str]] = []
    i, count = 0, len(tokens)
    while i < count:
        word, tag = tokens[i]
        j = i + 1
        if tag in join:
            while j < count and tokens[j][1] in join and len(tokens[j][0]) <= 2:
                j += 1
        if j - i > 1 and any(t in _NAME_TAGS for _, t in tokens[i:j]):
            out.append(("".join(w for w, _ in tokens[i:j]), "nr?"))
        else:
            out.append((word, tag))
        i = j
    return out


def _person(word: str, tag: str, before: str, after: str) -> bool:
    """A name candidate from jieba, checked: a title before it (记者, 总理 …), a verb of
    saying after it, or a list of names (、) around it make it likely; a common word of
    jieba's dictionary (申请书, 白皮书) or a surname glued to a word (段+时间, 高+素质) make it
    unlikely."""
    if not is_person(word) or _is_common_word(word):
        return False
    titled = before.endswith(PERSON_TITLES) or after.startswith(PERSON_VERBS)
    if titled or (len(word) == 3 and "、" in (before, after)):
        return True
    if word in _common_nr_words():
        return False  # jieba's own nr words: 许可证, 师生 … and names that need a title
    if len(word) == 3 and (_is_common_word(word[1:]) or _is_common_word(word[:2])):
        return False
    if tag == "nrt":
        return len(word) >= 3
    # Two characters without context: 施策, 王毅 look alike; only jieba's dictionary names.
    return len(word) == 3


def _places_in(word: str) -> list[str]:
    """湖南省永州市 → [湖南, 永州]; 新疆地区 → [新疆]; a place word as its parts."""
    word = word[:-2] if word.endswith("地区") and len(word) > 3 else word
    parts = [m.group(0) for m in _ADMIN_PART.finditer(word)]
    if len(parts) > 1 and "".join(parts) == word:
        return [canonical_place(p) for p in parts]
    return [canonical_place(word)]


def tag_text(text: str, into: Entities | None = None) -> Entities:
    """The entities of a text (normalised here; already normalised text is left as it is)."""
    found = into if into is not None else Entities()
    # Titles of works (《人民日报》, 《…代表法》) name no one here: blanked, offsets kept.
    norm = _TITLE.sub(lambda m: " " * len(m.group(0)), normalize(text))
    known = dictionary_entities()
    for match in _BYLINE.finditer(norm):
        for name in re.split(r"[、，,\s]+", match.group(1)):
            if _NAME.match(name) and is_person(name):
                found.add("person", name)
    tagged = rjieba.tag(norm)
    for name, kind in _gazetteer_matches(norm, _boundaries(tagged)):
        found.add(kind, name)
    tokens = _with_admin_suffix(_merged(tagged))
    previous_place = False
    for n, (word, tag) in enumerate(tokens):
        if tag[:1] != "n" and not previous_place and word not in KNOWN_PLACES and word not in known:
            continue  # verbs, particles, numbers, punctuation: most tokens, none a name
        before = tokens[n - 1][0] if n else ""
        after = tokens[n + 1][0] if n + 1 < len(tokens) else ""
        kind = known.get(word)
        place = False
        if word == "中国" and (before.endswith("新") or after.startswith(_NOT_CHINA)):
            pass  # 新中国, 中国特色社会主义, 中国梦: not where anything happened
        elif after.startswith("时间") and word in KNOWN_PLACES:
            pass  # 北京时间 is a time
        elif word in KNOWN_PLACES or kind == "place" and is_place(word):
            found.add("place", canonical_place(word))
            place = True
        elif kind in ("person", "organization"):
            found.add(kind, word)
        elif tag in ("nr", "nr?", "nrfg", "nrt") and _person(word, tag, before, after):
            found.add("person", word)
        elif (tag == "ns" or (previous_place and word.endswith(ADMIN_SUFFIXES))) and is_place(word):
            for part in _places_in(word):
                if part not in NOT_PLACES:
                    found.add("place", part)
            place = True
        elif tag == "nt" and word.endswith("政府") and is_place(word[:-2]):
            found.add("place", canonical_place(word[:-2]))  # 日本政府: where, not who
        elif tag == "nt" and is_organization(word):
            found.add("organization", word)
            for prefix in _leading_place(word):
                found.add("place", prefix)
        previous_place = place
    return found


def _boundaries(tagged: list[tuple[str, str]]) -> set[int]:
    """The offsets where the segmenter's words start and end."""
    return {0, *accumulate(len(word) for word, _ in tagged)}


def _gazetteer_matches(norm: str, cuts: set[int]) -> list[tuple[str, str]]:
    """The gazetteer's names in the text, longest first, none inside a longer one found, and
    none that starts or ends inside one of the segmenter's words: 教育部 is not in
    主题/教育/部分, nor 全国人大 in the one word 全国人大常委会, nor 人社部 in 人社部门."""
    taken = [False] * len(norm)
    found = []
    for name, kind in sorted(gazetteer().items(), key=lambda x: -len(x[0])):
        start = norm.find(name)
        while start >= 0:
            end = start + len(name)
            aligned = start in cuts and end in cuts
            if aligned and not any(taken[start:end]) and norm[end : end + 1] != "门":
                taken[start:end] = [True] * len(name)
                found.append((name, kind))
            start = norm.find(name, end)
    return found


def _with_admin_suffix(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """莫干山+镇, 李子+村: a word followed by a lone 镇/乡/村/县/区 is one place word."""
    if not any(word in _LONE_SUFFIXES for word, _ in tokens):
        return tokens
    out: list[tuple[str, str]] = []
    for word, tag in tokens:
        if word in _LONE_SUFFIXES and out and len(out[-1][0]) >= 2 and out[-1][1][:1] == "n":
            out[-1] = (out[-1][0] + word, "ns")
        else:
            out.append((word, tag))
    return out


def _leading_place(word: str) -> list[str]:
    """The place an organisation's name starts with (中国人民大学 → 中国, 湖南省… → 湖南)."""
    for size in range(min(len(word) - 1, 5), 1, -1):
        head = word[:size]
        if head in KNOWN_PLACES or (head.endswith(("省", "市")) and head[:-1] in KNOWN_PLACES):
            return [canonical_place(head)]
    return []


def tag_parts(parts: list[str]) -> Entities:
    """The entities of several texts (an article's title, body, captions …) together."""
    found = Entities()
    for part in parts:
        if part:
            tag_text(part, found)
    return found
