//! A recipient field: typed addresses become chips (Enter, comma, Tab,
//! leaving the field, pasting a list), Backspace in the empty input removes
//! the last one, invalid ones stay as error chips. Autocomplete from
//! `GET …/contacts?q=` (debounced) in an ARIA combobox/listbox.

use super::prefill::{Chip, split_list};
use crate::core::api;
use crate::core::browser::sleep;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::api::EmailAddress;
use postern_shared::compose::Contact;

#[component]
pub fn RecipientField(
    mailbox: i64,
    /// `to`, `cc` or `bcc`: the test id prefix and element ids.
    kind: &'static str,
    label: Signal<String>,
    chips: RwSignal<Vec<Chip>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let input = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<Contact>::new());
    let active = RwSignal::new(None::<usize>);
    let seq = RwSignal::new(0u32);
    let input_id = format!("{kind}-input");
    let list_id = format!("{kind}-suggestions");

    let add = move |raw: &str| {
        let new: Vec<Chip> = split_list(raw)
            .iter()
            .filter_map(|p| Chip::parse(p))
            .collect();
        if new.is_empty() {
            return false;
        }
        chips.update(|c| {
            for n in new {
                if !c
                    .iter()
                    .any(|o| o.addr.address.eq_ignore_ascii_case(&n.addr.address))
                {
                    c.push(n);
                }
            }
        });
        on_change.run(());
        true
    };
    let close = move || {
        suggestions.set(Vec::new());
        active.set(None);
    };
    let commit = move || {
        let raw = input.get_untracked();
        close();
        if add(&raw) {
            input.set(String::new());
            true
        } else {
            false
        }
    };
    let pick = move |c: Contact| {
        chips.update(|v| {
            if !v
                .iter()
                .any(|o| o.addr.address.eq_ignore_ascii_case(&c.address))
            {
                v.push(Chip::of(EmailAddress {
                    name: c.name.clone(),
                    address: c.address.clone(),
                }))
            }
        });
        input.set(String::new());
        close();
        on_change.run(());
    };
    let lookup = move |q: String| {
        seq.update(|n| *n += 1);
        let mine = seq.get_untracked();
        if q.trim().len() < 2 {
            close();
            return;
        }
        spawn_local(async move {
            sleep(250).await;
            if seq.try_get_untracked() != Some(mine) {
                return;
            }
            if let Ok(found) = api::contacts(mailbox, &q).await
                && seq.try_get_untracked() == Some(mine)
                // Still typing that: not committed or left meanwhile.
                && input.try_get_untracked().is_some_and(|i| i == q)
            {
                let taken = chips.get_untracked();
                let found: Vec<Contact> = found
                    .into_iter()
                    .filter(|c| {
                        !taken
                            .iter()
                            .any(|t| t.addr.address.eq_ignore_ascii_case(&c.address))
                    })
                    .collect();
                active.set(None);
                suggestions.set(found);
            }
        });
    };

    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let n = suggestions.with_untracked(|s| s.len());
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            "Escape" if n > 0 => {
                ev.prevent_default();
                ev.stop_propagation();
                close();
            }
            "Enter" | "Tab" | "," | ";" => {
                if let Some(c) = active
                    .get_untracked()
                    .and_then(|i| suggestions.with_untracked(|s| s.get(i).cloned()))
                {
                    ev.prevent_default();
                    pick(c);
                } else if (commit() && ev.key() != "Tab") || ev.key() == "Enter" {
                    ev.prevent_default();
                }
            }
            "Backspace"
                if input.with_untracked(|i| i.is_empty())
                    && chips.with_untracked(|c| !c.is_empty()) =>
            {
                chips.update(|c| {
                    c.pop();
                });
                on_change.run(());
            }
            _ => {}
        }
    };
    let on_paste = move |ev: web_sys::ClipboardEvent| {
        let text = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok())
            .unwrap_or_default();
        if text.contains([',', ';', '\n']) {
            ev.prevent_default();
            let raw = format!("{}{text}", input.get_untracked());
            if add(&raw) {
                input.set(String::new());
            }
        }
    };
    let expanded = move || suggestions.with(|s| !s.is_empty());
    let list_id2 = list_id.clone();
    let list_id3 = list_id.clone();
    let option_id = move |i: usize| format!("{kind}-opt-{i}");

    view! {
        <div class="field recipients" data-kind=kind>
            <label for=input_id.clone()>{label}</label>
            <ul class="chips" role="list">
                {move || {
                    chips
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| {

                        let shown = c.addr.name.clone().unwrap_or_else(|| c.addr.address.clone());
                        let addr = c.addr.address.clone();
                        let remove_label = addr.clone();
                        view! {
                            <li
                                class="chip"
                                class:invalid=!c.valid
                                data-testid="chip"
                                data-invalid=(!c.valid).then_some("true")
                                title=addr
                            >
                                <span>{shown}</span>
                                {(!c.valid)
                                    .then(|| {
                                        view! {
                                            <span class="visually-hidden">{move || t_string!(i18n, invalid_address)}</span>
                                        }
                                    })}
                                <button
                                    type="button"
                                    class="chip-remove"
                                    aria-label=move || {
                                        t_string!(i18n, remove_recipient, address = remove_label.clone()).to_string()
                                    }
                                    on:click=move |_| {
                                        chips.update(|v| {
                                            if i < v.len() {
                                                v.remove(i);
                                            }
                                        });
                                        on_change.run(());
                                    }
                                >
                                    "×"
                                </button>
                            </li>
                        }
                                            })
                        .collect_view()
                }}
            </ul>
            <div class="combo">
                <input
                    id=input_id
                    type="text"
                    inputmode="email"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid=format!("{kind}-input")
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls=list_id2
                    aria-expanded=move || expanded().to_string()
                    aria-activedescendant=move || active.get().map(option_id)
                    prop:value=move || input.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        input.set(v.clone());
                        lookup(v);
                    }
                    on:keydown=on_keydown
                    on:paste=on_paste
                    on:blur=move |_| {
                        seq.update(|n| *n += 1);
                        commit();
                    }
                />
                <ul
                    id=list_id3
                    class="suggestions"
                    role="listbox"
                    hidden=move || !expanded()
                    aria-label=move || t_string!(i18n, suggestions)
                >
                    {move || {
                        suggestions
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, c)| {
                                let picked = c.clone();
                                view! {
                                    <li
                                        id=option_id(i)
                                        role="option"
                                        data-testid="suggestion"
                                        aria-selected=move || (active.get() == Some(i)).to_string()
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            pick(picked.clone());
                                        }
                                    >
                                        {c.name.clone().map(|n| view! { <strong>{n}</strong> " " })}
                                        <span>{c.address.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </div>
    }
}
