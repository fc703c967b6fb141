//! A message as support staff read it: the headers and the body as the
//! webmail's reader shows them (`pages/mail/reader.rs`), the attachments
//! downloadable through the staff part route — and no control that
//! changes anything (no flags, move, delete, reply). Reading never marks
//! it read. The body is the webmail reader's (`message_body`): an HTML
//! message's sanitised body in the same sandboxed iframe, through the staff
//! route, remote images blocked until "show images".

use super::Failure;
use crate::core::api;
use crate::i18n::*;
use crate::pages::mail::reader::{attachment_list, back_link, message_body, reader_header};
use leptos::prelude::*;
use postern_shared::api::MessageView;

/// Message `uid` of `folder` through grant `id`; `back` is where the way
/// back goes (its folder, or the list of grants for a shared message).
pub fn message_view(
    id: String,
    folder: String,
    uid: u32,
    back: String,
    failure: Failure,
) -> impl IntoView {
    let i18n = use_i18n();
    let (rid, rfolder) = (id.clone(), folder.clone());
    let res = LocalResource::new(move || {
        let (id, folder) = (rid.clone(), rfolder.clone());
        async move { api::staff_message(id, &folder, uid).await }
    });
    Effect::new(move || {
        if let Some(Err(e)) = res.get() {
            failure.show(i18n, &e);
        }
    });
    let body = move || match res.get() {
        None => {
            view! { <p class="reader-empty" aria-busy="true">{t!(i18n, loading)}</p> }.into_any()
        }
        Some(Err(_)) => ().into_any(),
        Some(Ok(v)) => detail(id.clone(), folder.clone(), v).into_any(),
    };
    view! {
        <article class="reader staff-reader" data-testid="staff-reader" data-uid=uid.to_string()>
            <div class="reader-toolbar">{back_link(move || back.clone())}</div>
            <p class="hint staff-read-only" data-testid="staff-read-only">{t!(i18n, staff_read_only)}</p>
            {body}
        </article>
    }
}

fn detail(id: String, folder: String, v: MessageView) -> impl IntoView {
    let uid = v.uid;
    let (src_id, src_folder) = (id.clone(), folder.clone());
    let src = move |images| api::staff_body_html_url(src_id.clone(), &src_folder, uid, images);
    let href = move |section: &str| api::staff_part_url(id.clone(), &folder, uid, section);
    view! {
        {reader_header(&v)}
        {message_body(&v, src)}
        {attachment_list(&v.attachments, href)}
    }
}
