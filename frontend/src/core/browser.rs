//! Thin wrappers over browser APIs used in several places.

use leptos_router::NavigateOptions;
use postern_shared::wire::apps::is_portal_path;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

pub fn local_storage_get(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

pub fn local_storage_set(key: &str, value: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(key, value);
    }
}

pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

pub fn prompt(message: &str, default: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.prompt_with_message_and_default(message, default).ok())
        .flatten()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The current path and query, e.g. for `/login?next=…`.
pub fn current_path() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_else(|| "/".into())
}

/// Goes to `href` (a path of this site): through the router within this
/// app, with a page load into the other one (the webmail and the portal
/// are two wasm modules, `postern_shared::wire::apps`).
pub fn go(href: &str, replace: bool, navigate: impl Fn(&str, NavigateOptions)) {
    if is_portal_path(href) == is_portal_path(&current_path()) {
        navigate(
            href,
            NavigateOptions {
                replace,
                ..Default::default()
            },
        );
    } else if let Some(w) = web_sys::window() {
        let l = w.location();
        let _ = if replace {
            l.replace(href)
        } else {
            l.assign(href)
        };
    }
}

/// `rel="external"` for a link into the other app (the router then leaves
/// it to the browser, which loads that app), none within this one.
pub fn rel_for(href: &str) -> Option<&'static str> {
    (is_portal_path(href) != is_portal_path(&current_path())).then_some("external")
}

/// Registers `/sw.js` (the PWA's offline shell) when the browser can.
pub fn register_service_worker() {
    let Some(w) = web_sys::window() else { return };
    let nav = w.navigator();
    if js_sys::Reflect::has(&nav, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        let _ = nav.service_worker().register("/sw.js");
    }
}

/// Focuses the first element matching `selector`.
pub fn focus(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// `(year, month 1–12, day)` in local time.
fn local_ymd(d: &js_sys::Date) -> (i32, u32, u32) {
    (d.get_full_year() as i32, d.get_month() + 1, d.get_date())
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// Short, locale-aware list date: time today, day + month this year, else a date.
pub fn format_list_date(unix: i64, locale: &str) -> String {
    use crate::core::format::{DateForm, date_form};
    let d = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    let now = js_sys::Date::new_0();
    let s = match date_form(local_ymd(&d), local_ymd(&now)) {
        DateForm::Time => d.to_locale_time_string_with_options(
            locale,
            &options(&[("hour", "2-digit"), ("minute", "2-digit")]),
        ),
        DateForm::DayMonth => {
            d.to_locale_date_string(locale, &options(&[("day", "numeric"), ("month", "short")]))
        }
        DateForm::Full => d.to_locale_date_string(
            locale,
            &options(&[("day", "numeric"), ("month", "short"), ("year", "numeric")]),
        ),
    };
    s.into()
}

/// Full date and time for the reader.
pub fn format_full_date(unix: i64, locale: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    d.to_locale_string(
        locale,
        &options(&[("dateStyle", "full"), ("timeStyle", "short")]),
    )
    .into()
}

/// ISO form for `<time datetime>`.
pub fn iso_date(unix: i64) -> String {
    js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0))
        .to_iso_string()
        .into()
}

/// `HH:MM` in the user's locale (draft saved at, quota frees up at).
pub fn format_time(unix: i64, locale: &str) -> String {
    js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0))
        .to_locale_time_string_with_options(
            locale,
            &options(&[("hour", "2-digit"), ("minute", "2-digit")]),
        )
        .into()
}

/// Unix seconds now.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
