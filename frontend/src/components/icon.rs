//! Line icons drawn inline (no icon font, nothing to download): one SVG
//! shape per glyph, stroked in the text colour (`.icon` in the
//! stylesheet). Always `aria-hidden`: the button carries the name.

use leptos::prelude::*;

pub const REPLY: &str = "M9 15 4 10l5-5M4 10h10a6 6 0 0 1 6 6v3";
pub const REPLY_ALL: &str = "M8 15 3 10l5-5M13 15l-5-5 5-5M8 10h6a6 6 0 0 1 6 6v3";
pub const FORWARD: &str = "M15 15l5-5-5-5M20 10H10a6 6 0 0 0-6 6v3";
pub const UNREAD: &str = "M3 6h18v12H3zM3 6l9 7 9-7";
pub const TRASH: &str = "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3";
pub const MOVE: &str = "M3 6h6l2 2h10v11H3zM10 13h7M14 10l3 3-3 3";
pub const BACK: &str = "M15 18l-6-6 6-6";
pub const SETTINGS: &str = "M4 6h9M17 6h3M15 4v4M4 12h3M11 12h9M9 10v4M4 18h11M19 18h1M17 16v4";
pub const UPLOAD: &str = "M12 16V4M7 9l5-5 5 5M4 20h16";
/// A shield with a cross: "spam".
pub const SPAM: &str = "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9.5 9.5l5 5M14.5 9.5l-5 5";
/// A shield with a tick: "not spam".
pub const NOT_SPAM: &str = "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM8.5 12l2.5 2.5 4.5-5";
/// A lifebuoy: share with support (R-SUP-4).
pub const SUPPORT: &str = "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8zM5.6 5.6l3.6 3.6M14.8 14.8l3.6 3.6M18.4 5.6l-3.6 3.6M9.2 14.8l-3.6 3.6";
pub const PEN: &str = "M4 20h4L19 9l-4-4L4 16zM13 7l4 4";

/// The icon of `shape` (one of the constants above).
pub fn icon(shape: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=shape></path>
        </svg>
    }
}
