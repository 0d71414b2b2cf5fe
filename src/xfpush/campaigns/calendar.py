"""The campaign calendar: fixed-date occasions, lunar festivals and solar terms of a year.

Lunar dates and solar terms are computed with ``lunar-python`` (e.g. 2027: 春节 02-06,
清明 04-05, 端午 06-09, 中秋 09-15, 重阳 10-08).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from lunar_python import Lunar, Solar


@dataclass(frozen=True)
class Occasion:
    """A date (or the first day of a period) on the fire-safety publicity calendar."""

    key: str
    name: str
    rule: str
    """How the date is found, in words."""
    date_of: Callable[[int], dt.date]


def _fixed(month: int, day: int) -> Callable[[int], dt.date]:
    return lambda year: dt.date(year, month, day)


def _lunar(month: int, day: int) -> Callable[[int], dt.date]:
    def date_of(year: int) -> dt.date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())

    return date_of


def _solar_term(name: str) -> Callable[[int], dt.date]:
    def date_of(year: int) -> dt.date:
        solar = Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable()[name]
        return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())

    return date_of


def _last_weekday(month: int, weekday: int) -> Callable[[int], dt.date]:
    def date_of(year: int) -> dt.date:
        day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        while day.weekday() != weekday:
            day -= dt.timedelta(days=1)
        return day

    return date_of


OCCASIONS: dict[str, Occasion] = {o.key: o for o in [
    Occasion("yuandan", "元旦", "1月1日", _fixed(1, 1)),
    Occasion("chunjie", "春节", "农历正月初一", _lunar(1, 1)),
    Occasion("yuanxiao", "元宵节", "农历正月十五", _lunar(1, 15)),
    Occasion("anquan-jiaoyu-ri", "全国中小学生安全教育日", "3月最后一个星期一", _last_weekday(3, 0)),
    Occasion("senlin-fanghuo", "3·30 森林草原防灭火警示日", "3月30日", _fixed(3, 30)),
    Occasion("qingming", "清明节", "节气清明", _solar_term("清明")),
    Occasion("wuyi", "五一劳动节", "5月1日", _fixed(5, 1)),
    Occasion("fangzai-jianzai", "5·12 全国防灾减灾日", "5月12日", _fixed(5, 12)),
    Occasion("anquan-shengchan-yue", "安全生产月", "6月1日起", _fixed(6, 1)),
    Occasion("duanwu", "端午节", "农历五月初五", _lunar(5, 5)),
    Occasion("shuqi", "暑期", "7月1日起", _fixed(7, 1)),
    Occasion("zhongqiu", "中秋节", "农历八月十五", _lunar(8, 15)),
    Occasion("guoqing", "国庆节", "10月1日", _fixed(10, 1)),
    Occasion("chongyang", "重阳节", "农历九月初九", _lunar(9, 9)),
    Occasion("xiaofang-yue", "“119”消防宣传月", "11月1日起", _fixed(11, 1)),
    Occasion("xiaofang-ri", "11·9 全国消防日", "11月9日", _fixed(11, 9)),
    Occasion("shuang11", "双十一快递高峰", "11月11日", _fixed(11, 11)),
    Occasion("qunuan", "冬季取暖季", "11月15日起，北方集中供暖", _fixed(11, 15)),
]}


@dataclass(frozen=True)
class Entry:
    """One occasion in one year, with the recipes due for it."""

    key: str
    name: str
    date: dt.date
    rule: str
    recipes: tuple[tuple[str, dt.date], ...]
    """(recipe file name, production date = date − lead days)."""


def year_calendar(year: int, recipes: dict[str, tuple[str, int]] | None = None) -> list[Entry]:
    """Every occasion of ``year`` in date order; ``recipes`` maps name → (occasion, lead days)."""
    if not 1901 <= year <= 2099:
        raise ValueError("年份应在 1901–2099 之间")
    entries = []
    for occasion in OCCASIONS.values():
        day = occasion.date_of(year)
        due = tuple(sorted((name, day - dt.timedelta(days=lead))
                           for name, (key, lead) in (recipes or {}).items() if key == occasion.key))
        entries.append(Entry(occasion.key, occasion.name, day, occasion.rule, due))
    return sorted(entries, key=lambda entry: (entry.date, entry.key))
