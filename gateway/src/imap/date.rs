//! IMAP date-time (`05-Jan-2026 10:00:00 +0000`) ↔ Unix seconds, without a
//! calendar crate: civil-from-days arithmetic (Howard Hinnant's algorithms).

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats Unix seconds as an IMAP date-time in UTC.
pub fn format(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    format!(
        "{d:02}-{}-{y:04} {:02}:{:02}:{:02} +0000",
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Unix seconds as `2026-01-05 10:00 UTC`, for messages people read
/// (e.g. when a sending quota frees up).
pub fn format_readable_utc(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60
    )
}

/// Parses an IMAP date-time (as in INTERNALDATE) to Unix seconds.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once(' ')?;
    let (time, zone) = rest.trim().split_once(' ')?;
    let mut dp = date.trim().split('-');
    let d: i64 = dp.next()?.trim().parse().ok()?;
    let mon = dp.next()?;
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as i64 + 1;
    let y: i64 = dp.next()?.parse().ok()?;
    let mut tp = time.split(':');
    let hh: i64 = tp.next()?.parse().ok()?;
    let mm: i64 = tp.next()?.parse().ok()?;
    let ss: i64 = tp.next()?.parse().ok()?;
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let z: i64 = zone[1..].parse().ok()?;
    let offset = sign * ((z / 100) * 3600 + (z % 100) * 60);
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss - offset)
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
        assert_eq!(format_readable_utc(1_767_607_200), "2026-01-05 10:00 UTC");
    }
}
