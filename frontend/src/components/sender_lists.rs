//! The blocked and approved senders (R-SPAM-4), as both the Filters tab of
//! a mailbox and the service's global lists show them: the entries with a
//! remove button each, a field to add one, and a box to paste a list.
//! Entries are checked as typed with the gateway's own rule
//! (`shared::spam::parse_sender`); the gateway checks again and its typed
//! error is what is shown.

use crate::components::error_text::error_text;
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::api::{MailboxId, OrganizationId};
use postern_shared::spam::{SenderEntries, SenderList, parse_sender, split_pasted};
use postern_shared::{ApiError, ErrorCode};

/// Whose lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOwner {
    Mailbox(MailboxId),
    Org(OrganizationId),
}

/// Both lists, as the gateway answered them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lists {
    pub blocked: Vec<String>,
    pub approved: Vec<String>,
}

async fn change(owner: ListOwner, req: SenderEntries, remove: bool) -> Result<Lists, ApiError> {
    Ok(match owner {
        ListOwner::Mailbox(mb) => {
            let s = api::change_spam_senders(mb, &req, remove).await?;
            Lists {
                blocked: s.blocked,
                approved: s.approved,
            }
        }
        ListOwner::Org(org) => {
            let s = api::change_org_spam_senders(org, &req, remove).await?;
            Lists {
                blocked: s.blocked,
                approved: s.approved,
            }
        }
    })
}

/// The first entry the gateway would refuse, as its error.
fn check(entries: &[String]) -> Option<ApiError> {
    entries.iter().find_map(|raw| {
        parse_sender(raw).err().map(|e| {
            ApiError::new(ErrorCode::InvalidSender, "").with(|p| {
                p.value = Some(raw.clone());
                p.reason = Some(e.reason().into());
                if let postern_shared::spam::SenderError::Character(c) = e {
                    p.character = Some(c.to_string());
                }
            })
        })
    })
}

/// One list (`list`) of `lists`, editable unless `disabled`.
pub fn sender_list(
    owner: ListOwner,
    list: SenderList,
    lists: RwSignal<Lists>,
    disabled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let typed = RwSignal::new(String::new());
    let pasted = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let slug = list.as_str();
    let entries = move || {
        lists.with(|l| match list {
            SenderList::Blocked => l.blocked.clone(),
            SenderList::Approved => l.approved.clone(),
        })
    };
    let send = move |values: Vec<String>, remove: bool, clear: RwSignal<String>| {
        if values.is_empty() || busy.get_untracked() {
            return;
        }
        if !remove && let Some(e) = check(&values) {
            error.set(Some(error_text(i18n, &e)));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = change(
                owner,
                SenderEntries {
                    list,
                    entries: values,
                },
                remove,
            )
            .await;
            busy.set(false);
            match r {
                Ok(l) => {
                    error.set(None);
                    clear.set(String::new());
                    lists.set(l);
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let unused = RwSignal::new(String::new());
    let add_one = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = typed.get_untracked().trim().to_string();
        send(vec![v], false, typed);
    };
    let import = move |_| {
        let text = pasted.get_untracked();
        let values: Vec<String> = split_pasted(&text).into_iter().map(String::from).collect();
        send(values, false, pasted);
    };
    let title = move || match list {
        SenderList::Blocked => t_string!(i18n, spam_blocked_title),
        SenderList::Approved => t_string!(i18n, spam_approved_title),
    };
    let hint = move || match list {
        SenderList::Blocked => t_string!(i18n, spam_blocked_hint),
        SenderList::Approved => t_string!(i18n, spam_approved_hint),
    };
    view! {
        <section class="block sender-list" data-testid=format!("senders-{slug}")>
            <h3>{title}</h3>
            <p class="hint">{hint}</p>
            {move || {
                error
                    .get()
                    .map(|msg| {
                        view! {
                            <p class="alert error" role="alert" data-testid="sender-error">{msg}</p>
                        }
                    })
            }}
            {move || {
                let items = entries();
                if items.is_empty() {
                    view! { <p class="hint" data-testid="senders-none">{t!(i18n, spam_senders_none)}</p> }
                        .into_any()
                } else {
                    view! {
                        <ul class="user-list" role="list">
                            {items
                                .into_iter()
                                .map(|entry| {
                                    let e = entry.clone();
                                    view! {
                                        <li class="user-row" data-testid="sender-entry" data-entry=entry.clone()>
                                            <span class="sender-entry">{entry.clone()}</span>
                                            <button
                                                type="button"
                                                class="secondary"
                                                disabled=disabled
                                                data-testid="sender-remove"
                                                aria-label=move || {
                                                    t_string!(i18n, spam_remove_sender, entry = e.clone()).to_string()
                                                }
                                                on:click={
                                                    let entry = entry.clone();
                                                    move |_| send(vec![entry.clone()], true, unused)
                                                }
                                            >
                                                {t!(i18n, spam_remove)}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <form class="inline-form" on:submit=add_one>
                <label>
                    <span class="visually-hidden">{title}</span>
                    <input
                        type="text"
                        inputmode="email"
                        autocomplete="off"
                        maxlength=postern_shared::spam::MAX_SENDER_CHARS.to_string()
                        placeholder=move || t_string!(i18n, spam_sender_placeholder)
                        disabled=disabled
                        data-testid=format!("sender-input-{slug}")
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                    />
                </label>
                <button
                    type="submit"
                    class="primary"
                    disabled=move || disabled || busy.get()
                    data-testid=format!("sender-add-{slug}")
                >
                    {t!(i18n, spam_add)}
                </button>
            </form>
            <details class="import-senders">
                <summary>{t!(i18n, spam_import)}</summary>
                <label>
                    <span>{t!(i18n, spam_import_hint)}</span>
                    <textarea
                        rows="4"
                        disabled=disabled
                        data-testid=format!("sender-paste-{slug}")
                        prop:value=move || pasted.get()
                        on:input=move |ev| pasted.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button
                    type="button"
                    class="secondary"
                    disabled=move || disabled || busy.get()
                    data-testid=format!("sender-import-{slug}")
                    on:click=import
                >
                    {t!(i18n, spam_import_submit)}
                </button>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_entry_is_the_error() {
        let e = check(&["ok@x.test".into(), "a b@x.test".into(), "nope".into()]).unwrap();
        assert_eq!(e.code, ErrorCode::InvalidSender);
        assert_eq!(e.params.value.as_deref(), Some("a b@x.test"));
        assert_eq!(e.params.character.as_deref(), Some(" "));
        assert!(check(&["@x.test".into()]).is_none());
    }
}
