//! "Connect a mail program" (R-PROTO-1..3): the hosts, ports and security
//! of IMAP, POP3 and SMTP from the gateway's configuration, the user name
//! (the full address), "use a device password", the warning never to mix
//! POP3 and IMAP, and the visitor's public address as the portal sees it
//! — each with a copy button. For anyone who may use the mailbox; those
//! who may manage its devices get a link to make a password.

use super::SettingsCtx;
use super::devices::copy_button;
use crate::components::error_text::error_text;
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::devices::MailProgramSettings;

/// One server line: host, port and security, the host copyable.
fn server_row(
    host: String,
    port: u16,
    security: String,
    testid: &'static str,
    copy_id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="connect-row" data-testid=testid>
            <dl class="device-facts">
                <dt>{t!(i18n, connect_server)}</dt><dd><code>{host.clone()}</code></dd>
                <dt>{t!(i18n, connect_port)}</dt><dd><code data-testid="connect-port">{port.to_string()}</code></dd>
                <dt>{t!(i18n, connect_security)}</dt><dd>{security}</dd>
            </dl>
            {copy_button(host, copy_id)}
        </div>
    }
}

fn page(ctx: &SettingsCtx, s: MailProgramSettings) -> impl IntoView {
    let i18n = use_i18n();
    let c = s.settings;
    let tls = move || t_string!(i18n, connect_tls).to_string();
    let starttls = move || t_string!(i18n, connect_starttls).to_string();
    let devices = super::section_href(ctx.mailbox.id, "devices");
    let ip = s.client_ip.clone();
    view! {
        <section class="block" data-testid="connect-imap">
            <h3>{t!(i18n, connect_incoming_imap)}</h3>
            {server_row(c.imap_host.clone(), c.imap_port, tls(), "connect-imaps", "connect-copy-imap-host")}
            <p class="hint">{t!(i18n, connect_or)}</p>
            {server_row(c.imap_host.clone(), c.imap_starttls_port, starttls(), "connect-imap-starttls", "connect-copy-imap-host-2")}
        </section>
        <section class="block" data-testid="connect-smtp">
            <h3>{t!(i18n, connect_outgoing)}</h3>
            {server_row(c.smtp_host.clone(), c.submission_port, starttls(), "connect-submission", "connect-copy-smtp-host")}
            <p class="hint">{t!(i18n, connect_or)}</p>
            {server_row(c.smtp_host.clone(), c.submissions_port, tls(), "connect-submissions", "connect-copy-smtp-host-2")}
            <p class="hint">{t!(i18n, connect_auth)}</p>
        </section>
        <section class="block" data-testid="connect-pop3">
            <h3>{t!(i18n, connect_incoming_pop3)}</h3>
            <p class="alert warning" role="note" data-testid="connect-pop-warning">{t!(i18n, connect_pop_warning)}</p>
            {server_row(c.pop3_host.clone(), c.pop3s_port, tls(), "connect-pop3s", "connect-copy-pop3-host")}
            <p class="hint">{t!(i18n, connect_or)}</p>
            {server_row(c.pop3_host.clone(), c.pop3_port, starttls(), "connect-pop3-starttls", "connect-copy-pop3-host-2")}
        </section>
        <section class="block" data-testid="connect-account">
            <dl class="device-facts">
                <dt>{t!(i18n, connect_user)}</dt>
                <dd><code data-testid="connect-user">{c.username.clone()}</code> " " {copy_button(c.username.clone(), "connect-copy-user")}</dd>
                <dt>{t!(i18n, connect_password)}</dt>
                <dd>{t!(i18n, connect_password_hint)}</dd>
            </dl>
            {if s.may_manage_devices {
                view! { <a class="button primary" href=devices data-testid="connect-devices-link">{t!(i18n, connect_make_password)}</a> }.into_any()
            } else {
                view! { <p class="hint" data-testid="connect-ask-password">{t!(i18n, connect_ask_password)}</p> }.into_any()
            }}
        </section>
        <section class="block" data-testid="connect-ip">
            <h3>{t!(i18n, connect_your_ip)}</h3>
            <p class="hint">{t!(i18n, connect_your_ip_hint)}</p>
            {match ip {
                Some(ip) => view! {
                    <p><code data-testid="connect-ip-value">{ip.clone()}</code> " " {copy_button(ip, "connect-copy-ip")}</p>
                }
                    .into_any(),
                None => view! { <p data-testid="connect-ip-value">{t!(i18n, connect_ip_unknown)}</p> }.into_any(),
            }}
        </section>
    }
}

pub fn connect(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let mb = ctx.mailbox.id;
    let loaded = LocalResource::new(move || api::mail_program_settings(mb));
    view! {
        <h2>{t!(i18n, section_connect)}</h2>
        <p class="hint">{t!(i18n, connect_intro)}</p>
        {move || match loaded.get() {
            None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert error" role="alert">{error_text(i18n, &e)}</p> }.into_any(),
            Some(Ok(s)) => page(&ctx, s).into_any(),
        }}
    }
}
