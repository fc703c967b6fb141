//! The reading view (R-MAIL-4): headers, star, mark unread, move, delete,
//! the plain-text body, the sanitised HTML body in a sandboxed iframe
//! (remote images only on request; `message_body`, support staff's reader
//! shows it too), attachments.

use super::list::shortcuts::{self, Shortcut};
use super::{MailCtx, use_mail};
use crate::components::icon::{
    BACK, FORWARD, MOVE, REPLY, REPLY_ALL, SUPPORT, TRASH, UNREAD, icon,
};
use crate::components::move_select::MoveSelect;
use crate::components::star::StarButton;
use crate::core::api;
use crate::core::browser::{focus, format_full_date, iso_date};
use crate::core::format::{SizeUnits, address_list, format_size};
use crate::core::status::use_status;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use postern_shared::api::{Attachment, Flag, MessageView};

/// Shown in the reader pane when no message is open.
#[component]
pub fn NoMessage() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="reader-empty">{t!(i18n, select_a_message)}</p> }
}

#[component]
pub fn Reader() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_mail();
    let status = use_status();
    let res = LocalResource::new(move || {
        let (mb, folder, uid) = (ctx.mailbox.get(), ctx.folder.get(), ctx.uid.get());
        status.reconnected.track();
        async move {
            match uid {
                Some(uid) => Some(api::message(mb, &folder, uid).await),
                None => None,
            }
        }
    });
    // Opening marks the message read: reflect it in the list and the counts.
    Effect::new(move || {
        if let Some(Some(Ok(v))) = res.get() {
            let was_unread = ctx
                .page
                .with_untracked(|p| {
                    p.as_ref()
                        .and_then(|p| p.messages.iter().find(|m| m.uid == v.uid))
                        .map(|m| !m.seen)
                })
                .unwrap_or(false);
            ctx.update_row(v.uid, |m| m.seen = true);
            if was_unread {
                ctx.reload_folders.update(|n| *n += 1);
            }
        }
    });
    move || match res.get() {
        None | Some(None) => {
            view! { <p class="reader-empty" aria-busy="true">{t!(i18n, loading)}</p> }.into_any()
        }
        Some(Some(Err(e))) => {
            ctx.show_error(i18n, &e);
            back_link(move || ctx.list_href()).into_any()
        }
        Some(Some(Ok(v))) => view! { <MessageDetail message=v/> }.into_any(),
    }
}

/// "Back to list": the webmail's reader, and support staff's.
pub fn back_link<H: Fn() -> String + Send + Sync + 'static>(href: H) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a
            class="back"
            data-testid="back"
            href=href
            title=move || t_string!(i18n, back)
        >
            {icon(BACK)}
            <span class="label">{t!(i18n, back)}</span>
        </a>
    }
}

fn after_leave(ctx: MailCtx) {
    ctx.reload_list.update(|n| *n += 1);
    ctx.reload_folders.update(|n| *n += 1);
}

#[component]
fn MessageDetail(message: MessageView) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_mail();
    let navigate = use_navigate();
    let mb = ctx.mailbox.get_untracked();
    let folder = message.folder.clone();
    let uid = message.uid;
    let flagged = RwSignal::new(message.flagged);

    let folder_star = folder.clone();
    let on_star = Callback::new(move |v: bool| {
        flagged.set(v);
        ctx.update_row(uid, |m| m.flagged = v);
        let folder = folder_star.clone();
        spawn_local(async move {
            if let Err(e) = api::set_flag(mb, folder, vec![uid], Flag::Flagged, v).await {
                flagged.set(!v);
                ctx.update_row(uid, |m| m.flagged = !v);
                ctx.show_error(i18n, &e);
            }
        });
    });
    let (nav1, nav2, nav3, nav4, nav_back) = (
        navigate.clone(),
        navigate.clone(),
        navigate.clone(),
        navigate.clone(),
        navigate,
    );
    let on_report = Callback::new(move |_| {
        let navigate = nav4.clone();
        super::report::report(ctx, i18n, vec![uid], move || {
            after_leave(ctx);
            navigate(&ctx.list_href(), Default::default())
        });
    });
    let folder_unread = folder.clone();
    let mark_unread = move || {
        let folder = folder_unread.clone();
        let navigate = nav1.clone();
        spawn_local(async move {
            match api::set_flag(mb, folder, vec![uid], Flag::Seen, false).await {
                Ok(()) => {
                    ctx.update_row(uid, |m| m.seen = false);
                    ctx.reload_folders.update(|n| *n += 1);
                    navigate(&ctx.list_href(), Default::default());
                }
                Err(e) => ctx.show_error(i18n, &e),
            }
        });
    };
    let folder_move = folder.clone();
    let on_move = Callback::new(move |to: String| {
        let folder = folder_move.clone();
        let navigate = nav2.clone();
        spawn_local(async move {
            match api::move_messages(mb, folder, vec![uid], to).await {
                Ok(_) => {
                    after_leave(ctx);
                    navigate(&ctx.list_href(), Default::default());
                }
                Err(e) => ctx.show_error(i18n, &e),
            }
        });
    });
    let folder_del = folder.clone();
    let on_delete = move || {
        let folder = folder_del.clone();
        let navigate = nav3.clone();
        spawn_local(async move {
            match api::delete_messages(mb, folder, vec![uid]).await {
                Ok(_) => {
                    after_leave(ctx);
                    navigate(&ctx.list_href(), Default::default());
                }
                Err(e) => ctx.show_error(i18n, &e),
            }
        });
    };

    let shared = RwSignal::new(false);
    let folder_share = folder.clone();
    let on_share = move |_| {
        let scope = postern_shared::support::SupportScope::Message {
            folder: folder_share.clone(),
            uid,
        };
        spawn_local(async move {
            match api::grant_support(mb, scope).await {
                Ok(_) => shared.set(true),
                Err(e) => ctx.show_error(i18n, &e),
            }
        });
    };

    let folder_src = folder.clone();
    let src = move |images| api::body_html_url(mb, &folder_src, uid, images);

    let folder_att = folder.clone();

    // Writing: reply, reply all, forward; a draft opens in the composer.
    let compose = super::compose::use_compose();
    let (m1, m2, m3) = (message.clone(), message.clone(), message.clone());
    let reply = move || compose.reply(i18n, &m1, false);
    let reply_all = move || compose.reply(i18n, &m2, true);
    let forward = move || compose.forward(i18n, &m3);
    let is_draft = Memo::new(move |_| {
        ctx.current_folder()
            .and_then(|f| f.special)
            .is_some_and(|s| s == postern_shared::folders::SpecialUse::Drafts)
    });
    let known = message.attachments.clone();
    let edit_draft = move || {
        let known = known.clone();
        spawn_local(async move {
            if let Err(e) = compose.open_draft(uid, known, None).await {
                ctx.show_error(i18n, &e);
            }
        });
    };
    let auto_opened = StoredValue::new(false);
    let edit_auto = edit_draft.clone();
    Effect::new(move || {
        if is_draft.get() && !auto_opened.get_value() {
            auto_opened.set_value(true);
            edit_auto();
        }
    });

    // The keys that act on the open message (`list/shortcuts.rs`): the
    // toolbar's own handlers.
    let (k_reply, k_reply_all, k_forward) = (reply.clone(), reply_all.clone(), forward.clone());
    let (k_mark_unread, k_on_delete) = (mark_unread.clone(), on_delete.clone());
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(a) = shortcuts::from_event(&ev).filter(|a| a.in_reader()) else {
            return;
        };
        ev.prevent_default();
        match a {
            Shortcut::Back => nav_back(&ctx.list_href(), Default::default()),
            Shortcut::Reply => k_reply(),
            Shortcut::ReplyAll => k_reply_all(),
            Shortcut::Forward => k_forward(),
            Shortcut::Star => on_star.run(!flagged.get_untracked()),
            Shortcut::MarkUnread => k_mark_unread(),
            Shortcut::Archive => {
                if let Some(to) = super::list::archive_destination(ctx, i18n) {
                    on_move.run(to)
                }
            }
            Shortcut::Delete => k_on_delete(),
            Shortcut::Move => focus(".reader-toolbar select[data-testid=\"move\"]"),
            _ => {}
        }
    };
    let handle = shortcuts::listen(on_key);
    on_cleanup(move || handle.remove());

    view! {
        <article class="reader" data-testid="reader" data-uid=uid.to_string()>
            // One row of icons (names in aria-label and title), on a phone too.
            <div class="reader-toolbar" role="toolbar" aria-label=move || t_string!(i18n, message_actions)>
                {back_link(move || ctx.list_href())}
                <button
                    type="button"
                    class="primary"
                    data-testid="edit-draft"
                    hidden=move || !is_draft.get()
                    on:click=move |_| edit_draft()
                >
                    {t!(i18n, edit_draft)}
                </button>
                <button
                    type="button"
                    class="icon-button"
                    data-testid="reply"
                    aria-label=move || t_string!(i18n, reply)
                    title=move || t_string!(i18n, reply)
                    on:click=move |_| reply()
                >
                    {icon(REPLY)}
                </button>
                <button
                    type="button"
                    class="icon-button"
                    data-testid="reply-all"
                    aria-label=move || t_string!(i18n, reply_all)
                    title=move || t_string!(i18n, reply_all)
                    on:click=move |_| reply_all()
                >
                    {icon(REPLY_ALL)}
                </button>
                <button
                    type="button"
                    class="icon-button"
                    data-testid="forward"
                    aria-label=move || t_string!(i18n, forward)
                    title=move || t_string!(i18n, forward)
                    on:click=move |_| forward()
                >
                    {icon(FORWARD)}
                </button>
                <StarButton flagged=flagged on_toggle=on_star/>
                <button
                    type="button"
                    class="icon-button"
                    data-testid="reader-mark-unread"
                    aria-label=move || t_string!(i18n, mark_unread)
                    title=move || t_string!(i18n, mark_unread)
                    on:click=move |_| mark_unread()
                >
                    {icon(UNREAD)}
                </button>
                // The folder menu under an icon: the select, transparent, covers it.
                <span class="icon-select" title=move || t_string!(i18n, move_to)>
                    {icon(MOVE)}
                    <MoveSelect folders=ctx.folders current=ctx.folder on_move=on_move/>
                </span>
                <super::report::ReportButton disabled=false on_report=on_report icon_only=true/>
                <button
                    type="button"
                    class="icon-button danger"
                    data-testid="reader-delete"
                    aria-label=move || t_string!(i18n, delete)
                    title=move || t_string!(i18n, delete)
                    on:click=move |_| on_delete()
                >
                    {icon(TRASH)}
                </button>
                // R-SUP-4: one call; the shares are listed in the portal.
                <button
                    type="button"
                    class="icon-button"
                    data-testid="reader-share-support"
                    aria-label=move || t_string!(i18n, mail_share_support)
                    title=move || t_string!(i18n, mail_share_support)
                    disabled=move || shared.get()
                    on:click=on_share
                >
                    {icon(SUPPORT)}
                </button>
            </div>
            {move || shared.get().then(|| view! {
                <p class="notice" role="status" data-testid="reader-shared-support">{t!(i18n, mail_shared_support)}</p>
            })}
            {reader_header(&message)}
            {message_body(&message, src)}
            {attachment_list(&message.attachments, move |section| api::part_url(mb, &folder_att, uid, section))}
        </article>
    }
}

/// A message's headers as the reader shows them (subject, from, to, cc,
/// date), and the notice of a malformed one: the webmail's reader and
/// support staff's read-only one (the portal's `pages/staff/message.rs`).
pub fn reader_header(message: &MessageView) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let subject = message.subject.clone();
    let has_subject = !subject.trim().is_empty();
    let date = message.date;
    let from = address_list(&message.from);
    let to = address_list(&message.to);
    let cc = address_list(&message.cc);
    view! {
        <header class="reader-header">
            <h2 class="subject" data-testid="reader-subject">
                {move || if has_subject { subject.clone() } else { t_string!(i18n, no_subject).to_string() }}
            </h2>
            <dl class="meta">
                <dt>{t!(i18n, from)}</dt>
                <dd data-testid="reader-from">{from}</dd>
                <dt>{t!(i18n, to)}</dt>
                <dd>{to}</dd>
                {(!cc.is_empty())
                    .then(|| {
                        view! {
                            <dt>{t!(i18n, cc)}</dt>
                            <dd>{cc}</dd>
                        }
                    })}
                {date
                    .map(|d| {
                        view! {
                            <dt>{t!(i18n, date)}</dt>
                            <dd>
                                <time datetime=iso_date(d)>
                                    {move || format_full_date(d, i18n.get_locale().as_str())}
                                </time>
                            </dd>
                        }
                    })}
            </dl>
        </header>
        {message
            .malformed
            .then(|| view! { <p class="notice warning" data-testid="malformed">{t!(i18n, malformed)}</p> })}
    }
}

/// The body as the reader shows it: an HTML message's sanitised body in a
/// sandboxed iframe loaded from `src(images)` — remote images blocked until
/// "show images" asks for them —, else the plain text. The webmail's reader
/// and support staff's (whose `src` is the staff route).
pub fn message_body<S>(message: &MessageView, src: S) -> AnyView
where
    S: Fn(bool) -> String + Send + Sync + 'static,
{
    if !message.has_html {
        return text_body(message.text.clone());
    }
    let i18n = use_i18n();
    let images = RwSignal::new(false);
    let frame_height = RwSignal::new(300i32);
    let frame = NodeRef::<leptos::html::Iframe>::new();
    // Same-origin and script-free: the parent may read the height.
    let on_frame_load = move |_| {
        if let Some(h) = frame
            .get()
            .and_then(|f| f.content_document())
            .and_then(|d| d.document_element())
            .map(|e| e.scroll_height())
        {
            frame_height.set(h.max(80) + 16);
        }
    };
    view! {
        {message.remote_images
            .then(|| {
                view! {
                    <Show when=move || !images.get()>
                        <p class="notice images-bar">
                            <span>{t!(i18n, remote_images_blocked)}</span>
                            <button
                                type="button"
                                data-testid="show-images"
                                on:click=move |_| images.set(true)
                            >
                                {t!(i18n, show_images)}
                            </button>
                        </p>
                    </Show>
                }
            })}
        <iframe
            class="message-html"
            data-testid="message-html"
            node_ref=frame
            sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
            title=move || t_string!(i18n, html_body)
            src=move || src(images.get())
            height=move || frame_height.get().to_string()
            on:load=on_frame_load
        ></iframe>
    }
    .into_any()
}

/// The plain-text body, or "no text".
pub fn text_body(text: Option<String>) -> AnyView {
    let i18n = use_i18n();
    match text {
        Some(t) if !t.trim().is_empty() => {
            view! { <pre class="message-text" data-testid="message-text">{t}</pre> }.into_any()
        }
        _ => view! { <p class="empty">{t!(i18n, no_body)}</p> }.into_any(),
    }
}

/// The message's files (not those shown inline in its HTML), each a
/// download link to `href(section)`.
pub fn attachment_list<F: Fn(&str) -> String>(
    attachments: &[Attachment],
    href: F,
) -> impl IntoView + use<F> {
    let i18n = use_i18n();
    let files: Vec<(Attachment, String)> = attachments
        .iter()
        .filter(|a| !a.inline)
        .map(|a| (a.clone(), href(&a.section)))
        .collect();
    (!files.is_empty()).then(|| {
        view! {
            <section class="attachments">
                <h3>{t!(i18n, attachments)}</h3>
                <ul role="list">
                    {files
                        .into_iter()
                        .map(|(a, href)| view! { <AttachmentItem attachment=a href=href/> })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn AttachmentItem(attachment: Attachment, href: String) -> impl IntoView {
    let i18n = use_i18n();
    let size = attachment.size;
    let file_name = attachment.name.clone();
    let name_label = file_name.clone();
    let download_name = file_name.clone();
    view! {
        <li data-testid="attachment">
            <a
                href=href
                download=download_name
                aria-label=move || t_string!(i18n, download, name = name_label.clone()).to_string()
            >
                <span aria-hidden="true">"❏ "</span>
                <span class="name">{file_name}</span>
            </a>
            <span class="size">
                {move || {
                    format_size(
                        size,
                        SizeUnits {
                            b: t_string!(i18n, unit_b),
                            kb: t_string!(i18n, unit_kb),
                            mb: t_string!(i18n, unit_mb),
                            gb: t_string!(i18n, unit_gb),
                            decimal_sep: t_string!(i18n, decimal_sep),
                        },
                    )
                }}
            </span>
            <span class="type">{attachment.content_type.clone()}</span>
        </li>
    }
}
