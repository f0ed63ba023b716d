def test_iso_moment_shows_datetimes_and_iso_text_alike_in_the_organisations_zone(settings):
    from datetime import UTC, datetime

    from core.templatetags.format_tags import iso_moment

    settings.TIME_ZONE = "Africa/Nairobi"
    moment = datetime(2026, 12, 3, 2, 33, 0, tzinfo=UTC)

    assert iso_moment(moment) == "3 December 2026, 05:33:00 EAT"
    assert iso_moment(moment.isoformat()) == "3 December 2026, 05:33:00 EAT"
