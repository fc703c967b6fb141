//! How Postern writes sizes, times and URL components — one answer for the
//! same value wherever a person sees it (mail body, download page, app).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Units of [`format_size`]; the app passes localized ones.
#[derive(Debug, Clone, Copy)]
pub struct SizeUnits<'a> {
    pub b: &'a str,
    pub kb: &'a str,
    pub mb: &'a str,
    pub gb: &'a str,
    pub decimal_sep: &'a str,
}

impl Default for SizeUnits<'static> {
    fn default() -> Self {
        SizeUnits {
            b: "B",
            kb: "KB",
            mb: "MB",
            gb: "GB",
            decimal_sep: ".",
        }
    }
}

/// `1536` → `1.5 KB`: binary multiples (the limits of R-LIM are MiB), one
/// decimal below 10, none above. Integer arithmetic only, so the browser
/// bundle carries no float formatting.
pub fn format_size(bytes: u64, u: SizeUnits<'_>) -> String {
    const K: u64 = 1024;
    let (div, unit) = if bytes < K {
        return format!("{bytes} {}", u.b);
    } else if bytes < K * K {
        (K, u.kb)
    } else if bytes < K * K * K {
        (K * K, u.mb)
    } else {
        (K * K * K, u.gb)
    };
    // Rounded half up; u128 so no size overflows.
    let round = |n: u128, d: u128| n / d + u128::from(n % d >= d.div_ceil(2));
    let (b, d) = (u128::from(bytes), u128::from(div));
    let text = if bytes < 10 * div {
        let tenths = round(b * 10, d);
        if tenths >= 100 {
            "10".to_owned()
        } else {
            format!("{}{}{}", tenths / 10, u.decimal_sep, tenths % 10)
        }
    } else {
        round(b, d).to_string()
    };
    format!("{text} {unit}")
}

/// [`format_size`] with English units, for text the servers write.
pub fn human_size(bytes: u64) -> String {
    format_size(bytes, SizeUnits::default())
}

/// Everything but RFC 3986 unreserved characters (`A–Z a–z 0–9 - . _ ~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes for a path segment, a query value or RFC 5987
/// `filename*`.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Decodes `%XX` (invalid escapes stay literal, invalid UTF-8 becomes
/// U+FFFD).
pub fn decode_component(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Decodes `%XX` into bytes (for paths that name files, not text).
pub fn decode_component_bytes(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(s).collect()
}

/// Unix seconds as `2026-05-01 14:03 UTC`, for text people read where the
/// reader's time zone is unknown (mail bodies, the download page).
pub fn utc_minutes(unix: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_one_answer_everywhere() {
        // The same 30,000,000-byte file in the mail body, the download
        // page and the composer.
        assert_eq!(human_size(30_000_000), "29 MB");
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(10 * 1024 - 1), "10 KB");
        assert_eq!(human_size(26_214_400), "25 MB");
        assert_eq!(human_size(3_221_225_472), "3.0 GB");
        assert_eq!(human_size(u64::MAX), "17179869184 GB");
        let fr = SizeUnits {
            b: "o",
            kb: "Ko",
            mb: "Mo",
            gb: "Go",
            decimal_sep: ",",
        };
        assert_eq!(format_size(1536, fr), "1,5 Ko");
    }

    #[test]
    fn components_round_trip() {
        let s = "Projets/Été 2026&co+%";
        let e = encode_component(s);
        assert_eq!(e, "Projets%2F%C3%89t%C3%A9%202026%26co%2B%25");
        assert_eq!(decode_component(&e), s);
        assert_eq!(decode_component("%zz%41%"), "%zzA%");
    }

    #[test]
    fn utc_minutes_formats_the_calendar() {
        assert_eq!(utc_minutes(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minutes(1_767_607_200), "2026-01-05 10:00 UTC");
        assert_eq!(utc_minutes(951_782_400), "2000-02-29 00:00 UTC");
    }
}
