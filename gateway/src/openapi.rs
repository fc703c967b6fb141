//! The OpenAPI 3.1 document of Postern's public API (what a browser calls:
//! `/api/…` and the public `/t/…` pages), served at `/api/openapi.json`.
//!
//! Generated, never written by hand: the paths, methods, summaries and
//! access rules come from the wire contract's route table
//! (`postern_shared::wire::routes::ENDPOINTS`), the schemas from the shared
//! types themselves (`utoipa::ToSchema`, feature `openapi` of `shared`).
//! [`shape`] says per endpoint what goes in and what comes out; a route
//! without one, or a shape without a route, fails `every_route_is_described`.

use postern_shared::api::{
    CreateFolderRequest, DeleteMessagesRequest, Folder, LoginRequest, Me, MessageFilter,
    MessagePage, MessageView, MoveMessagesRequest, MoveResult, RenameFolderRequest, SessionInfo,
    SetFlagsRequest,
};
use postern_shared::compose::{
    Contact, OpenedDraft, Outgoing, SaveDraftRequest, SavedDraft, SendRequest, SendingIdentity,
    Signature,
};
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer, Upload};
use postern_shared::wire::Method;
use postern_shared::wire::query::Images;
use postern_shared::wire::routes::{Access, ENDPOINTS, Endpoint, MAX_SECTION_LEN};
use postern_shared::{ApiError, ErrorCode};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathsBuilder,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required,
    Schema,
};

/// A query or path parameter.
struct Param {
    name: &'static str,
    required: bool,
    schema: RefOr<Schema>,
    about: &'static str,
}

/// What an endpoint answers when it succeeds.
enum Answer {
    /// JSON of the named schema (`[]` of it when `list`).
    Json {
        schema: &'static str,
        list: bool,
    },
    /// Any JSON object (health).
    AnyJson,
    /// 204, no body.
    Empty,
    /// An HTML document.
    Html,
    /// Bytes of a file (attachments, transfer files).
    Bytes,
    /// A stream of Server-Sent Events (`text/event-stream`) that stays open.
    EventStream,
    Css,
}

/// What goes in and comes out of one endpoint.
struct Shape {
    query: Vec<Param>,
    /// The JSON body's schema, or `Some("")` for a raw byte body.
    body: Option<&'static str>,
    status: &'static [u16],
    answer: Answer,
}

fn json(schema: &'static str) -> Answer {
    Answer::Json {
        schema,
        list: false,
    }
}

fn string() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .into()
}

fn folder_param(name: &'static str) -> Param {
    Param {
        name,
        required: true,
        schema: ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .min_length(Some(1))
            .max_length(Some(1024))
            .into(),
        about: "Full folder path (UTF-8), e.g. `INBOX` or `Projects/2026`.",
    }
}

fn integer(min: i64, max: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Integer))
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

/// `?direction=&since=&until=&q=&before=` of the Logs page (R-LOG-1).
fn log_params() -> Vec<Param> {
    let text = |max: usize, pattern: Option<&str>| {
        let mut b = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .max_length(Some(max));
        if let Some(p) = pattern {
            b = b.pattern(Some(p));
        }
        b.into()
    };
    vec![
        Param {
            name: "direction",
            required: false,
            schema: ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .enum_values(Some(["sent", "received"]))
                .into(),
            about: "Only mail the mailbox sent, or only mail it received.",
        },
        Param {
            name: "since",
            required: false,
            schema: integer(0, i64::MAX / 2),
            about: "From this time on (Unix seconds, inclusive).",
        },
        Param {
            name: "until",
            required: false,
            schema: integer(0, i64::MAX / 2),
            about: "Before this time (Unix seconds, exclusive).",
        },
        Param {
            name: "q",
            required: false,
            schema: text(postern_shared::logs::MAX_SEARCH_CHARS, None),
            about: "Part of the sender's or a recipient's address, or of the subject.",
        },
        Param {
            name: "before",
            required: false,
            schema: text(50, Some("^[0-9]+\\.[0-9]+$")),
            about: "The `next` of the previous page.",
        },
    ]
}

/// The shape of endpoint `name`; `None` for a name the document does not
/// know (a test keeps the two lists equal).
fn shape(name: &str) -> Option<Shape> {
    let s = |body, status, answer| Shape {
        query: Vec::new(),
        body,
        status,
        answer,
    };
    Some(match name {
        "health" => s(None, &[200], Answer::AnyJson),
        "openapi" => s(None, &[200], Answer::AnyJson),
        "get_session" => s(None, &[200], json("SessionInfo")),
        "login" => s(Some("LoginRequest"), &[200], json("SessionInfo")),
        "logout" => s(None, &[204], Answer::Empty),
        "login_second_factor" => s(Some("SecondFactorRequest"), &[200], json("SessionInfo")),
        "me" => s(None, &[200], json("Me")),
        "account_security" => s(None, &[200], json("AccountSecurity")),
        "start_totp" => s(Some("StartTotpRequest"), &[200], json("TotpSetup")),
        "confirm_totp" => s(Some("CodeRequest"), &[200], json("RecoveryCodes")),
        "disable_totp" => s(Some("DisableTotpRequest"), &[204], Answer::Empty),
        "regenerate_recovery_codes" => s(Some("CodeRequest"), &[200], json("RecoveryCodes")),
        "list_sessions" => s(None, &[200], json("AccountSessions")),
        "end_other_sessions" => s(None, &[200], json("EndedSessions")),
        "set_locale" => s(Some("SetLocaleRequest"), &[204], Answer::Empty),
        "end_session" => s(None, &[204], Answer::Empty),
        "list_folders" => s(
            None,
            &[200],
            Answer::Json {
                schema: "Folder",
                list: true,
            },
        ),
        "create_folder" => s(Some("CreateFolderRequest"), &[201], json("Folder")),
        "rename_folder" => Shape {
            query: vec![folder_param("path")],
            ..s(Some("RenameFolderRequest"), &[200], json("Folder"))
        },
        "delete_folder" => Shape {
            query: vec![folder_param("path")],
            ..s(None, &[204], Answer::Empty)
        },
        "list_messages" => Shape {
            query: vec![
                folder_param("folder"),
                Param {
                    name: "filter",
                    required: false,
                    schema: Ref::from_schema_name("MessageFilter").into(),
                    about: "All, read, unread, flagged or unflagged (R-MAIL-2).",
                },
                Param {
                    name: "q",
                    required: false,
                    schema: ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::String))
                        .max_length(Some(1000))
                        .into(),
                    about: "Search text (from, to, subject, body).",
                },
                Param {
                    name: "page",
                    required: false,
                    schema: integer(0, i64::from(u32::MAX)),
                    about: "Zero-based page number.",
                },
                Param {
                    name: "anchor",
                    required: false,
                    schema: integer(0, i64::from(u32::MAX)),
                    about: "The `anchor` of the first page, for stable paging.",
                },
            ],
            ..s(None, &[200], json("MessagePage"))
        },
        "set_flags" => s(Some("SetFlagsRequest"), &[204], Answer::Empty),
        "move_messages" => s(Some("MoveMessagesRequest"), &[200], json("MoveResult")),
        "report_messages" => s(Some("ReportRequest"), &[200], json("ReportResult")),
        "delete_messages" => s(Some("DeleteMessagesRequest"), &[200], json("MoveResult")),
        "get_message" => Shape {
            query: vec![folder_param("folder")],
            ..s(None, &[200], json("MessageView"))
        },
        "get_message_html" => Shape {
            query: vec![
                folder_param("folder"),
                Param {
                    name: "images",
                    required: false,
                    schema: Ref::from_schema_name("Images").into(),
                    about: "`allow` lets remote images load.",
                },
            ],
            ..s(None, &[200], Answer::Html)
        },
        "get_part" => Shape {
            query: vec![folder_param("folder")],
            ..s(None, &[200], Answer::Bytes)
        },
        "save_draft" => s(Some("SaveDraftRequest"), &[200], json("SavedDraft")),
        "get_draft" => s(None, &[200], json("OpenedDraft")),
        "send" => s(Some("SendRequest"), &[200, 202], json("Outgoing")),
        "get_outgoing" => s(None, &[200], json("Outgoing")),
        "cancel_outgoing" => s(None, &[200], json("Outgoing")),
        "contacts" => Shape {
            query: vec![Param {
                name: "q",
                required: false,
                schema: ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .max_length(Some(200))
                    .into(),
                about: "The start of a name or address.",
            }],
            ..s(
                None,
                &[200],
                Answer::Json {
                    schema: "Contact",
                    list: true,
                },
            )
        },
        "get_signature" => s(None, &[200], json("Signature")),
        "put_signature" => s(Some("Signature"), &[200], json("Signature")),
        "identities" => s(None, &[200], json("SendingIdentity")),
        "mailbox_storage" => s(None, &[200], json("MailboxStorage")),
        "mailbox_events" => s(None, &[200], Answer::EventStream),
        "list_conversations" => Shape {
            query: vec![
                folder_param("folder"),
                Param {
                    name: "page",
                    required: false,
                    schema: integer(0, i64::from(u32::MAX)),
                    about: "Zero-based page number (50 conversations a page).",
                },
            ],
            ..s(None, &[200], json("ConversationPage"))
        },
        "list_devices" => s(None, &[200], json("MailboxDevices")),
        "create_device" => s(Some("CreateDeviceRequest"), &[201], json("CreatedDevice")),
        "disconnect_all_devices" => s(None, &[200], json("DisconnectedDevices")),
        "delete_device" => s(None, &[204], Answer::Empty),
        "regenerate_device" => s(None, &[200], json("CreatedDevice")),
        "device_profile" => s(None, &[200], Answer::Bytes),
        "create_device_setup" => s(
            Some("CreateDeviceSetupRequest"),
            &[201],
            json("CreatedDeviceSetup"),
        ),
        "revoke_device_setup" => s(None, &[204], Answer::Empty),
        "mail_program_settings" => s(None, &[200], json("MailProgramSettings")),
        "get_device_setup" => s(None, &[200], json("DeviceSetupInfo")),
        "redeem_device_setup" => s(Some("CreateDeviceRequest"), &[201], json("CreatedDevice")),
        "get_spam" => s(None, &[200], json("SpamSettings")),
        "put_spam" => s(Some("UpdateSpamSettings"), &[200], json("SpamSettings")),
        "add_spam_senders" => s(Some("SenderEntries"), &[200], json("SpamSettings")),
        "remove_spam_senders" => s(Some("SenderEntries"), &[200], json("SpamSettings")),
        "get_auto_reply" => s(None, &[200], json("AutoReplySettings")),
        "put_auto_reply" => s(Some("AutoReply"), &[200], json("AutoReplySettings")),
        "get_rules" => s(None, &[200], json("MailboxRules")),
        "put_rules" => s(Some("PutRules"), &[200], json("MailboxRules")),
        "mailbox_templates" => s(None, &[200], json("MailboxTemplates")),
        "list_templates" => s(None, &[200], json("OrgTemplates")),
        "create_template" => s(Some("TemplateInput"), &[201], json("Template")),
        "update_template" => s(Some("TemplateInput"), &[200], json("Template")),
        "delete_template" => s(None, &[204], Answer::Empty),
        "apply_template" => s(
            Some("ApplyTemplateRequest"),
            &[200],
            json("ApplyTemplateResult"),
        ),
        "get_org_spam" => s(None, &[200], json("OrgSpamLists")),
        "add_org_spam_senders" => s(Some("SenderEntries"), &[200], json("OrgSpamLists")),
        "remove_org_spam_senders" => s(Some("SenderEntries"), &[200], json("OrgSpamLists")),
        "bulk_spam_filter" => s(
            Some("BulkSpamFilterRequest"),
            &[200],
            json("BulkSpamFilterResult"),
        ),
        "get_support" => s(None, &[200], json("SupportOverview")),
        "grant_support" => s(Some("SupportScope"), &[201], json("SupportGrant")),
        "revoke_support" => s(None, &[204], Answer::Empty),
        "staff_grants" => s(None, &[200], json("StaffGrants")),
        // Staff read through the webmail's own handlers: the same shapes.
        "staff_folders" => return shape("list_folders"),
        "staff_messages" => return shape("list_messages"),
        "staff_message" => return shape("get_message"),
        "staff_message_html" => return shape("get_message_html"),
        "staff_part" => return shape("get_part"),
        "list_addresses" => s(None, &[200], json("OrgAddresses")),
        "create_address" => s(Some("CreateAddressRequest"), &[201], json("CreatedAddress")),
        "delete_addresses" => s(
            Some("DeleteAddressesRequest"),
            &[200],
            json("DeletedAddresses"),
        ),
        "preview_address_import" => s(
            Some("ImportAddressesRequest"),
            &[200],
            json("ImportPreview"),
        ),
        "import_addresses" => s(
            Some("ImportAddressesRequest"),
            &[201],
            json("ImportedAddresses"),
        ),
        "update_address" => s(Some("UpdateAddressRequest"), &[200], json("AddressRow")),
        "add_alias" => s(Some("AddAliasRequest"), &[201], json("AddressRow")),
        "set_catch_all" => s(Some("SetCatchAllRequest"), &[200], json("DomainInfo")),
        "set_access" => s(Some("SetAccessRequest"), &[200], json("AddressRow")),
        "remove_access" => s(None, &[204], Answer::Empty),
        "mailbox_users" => s(None, &[200], json("MailboxUsers")),
        "create_invitation" => s(
            Some("CreateInvitationRequest"),
            &[201],
            json("CreatedInvitation"),
        ),
        "revoke_invitation" => s(None, &[204], Answer::Empty),
        "get_organization_details" => s(None, &[200], json("OrganizationDetailsView")),
        "put_organization_details" => s(
            Some("OrganizationDetails"),
            &[200],
            json("OrganizationDetailsView"),
        ),
        "dpa_pdf" => Shape {
            query: vec![Param {
                name: "lang",
                required: false,
                schema: ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .max_length(Some(35))
                    .into(),
                about: "The agreement's language (`en`, `es`); others: English.",
            }],
            ..s(None, &[200], Answer::Bytes)
        },
        "get_invitation" => s(None, &[200], json("InvitationInfo")),
        "sign_up" => s(Some("SignUpRequest"), &[200], json("SessionInfo")),
        "accept_invitation" => s(
            Some("AcceptInvitationRequest"),
            &[200],
            json("AcceptedInvitation"),
        ),
        "create_upload" => s(Some("NewUpload"), &[200], json("Upload")),
        "get_upload" => s(None, &[200], json("Upload")),
        "upload_data" => Shape {
            query: vec![Param {
                name: "offset",
                required: true,
                schema: integer(0, i64::MAX),
                about: "Where these bytes go: the upload's `received`.",
            }],
            ..s(Some(""), &[200], json("Upload"))
        },
        "delete_upload" => s(None, &[204], Answer::Empty),
        "create_transfer" => s(Some("NewTransfer"), &[200], json("Transfer")),
        "transfer_css" => s(None, &[200], Answer::Css),
        "transfer_page" => s(None, &[200], Answer::Html),
        "transfer_file" => s(None, &[200, 206], Answer::Bytes),
        "mailbox_logs" => Shape {
            query: log_params(),
            ..s(None, &[200], json("LogPage"))
        },
        "org_logs" => Shape {
            query: log_params(),
            ..s(None, &[200], json("LogPage"))
        },
        _ => return None,
    })
}

/// A path parameter of the contract, typed as `Args` parses it.
fn path_param(name: &str) -> Option<Param> {
    let id = || {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .pattern(Some("^[A-Za-z0-9_-]{1,128}$"))
            .into()
    };
    Some(match name {
        "mb" => Param {
            name: "mb",
            required: true,
            schema: integer(1, i64::MAX),
            about: "A mailbox id (from `GET /api/me`).",
        },
        "uid" => Param {
            name: "uid",
            required: true,
            schema: integer(1, i64::from(u32::MAX)),
            about: "The message's IMAP UID in `folder`.",
        },
        "section" => Param {
            name: "section",
            required: true,
            schema: ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some("^[1-9][0-9]*(\\.[1-9][0-9]*)*$"))
                .max_length(Some(MAX_SECTION_LEN))
                .into(),
            about: "The IMAP body section of the part, e.g. `2` or `1.2`.",
        },
        "org" => Param {
            name: "org",
            required: true,
            schema: integer(1, i64::MAX),
            about: "An organisation id (from `GET /api/me`).",
        },
        "addr" => Param {
            name: "addr",
            required: true,
            schema: integer(1, i64::MAX),
            about: "An address of the organisation (from its address table).",
        },
        "device" => Param {
            name: "device",
            required: true,
            schema: integer(1, i64::MAX),
            about: "A device password of the mailbox (from its device list).",
        },
        "template" => Param {
            name: "template",
            required: true,
            schema: integer(1, i64::MAX),
            about: "An auto-reply or sorting-rule template of the organisation (from its template list).",
        },
        "invitation" => Param {
            name: "invitation",
            required: true,
            schema: integer(1, i64::MAX),
            about: "A pending invitation of the mailbox (from its users tab, or a device-setup link from its device list).",
        },
        "account" => Param {
            name: "account",
            required: true,
            schema: integer(1, i64::MAX),
            about: "An account: a member of the organisation (from its address table).",
        },
        "domain" => Param {
            name: "domain",
            required: true,
            schema: integer(1, i64::MAX),
            about: "A domain of the organisation (from its address table).",
        },
        "id" => Param {
            name: "id",
            required: true,
            schema: id(),
            about: "An id the server gave.",
        },
        "token" => Param {
            name: "token",
            required: true,
            schema: id(),
            about: "The link's token (a transfer's, or an invitation's).",
        },
        "file" => Param {
            name: "file",
            required: true,
            schema: id(),
            about: "A file of the transfer.",
        },
        _ => return None,
    })
}

fn http_method(m: Method) -> HttpMethod {
    match m {
        Method::Get => HttpMethod::Get,
        Method::Head => HttpMethod::Head,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}

fn content(mime: &str, schema: RefOr<Schema>) -> (String, utoipa::openapi::Content) {
    (
        mime.into(),
        ContentBuilder::new().schema(Some(schema)).build(),
    )
}

fn error_response() -> utoipa::openapi::Response {
    let (mime, c) = content("application/json", Ref::from_schema_name("ApiError").into());
    ResponseBuilder::new()
        .description("Every failure: a typed `ApiError` with a stable code.")
        .content(mime, c)
        .build()
}

fn html_response(what: &str) -> utoipa::openapi::Response {
    let (mime, c) = content("text/html", string());
    ResponseBuilder::new()
        .description(what)
        .content(mime, c)
        .build()
}

fn operation(ep: &Endpoint, shape: &Shape) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .operation_id(Some(ep.name))
        .summary(Some(ep.summary))
        .tag(if ep.is_api() { "api" } else { "public pages" });
    for seg in ep.path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let p = path_param(name).expect("every contract parameter is described");
            op = op.parameter(
                ParameterBuilder::new()
                    .name(p.name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(p.about))
                    .schema(Some(p.schema)),
            );
        }
    }
    for p in &shape.query {
        op = op.parameter(
            ParameterBuilder::new()
                .name(p.name)
                .parameter_in(ParameterIn::Query)
                .required(if p.required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(p.about))
                .schema(Some(p.schema.clone())),
        );
    }
    match shape.body {
        Some("") => {
            let (mime, c) = content(
                "application/octet-stream",
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .content_media_type("application/octet-stream")
                    .into(),
            );
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content(mime, c)
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        Some(schema) => {
            let (mime, c) = content("application/json", Ref::from_schema_name(schema).into());
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content(mime, c)
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        None => {}
    }
    let mut responses = ResponsesBuilder::new();
    for status in shape.status {
        let r = match &shape.answer {
            Answer::Json { schema, list } => {
                let s: RefOr<Schema> = Ref::from_schema_name(*schema).into();
                let s = if *list {
                    ArrayBuilder::new().items(s).into()
                } else {
                    s
                };
                let (mime, c) = content("application/json", s);
                ResponseBuilder::new()
                    .description("Success.")
                    .content(mime, c)
                    .build()
            }
            Answer::AnyJson => {
                let (mime, c) = content(
                    "application/json",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::Object))
                        .into(),
                );
                ResponseBuilder::new()
                    .description("Success.")
                    .content(mime, c)
                    .build()
            }
            Answer::Empty => ResponseBuilder::new().description("Done; no body.").build(),
            Answer::Html => html_response("An HTML document."),
            Answer::Css => {
                let (mime, c) = content("text/css", string());
                ResponseBuilder::new()
                    .description("The stylesheet.")
                    .content(mime, c)
                    .build()
            }
            Answer::Bytes => {
                // The file's own (safe) type, else application/octet-stream.
                let (mime, c) = content(
                    "*/*",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::new(Type::String))
                        .content_media_type("application/octet-stream")
                        .into(),
                );
                ResponseBuilder::new()
                    .description("The file's bytes (its own content type when safe).")
                    .content(mime, c)
                    .build()
            }
            Answer::EventStream => {
                let (mime, c) = content("text/event-stream", string());
                ResponseBuilder::new()
                    .description("Events `snapshot`, `folder`, `tree` (JSON data, `shared::live`) and heartbeats; the stream stays open.")
                    .content(mime, c)
                    .build()
            }
        };
        responses = responses.response(status.to_string(), r);
    }
    if !ep.is_api() && ep.gateway.is_some() {
        // A person follows these links: unknown and expired ones are pages.
        for status in [404, 410, 503] {
            responses = responses.response(
                status.to_string(),
                html_response("The link is unknown, expired, or the service is down."),
            );
        }
    }
    if ep.name == "transfer_file" {
        responses = responses.response("416", error_response());
    }
    responses = responses.response("default", error_response());
    op = op.responses(responses.build());
    match ep.access {
        Access::Public => op = op.securities(Some(Vec::<SecurityRequirement>::new())),
        Access::Session | Access::Mailbox | Access::Organization | Access::Staff => {
            let mut req = vec![SecurityRequirement::new("session", Vec::<String>::new())];
            if !matches!(ep.method, Method::Get | Method::Head) {
                req = vec![
                    SecurityRequirement::new("session", Vec::<String>::new())
                        .add("csrf", Vec::<String>::new()),
                ];
            }
            op = op.securities(Some(req));
        }
    }
    op.build()
}

/// The whole document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for ep in ENDPOINTS {
        let shape = shape(ep.name).unwrap_or_else(|| panic!("no shape for {}", ep.name));
        paths = paths.path(
            ep.path,
            PathItem::new(http_method(ep.method), operation(ep, &shape)),
        );
    }
    let components = ComponentsBuilder::new()
        .schema_from::<ApiError>()
        .schema_from::<ErrorCode>()
        .schema_from::<postern_shared::ErrorParams>()
        .schema_from::<LoginRequest>()
        .schema_from::<SessionInfo>()
        .schema_from::<Me>()
        .schema_from::<Folder>()
        .schema_from::<CreateFolderRequest>()
        .schema_from::<RenameFolderRequest>()
        .schema_from::<MessageFilter>()
        .schema_from::<MessagePage>()
        .schema_from::<postern_shared::conversations::ConversationPage>()
        .schema_from::<postern_shared::conversations::Conversation>()
        .schema_from::<postern_shared::conversations::ConversationMessage>()
        .schema_from::<MessageView>()
        .schema_from::<SetFlagsRequest>()
        .schema_from::<MoveMessagesRequest>()
        .schema_from::<DeleteMessagesRequest>()
        .schema_from::<MoveResult>()
        .schema_from::<Images>()
        .schema_from::<SaveDraftRequest>()
        .schema_from::<SavedDraft>()
        .schema_from::<OpenedDraft>()
        .schema_from::<SendRequest>()
        .schema_from::<Outgoing>()
        .schema_from::<Contact>()
        .schema_from::<Signature>()
        .schema_from::<SendingIdentity>()
        .schema_from::<postern_shared::admin::OrgAddresses>()
        .schema_from::<postern_shared::organization::OrganizationDetails>()
        .schema_from::<postern_shared::organization::OrganizationDetailsView>()
        .schema_from::<postern_shared::organization::DetailsField>()
        .schema_from::<postern_shared::admin::CreateAddressRequest>()
        .schema_from::<postern_shared::admin::DeleteAddressesRequest>()
        .schema_from::<postern_shared::admin::DeletedAddresses>()
        .schema_from::<postern_shared::admin::UpdateAddressRequest>()
        .schema_from::<postern_shared::admin::AddAliasRequest>()
        .schema_from::<postern_shared::admin::SetCatchAllRequest>()
        .schema_from::<postern_shared::admin::SetAccessRequest>()
        .schema_from::<postern_shared::admin::AddressRow>()
        .schema_from::<postern_shared::admin::DomainInfo>()
        .schema_from::<postern_shared::admin::AddressKind>()
        .schema_from::<postern_shared::admin::AddressUser>()
        .schema_from::<postern_shared::admin::Member>()
        .schema_from::<postern_shared::admin::Recipients>()
        .schema_from::<postern_shared::admin::NewGrant>()
        .schema_from::<postern_shared::admin::ImportAddressesRequest>()
        .schema_from::<postern_shared::admin::ImportPreview>()
        .schema_from::<postern_shared::admin::ImportRow>()
        .schema_from::<postern_shared::admin::ImportUser>()
        .schema_from::<postern_shared::admin::ImportedAddresses>()
        .schema_from::<postern_shared::admin::ImportInvite>()
        .schema_from::<postern_shared::admin::ImportedInvitation>()
        .schema_from::<postern_shared::admin::CreatedAddress>()
        .schema_from::<postern_shared::ImportIssue>()
        .schema_from::<postern_shared::api::MailboxStorage>()
        .schema_from::<postern_shared::account::SecondFactorRequest>()
        .schema_from::<postern_shared::account::AccountSecurity>()
        .schema_from::<postern_shared::account::StartTotpRequest>()
        .schema_from::<postern_shared::account::SetLocaleRequest>()
        .schema_from::<postern_shared::account::TotpSetup>()
        .schema_from::<postern_shared::account::CodeRequest>()
        .schema_from::<postern_shared::account::DisableTotpRequest>()
        .schema_from::<postern_shared::account::RecoveryCodes>()
        .schema_from::<postern_shared::account::AccountSessions>()
        .schema_from::<postern_shared::account::OpenSession>()
        .schema_from::<postern_shared::account::EndedSessions>()
        .schema_from::<postern_shared::devices::MailboxDevices>()
        .schema_from::<postern_shared::devices::Device>()
        .schema_from::<postern_shared::devices::DeviceKind>()
        .schema_from::<postern_shared::devices::DevicePerson>()
        .schema_from::<postern_shared::devices::LastUse>()
        .schema_from::<postern_shared::devices::ClientSettings>()
        .schema_from::<postern_shared::devices::CreateDeviceRequest>()
        .schema_from::<postern_shared::devices::CreatedDevice>()
        .schema_from::<postern_shared::devices::DisconnectedDevices>()
        .schema_from::<postern_shared::devices::DeviceProtocol>()
        .schema_from::<postern_shared::devices::MailProgramSettings>()
        .schema_from::<postern_shared::devices::SetupInvitee>()
        .schema_from::<postern_shared::devices::DeviceSetupInvitation>()
        .schema_from::<postern_shared::devices::CreateDeviceSetupRequest>()
        .schema_from::<postern_shared::devices::CreatedDeviceSetup>()
        .schema_from::<postern_shared::devices::DeviceSetupInfo>()
        .schema_from::<postern_shared::logs::LogPage>()
        .schema_from::<postern_shared::logs::LogEntry>()
        .schema_from::<postern_shared::logs::Direction>()
        .schema_from::<postern_shared::logs::LogStatus>()
        .schema_from::<postern_shared::logs::Reason>()
        .schema_from::<postern_shared::spam::SpamSettings>()
        .schema_from::<postern_shared::spam::UpdateSpamSettings>()
        .schema_from::<postern_shared::spam::SenderEntries>()
        .schema_from::<postern_shared::spam::ReportRequest>()
        .schema_from::<postern_shared::spam::ReportResult>()
        .schema_from::<postern_shared::spam::Verdict>()
        .schema_from::<postern_shared::spam::SenderList>()
        .schema_from::<postern_shared::spam::OrgSpamLists>()
        .schema_from::<postern_shared::spam::BulkSpamFilterRequest>()
        .schema_from::<postern_shared::spam::BulkSpamFilterResult>()
        .schema_from::<postern_shared::support::SupportKind>()
        .schema_from::<postern_shared::support::SupportScope>()
        .schema_from::<postern_shared::support::SupportGrant>()
        .schema_from::<postern_shared::support::SupportRead>()
        .schema_from::<postern_shared::support::SupportAccess>()
        .schema_from::<postern_shared::support::SupportOverview>()
        .schema_from::<postern_shared::support::StaffGrant>()
        .schema_from::<postern_shared::support::StaffGrants>()
        .schema_from::<postern_shared::filters::AutoReply>()
        .schema_from::<postern_shared::filters::AutoReplySettings>()
        .schema_from::<postern_shared::filters::MailboxRules>()
        .schema_from::<postern_shared::filters::PutRules>()
        .schema_from::<postern_shared::filters::Rule>()
        .schema_from::<postern_shared::filters::Condition>()
        .schema_from::<postern_shared::filters::RuleAction>()
        .schema_from::<postern_shared::filters::RuleField>()
        .schema_from::<postern_shared::filters::Match>()
        .schema_from::<postern_shared::templates::TemplateContent>()
        .schema_from::<postern_shared::templates::TemplateInput>()
        .schema_from::<postern_shared::templates::Template>()
        .schema_from::<postern_shared::templates::OrgTemplates>()
        .schema_from::<postern_shared::templates::MailboxTemplates>()
        .schema_from::<postern_shared::templates::ApplyTemplateRequest>()
        .schema_from::<postern_shared::templates::ApplyTemplateResult>()
        .schema_from::<postern_shared::permissions::Action>()
        .schema_from::<postern_shared::invitations::MailboxUsers>()
        .schema_from::<postern_shared::invitations::InviteBlock>()
        .schema_from::<postern_shared::invitations::PendingInvitation>()
        .schema_from::<postern_shared::invitations::CreateInvitationRequest>()
        .schema_from::<postern_shared::invitations::CreatedInvitation>()
        .schema_from::<postern_shared::invitations::InvitationInfo>()
        .schema_from::<postern_shared::invitations::AcceptInvitationRequest>()
        .schema_from::<postern_shared::invitations::OrganizationChoice>()
        .schema_from::<postern_shared::invitations::AcceptedInvitation>()
        .schema_from::<postern_shared::invitations::SignUpRequest>()
        .schema_from::<NewUpload>()
        .schema_from::<Upload>()
        .schema_from::<NewTransfer>()
        .schema_from::<Transfer>()
        // Nested types (utoipa does not follow references by itself).
        .schema_from::<postern_shared::folders::SpecialUse>()
        .schema_from::<postern_shared::api::AccountSummary>()
        .schema_from::<postern_shared::api::MailboxAccess>()
        .schema_from::<postern_shared::api::OrganizationMembership>()
        .schema_from::<postern_shared::api::MessageSummary>()
        .schema_from::<postern_shared::api::Attachment>()
        .schema_from::<postern_shared::api::EmailAddress>()
        .schema_from::<postern_shared::api::Flag>()
        .schema_from::<postern_shared::permissions::Role>()
        .schema_from::<postern_shared::Permission>()
        .schema_from::<postern_shared::PermissionSet>()
        .schema_from::<postern_shared::compose::Draft>()
        .schema_from::<postern_shared::compose::OutgoingState>()
        .schema_from::<postern_shared::compose::AttachmentRef>()
        .schema_from::<postern_shared::compose::OriginalRef>()
        .schema_from::<postern_shared::compose::ReplyKind>()
        .schema_from::<postern_shared::transfers::TransferFile>()
        .schema_from::<postern_shared::transfers::UploadRoute>()
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "postern_session",
                "The signed session cookie set by `POST /api/session` (HttpOnly).",
            ))),
        )
        .security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                postern_shared::wire::headers::CSRF_TOKEN,
                "`SessionInfo.csrf_token`, on every state-changing request.",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Postern")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Webmail and mail portal API. Every error is an `ApiError` \
                     (`code`, `message`, optional `params`); clients word it \
                     from the code in the user's language.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}

/// ARCHITECTURE.md's route table, generated like the document: one row
/// per endpoint (browser side, gateway side, who may call it, what goes in
/// and out). `architecture_route_table_is_current` keeps the file in step.
pub fn route_table_markdown() -> String {
    let mut out = String::from(
        "| browser → edge | edge → gateway | who | body → answer |\n|---|---|---|---|\n",
    );
    for ep in ENDPOINTS {
        let shape = shape(ep.name).unwrap_or_else(|| panic!("no shape for {}", ep.name));
        let mut browser = format!("{} {}", ep.method.as_str(), ep.path);
        let query: Vec<&str> = shape.query.iter().map(|p| p.name).collect();
        if !query.is_empty() {
            browser.push_str(&format!("?{}=", query.join("=&")));
        }
        let gateway = match ep.gateway {
            Some((m, p)) => format!("`{} {p}`", m.as_str()),
            None => "— (the edge answers)".into(),
        };
        let who = match ep.access {
            Access::Public => "public",
            Access::Session => "session",
            Access::Mailbox => "grant on `{mb}`",
            Access::Organization => "role in `{org}`",
            Access::Staff => "support staff (grant `{id}` in force)",
        };
        let body = match shape.body {
            Some("") => "raw bytes ".to_string(),
            Some(b) => format!("`{b}` "),
            None => String::new(),
        };
        let answer = match &shape.answer {
            Answer::Json {
                schema,
                list: false,
            } => format!("`{schema}`"),
            Answer::Json { schema, list: true } => format!("`Vec<{schema}>`"),
            Answer::AnyJson => "JSON".into(),
            Answer::Empty => "204".into(),
            Answer::Html => "HTML".into(),
            Answer::Bytes => "file bytes, streamed".into(),
            Answer::EventStream => "Server-Sent Events (`shared::live`)".into(),
            Answer::Css => "CSS".into(),
        };
        out.push_str(&format!(
            "| `{browser}` | {gateway} | {who} | {body}→ {answer} |\n"
        ));
    }
    out
}

/// The document as JSON, built once.
pub fn document_json() -> &'static [u8] {
    static DOC: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DOC.get_or_init(|| serde_json::to_vec(&document()).expect("the document serialises"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described_and_every_description_has_a_route() {
        for ep in ENDPOINTS {
            assert!(shape(ep.name).is_some(), "{} has no shape", ep.name);
            assert!(!ep.summary.trim().is_empty(), "{} has no summary", ep.name);
        }
        // The other way: every name `shape` knows is a route of the table.
        let src = include_str!("openapi.rs");
        let body = &src[src.find("fn shape(").unwrap()..src.find("fn path_param(").unwrap()];
        for line in body.lines() {
            let t = line.trim_start();
            if let Some(rest) = t.strip_prefix('"')
                && let Some((name, _)) = rest.split_once("\" =>")
            {
                assert!(
                    ENDPOINTS.iter().any(|e| e.name == name),
                    "{name} is described but is no route"
                );
            }
        }
    }

    /// `UPDATE_DOCS=1 cargo test -p postern-gateway route_table` rewrites
    /// the table after a route changed.
    #[test]
    fn architecture_route_table_is_current() {
        const BEGIN: &str = "<!-- routes:begin -->\n";
        const END: &str = "<!-- routes:end -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ARCHITECTURE.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let start = doc.find(BEGIN).expect("route table markers") + BEGIN.len();
        let end = doc.find(END).expect("route table end marker");
        let want = route_table_markdown();
        if doc[start..end] != want {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                let new = format!("{}{want}{}", &doc[..start], &doc[end..]);
                std::fs::write(path, new).unwrap();
            } else {
                panic!(
                    "ARCHITECTURE.md's route table is not the contract's; run \
                     `UPDATE_DOCS=1 cargo test -p postern-gateway route_table`"
                );
            }
        }
    }

    #[test]
    fn the_document_is_openapi_3_1_with_every_path_and_schema() {
        let doc: serde_json::Value = serde_json::from_slice(document_json()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for ep in ENDPOINTS {
            let method = ep.method.as_str().to_ascii_lowercase();
            let op = &doc["paths"][ep.path][&method];
            assert_eq!(op["operationId"], ep.name, "{} {}", ep.path, method);
            assert!(op["responses"]["default"].is_object());
        }
        // Every referenced schema exists.
        let text = String::from_utf8(document_json().to_vec()).unwrap();
        let missing: Vec<&str> = text
            .split("\"#/components/schemas/")
            .skip(1)
            .map(|r| &r[..r.find('"').unwrap()])
            .filter(|name| !doc["components"]["schemas"][*name].is_object())
            .collect();
        assert!(missing.is_empty(), "missing schemas: {missing:?}");
        let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
        assert_eq!(codes.as_array().unwrap().len(), ErrorCode::ALL.len());
    }
}
