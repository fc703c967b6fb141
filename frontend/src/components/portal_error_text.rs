//! The wording of the errors only the portal's pages meet (administration,
//! invitations, devices, filters, account security, the DPA), kept out of
//! `error_text` so the webmail does not carry their texts; the portal
//! registers it at its start ([`register`]).

use crate::components::error_text::set_portal_text;
use crate::i18n::I18nContext;
use crate::i18n::*;
use postern_shared::invitations::InviteBlock;
use postern_shared::{ApiError, ErrorCode};

/// Makes `error_text` word the portal's codes with [`portal_error_text`].
pub fn register() {
    set_portal_text(portal_error_text);
}

/// The text of a code `error_text` hands to the portal (its match lists
/// them); any other code, which `error_text` words itself, gets the
/// generic text.
pub fn portal_error_text(i18n: I18nContext, e: &ApiError) -> String {
    use ErrorCode::*;
    let p = &e.params;
    let text = match e.code {
        InvalidAddress => {
            return match &p.character {
                Some(c) => {
                    t_string!(i18n, err_invalid_address_char, character = c.clone()).to_string()
                }
                None => t_string!(i18n, err_invalid_address).to_string(),
            };
        }
        AddressTaken => t_string!(i18n, err_address_taken),
        InviteImpossible => {
            return match p.reason.as_deref().and_then(InviteBlock::parse) {
                Some(b) => invite_block_text(i18n, b),
                None => t_string!(i18n, err_invite_impossible).to_string(),
            };
        }
        InvitationRevoked => t_string!(i18n, err_invitation_revoked),
        InvitationUsed => t_string!(i18n, err_invitation_used),
        LoginTaken => t_string!(i18n, err_login_taken),
        ImportInvalid => t_string!(i18n, err_import_invalid),
        ImportTooLarge => t_string!(i18n, err_import_too_large),
        CsvEmpty => t_string!(i18n, err_csv_empty),
        CsvMalformed => {
            return match &p.character {
                Some(c) => {
                    t_string!(i18n, err_csv_control_character, character = c.clone()).to_string()
                }
                None => t_string!(i18n, err_csv_malformed).to_string(),
            };
        }
        CsvColumns => {
            let value = p.value.clone().unwrap_or_default();
            return t_string!(i18n, err_csv_columns, value = value).to_string();
        }
        DuplicateInFile => {
            let line = p.line.map(|l| l.to_string()).unwrap_or_default();
            return t_string!(i18n, err_duplicate_in_file, line = line).to_string();
        }
        UnknownDomain => t_string!(i18n, err_unknown_domain),
        UnknownMember => {
            let value = p.value.clone().unwrap_or_default();
            return t_string!(i18n, err_unknown_member, value = value).to_string();
        }
        InvalidPermission => {
            let value = p.value.clone().unwrap_or_default();
            return t_string!(i18n, err_invalid_permission, value = value).to_string();
        }
        InvalidKind => {
            let value = p.value.clone().unwrap_or_default();
            return t_string!(i18n, err_invalid_kind, value = value).to_string();
        }
        RedirectWithoutTargets => t_string!(i18n, err_redirect_without_targets),
        DeviceNotFound => t_string!(i18n, err_device_not_found),
        InvalidDeviceName => t_string!(i18n, err_invalid_device_name),
        InvalidExpiry => t_string!(i18n, err_invalid_expiry),
        InvalidDeviceProtocols => t_string!(i18n, err_invalid_device_protocols),
        SetupInviteeInvalid => t_string!(i18n, err_setup_invitee_invalid),
        DeviceSetupNotFound => t_string!(i18n, err_device_setup_not_found),
        DeviceSetupUsed => t_string!(i18n, err_device_setup_used),
        DeviceSetupExpired => t_string!(i18n, err_device_setup_expired),
        DeviceSetupRevoked => t_string!(i18n, err_device_setup_revoked),
        DeviceSetupWrongAccount => {
            let login = p.value.clone().unwrap_or_default();
            return t_string!(i18n, err_device_setup_wrong_account, login = login).to_string();
        }
        WrongPassword => t_string!(i18n, err_wrong_password),
        TwoFactorEnabled => t_string!(i18n, err_two_factor_enabled),
        TwoFactorNotEnabled => t_string!(i18n, err_two_factor_not_enabled),
        TwoFactorUnavailable => t_string!(i18n, err_two_factor_unavailable),
        InvalidSender => {
            let value = p.value.clone().unwrap_or_default();
            return match (&p.character, p.reason.as_deref()) {
                (Some(c), _) if c.chars().all(|c| !c.is_control() && c != ' ') => t_string!(
                    i18n,
                    err_invalid_sender_char,
                    value = value,
                    character = c.clone()
                )
                .to_string(),
                (Some(_), _) => {
                    t_string!(i18n, err_invalid_sender_space, value = value).to_string()
                }
                (None, Some("too_long")) => t_string!(
                    i18n,
                    err_invalid_sender_long,
                    max = postern_shared::spam::MAX_SENDER_CHARS
                )
                .to_string(),
                _ => t_string!(i18n, err_invalid_sender, value = value).to_string(),
            };
        }
        SenderListFull => {
            let max = p
                .limit
                .unwrap_or(postern_shared::spam::MAX_SENDERS_PER_LIST as u64);
            return t_string!(i18n, err_sender_list_full, max = max).to_string();
        }
        FiltersUnavailable => t_string!(i18n, err_filters_unavailable),
        TemplateNotFound => t_string!(i18n, err_template_not_found),
        TemplateNotApplicable => t_string!(i18n, err_template_not_applicable),
        InvalidOrganizationDetails => {
            use postern_shared::organization::{DetailsField, DetailsProblem};
            let field = p
                .field
                .as_deref()
                .and_then(DetailsField::parse)
                .map(|f| crate::pages::admin::organization::field_label(i18n, f))
                .unwrap_or_default();
            let limit = p.limit.unwrap_or_default();
            return match p.reason.as_deref().and_then(DetailsProblem::parse) {
                Some(DetailsProblem::Required) => {
                    t_string!(i18n, err_org_required, field = field).to_string()
                }
                Some(DetailsProblem::TooLong) => {
                    t_string!(i18n, err_org_too_long, field = field, limit = limit).to_string()
                }
                Some(DetailsProblem::InvalidEmail) => {
                    t_string!(i18n, err_org_invalid_email, field = field).to_string()
                }
                Some(DetailsProblem::ControlCharacter) | None => {
                    t_string!(i18n, err_org_control_character, field = field).to_string()
                }
            };
        }
        DpaDetailsMissing => {
            let field = p
                .field
                .as_deref()
                .and_then(postern_shared::organization::DetailsField::parse)
                .map(|f| crate::pages::admin::organization::field_label(i18n, f))
                .unwrap_or_default();
            return t_string!(i18n, dpa_missing, field = field).to_string();
        }
        DpaUnavailable => t_string!(i18n, err_dpa_unavailable),
        SupportAccessExpired => t_string!(i18n, err_support_access_expired),
        SupportAccessTaken => t_string!(i18n, err_support_access_taken),
        InvalidFilterValue => {
            return filter_problem(
                i18n,
                p.field.as_deref().unwrap_or_default(),
                p.reason.as_deref().unwrap_or_default(),
                p.limit,
            );
        }
        _ => t_string!(i18n, err_generic),
    };
    text.to_string()
}

/// Why a mailbox cannot be shared by invitation (R-INV-4), in the UI's
/// language: beside the disabled Invite button and in a refusal.
pub fn invite_block_text(i18n: I18nContext, block: InviteBlock) -> String {
    match block {
        InviteBlock::NoPermission => t_string!(i18n, invite_block_no_permission),
        InviteBlock::AddressIsLogin => t_string!(i18n, invite_block_address_is_login),
        InviteBlock::UserHasAddress => t_string!(i18n, invite_block_user_has_address),
    }
    .to_string()
}

/// Why a local part breaks R-ADDR-1, said as the user types it (the
/// server says the same with `invalid_address`): names the character.
pub fn local_part_text(i18n: I18nContext, e: &postern_shared::address::LocalPartError) -> String {
    use postern_shared::address::{LocalPartError::*, MAX_LOCAL_PART};
    match e {
        Empty => t_string!(i18n, err_invalid_address).to_string(),
        TooLong(n) => t_string!(i18n, addr_too_long, max = MAX_LOCAL_PART, count = *n).to_string(),
        ForbiddenChar(' ', _) => t_string!(i18n, addr_space).to_string(),
        ForbiddenChar(c, _) => {
            // A control character has no face: named by its code point.
            let shown = if (*c as u32) < 32 {
                format!("U+{:04X}", *c as u32)
            } else {
                c.to_string()
            };
            t_string!(i18n, err_invalid_address_char, character = shown).to_string()
        }
        LeadingOrTrailingHyphen => t_string!(i18n, addr_hyphen_edge).to_string(),
        LeadingOrTrailingDot => t_string!(i18n, addr_dot_edge).to_string(),
        DoubleDot => t_string!(i18n, addr_double_dot).to_string(),
    }
}

/// An auto-reply or sorting-rule value refused (`invalid_filter_value`,
/// or the same check in the portal before sending): `reason` is a
/// `FilterReason` name. The field is shown by where the form puts the
/// message, so only the rule is said.
/// A check of `postern_shared::filters` (or templates) that failed in the
/// browser, said as the gateway's typed error would be.
pub fn filter_error_text(i18n: I18nContext, e: &postern_shared::filters::FilterError) -> String {
    use postern_shared::filters::FilterReason;
    let limit = match e.reason {
        FilterReason::TooLong(n) | FilterReason::TooMany(n) => Some(n as u64),
        _ => None,
    };
    filter_problem(i18n, &e.field, e.reason.as_str(), limit)
}

pub fn filter_problem(i18n: I18nContext, _field: &str, reason: &str, limit: Option<u64>) -> String {
    let max = limit.unwrap_or_default();
    match reason {
        "empty" => t_string!(i18n, err_filter_empty).to_string(),
        "too_long" => t_string!(i18n, err_filter_too_long, max = max).to_string(),
        "too_many" => t_string!(i18n, err_filter_too_many, max = max).to_string(),
        "character" => t_string!(i18n, err_filter_character).to_string(),
        "date" => t_string!(i18n, err_filter_date).to_string(),
        "date_order" => t_string!(i18n, err_filter_date_order).to_string(),
        "days" => t_string!(
            i18n,
            err_filter_days,
            min = postern_shared::filters::MIN_REPLY_DAYS,
            max = postern_shared::filters::MAX_REPLY_DAYS
        )
        .to_string(),
        "header_name" => t_string!(i18n, err_filter_header_name).to_string(),
        "size" => t_string!(i18n, err_filter_size).to_string(),
        "match" => t_string!(i18n, err_filter_match).to_string(),
        "address" => t_string!(i18n, err_filter_address).to_string(),
        "own_address" => t_string!(i18n, err_filter_own_address).to_string(),
        "no_actions" => t_string!(i18n, err_filter_no_actions).to_string(),
        "actions" => t_string!(i18n, err_filter_actions).to_string(),
        _ => t_string!(i18n, err_filter_value).to_string(),
    }
}
