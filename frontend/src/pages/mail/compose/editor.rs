//! The rich-text body: a `contenteditable` with a small toolbar (bold,
//! italic, underline, lists, link, quote; Ctrl+B/I/U), and the serializer
//! that turns its DOM into clean HTML plus the plain-text alternative.

use crate::core::browser::prompt;
use crate::i18n::*;
use leptos::html::Div;
use leptos::prelude::*;
use postern_shared::html::escape;
use wasm_bindgen::JsCast;
use web_sys::Node;

fn exec(cmd: &str, value: Option<&str>) {
    if let Ok(d) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = d.exec_command_with_show_ui_and_value(cmd, false, value.unwrap_or(""));
    }
}

#[component]
pub fn Editor(node: NodeRef<Div>, on_input: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    // New lines are paragraphs, not the browser's default `<div>`s.
    exec("defaultParagraphSeparator", Some("p"));
    let run = move |cmd: &'static str, value: Option<&'static str>| {
        if let Some(el) = node.get_untracked() {
            let _ = el.focus();
        }
        exec(cmd, value);
        on_input.run(());
    };
    let link = move || {
        let Some(url) = prompt(t_string!(i18n, link_prompt), "https://") else {
            return;
        };
        let url = if url.contains(':') {
            url
        } else {
            format!("https://{url}")
        };
        if let Some(el) = node.get_untracked() {
            let _ = el.focus();
        }
        exec("createLink", Some(&url));
        on_input.run(());
    };
    let tool =
        move |cmd: &'static str, value: Option<&'static str>, label: String, icon: &'static str| {
            view! {
                <button
                    type="button"
                    class="tool"
                    aria-label=label.clone()
                    title=label
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| run(cmd, value)
                >
                    {icon}
                </button>
            }
        };
    view! {
        <div class="editor-toolbar" role="toolbar" aria-label=move || t_string!(i18n, formatting)>
            {move || {
                view! {
                    {tool("bold", None, t_string!(i18n, fmt_bold).into(), "B")}
                    {tool("italic", None, t_string!(i18n, fmt_italic).into(), "I")}
                    {tool("underline", None, t_string!(i18n, fmt_underline).into(), "U")}
                    {tool("insertUnorderedList", None, t_string!(i18n, fmt_bullets).into(), "•")}
                    {tool("insertOrderedList", None, t_string!(i18n, fmt_numbers).into(), "1.")}
                    {tool("formatBlock", Some("blockquote"), t_string!(i18n, fmt_quote).into(), "“")}
                }
            }}
            <button
                type="button"
                class="tool"
                aria-label=move || t_string!(i18n, fmt_link)
                title=move || t_string!(i18n, fmt_link)
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| link()
            >
                "↗"
            </button>
        </div>
        <div
            class="editor"
            contenteditable="true"
            role="textbox"
            aria-multiline="true"
            aria-label=move || t_string!(i18n, message_body)
            data-testid="editor"
            node_ref=node
            on:input=move |_| on_input.run(())
            on:keydown=move |ev| {
                if ev.ctrl_key() || ev.meta_key() {
                    let cmd = match ev.key().to_lowercase().as_str() {
                        "b" => "bold",
                        "i" => "italic",
                        "u" => "underline",
                        _ => return,
                    };
                    ev.prevent_default();
                    run(cmd, None);
                }
            }
        ></div>
    }
}

/// The editor's content as (clean HTML, plain text).
pub fn serialize(root: &Node) -> (String, String) {
    let (mut html, mut text) = (String::new(), String::new());
    children(root, &mut html, &mut text);
    let text = text.trim_end().to_owned();
    (html, text)
}

fn newline(t: &mut String) {
    if !t.is_empty() && !t.ends_with('\n') {
        t.push('\n');
    }
}

fn children(n: &Node, html: &mut String, text: &mut String) {
    let list = n.child_nodes();
    for i in 0..list.length() {
        if let Some(c) = list.item(i) {
            walk(&c, html, text);
        }
    }
}

fn walk(n: &Node, html: &mut String, text: &mut String) {
    match n.node_type() {
        Node::TEXT_NODE => {
            let t = n.text_content().unwrap_or_default().replace('\u{a0}', " ");
            html.push_str(&escape(&t));
            text.push_str(&t);
        }
        Node::ELEMENT_NODE => {
            let Some(el) = n.dyn_ref::<web_sys::Element>() else {
                return;
            };
            let tag = el.tag_name().to_ascii_lowercase();
            let keep = match tag.as_str() {
                "script" | "style" | "head" | "title" | "meta" | "template" => return,
                "br" => {
                    html.push_str("<br>");
                    text.push('\n');
                    return;
                }
                "b" | "strong" => "strong",
                "i" | "em" => "em",
                "u" => "u",
                "ul" | "ol" | "li" | "p" | "div" | "blockquote" => tag.as_str(),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => "p",
                "a" => "a",
                _ => "",
            };
            // Browsers nest lists and quotes in a `<p>`; keep the HTML valid.
            let keep = if keep == "p"
                && el
                    .query_selector("p,div,ul,ol,blockquote")
                    .ok()
                    .flatten()
                    .is_some()
            {
                "div"
            } else {
                keep
            };
            let block = matches!(keep, "ul" | "ol" | "li" | "p" | "div" | "blockquote");
            if block {
                newline(text);
            }
            match keep {
                "" => children(n, html, text),
                "a" => {
                    let href = el.get_attribute("href").unwrap_or_default();
                    let safe = ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|p| href.to_ascii_lowercase().starts_with(p));
                    if safe {
                        html.push_str(&format!("<a href=\"{}\">", escape(&href)));
                    }
                    let mut inner = String::new();
                    children(n, html, &mut inner);
                    text.push_str(&inner);
                    if safe {
                        html.push_str("</a>");
                        let shown = href.strip_prefix("mailto:").unwrap_or(&href);
                        if inner.trim() != shown {
                            text.push_str(&format!(" <{shown}>"));
                        }
                    }
                }
                "blockquote" => {
                    html.push_str("<blockquote>");
                    let mut inner = String::new();
                    children(n, html, &mut inner);
                    html.push_str("</blockquote>");
                    for line in inner.trim_end().lines() {
                        text.push_str(if line.is_empty() { ">" } else { "> " });
                        text.push_str(line);
                        text.push('\n');
                    }
                }
                _ => {
                    html.push_str(&format!("<{keep}>"));
                    if keep == "li" {
                        text.push_str("- ");
                    }
                    children(n, html, text);
                    html.push_str(&format!("</{keep}>"));
                }
            }
            if block {
                newline(text);
            }
        }
        _ => {}
    }
}
