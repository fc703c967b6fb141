//! "Service unavailable, retrying…": shown while the edge or the gateway
//! cannot be reached; polls `GET /api/health` with backoff and hides itself
//! (and tells the views to re-fetch) when the service is back.

use crate::core::browser::sleep;
use crate::core::status::use_status;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Banner() -> impl IntoView {
    let i18n = use_i18n();
    let status = use_status();
    let polling = StoredValue::new(false);
    Effect::new(move || {
        if status.unavailable.get() && !polling.get_value() {
            polling.set_value(true);
            spawn_local(async move {
                let mut delay = 1_000;
                loop {
                    sleep(delay).await;
                    let ok = crate::core::api::health().await;
                    if ok {
                        break;
                    }
                    delay = (delay * 2).min(30_000);
                }
                polling.set_value(false);
                status.unavailable.set(false);
                status.reconnected.update(|n| *n += 1);
            });
        }
    });
    move || {
        status.unavailable.get().then(|| {
            view! {
                <div class="banner" role="alert" data-testid="banner">
                    {t!(i18n, banner_unavailable)}
                </div>
            }
        })
    }
}
