//! `/transfer`: the standalone transfer page (R-LIM-4), in the portal
//! (`crate::portal`). Files up to 50 GiB are uploaded (resumable, with
//! progress), then published together (`POST /api/transfers`) as one
//! download link that expires.

use crate::components::error_text::error_text;
use crate::components::file_list::{FileItem, FileRow, FileState, size_units, upload_files};
use crate::core::api;
use crate::core::browser::format_full_date;
use crate::core::format::format_size;
use crate::core::upload::delete_upload;
use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::transfers::Transfer;
use std::rc::Rc;

#[component]
pub fn TransferPage() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let files = RwSignal::new(Vec::<(FileItem, Option<String>)>::new());
    let next = StoredValue::new(0u32);
    let result = RwSignal::new(None::<Transfer>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let add = move |list: web_sys::FileList| {
        result.set(None);
        upload_files(
            i18n,
            list,
            true,
            next,
            &|it| files.update(|f| f.push((it.clone(), None))),
            Rc::new(move |it, id| {
                files.update(|f| {
                    if let Some(e) = f.iter_mut().find(|e| e.0.key == it.key) {
                        e.1 = Some(id);
                    }
                });
                it.state.set(FileState::Done);
            }),
        );
    };
    let remove = Callback::new(move |key: u32| {
        let mut gone = None;
        files.update(|f| {
            if let Some(i) = f.iter().position(|e| e.0.key == key) {
                gone = Some(f.remove(i));
            }
        });
        if let Some((it, id)) = gone {
            it.discard();
            if let Some(id) = id {
                delete_upload(id);
            }
        }
    });
    // Leaving the page: uploads still going are of no use.
    on_cleanup(move || {
        for (it, _) in files.try_get_untracked().unwrap_or_default() {
            it.abandon();
        }
    });
    let ready_ids = move || {
        files.with(|f| {
            let all_done = !f.is_empty()
                && f.iter()
                    .all(|e| e.0.state.get() == FileState::Done && e.1.is_some());
            all_done.then(|| f.iter().filter_map(|e| e.1.clone()).collect::<Vec<_>>())
        })
    };
    let publish = move |_| {
        let Some(uploads) = ready_ids() else { return };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::create_transfer(uploads).await {
                Ok(t) => {
                    files.set(Vec::new());
                    result.set(Some(t));
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
            busy.set(false);
        });
    };
    let copy = move |url: String| {
        let nav = window().navigator();
        if let Ok(c) = js_sys::Reflect::get(&nav, &"clipboard".into())
            && let Ok(f) = js_sys::Reflect::get(&c, &"writeText".into())
            && let Ok(f) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f)
        {
            let _ = f.call1(&c, &url.into());
        }
    };

    view! {
        <div class="transfer-page">
            <header class="app-header">
                // The inbox is the webmail: a page load, not the portal's router.
                <a class="back" href="/" rel="external">
                    <span aria-hidden="true">"← "</span>
                    {t!(i18n, go_home)}
                </a>
                <h1>{t!(i18n, transfer_title)}</h1>
            </header>
            <main class="transfer-main" aria-busy=move || (!ready.get()).to_string()>
                <p>{t!(i18n, transfer_intro)}</p>
                <label class="attach-button">
                    {t!(i18n, pick_files)}
                    <input
                        type="file"
                        multiple=true
                        class="visually-hidden"
                        data-testid="transfer-input"
                        // Uploads need the session's CSRF token: not before
                        // the session is known (a quick pick was refused).
                        disabled=move || !ready.get()
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(l) = input.files() {
                                add(l);
                            }
                            input.set_value("");
                        }
                    />
                </label>
                <ul class="composer-files" role="list">
                    {move || {
                        files
                            .get()
                            .into_iter()
                            .map(|e| view! { <FileRow item=e.0 on_remove=remove/> })
                            .collect_view()
                    }}
                </ul>
                <button
                    type="button"
                    class="primary"
                    data-testid="create-transfer"
                    disabled=move || ready_ids().is_none() || busy.get()
                    on:click=publish
                >
                    {t!(i18n, create_link)}
                </button>
                {move || error.get().map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
                {move || {
                    result
                        .get()
                        .map(|t| {
                            let url = t.url.clone();
                            let expires = t.expires_at;
                            view! {
                                <section class="transfer-result" data-testid="transfer-result">
                                    <label for="transfer-url">{t!(i18n, transfer_link)}</label>
                                    <div class="link-row">
                                        <input id="transfer-url" readonly=true value=t.url.clone() data-testid="transfer-url"/>
                                        <button type="button" data-testid="copy-link" on:click=move |_| copy(url.clone())>
                                            {t!(i18n, copy_link)}
                                        </button>
                                    </div>
                                    <p>
                                        {move || {
                                            t_string!(
                                                i18n, transfer_expires, date = format_full_date(expires, i18n.get_locale().as_str())
                                            )
                                                .to_string()
                                        }}
                                    </p>
                                    <ul role="list">
                                        {t
                                            .files
                                            .into_iter()
                                            .map(|f| {
                                                let size = f.size;
                                                view! {
                                                    <li>
                                                        {f.name} " — " {move || format_size(size, size_units(i18n))}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })
                }}
            </main>
        </div>
    }
}
