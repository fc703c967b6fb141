//! The machine-readable tag the policy service puts in its rejections,
//! `[postern:<code> key=value …] human text`, and its way back to a typed
//! API error when the SMTP client reads the server's reply. Postfix and
//! Dovecot pass the text through (prefixed by their own words).

use postern_shared::{ApiError, ErrorCode};

/// `[postern:<code>]` or `[postern:<code> retry_after=<secs>]`.
pub fn tag(code: ErrorCode, retry_after: Option<u64>) -> String {
    match retry_after {
        Some(s) => format!("[postern:{} retry_after={s}]", code.as_str()),
        None => format!("[postern:{}]", code.as_str()),
    }
}

/// The API error a tagged reply text stands for; `None` without a tag.
/// `now` turns `retry_after` into the UTC time the message states.
pub fn parse(text: &str, now: i64) -> Option<ApiError> {
    let start = text.find("[postern:")?;
    let rest = &text[start + "[postern:".len()..];
    let end = rest.find(']')?;
    let mut words = rest[..end].split_whitespace();
    let code = ErrorCode::parse(words.next()?)?;
    let retry_after = words
        .find_map(|w| w.strip_prefix("retry_after="))
        .and_then(|v| v.parse::<u64>().ok());
    let human = rest[end + 1..].trim();
    let mut err = match code {
        ErrorCode::QuotaExceeded => {
            let free_at = retry_after.map(|s| now + s as i64);
            let when = free_at
                .map(|t| {
                    format!(
                        " Sending frees up at {}.",
                        postern_shared::format::utc_minutes(t)
                    )
                })
                .unwrap_or_default();
            ApiError::new(code, format!("{}{when}", code.default_message()))
                .with(|p| p.free_at = free_at)
        }
        _ if !human.is_empty() => ApiError::new(code, human),
        _ => ApiError::from(code),
    };
    err.retry_after = retry_after;
    Some(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_through_server_text() {
        let t = tag(ErrorCode::SenderMismatch, None);
        let reply = format!(
            "5.7.1 <a@x.test>: Recipient address rejected: {t} Sender address <ceo@x.test> is not allowed"
        );
        let e = parse(&reply, 0).unwrap();
        assert_eq!(e.code, ErrorCode::SenderMismatch);
        assert_eq!(e.message, "Sender address <ceo@x.test> is not allowed");
        assert_eq!(e.retry_after, None);

        let t = tag(ErrorCode::QuotaExceeded, Some(60));
        let e = parse(&format!("5.7.1 {t} Daily limit"), 1_767_607_200).unwrap();
        assert_eq!(e.code, ErrorCode::QuotaExceeded);
        assert_eq!(e.retry_after, Some(60));
        assert!(
            e.message
                .ends_with("Sending frees up at 2026-01-05 10:01 UTC.")
        );

        assert!(parse("5.7.1 [postern:nonsense] x", 0).is_none());
        assert!(parse("550 5.1.1 unknown user", 0).is_none());
    }
}
