//! A section whose switch the caller may not use (no "manage filters"):
//! its title and intro, the switch shown off and disabled, and why — the
//! server refuses the change anyway.

use leptos::prelude::*;

pub fn refused_switch(
    title: impl IntoView + 'static,
    intro: impl IntoView + 'static,
    switch: impl IntoView + 'static,
    why: impl IntoView + 'static,
    testids: (&'static str, &'static str),
) -> AnyView {
    view! {
        <h2>{title}</h2>
        <p class="hint">{intro}</p>
        <label class="toggle">
            <input type="checkbox" disabled=true data-testid=testids.0/>
            <span>{switch}</span>
        </label>
        <p class="notice" data-testid=testids.1>{why}</p>
    }
    .into_any()
}
