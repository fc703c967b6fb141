//! Component tests in headless Chromium:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p postern-frontend --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use postern_frontend::components::filter_menu::FilterMenu;
use postern_frontend::components::folder_tree::{FolderAction, FolderTree};
use postern_frontend::components::star::StarButton;
use postern_frontend::core::format::{SizeUnits, format_size};
use postern_frontend::core::locale::I18nProvider;
use postern_shared::api::{Folder, MessageFilter};
use postern_shared::folders::SpecialUse;
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container appended to `<body>`. Every locale's strings are
/// installed from the build: this page has no `/locales/` to fetch.
fn container() -> web_sys::HtmlElement {
    postern_frontend::i18n::install_bundled();
    let doc = document();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

async fn tick() {
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn star_reflects_state_in_aria_pressed_and_asks_for_the_opposite() {
    let root = container();
    let flagged = RwSignal::new(false);
    let asked: Arc<Mutex<Vec<bool>>> = Arc::default();
    let asked2 = asked.clone();
    let _h = mount_to(root.clone(), move || {
        let asked = asked2.clone();
        view! {
            <I18nProvider>
                <StarButton
                    flagged=flagged
                    on_toggle=Callback::new(move |v| {
                        asked.lock().unwrap().push(v);
                        flagged.set(v);
                    })
                />
            </I18nProvider>
        }
    });
    tick().await;
    let button: web_sys::HtmlElement = root
        .query_selector("button[data-testid=star]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    assert_eq!(button.text_content().unwrap(), "☆");
    button.click();
    tick().await;
    assert_eq!(*asked.lock().unwrap(), vec![true]);
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(button.text_content().unwrap(), "★");
    button.click();
    tick().await;
    assert_eq!(*asked.lock().unwrap(), vec![true, false]);
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn filter_menu_offers_exactly_the_five_filters_and_emits_the_choice() {
    let root = container();
    let chosen: Arc<Mutex<Option<MessageFilter>>> = Arc::default();
    let chosen2 = chosen.clone();
    let _h = mount_to(root.clone(), move || {
        let chosen = chosen2.clone();
        view! {
            <I18nProvider>
                <FilterMenu
                    value=MessageFilter::All
                    on_change=Callback::new(move |f| *chosen.lock().unwrap() = Some(f))
                />
            </I18nProvider>
        }
    });
    tick().await;
    let select: web_sys::HtmlSelectElement = root
        .query_selector("select[data-testid=filter]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let values: Vec<String> = (0..select.length())
        .map(|i| {
            select
                .item(i)
                .unwrap()
                .unchecked_into::<web_sys::HtmlOptionElement>()
                .value()
        })
        .collect();
    assert_eq!(values, ["all", "read", "unread", "flagged", "unflagged"]);
    select.set_value("flagged");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(*chosen.lock().unwrap(), Some(MessageFilter::Flagged));
}

fn folder(path: &str, depth: u32, special: Option<SpecialUse>, unread: u32) -> Folder {
    Folder {
        path: path.into(),
        name: path.rsplit('/').next().unwrap().into(),
        parent: path.rsplit_once('/').map(|(p, _)| p.to_owned()),
        depth,
        delimiter: Some('/'),
        special,
        selectable: true,
        total: 10,
        unread,
    }
}

#[wasm_bindgen_test]
async fn folder_tree_indents_subfolders_shows_badges_and_protects_special_folders() {
    let root = container();
    let folders = vec![
        folder("INBOX", 0, Some(SpecialUse::Inbox), 3),
        folder("Trash", 0, Some(SpecialUse::Trash), 0),
        folder("Projects", 0, None, 0),
        folder("Projects/2026", 1, None, 7),
    ];
    let actions: Arc<Mutex<Vec<FolderAction>>> = Arc::default();
    let actions2 = actions.clone();
    let _h = mount_to(root.clone(), move || {
        let actions = actions2.clone();
        let folders = folders.clone();
        view! {
            <I18nProvider>
                <leptos_router::components::Router>
                    <FolderTree
                        mailbox=5i64
                        folders=folders
                        current="INBOX".to_string()
                        on_action=Callback::new(move |a| actions.lock().unwrap().push(a))
                    />
                </leptos_router::components::Router>
            </I18nProvider>
        }
    });
    tick().await;
    let nav = root
        .query_selector("nav[data-testid=folders]")
        .unwrap()
        .unwrap();
    let link = |p: &str| {
        nav.query_selector(&format!("a[data-folder=\"{p}\"]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no link for {p}"))
    };
    assert_eq!(
        link("Projects/2026").get_attribute("href").as_deref(),
        Some("/mail/5/Projects%2F2026")
    );
    let item = |p: &str| link(p).parent_element().unwrap();
    assert!(item("Projects/2026").class_list().contains("depth-1"));
    assert!(item("Projects").class_list().contains("depth-0"));
    let badge = |p: &str| {
        link(p)
            .query_selector(".badge")
            .unwrap()
            .map(|b| b.text_content().unwrap())
    };
    assert_eq!(badge("INBOX").as_deref(), Some("3"));
    assert_eq!(badge("Projects/2026").as_deref(), Some("7"));
    assert_eq!(badge("Projects"), None);
    // Special folders cannot be renamed or deleted: no such actions.
    assert!(
        item("Trash")
            .query_selector("[data-action=delete]")
            .unwrap()
            .is_none()
    );
    assert!(
        item("INBOX")
            .query_selector("[data-action=rename]")
            .unwrap()
            .is_none()
    );
    let delete: web_sys::HtmlElement = item("Projects")
        .query_selector("[data-action=delete]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    delete.click();
    tick().await;
    assert!(matches!(
        actions.lock().unwrap().as_slice(),
        [FolderAction::Delete(f)] if f.path == "Projects"
    ));
}

#[wasm_bindgen_test]
fn size_formatter_in_the_browser_build() {
    assert_eq!(format_size(1536, SizeUnits::default()), "1.5 KB");
    let es = SizeUnits {
        decimal_sep: ",",
        ..SizeUnits::default()
    };
    assert_eq!(format_size(5 * 1024 * 1024 / 2, es), "2,5 MB");
}

/// Shows `errors` worded by `error_text` in Spanish.
#[component]
fn SpanishErrors(errors: Vec<postern_shared::ApiError>) -> impl IntoView {
    use postern_frontend::components::error_text::error_text;
    use postern_frontend::i18n::{Locale, use_i18n};
    let i18n = use_i18n();
    Effect::new(move |_| i18n.set_locale(Locale::es));
    errors
        .into_iter()
        .map(|e| view! { <p class="err">{move || error_text(i18n, &e)}</p> })
        .collect_view()
}

#[wasm_bindgen_test]
async fn server_errors_are_worded_in_the_users_language() {
    // The portal's start does this: its codes are worded by the portal.
    postern_frontend::components::portal_error_text::register();
    use postern_frontend::core::http::decode_error;
    // Bodies as the gateway sends them: an English message for logs, and
    // the code with its parameters for the app to word.
    let quota = decode_error(
        429,
        r#"{"code":"quota_exceeded","message":"The daily sending limit of 500 recipients has been reached. Sending frees up at 2026-12-01 10:00 UTC.","retry_after":600,"params":{"free_at":1796119200,"limit":500}}"#,
    );
    let exists = decode_error(
        409,
        r#"{"code":"folder_exists","message":"A folder with this name already exists."}"#,
    );
    let address = decode_error(
        400,
        r#"{"code":"invalid_address","message":"\"$\" is not allowed in an address.","params":{"character":"$"}}"#,
    );
    let root = container();
    let _h = mount_to(root.clone(), move || {
        view! {
            <I18nProvider>
                <SpanishErrors errors=vec![quota, exists, address] />
            </I18nProvider>
        }
    });
    tick().await;
    tick().await;
    let texts: Vec<String> = (0..3)
        .map(|i| {
            root.query_selector_all("p.err")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert!(
        texts[0].starts_with("Has alcanzado tu límite de envío")
            && texts[0].contains("Podrás volver a enviar a las"),
        "{}",
        texts[0]
    );
    // The time is the reader's, formatted by the app, stated once.
    assert!(
        !texts[0].contains("UTC") && !texts[0].contains("frees up"),
        "{}",
        texts[0]
    );
    assert_eq!(texts[1], "Ya existe una carpeta con este nombre.");
    assert_eq!(texts[2], "«$» no está permitido en una dirección.");
}

/// Mounts the header inside the app's context (session, router).
#[component]
fn HeaderWithAction() -> impl IntoView {
    postern_frontend::core::session::provide_session();
    use postern_frontend::components::app_header::AppHeader;
    view! {
        <AppHeader mailbox=1i64>
            <button type="button" data-testid="page-action">"Act"</button>
        </AppHeader>
    }
}

#[wasm_bindgen_test]
async fn app_header_shows_the_pages_actions_after_the_mailbox_switcher() {
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <leptos_router::components::Router>
                    <HeaderWithAction/>
                </leptos_router::components::Router>
            </I18nProvider>
        }
    });
    tick().await;
    let header = root.query_selector("header.app-header").unwrap().unwrap();
    let order: Vec<String> = (0..header.children().length())
        .filter_map(|i| header.children().item(i))
        .map(|e| {
            e.get_attribute("data-testid")
                .unwrap_or_else(|| e.class_name())
        })
        .collect();
    let at = |s: &str| {
        order
            .iter()
            .position(|o| o == s)
            .unwrap_or_else(|| panic!("{s} in {order:?}"))
    };
    assert!(at("mailbox-switcher") < at("page-action"), "{order:?}");
    assert!(at("page-action") < at("transfer-link"), "{order:?}");
    // The transfer page is the portal's (another wasm): the router must
    // leave the link to the browser, which loads the page.
    let link = header
        .query_selector("[data-testid=transfer-link]")
        .unwrap()
        .unwrap();
    assert_eq!(link.get_attribute("href").as_deref(), Some("/transfer"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("external"));
}

#[wasm_bindgen_test]
async fn file_rows_show_each_files_state_and_ask_to_remove_it() {
    use postern_frontend::components::file_list::{FileInfo, FileItem, FileRow, FileState};
    let root = container();
    let removed: Arc<Mutex<Vec<u32>>> = Arc::default();
    let removed2 = removed.clone();
    let _h = mount_to(root.clone(), move || {
        let removed = removed2.clone();
        let on_remove = Callback::new(move |k| removed.lock().unwrap().push(k));
        let info = |name: &str| FileInfo {
            name: name.into(),
            size: 2048,
        };
        let done = FileItem::new(3, info("a.txt"), FileState::Done, None);
        let failed = FileItem::new(7, info("b.txt"), FileState::Error("Too big".into()), None);
        view! {
            <I18nProvider>
                <ul>
                    <FileRow item=done on_remove=on_remove/>
                    <FileRow item=failed on_remove=on_remove/>
                </ul>
            </I18nProvider>
        }
    });
    tick().await;
    let rows = root.query_selector_all("[data-testid=attachment]").unwrap();
    assert_eq!(rows.length(), 2);
    let row = |i: u32| rows.item(i).unwrap().unchecked_into::<web_sys::Element>();
    assert_eq!(row(0).get_attribute("data-state").as_deref(), Some("done"));
    assert_eq!(row(1).get_attribute("data-state").as_deref(), Some("error"));
    let text = |i: u32, sel: &str| {
        row(i)
            .query_selector(sel)
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(text(0, ".size"), "2.0 KB");
    assert_eq!(text(1, ".file-error"), "Too big");
    let remove: web_sys::HtmlElement = row(1)
        .query_selector("[data-testid=remove-attachment]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    remove.click();
    tick().await;
    assert_eq!(*removed.lock().unwrap(), vec![7]);
}

/// Mounts the account menu inside the app's context (session, router).
#[component]
fn MenuInContext() -> impl IntoView {
    postern_frontend::core::session::provide_session();
    use postern_frontend::components::account_menu::AccountMenu;
    view! { <AccountMenu mailbox=Some(3i64)/> }
}

#[wasm_bindgen_test]
async fn account_menu_opens_on_settings_language_and_sign_out() {
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <leptos_router::components::Router>
                    <MenuInContext/>
                </leptos_router::components::Router>
            </I18nProvider>
        }
    });
    tick().await;
    let button: web_sys::HtmlElement = root
        .query_selector("button[data-testid=account-menu]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(
        root.query_selector("[data-testid=sign-out]")
            .unwrap()
            .is_none()
    );
    button.click();
    tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let panel = root
        .query_selector("[data-testid=account-panel]")
        .unwrap()
        .unwrap();
    for id in ["sign-out", "language", "menu-settings"] {
        assert!(
            panel
                .query_selector(&format!("[data-testid={id}]"))
                .unwrap()
                .is_some(),
            "{id}"
        );
    }
    // The settings are the portal's: from the webmail, a page load.
    let settings = panel
        .query_selector("[data-testid=menu-settings]")
        .unwrap()
        .unwrap();
    assert_eq!(
        settings.get_attribute("href").as_deref(),
        Some("/settings/3")
    );
    assert_eq!(settings.get_attribute("rel").as_deref(), Some("external"));
    // No `Me` yet: no administration offered.
    assert!(
        panel
            .query_selector("[data-testid=menu-admin]")
            .unwrap()
            .is_none()
    );
}

fn sample_addresses(
    role: postern_shared::permissions::Role,
) -> postern_shared::admin::OrgAddresses {
    use postern_shared::admin::{AddressKind, AddressRow, DomainInfo, OrgAddresses};
    use postern_shared::permissions::Action;
    let row = |id, address: &str, kind| AddressRow {
        id,
        address: address.into(),
        display_name: String::new(),
        kind,
        aliases: Vec::new(),
        redirect_to: Vec::new(),
        users: Vec::new(),
        spam_filter: true,
    };
    OrgAddresses {
        organization: 1,
        role,
        allowed: Action::ALL.into_iter().filter(|a| role.may(*a)).collect(),
        domains: vec![DomainInfo {
            id: 1,
            name: "example.test".into(),
            catch_all: None,
        }],
        addresses: vec![
            row(1, "olivia@example.test", AddressKind::Mailbox),
            row(2, "team@example.test", AddressKind::Mailbox),
            row(3, "no-reply@example.test", AddressKind::NoReply),
        ],
        members: Vec::new(),
    }
}

#[component]
fn AddressTable(role: postern_shared::permissions::Role) -> impl IntoView {
    postern_frontend::core::session::provide_session();
    use postern_frontend::pages::admin::{AdminCtx, addresses::addresses};
    let ctx = AdminCtx {
        org: 1,
        data: RwSignal::new(Some(sample_addresses(role))),
    };
    addresses(ctx)
}

fn type_into(root: &web_sys::HtmlElement, selector: &str, text: &str) {
    let input: web_sys::HtmlInputElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn row_addresses(root: &web_sys::HtmlElement) -> Vec<String> {
    let rows = root
        .query_selector_all("[data-testid=address-row]")
        .unwrap();
    (0..rows.length())
        .map(|i| {
            rows.item(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("data-address")
                .unwrap()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn address_table_filters_as_you_type_sorts_and_checks_the_local_part() {
    use postern_shared::permissions::Role;
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <AddressTable role=Role::Owner/>
            </I18nProvider>
        }
    });
    tick().await;
    assert_eq!(
        row_addresses(&root),
        [
            "no-reply@example.test",
            "olivia@example.test",
            "team@example.test"
        ]
    );
    type_into(&root, "input[data-testid=address-search]", "TEAM");
    tick().await;
    assert_eq!(row_addresses(&root), ["team@example.test"]);
    type_into(&root, "input[data-testid=address-search]", "");
    tick().await;
    let sort: web_sys::HtmlElement = root
        .query_selector("[data-testid=sort-address]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    sort.click();
    tick().await;
    assert_eq!(row_addresses(&root)[0], "team@example.test");

    // Nothing selected: Delete is off; one row selected: on.
    let delete: web_sys::Element = root
        .query_selector("[data-testid=delete-addresses]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(delete.has_attribute("disabled"));
    let first: web_sys::HtmlElement = root
        .query_selector("[data-testid=select-address]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    first.click();
    tick().await;
    assert!(!delete.has_attribute("disabled"));
    assert!(
        root.query_selector("[data-testid=refusal]")
            .unwrap()
            .is_none()
    );

    // R-ADDR-1 as typed, the character named.
    type_into(&root, "input[data-testid=new-local-part]", "bad$name");
    tick().await;
    let msg = root
        .query_selector("[data-testid=new-local-error]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(msg, "“$” is not allowed in an address.");
    let create: web_sys::Element = root
        .query_selector("[data-testid=create-submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(create.has_attribute("disabled"));
    type_into(&root, "input[data-testid=new-local-part]", "good.name");
    tick().await;
    assert!(!create.has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn a_legal_representative_sees_why_deleting_and_creating_are_off() {
    use postern_shared::permissions::{Action, Role};
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <AddressTable role=Role::LegalRepresentative/>
            </I18nProvider>
        }
    });
    tick().await;
    let first: web_sys::HtmlElement = root
        .query_selector("[data-testid=select-address]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    first.click();
    tick().await;
    let delete: web_sys::Element = root
        .query_selector("[data-testid=delete-addresses]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(delete.has_attribute("disabled"));
    let create: web_sys::Element = root
        .query_selector("[data-testid=create-submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(create.has_attribute("disabled"));
    // The reason is text on the page, not only a tooltip.
    let note = root
        .query_selector("[data-testid=refusal]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(note.contains(Action::ManageAddresses.refusal()), "{note}");
}

fn texts_of(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let all = root.query_selector_all(selector).unwrap();
    (0..all.length())
        .map(|i| all.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

/// A preview as the gateway answers it: a good row, and a no-reply with
/// users, an unknown member and a duplicate.
fn sample_preview() -> postern_shared::admin::ImportPreview {
    use postern_shared::admin::{AddressKind, ImportPreview, ImportRow, ImportUser};
    use postern_shared::{ApiError, ErrorCode, ImportIssue, Permission, PermissionSet};
    let read_send = PermissionSet::empty()
        .with(Permission::Read)
        .with(Permission::Send);
    let issue = |line, column: &str, e: ApiError| ImportIssue::of(line, Some(column), e);
    ImportPreview {
        total: 2,
        valid: 1,
        invalid: 1,
        rows: vec![
            ImportRow {
                line: 2,
                address: "sales@example.test".into(),
                display_name: "Sales".into(),
                kind: Some(AddressKind::Mailbox),
                users: vec![ImportUser {
                    login: "ann@example.test".into(),
                    account: Some(4),
                    permissions: read_send,
                }],
                invite: Vec::new(),
                redirect_to: Vec::new(),
                errors: Vec::new(),
            },
            ImportRow {
                line: 4,
                address: "sales@example.test".into(),
                display_name: String::new(),
                kind: Some(AddressKind::NoReply),
                users: vec![ImportUser {
                    login: "zed@example.test".into(),
                    account: None,
                    permissions: read_send,
                }],
                invite: Vec::new(),
                redirect_to: Vec::new(),
                errors: vec![
                    issue(
                        4,
                        "address",
                        ApiError::new(ErrorCode::DuplicateInFile, "English")
                            .with(|p| p.line = Some(2)),
                    ),
                    issue(4, "users", ApiError::new(ErrorCode::BadRequest, "English")),
                    issue(
                        4,
                        "users",
                        ApiError::new(ErrorCode::UnknownMember, "English")
                            .with(|p| p.value = Some("zed@example.test".into())),
                    ),
                ],
            },
        ],
    }
}

#[wasm_bindgen_test]
async fn an_import_preview_shows_every_row_with_its_own_errors_and_the_totals() {
    // The portal's start does this: its codes are worded by the portal.
    postern_frontend::components::portal_error_text::register();
    use postern_frontend::pages::admin::import::preview_view;
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                {preview_view(Signal::stored(Some(sample_preview())), Signal::stored(Vec::new()))}
            </I18nProvider>
        }
    });
    tick().await;
    let rows = root.query_selector_all("[data-testid=import-row]").unwrap();
    assert_eq!(rows.length(), 2);
    let second: web_sys::Element = rows.item(1).unwrap().unchecked_into();
    assert_eq!(second.get_attribute("data-line").as_deref(), Some("4"));
    assert_eq!(second.get_attribute("data-valid").as_deref(), Some("false"));
    let errors = texts_of(&root, "[data-testid=import-row-errors]");
    assert!(errors[0].contains("Ready"), "{}", errors[0]);
    let second_errors = texts_of(&root, "tr[data-line='4'] .row-errors li");
    assert_eq!(
        second_errors,
        [
            "address This address is already on line 2 of the file.",
            "users Only a mailbox has users: leave users empty for this kind.",
            "users No member of the organisation signs in as “zed@example.test”; invite them instead.",
        ]
    );
    // The users with their permissions, by name.
    assert!(
        root.text_content()
            .unwrap()
            .contains("ann@example.test (Read, Send)")
    );
    assert_eq!(
        texts_of(&root, "[data-testid=import-totals]"),
        ["2 row(s): 1 ready, 1 with errors."]
    );
    assert!(
        root.query_selector("[data-testid=import-fix-first]")
            .unwrap()
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn the_import_panel_shows_the_header_and_waits_for_a_file() {
    use postern_shared::address_import::HEADER;
    use postern_shared::permissions::Role;
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <AddressTable role=Role::Owner/>
            </I18nProvider>
        }
    });
    tick().await;
    assert!(
        root.query_selector("[data-testid=import-refusal]")
            .unwrap()
            .is_none()
    );
    let open: web_sys::HtmlElement = root
        .query_selector("[data-testid=import-open]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(!open.has_attribute("disabled"));
    open.click();
    tick().await;
    assert_eq!(texts_of(&root, "[data-testid=import-header]"), [HEADER]);
    let example = texts_of(&root, "[data-testid=import-example]").remove(0);
    assert!(example.contains("sales@example.test"), "{example}");
    let file: web_sys::Element = root
        .query_selector("input[data-testid=import-file]")
        .unwrap()
        .unwrap();
    assert_eq!(
        file.get_attribute("accept").as_deref(),
        Some(".csv,text/csv")
    );
    for id in ["import-preview", "import-create"] {
        let b = root
            .query_selector(&format!("[data-testid={id}]"))
            .unwrap()
            .unwrap();
        assert!(b.has_attribute("disabled"), "{id}");
    }
}

#[wasm_bindgen_test]
async fn a_legal_representative_sees_why_importing_is_off() {
    use postern_shared::permissions::{Action, Role};
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <AddressTable role=Role::LegalRepresentative/>
            </I18nProvider>
        }
    });
    tick().await;
    let open = root
        .query_selector("[data-testid=import-open]")
        .unwrap()
        .unwrap();
    assert!(open.has_attribute("disabled"));
    let why = texts_of(&root, "[data-testid=import-refusal]").remove(0);
    assert_eq!(why, Action::ManageAddresses.refusal());
}

#[wasm_bindgen_test]
async fn storage_shows_used_of_the_limit_a_bar_and_a_warning_past_ninety() {
    use postern_frontend::pages::settings::storage::storage_figure;
    use postern_shared::api::MailboxStorage;
    let root = container();
    let mib = 1024 * 1024u64;
    let _h = mount_to(root.clone(), move || {
        view! {
            <I18nProvider>
                <div class="full">
                    {storage_figure(MailboxStorage { used_bytes: 95 * mib, limit_bytes: Some(100 * mib) })}
                </div>
                <div class="free">
                    {storage_figure(MailboxStorage { used_bytes: 1536, limit_bytes: None })}
                </div>
            </I18nProvider>
        }
    });
    tick().await;
    assert_eq!(
        texts_of(&root, ".free [data-testid=storage-text]"),
        ["1.5 KB used, no limit"]
    );
    assert!(root.query_selector(".free progress").unwrap().is_none());
    assert_eq!(
        texts_of(&root, ".full [data-testid=storage-text]"),
        ["95 MB used of 100 MB"]
    );
    let bar = root.query_selector(".full progress").unwrap().unwrap();
    assert_eq!(bar.get_attribute("value").as_deref(), Some("95"));
    assert!(
        root.query_selector(".full [data-testid=storage-warning]")
            .unwrap()
            .is_some()
    );
    assert!(
        root.query_selector(".free [data-testid=storage-warning]")
            .unwrap()
            .is_none()
    );
}

/// The General section of mailbox 2 ("team", named "Sales") for a caller
/// whose role in organisation 1 is `role`: seen through the address table
/// when the role may see it, else through `Me` alone. No grant, so nothing
/// is fetched.
#[component]
fn GeneralAs(role: postern_shared::permissions::Role) -> impl IntoView {
    use postern_frontend::pages::settings::{Mailbox, SettingsCtx, general::general};
    use postern_shared::api::{AccountSummary, Me, OrganizationMembership};
    use postern_shared::permissions::Action;
    let session = postern_frontend::core::session::provide_session();
    session.me.set(Some(Me {
        account: AccountSummary {
            id: 1,
            login: "a@example.test".into(),
            display_name: String::new(),
            locale: None,
        },
        organizations: vec![OrganizationMembership {
            id: 1,
            name: "Org".into(),
            role,
        }],
        mailboxes: Vec::new(),
    }));
    let table = role.may(Action::ViewAddresses).then(|| {
        let mut t = sample_addresses(role);
        t.addresses[1].display_name = "Sales".into();
        t
    });
    let ctx = SettingsCtx {
        mailbox: Mailbox {
            id: 2,
            address: "team@example.test".into(),
            display_name: "Sales".into(),
            organization: 1,
            grant: None,
            role: Some(role),
        },
        table: RwSignal::new(table),
    };
    general(ctx)
}

fn input_at(root: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlInputElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn an_owner_edits_the_display_name_in_place_within_its_rule() {
    use postern_shared::limits::MAX_DISPLAY_NAME_CHARS;
    use postern_shared::permissions::Role;
    let root = container();
    let _h = mount_to(root.clone(), || {
        view! {
            <I18nProvider>
                <GeneralAs role=Role::Owner/>
            </I18nProvider>
        }
    });
    tick().await;
    let name = input_at(&root, "[data-testid=display-name]");
    let save = || {
        root.query_selector("[data-testid=display-name-save]")
            .unwrap()
            .unwrap()
    };
    assert_eq!(name.value(), "Sales");
    assert!(!name.disabled());
    assert!(save().has_attribute("disabled"), "nothing to save yet");
    assert!(
        root.query_selector("[data-testid=display-name-refusal]")
            .unwrap()
            .is_none()
    );

    type_into(&root, "[data-testid=display-name]", "Sales Desk");
    tick().await;
    assert!(!save().has_attribute("disabled"));
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("false"));
    // Only blanks around the same name: nothing to save.
    type_into(&root, "[data-testid=display-name]", "  Sales ");
    tick().await;
    assert!(save().has_attribute("disabled"));

    // Against the rule: said beside the field, Save stays off.
    type_into(
        &root,
        "[data-testid=display-name]",
        &"x".repeat(MAX_DISPLAY_NAME_CHARS + 1),
    );
    tick().await;
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(save().has_attribute("disabled"));
    let said = texts_of(&root, "[data-testid=display-name-error]").remove(0);
    assert!(said.contains(&MAX_DISPLAY_NAME_CHARS.to_string()), "{said}");
    // (A text field drops line breaks by itself; a tab stays.)
    type_into(&root, "[data-testid=display-name]", "Tab\there");
    tick().await;
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(save().has_attribute("disabled"));
    type_into(&root, "[data-testid=display-name]", "Ventas");
    tick().await;
    assert_eq!(
        texts_of(&root, "[data-testid=display-name-error]"),
        [""],
        "the message goes once the name is fine"
    );
}

#[wasm_bindgen_test]
async fn without_the_role_the_display_name_is_read_only_with_the_reason() {
    use postern_shared::permissions::{Action, Role};
    for role in [Role::User, Role::LegalRepresentative] {
        let root = container();
        let _h = mount_to(root.clone(), move || {
            view! {
                <I18nProvider>
                    <GeneralAs role=role/>
                </I18nProvider>
            }
        });
        tick().await;
        let name = input_at(&root, "[data-testid=display-name]");
        assert_eq!(name.value(), "Sales", "{role:?}");
        assert!(name.disabled(), "{role:?}");
        let save = root
            .query_selector("[data-testid=display-name-save]")
            .unwrap()
            .unwrap();
        assert!(save.has_attribute("disabled"), "{role:?}");
        let why = texts_of(&root, "[data-testid=display-name-refusal]").remove(0);
        assert!(
            why.contains(Action::ManageAddresses.refusal()),
            "{role:?}: {why}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_language_context_sets_html_lang_and_remembers_the_users_choice() {
    use postern_frontend::core::locale::choose;
    use postern_frontend::i18n::{Locale, use_i18n};
    let storage = window().local_storage().unwrap().unwrap();
    let _ = storage.remove_item("postern.locale");
    let html = document().document_element().unwrap();
    let root = container();
    let _h = mount_to(root.clone(), move || {
        view! {
            <I18nProvider>
                {
                    let i18n = use_i18n();
                    view! {
                        <button on:click=move |_| choose(i18n, Locale::es)>"es"</button>
                        <p>{move || i18n.get_locale().to_string()}</p>
                    }
                }
            </I18nProvider>
        }
    });
    tick().await;
    // Headless Chromium's language is English: the browser's choice.
    assert_eq!(
        root.query_selector("p")
            .unwrap()
            .unwrap()
            .text_content()
            .as_deref(),
        Some("en")
    );
    assert_eq!(html.get_attribute("lang").as_deref(), Some("en"));
    assert_eq!(html.get_attribute("dir").as_deref(), Some("ltr"));
    let b: web_sys::HtmlElement = root
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    b.click();
    tick().await;
    assert_eq!(
        root.query_selector("p")
            .unwrap()
            .unwrap()
            .text_content()
            .as_deref(),
        Some("es")
    );
    assert_eq!(html.get_attribute("lang").as_deref(), Some("es"));
    assert_eq!(
        storage.get_item("postern.locale").unwrap().as_deref(),
        Some("es")
    );
    // A new start (another page load) begins in the stored choice.
    let again = container();
    let _h2 = mount_to(again.clone(), move || {
        view! {
            <I18nProvider>
                {
                    let i18n = use_i18n();
                    view! { <p>{move || i18n.get_locale().to_string()}</p> }
                }
            </I18nProvider>
        }
    });
    tick().await;
    assert_eq!(
        again
            .query_selector("p")
            .unwrap()
            .unwrap()
            .text_content()
            .as_deref(),
        Some("es")
    );
    let _ = storage.remove_item("postern.locale");
}
