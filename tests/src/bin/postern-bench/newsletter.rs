//! The large HTML message of the open figure: a generated newsletter, as
//! heavy to parse and sanitise as real ones.

use std::fmt::Write as _;

use postern_tests::fixtures::{base64_lines, rfc2822_date};
use postern_tests::unique;

/// A newsletter-like `multipart/alternative` (text + `multipart/related`
/// HTML with two inline `cid:` images) of about `target` bytes: nested
/// tables, inline styles, many links, remote images, some non-ASCII text,
/// the HTML quoted-printable encoded as mailers do.
pub fn big_html_message(to: &str, target: usize) -> Vec<u8> {
    let tag = unique("big");
    let (alt, rel) = (format!("alt-{tag}"), format!("rel-{tag}"));
    let logo = fake_png(1_800, 7);
    let banner = fake_png(24_000, 11);
    let mut head = format!(
        "From: \"Weekly Digest\" <digest@news.example.com>\r\n\
         To: {to}\r\n\
         Subject: Weekly digest: 1 MiB of HTML\r\n\
         Date: {}\r\n\
         Message-ID: <{tag}@news.example.com>\r\n\
         MIME-Version: 1.0\r\n\
         List-Unsubscribe: <https://news.example.com/unsubscribe?u={tag}>\r\n\
         Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n\
         --{alt}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        rfc2822_date(1_760_000_000),
    );
    for i in 0..40 {
        let _ = write!(
            head,
            "Story {i}: the quarterly figures, explained — read on https://news.example.com/story/{i}\r\n"
        );
    }
    let _ = write!(
        head,
        "\r\n--{alt}\r\n\
         Content-Type: multipart/related; boundary=\"{rel}\"; type=\"text/html\"\r\n\r\n\
         --{rel}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    );
    let mut tail = String::new();
    for (cid, name, data) in [
        ("logo", "logo.png", &logo),
        ("banner", "banner.png", &banner),
    ] {
        let _ = write!(
            tail,
            "\r\n--{rel}\r\n\
             Content-Type: image/png; name=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-ID: <{cid}@{tag}>\r\n\
             Content-Disposition: inline; filename=\"{name}\"\r\n\r\n{}",
            base64_lines(data)
        );
    }
    let _ = write!(tail, "\r\n--{rel}--\r\n\r\n--{alt}--\r\n");

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Weekly digest</title>\n<style type=\"text/css\">\
         body {{ margin:0; padding:0; background:#f2f4f7; }} \
         .btn a {{ color:#ffffff !important; }} \
         @media (max-width:600px) {{ .col {{ display:block !important; width:100% !important; }} }}\
         </style></head>\n<body style=\"margin:0;padding:0;background-color:#f2f4f7;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#f2f4f7;\">\n\
         <tr><td align=\"center\" style=\"padding:24px 8px;\">\n\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:600px;max-width:600px;background-color:#ffffff;border-radius:6px;\">\n\
         <tr><td style=\"padding:20px 24px;border-bottom:1px solid #e5e7eb;\"><a href=\"https://news.example.com/?utm_source=digest\"><img src=\"cid:logo@{tag}\" width=\"120\" height=\"32\" alt=\"News\" style=\"display:block;border:0;\"></a></td></tr>\n\
         <tr><td><img src=\"cid:banner@{tag}\" width=\"600\" height=\"200\" alt=\"This week\" style=\"display:block;width:100%;height:auto;border:0;\"></td></tr>\n"
    );
    let fixed = head.len() + tail.len();
    let closing = "</table>\n</td></tr></table>\n</body></html>\n";
    let mut qp = String::new();
    let mut i = 0;
    // Encode line by line (each HTML line ends with a hard line break), so
    // the encoded size is known as we go.
    qp_encode_into(&mut qp, &html);
    while fixed + qp.len() + closing.len() < target {
        qp_encode_into(&mut qp, &story(i));
        i += 1;
    }
    qp_encode_into(&mut qp, closing);
    let mut msg = head.into_bytes();
    msg.extend_from_slice(qp.as_bytes());
    msg.extend_from_slice(tail.as_bytes());
    msg
}

/// One block of the newsletter (a few KiB of HTML).
fn story(i: usize) -> String {
    let colors = ["#1a73e8", "#d93025", "#188038", "#f29900", "#9334e6"];
    let c = colors[i % colors.len()];
    let mut s = String::new();
    let _ = write!(
        s,
        "<tr><td class=\"col\" style=\"padding:16px 24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:22px;color:#333333;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\n\
         <td width=\"180\" valign=\"top\" style=\"padding-right:16px;\"><a href=\"https://news.example.com/story/{i}?utm_source=digest&amp;utm_medium=email&amp;utm_campaign=weekly\" target=\"_blank\"><img src=\"https://cdn.news.example.com/img/{i}/thumb-360x240.jpg\" width=\"180\" height=\"120\" alt=\"Story {i}\" style=\"display:block;border:0;border-radius:4px;\"></a></td>\n\
         <td valign=\"top\"><h2 style=\"margin:0 0 8px 0;font-size:20px;line-height:26px;color:{c};font-weight:bold;\">Story {i}: Café owners in Zürich report a 12 % rise — “better than expected”</h2>\n\
         <p style=\"margin:0 0 12px 0;\">Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. \
         Ut enim ad minim veniam, quis nostrud <a href=\"https://news.example.com/topic/{i}\" style=\"color:{c};text-decoration:underline;\">exercitation ullamco</a> laboris nisi ut aliquip ex ea commodo consequat. \
         Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.</p>\n\
         <table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;width:100%;font-size:13px;margin:0 0 12px 0;\">\n\
         <tr style=\"background-color:#f8fafc;\"><th align=\"left\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Quarter</th><th align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Revenue</th><th align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Change</th></tr>\n"
    );
    for q in 1..=4 {
        let _ = writeln!(
            s,
            "<tr><td style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Q{q} 2025</td><td align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">€{}.{:02} m</td><td align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;color:{c};\">+{}.{} %</td></tr>",
            10 + (i * 7 + q * 3) % 90,
            (i * 13 + q) % 100,
            (i + q) % 9,
            (i * q) % 10
        );
    }
    let _ = write!(
        s,
        "</table>\n\
         <table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td class=\"btn\" style=\"background-color:{c};border-radius:4px;\"><a href=\"https://news.example.com/story/{i}/read?utm_source=digest\" style=\"display:inline-block;padding:8px 16px;color:#ffffff;text-decoration:none;font-weight:bold;font-size:14px;\">Read the full story →</a></td>\n\
         <td style=\"padding-left:12px;font-size:12px;color:#6b7280;\"><a href=\"https://news.example.com/share?story={i}&amp;via=email\" style=\"color:#6b7280;\">Share</a> · <a href=\"https://news.example.com/save?story={i}\" style=\"color:#6b7280;\">Save</a> · <span style=\"font-style:italic;\">4 min read</span></td></tr></table>\n\
         </td></tr></table>\n</td></tr>\n\
         <tr><td style=\"padding:0 24px;\"><div style=\"height:1px;line-height:1px;background-color:#e5e7eb;\">&nbsp;</div></td></tr>\n"
    );
    s
}

/// Quoted-printable (RFC 2045) of `text`, line by line: `\n` becomes a hard
/// CRLF break, long lines get soft breaks (`=`) at 76 columns.
fn qp_encode_into(out: &mut String, text: &str) {
    for line in text.split_inclusive('\n') {
        let (body, hard_break) = match line.strip_suffix('\n') {
            Some(b) => (b, true),
            None => (line, false),
        };
        let bytes = body.as_bytes();
        let mut col = 0;
        for (k, &b) in bytes.iter().enumerate() {
            let last = k + 1 == bytes.len();
            let literal =
                ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
            let piece_len = if literal { 1 } else { 3 };
            if col + piece_len > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            if literal {
                out.push(b as char);
            } else {
                let _ = write!(out, "={b:02X}");
            }
            col += piece_len;
        }
        if hard_break {
            out.push_str("\r\n");
        }
    }
}

/// Bytes that start like a PNG (signature + IHDR); the rest is filler.
/// The edge only base64-embeds them, it never decodes the image.
fn fake_png(len: usize, seed: u32) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    v.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 2, 0x58, 0, 0, 0, 0xc8,
    ]);
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    while v.len() < len {
        // xorshift32: incompressible, like real image data.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push(x as u8);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::BIG_HTML_BYTES;

    #[test]
    fn quoted_printable_keeps_lines_short_and_escapes() {
        let mut out = String::new();
        qp_encode_into(&mut out, &format!("a=b é {}\nend \n", "x".repeat(200)));
        for line in out.split("\r\n") {
            assert!(line.len() <= 76, "{line}");
        }
        assert!(out.starts_with("a=3Db =C3=A9 x"));
        assert!(out.ends_with("end=20\r\n"));
    }

    #[test]
    fn big_message_is_about_the_target_size() {
        let m = big_html_message("box@example.test", BIG_HTML_BYTES);
        assert!(m.len() >= BIG_HTML_BYTES && m.len() < BIG_HTML_BYTES + 16 * 1024);
    }
}
