"""The working-day calendar as data: the notice parser, the table, the admin page, the desk."""

import datetime

import chinese_calendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seeds.demo import demo_accounts_ensure
from tasks_app import workdays
from tasks_app.holiday_notice import parse_notice
from tasks_app.models import CalendarDay
from tasks_app.services.calendar import calendar_apply_notice, calendar_day_save
from tasks_app.services.periods import deadline_for, period_ensure

from .factories import PlanFactory, UserFactory

D = datetime.date

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月12日
"""

# Pasted from a web page: one line, ASCII punctuation in places.
NOTICE_2026 = (
    "国务院办公厅关于2026年部分节假日安排的通知 经国务院批准，现将2026年元旦、春节、清明节、"
    "劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。"
    "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。"
    "2月14日（周六）、2月28日（周六）上班。"
    "三、清明节：4月4日（周六）至6日(周一)放假，共3天。"
    "四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。"
    "五、端午节：6月19日（周五）至21日（周日）放假，共3天。"
    "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。"
    "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"
)

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：2026年12月31日（周四）至2027年1月2日（周六）放假调休，共3天。2026年12月27日（周日）上班。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月14日（周日）、2月20日（周六）上班。鼓励各单位安排职工在除夕（2月5日）前休息。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def _days(festivals, attribute: str) -> set[datetime.date]:
    return {day for festival in festivals for day in getattr(festival, attribute)}


@pytest.mark.parametrize(("year", "text"), [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_the_real_notices_read_as_chinese_calendar_has_them(year, text):
    festivals = parse_notice(text, year)
    known = {day for day in chinese_calendar.holidays if day.year == year}
    make_up = {day for day in chinese_calendar.workdays if day.year == year}
    assert _days(festivals, "holidays") == known
    assert _days(festivals, "workdays") == make_up


def test_a_notice_reads_festival_by_festival_across_months_and_years():
    festivals = parse_notice(NOTICE_2027, 2027)
    assert [f.name for f in festivals] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节",
                                          "国庆节"]
    new_year, spring = festivals[0], festivals[1]
    assert new_year.holidays == [D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 2)]
    assert new_year.workdays == [D(2026, 12, 27)]
    assert spring.holidays == [D(2027, 2, 5) + datetime.timedelta(days=n) for n in range(9)]
    assert spring.workdays == [D(2027, 2, 14), D(2027, 2, 20)]  # the 除夕 advice is no day
    assert festivals[4].holidays == [D(2027, 6, 9)]
    national = parse_notice(NOTICE_2025, 2025)[5]
    assert national.name == "国庆节、中秋节" and len(national.holidays) == 8
    assert parse_notice(NOTICE_2025, 2025)[1].holidays[0] == D(2025, 1, 28)
    assert parse_notice(NOTICE_2025, 2025)[1].holidays[-1] == D(2025, 2, 4)


@pytest.mark.parametrize(("text", "year", "message"), [
    (NOTICE_2026, 2027, "不一致"),
    ("二、春节：2月15日至22日放假调休，共9天。", 2026, "共9天"),
    ("二、春节：2月30日放假，共1天。", 2026, "不存在"),
    ("春节放假安排另行通知", 2026, "没有读到"),
    ("一、元旦：1月1日放假。二、春节：1月1日放假。", 2026, "两次"),
    ("一、元旦：照常上班。", 2026, "没有读到放假日期"),
])
def test_a_notice_that_does_not_add_up_is_refused_with_the_reason(text, year, message):
    with pytest.raises(ValidationError) as error:
        parse_notice(text, year)
    assert message in " ".join(error.value.messages)


@pytest.mark.django_db
def test_the_known_years_come_from_chinese_calendar_and_deadlines_keep_them():
    assert CalendarDay.objects.filter(year=2026, name="春节", kind="holiday").count() == 9
    assert not workdays.is_working_day(D(2026, 2, 16))
    assert workdays.is_working_day(D(2026, 2, 14))  # a Saturday worked for 春节
    assert not workdays.year_known(2027)
    assert workdays.is_working_day(D(2027, 2, 8))  # unknown: weekends, 1/1, 5/1, 10/1-3
    assert not workdays.is_working_day(D(2027, 1, 1))
    CalendarDay.objects.filter(year=2026).delete()  # an emptied year: chinese_calendar's days
    workdays.forget()
    assert not workdays.is_working_day(D(2026, 2, 16)) and workdays.year_known(2026)


@pytest.mark.django_db
def test_a_2027_deadline_in_spring_festival_moves_after_it_once_the_notice_is_entered():
    plan = PlanFactory()
    plan.schedule.report_deadline_day = 10
    plan.schedule.save()
    february = D(2027, 2, 1)
    period = period_ensure(plan, february)  # opened before the notice: the weekday 2月10日
    assert period.deadline == D(2027, 2, 10)
    result = calendar_apply_notice(2027, parse_notice(NOTICE_2027, 2027))
    assert result.moved_periods >= 1 and result.workdays == 7
    assert deadline_for(plan.schedule, february) == D(2027, 2, 14)  # 调休上班 Sunday
    period.refresh_from_db()
    assert period.deadline == D(2027, 2, 14)
    assert workdays.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 14)
    assert not workdays.is_working_day(D(2026, 12, 31))  # 2027's 元旦 begins in 2026
    assert workdays.year_known(2027)


@pytest.mark.django_db
def test_the_calendar_is_read_once_and_a_write_is_seen_at_once():
    workdays.forget()
    with CaptureQueriesContext(connection) as queries:
        workdays.add_working_days(D(2026, 1, 1), 300)
        workdays.working_days_between(D(2025, 1, 1), D(2027, 12, 31))
    assert len(queries) == 1
    assert workdays.is_working_day(D(2027, 3, 1))
    calendar_day_save(CalendarDay(date=D(2027, 3, 1), kind=CalendarDay.Kind.HOLIDAY,
                                  name="测试", year=2027))
    assert not workdays.is_working_day(D(2027, 3, 1))


@pytest.mark.django_db
def test_load_calendar_reloads_a_known_year_and_refuses_an_unknown_one():
    CalendarDay.objects.filter(year=2025).delete()
    call_command("load_calendar", "--year", "2025")
    assert CalendarDay.objects.filter(year=2025, kind=CalendarDay.Kind.WORKDAY).count() == 5
    with pytest.raises(Exception, match="2027"):
        call_command("load_calendar", "--year", "2027")


@pytest.fixture
def lead_client(client, db):
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    return client


NOTICE_URL = reverse("admin:tasks_app_calendarday_notice")


def test_the_lead_office_pastes_the_notice_previews_it_and_confirms(lead_client):
    response = lead_client.post(NOTICE_URL, {"year": 2027, "text": NOTICE_2027, "preview": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "确认写入" in html
    assert "2027年2月5日（周五）至2027年2月13日（周六）" in html
    assert "2027年2月14日（周日）" in html
    assert not CalendarDay.objects.filter(year=2027).exists()  # the preview writes nothing
    response = lead_client.post(NOTICE_URL, {"year": 2027, "text": NOTICE_2027, "confirm": "1"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(year=2027, kind=CalendarDay.Kind.HOLIDAY).count() == 29
    listing = lead_client.get(response.url).content.decode()
    assert "春节" in listing and "粘贴节假日通知" in listing


def test_a_bad_notice_is_shown_back_with_its_error_and_nothing_written(lead_client):
    text = NOTICE_2027.replace("共9天", "共8天")
    response = lead_client.post(NOTICE_URL, {"year": 2027, "text": text, "confirm": "1"})
    assert response.status_code == 200 and "共8天" in response.content.decode()
    assert not CalendarDay.objects.filter(year=2027).exists()


def test_only_the_lead_office_edits_the_calendar(client, db):
    client.force_login(UserFactory(username="clerk", is_staff=True))
    assert client.get(NOTICE_URL).status_code == 404
    day = CalendarDay.objects.filter(year=2026).first()
    assert client.get(reverse("admin:tasks_app_calendarday_change", args=[day.pk])
                      ).status_code in (302, 403)


def test_from_november_the_desk_warns_that_next_years_calendar_is_missing(lead_client):
    with time_machine.travel(datetime.datetime(2026, 10, 30, 9)):
        assert "calendar-missing" not in lead_client.get(reverse("portal:desk")).content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9)):
        html = lead_client.get(reverse("portal:desk")).content.decode()
        assert "尚未录入2027年节假日安排" in html and NOTICE_URL in html
        calendar_apply_notice(2027, parse_notice(NOTICE_2027, 2027))
        assert "calendar-missing" not in lead_client.get(reverse("portal:desk")).content.decode()
