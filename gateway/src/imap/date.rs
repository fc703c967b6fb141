//! IMAP date-time (`05-Jan-2026 10:00:00 +0000`, RFC 3501 `date-time`) ↔
//! Unix seconds. The calendar is the `time` crate's.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats Unix seconds as an IMAP date-time in UTC.
pub fn format(ts: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:02}-{}-{:04} {:02}:{:02}:{:02} +0000",
        t.day(),
        MONTHS[usize::from(u8::from(t.month())) - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an IMAP date-time (as in INTERNALDATE) to Unix seconds. The day
/// may be space-padded (` 5-Jan-2026`), as servers send it.
pub fn parse(s: &str) -> Option<i64> {
    let mut words = s.split_whitespace();
    let (date, clock, zone) = (words.next()?, words.next()?, words.next()?);
    let mut dp = date.split('-');
    let day: u8 = dp.next()?.parse().ok()?;
    let mon = dp.next()?;
    let month = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as u8 + 1;
    let year: i32 = dp.next()?.parse().ok()?;
    let mut tp = clock.split(':');
    let (h, m, sec): (u8, u8, u8) = (
        tp.next()?.parse().ok()?,
        tp.next()?.parse().ok()?,
        tp.next()?.parse().ok()?,
    );
    let sign: i32 = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let z: i32 = zone.get(1..)?.parse().ok()?;
    let offset = UtcOffset::from_whole_seconds(sign * ((z / 100) * 3600 + (z % 100) * 60)).ok()?;
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let local = PrimitiveDateTime::new(date, Time::from_hms(h, m, sec).ok()?);
    Some(local.assume_offset(offset).unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_imap_dates() {
        assert_eq!(format(0), "01-Jan-1970 00:00:00 +0000");
        assert_eq!(format(1_767_607_200), "05-Jan-2026 10:00:00 +0000");
        assert_eq!(parse("05-Jan-2026 10:00:00 +0000"), Some(1_767_607_200));
        assert_eq!(parse(" 5-Jan-2026 11:30:00 +0130"), Some(1_767_607_200));
        assert_eq!(parse("29-Feb-2024 23:59:59 -0000"), Some(1_709_251_199));
        for ts in [951_782_400, 1_709_251_199, 4_102_444_800] {
            assert_eq!(parse(&format(ts)), Some(ts));
        }
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse("30-Feb-2024 00:00:00 +0000"), None);
        assert_eq!(
            postern_shared::format::utc_minutes(1_767_607_200),
            "2026-01-05 10:00 UTC"
        );
    }
}
