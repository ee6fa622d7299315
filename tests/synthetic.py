"""A made-up corpus for the tests that need scale and variety, built at run time without ../shared.

The 《江城日报》 of these articles does not exist. Its sentences are those of the demo paper
《江城晚报》 (scripts/make_demo.py, written for Baoku) recombined, and sentences made from the small
vocabulary below, in our own words. A seeded generator lays them out issue by issue over the five
months the 人民日报 corpus of ../shared covers (2019-02, 2019-10, 2020-01, 2020-02, 2020-05), so a
test may name a date or a word that both corpora have. The output is the same on every run.

The lines have the shape of that corpus's JSON lines (id, paper, date, page, kicker, title,
subtitle, author, body; no captions, no 小标题), including its photo stories and ads: records with
a title and no body.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from collections.abc import Iterator
from datetime import date as Date
from datetime import timedelta
from functools import cache
from itertools import product
from pathlib import Path

from indexer.article import make_id

PAPER = "江城日报"
MONTHS = ("2019-02", "2019-10", "2020-01", "2020-02", "2020-05")
SEED = 2019

PLACES = (
    "江城", "滨江新区", "南湖街道", "西山镇", "东湖区", "北港开发区",
    "临川县", "青石镇", "云溪村", "柳湾社区", "桃源里", "白沙洲",
)  # fmt: skip
SUBJECTS = (
    "老旧小区改造", "社区食堂", "春季植树", "新能源汽车产业", "5G基站建设", "乡村公路",
    "课后服务", "国际合作项目", "人民调解", "经济运行", "科技创新平台", "文化惠民演出",
    "防汛准备", "垃圾分类", "夜间经济", "养老服务中心", "农民专业合作社", "跨境电商",
    "公共图书馆", "全民健身", "职业技能培训", "医疗联合体", "智慧交通", "生态修复",
    "非遗传承", "外贸进出口", "集成电路", "茶叶种植", "住房保障", "数字政务",
)  # fmt: skip
PREDICATES = (
    "全面启动", "取得新进展", "稳步推进", "迎来新变化", "交出亮眼成绩单", "按下快进键",
    "提质增效", "开局良好", "再上新台阶", "惠及万家", "走深走实", "跑出加速度",
    "落地见效", "有了新模样", "持续升温",
)  # fmt: skip
PEOPLE = (
    "陈晓东", "刘丽华", "张明远", "李秋云", "赵海峰", "孙立平", "周文静", "吴志刚",
    "郑晓燕", "黄建华", "马国庆", "许东来", "冯雪梅", "韩卫东", "杨国梁", "何丽娟",
)  # fmt: skip
BODIES = (
    "市统计局", "市发展改革委", "区人民政府", "街道办事处", "市商务局", "市农业农村局",
    "市科技局", "市文化和旅游局", "市人民医院", "市总工会", "中国科学院江城分院",
    "中国农业银行江城分行",
)  # fmt: skip
FIELDS = ("新材料", "生物医药", "现代农业", "文化旅游", "数字经济", "绿色能源", "智能制造", "物流")
SCENES = (
    "工人们正在加紧施工，塔吊在晨雾中缓缓转动",
    "展台前挤满了前来咨询的市民，工作人员耐心讲解",
    "新修的步道沿着河岸延伸，不少居民在这里散步锻炼",
    "车间里机械臂有节奏地挥舞，一件件产品下线装箱",
    "田间地头的农民趁着好天气抢收抢种",
    "志愿者们分成几组，挨家挨户上门走访",
)
QUOTES = (
    "以前办事要跑好几趟，现在在手机上点一点就办好了",
    "我们心里踏实多了，日子一天比一天有奔头",
    "只要群众满意，再辛苦也值得",
    "家门口就有了好去处，孩子们放学后也有地方去",
    "订单排到了下个季度，我们正在招新工人",
)
TEMPLATES = (
    "{body}日前发布数据，今年以来{place}{subject}累计投入资金{n}亿元，同比增长{pct}%。",
    "据{body}介绍，{subject}已覆盖{m}个社区，惠及居民{k}万人。",
    "{person}表示，将继续抓好{subject}，让人民群众有更多获得感、幸福感。",
    "中国{field}产业联盟与{place}签署合作协议，双方将在{field}等领域开展深度合作。",
    "专家认为，{subject}是推动经济高质量发展的重要抓手，也是改善民生的关键一环。",
    "今年以来，{place}坚持创新驱动发展，{field}产业产值达到{n}亿元。",
    "记者在{place}看到，{scene}。",
    "{person}说：“{quote}。”",
    "{place}还将出台配套政策，从资金、人才、用地等方面支持{subject}。",
    "下一步，{body}将会同有关部门加强督导，确保{subject}各项任务按期完成。",
    "截至{month}月底，{place}已建成{subject}示范点{m}个，带动就业{k}千人。",
    "{place}与周边地区的交流合作日益密切，{field}企业纷纷前来洽谈。",
)
KICKERS = ("{place}观察", "聚焦{subject}", "{field}产业一线", "一线见闻", "民生关注")
SUBTITLES = ("{m}个示范点年内建成", "投入资金{n}亿元 惠及居民{k}万人", "{place}经验值得推广")
HEADING_FREE_PAGES = 4  # pages 01–04 carry only text articles, three or four each


@cache
def _demo_sentences() -> tuple[str, ...]:
    """Every sentence of the demo paper's articles (the text make_demo.py renders)."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "make_demo.py"
    spec = importlib.util.spec_from_file_location("baoku_make_demo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paragraphs = [p for a in module.build_articles() for p in a.paragraphs]
    sentences = [s for p in paragraphs for s in re.findall(r"[^。！？]+[。！？]”?", p)]
    # 转版 notes point at pages of the demo, not of this paper
    return tuple(s for s in sentences if "转第" not in s and "接第" not in s)


def _fill(rng: random.Random, template: str, place: str, subject: str) -> str:
    return template.format(
        place=place if rng.random() < 0.6 else rng.choice(PLACES),
        subject=subject if rng.random() < 0.6 else rng.choice(SUBJECTS),
        body=rng.choice(BODIES),
        person=rng.choice(PEOPLE),
        field=rng.choice(FIELDS),
        scene=rng.choice(SCENES),
        quote=rng.choice(QUOTES),
        n=f"{rng.randint(2, 300)}.{rng.randint(1, 9)}",
        pct=f"{rng.randint(1, 30)}.{rng.randint(0, 9)}",
        m=rng.randint(3, 90),
        k=rng.randint(2, 60),
        month=rng.randint(1, 12),
    )


def _paragraph(rng: random.Random, place: str, subject: str) -> str:
    sentences = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.5:
            sentences.append(rng.choice(_demo_sentences()))
        else:
            sentences.append(_fill(rng, rng.choice(TEMPLATES), place, subject))
    return "".join(sentences)


def _record(rng: random.Random, day: str, page: str, title: tuple[str, str, str]) -> dict:
    place, subject, predicate = title
    text = f"{place}{subject}{predicate}"
    lead = (
        f"记者从{rng.choice(BODIES)}获悉，{place}{subject}{predicate}。"
        + _fill(rng, rng.choice(TEMPLATES), place, subject)
        + _fill(rng, rng.choice(TEMPLATES), place, subject)
    )
    paragraphs = [lead] + [_paragraph(rng, place, subject) for _ in range(rng.randint(2, 6))]
    return {
        "id": make_id(PAPER, "", day, page, text),
        "paper": PAPER,
        "date": day,
        "page": page,
        "kicker": _fill(rng, rng.choice(KICKERS), place, subject) if rng.random() < 0.3 else "",
        "title": text,
        "subtitle": _fill(rng, rng.choice(SUBTITLES), place, subject) if rng.random() < 0.3 else "",
        "author": f"本报记者 {rng.choice(PEOPLE)}",
        "body": "\n".join(paragraphs),
    }


def _textless(rng: random.Random, day: str, page: str, title: tuple[str, str, str]) -> dict:
    """A photo story (图片报道: a title, pictures, no text) or, now and then, an ad (广告)."""
    place, subject, _ = title
    text = "广告" if rng.random() < 0.3 else f"{place}{subject}掠影"
    key = f"{text}{rng.random()}" if text == "广告" else text
    return {
        "id": make_id(PAPER, "", day, page, key),
        "paper": PAPER,
        "date": day,
        "page": page,
        "kicker": "",
        "title": text,
        "subtitle": "",
        "author": "",
        "body": "",
    }


def _days() -> list[str]:
    days = []
    for month in MONTHS:
        day = Date.fromisoformat(f"{month}-01")
        while day.strftime("%Y-%m") == month:
            days.append(day.isoformat())
            day += timedelta(days=1)
    return days


@cache
def synthetic_records() -> tuple[dict, ...]:
    """Every record, in date and page order (about 1,800; titles unique)."""
    rng = random.Random(SEED)
    titles = list(product(PLACES, SUBJECTS, PREDICATES))
    rng.shuffle(titles)
    records = []
    for day in _days():
        for number in range(1, rng.randint(5, 8) + 1):
            page = f"{number:02d}"
            count = rng.randint(3, 4) if number <= HEADING_FREE_PAGES else rng.randint(1, 3)
            for _ in range(count):
                title = titles.pop()
                if number > HEADING_FREE_PAGES and rng.random() < 0.08:
                    records.append(_textless(rng, day, page, title))
                else:
                    records.append(_record(rng, day, page, title))
    return tuple(records)


def synthetic_corpus_lines() -> Iterator[str]:
    """The records as JSON lines, like `conftest.shared_corpus_lines` gives the real corpus."""
    for record in synthetic_records():
        yield json.dumps(record, ensure_ascii=False)
