//! `/mail/:mailbox/:folder[/:uid]`: header, folder tree, message list and
//! the reader (when `:uid` is there), and the composer over them
//! (`compose/`). On phones one pane shows at a time.

pub mod compose;
pub mod list;
pub mod live;
pub mod reader;
pub mod report;

use crate::components::app_header::AppHeader;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::folder_tree::{FolderAction, FolderTree};
use crate::core::api;
use crate::core::browser::{confirm, prompt};
use crate::core::format::folder_href;
use crate::core::status::use_status;
use crate::i18n::I18nContext;
use crate::i18n::*;
use crate::pages::use_require_session;
use compose::actions::compose_actions;
use compose::composer::Composer;
use compose::toast::SendToast;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use postern_shared::api::{Folder, MessagePage};

/// State shared by the folder tree, the list and the reader.
#[derive(Clone, Copy)]
pub struct MailCtx {
    pub mailbox: Memo<i64>,
    /// Full folder path, decoded.
    pub folder: Memo<String>,
    /// The open message, from the route's optional `:uid`.
    pub uid: Memo<Option<u32>>,
    pub folders: RwSignal<Vec<Folder>>,
    pub reload_folders: RwSignal<u32>,
    pub reload_list: RwSignal<u32>,
    /// The list page on screen (rows are updated in place by actions).
    pub page: RwSignal<Option<MessagePage>>,
    pub error: RwSignal<Option<String>>,
    /// The last spam report, with its offer to block or approve senders.
    pub reported: RwSignal<Option<report::Reported>>,
}

pub fn use_mail() -> MailCtx {
    expect_context::<MailCtx>()
}

impl MailCtx {
    pub fn current_folder(self) -> Option<Folder> {
        let path = self.folder.get();
        self.folders
            .with(|fs| fs.iter().find(|f| f.path == path).cloned())
    }

    pub fn show_error(self, i18n: I18nContext, e: &postern_shared::ApiError) {
        // Unavailability has its own banner; a lost session redirects.
        use postern_shared::ErrorCode::*;
        if !matches!(
            e.code,
            GatewayUnavailable | Unauthenticated | SessionExpired
        ) {
            self.error.set(Some(error_text(i18n, e)));
        }
    }

    /// Updates one row of the list on screen.
    pub fn update_row(self, uid: u32, f: impl Fn(&mut postern_shared::api::MessageSummary)) {
        self.page.update(|p| {
            if let Some(row) = p
                .as_mut()
                .and_then(|p| p.messages.iter_mut().find(|m| m.uid == uid))
            {
                f(row)
            }
        });
    }

    pub fn list_href(self) -> String {
        folder_href(self.mailbox.get_untracked(), &self.folder.get_untracked())
    }
}

#[component]
pub fn MailLayout() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let status = use_status();
    let params = use_params_map();
    let navigate = use_navigate();
    let mailbox = Memo::new(move |_| {
        params
            .read()
            .get("mailbox")
            .and_then(|m| m.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let folder = Memo::new(move |_| params.read().get("folder").unwrap_or_default());
    // `/mail/<mb>/<folder>/<uid>`: one route with an optional segment, not a
    // parent with child routes and an <Outlet/> (2.3 KB less brotli); the
    // reader shows for any fifth segment, as the child route did.
    let uid_segment = Memo::new(move |_| params.read().get("uid"));
    let uid = Memo::new(move |_| uid_segment.get().and_then(|s| s.parse::<u32>().ok()));
    let reading = Memo::new(move |_| uid_segment.with(Option::is_some));
    let ctx = MailCtx {
        mailbox,
        folder,
        uid,
        folders: RwSignal::new(Vec::new()),
        reload_folders: RwSignal::new(0),
        reload_list: RwSignal::new(0),
        page: RwSignal::new(None),
        error: RwSignal::new(None),
        reported: RwSignal::new(None),
    };
    provide_context(ctx);
    live::follow(ctx);
    let compose = compose::provide_compose(mailbox, [ctx.reload_list, ctx.reload_folders]);
    let drawer = RwSignal::new(false);

    let folders_res = LocalResource::new(move || {
        let mb = mailbox.get();
        ctx.reload_folders.track();
        status.reconnected.track();
        let ready = ready.get();
        async move {
            if ready {
                Some(api::folders(mb).await)
            } else {
                None
            }
        }
    });
    Effect::new(move || match folders_res.get() {
        Some(Some(Ok(f))) => ctx.folders.set(f),
        Some(Some(Err(e))) => ctx.show_error(i18n, &e),
        _ => {}
    });

    let on_action = Callback::new(move |a: FolderAction| {
        let mb = mailbox.get_untracked();
        let navigate = navigate.clone();
        match a {
            FolderAction::Create(parent) => {
                let Some(name) = prompt(t_string!(i18n, prompt_new_folder), "") else {
                    return;
                };
                spawn_local(async move {
                    match api::create_folder(mb, parent, name).await {
                        Ok(f) => {
                            ctx.reload_folders.update(|n| *n += 1);
                            navigate(&folder_href(mb, &f.path), Default::default());
                        }
                        Err(e) => ctx.show_error(i18n, &e),
                    }
                });
            }
            FolderAction::Rename(f) => {
                let msg = t_string!(i18n, prompt_rename_folder, name = f.name.clone()).to_string();
                let Some(name) = prompt(&msg, &f.name) else {
                    return;
                };
                spawn_local(async move {
                    match api::rename_folder(mb, &f.path, name).await {
                        Ok(renamed) => {
                            ctx.reload_folders.update(|n| *n += 1);
                            if folder.get_untracked() == f.path {
                                navigate(&folder_href(mb, &renamed.path), Default::default());
                            }
                        }
                        Err(e) => ctx.show_error(i18n, &e),
                    }
                });
            }
            FolderAction::Delete(f) => {
                let msg = t_string!(i18n, confirm_delete_folder, name = f.name.clone()).to_string();
                if !confirm(&msg) {
                    return;
                }
                spawn_local(async move {
                    match api::delete_folder(mb, &f.path).await {
                        Ok(()) => {
                            ctx.reload_folders.update(|n| *n += 1);
                            let cur = folder.get_untracked();
                            if f.delimiter
                                .is_some_and(|d| cur.starts_with(&format!("{}{d}", f.path)))
                                || cur == f.path
                            {
                                navigate(&folder_href(mb, "INBOX"), Default::default());
                            }
                        }
                        Err(e) => ctx.show_error(i18n, &e),
                    }
                });
            }
        }
    });

    view! {
        <div
            class="mail-app"
            class:reading=move || uid.get().is_some()
            class:drawer-open=move || drawer.get()
        >
            <AppHeader mailbox=mailbox drawer=drawer>
                {compose_actions()}
            </AppHeader>
            <ErrorAlert error=ctx.error/>
            <report::ReportNotice/>
            <div class="panes">
                <div class="folder-pane">
                    <FolderTree
                        mailbox=mailbox
                        folders=ctx.folders
                        current=folder
                        on_action=on_action
                        on_navigate=Callback::new(move |_| drawer.set(false))
                    />
                    <live::NotifyButton/>
                </div>
                <button
                    type="button"
                    class="drawer-scrim"
                    tabindex="-1"
                    aria-hidden="true"
                    on:click=move |_| drawer.set(false)
                ></button>
                <main class="list-pane" aria-label=move || t_string!(i18n, messages)>
                    <list::MessageList/>
                </main>
                <section class="reader-pane">
                    {move || {
                        if reading.get() {
                            reader::Reader().into_any()
                        } else {
                            reader::NoMessage().into_any()
                        }
                    }}
                </section>
            </div>
            {move || {
                compose
                    .open
                    .get()
                    .map(|init| view! { <Composer init=init/> }.into_any())
            }}
            <SendToast/>
        </div>
    }
}
