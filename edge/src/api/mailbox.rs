//! Every route that needs a session: the browser's query and body are
//! decoded into their shared types, checked, and re-encoded for the
//! gateway route the contract names; the sanitised HTML body is put into
//! its document.

use super::*;

impl<G: Gateway> Ctx<'_, G> {
    pub(super) async fn mailbox_route(&self, route: Route, session: &Session) -> Outcome {
        match self.mailbox_route_inner(route, session).await {
            Ok(o) => o,
            Err(e) => e.into(),
        }
    }

    pub(super) async fn mailbox_route_inner(
        &self,
        route: Route,
        session: &Session,
    ) -> Result<Outcome, EdgeResponse> {
        let s = Some(session);
        let query = self.gateway_query(&route)?;
        let mut req = self.gateway_request(&route, &query, s);
        req.body = self.gateway_body(&route)?;
        match &route {
            // The webmail's and support staff's (R-SUP) alike.
            Route::GetMessageHtml { .. } | Route::StaffMessageHtml { .. } => {
                return self.message_html(req).await;
            }
            Route::GetPart { .. } | Route::StaffPart { .. } => {
                return Ok(Outcome::StreamPart(req));
            }
            Route::MailboxEvents { .. } => return Ok(Outcome::StreamEvents(req)),
            Route::DeviceProfile { .. } => {
                let resp = self.send_ok(req).await?;
                return Ok(crate::download::apple_profile(resp).into());
            }
            Route::DpaPdf { .. } => {
                let resp = self.send_ok(req).await?;
                return Ok(crate::download::pdf(resp).into());
            }
            Route::UploadData { .. } => {
                req.headers
                    .push(("content-type".into(), "application/octet-stream".into()));
                if let Some(len) = self
                    .req
                    .header("content-length")
                    .and_then(|l| l.trim().parse::<u64>().ok())
                {
                    req.headers.push(("content-length".into(), len.to_string()));
                }
                return Ok(Outcome::StreamUpload(req));
            }
            Route::Health
            | Route::OpenApi
            | Route::Login
            | Route::LoginSecondFactor
            | Route::GetSession
            | Route::Logout
            | Route::GetInvitation { .. }
            | Route::SignUp { .. }
            | Route::TransferPage { .. }
            | Route::TransferFile { .. }
            | Route::TransferCss => {
                return Err(EdgeResponse::code(ErrorCode::NotFound));
            }
            _ => {}
        }
        let resp = self.send_ok(req).await?;
        Ok(pass_through(resp).into())
    }

    /// The sanitised body the gateway renders (and keeps), put in its
    /// document with its own CSP; remote images only when asked.
    async fn message_html(&self, req: GatewayRequest) -> Result<Outcome, EdgeResponse> {
        let q: BodyHtmlQuery = self.query()?;
        let allow = q.images == Images::Allow;
        let resp = self.send_ok(req).await?;
        let clean = String::from_utf8_lossy(&resp.body);
        Ok(html_document(&clean, allow).into())
    }

    /// The browser's query, decoded into the route's type.
    pub(super) fn query<T: DeserializeOwned>(&self) -> Result<T, EdgeResponse> {
        from_query(&self.req.query).map_err(|m| bad_request(&m))
    }

    /// The gateway's query string of a route: the browser's, decoded into
    /// its shared type, checked, and encoded again (so nothing else passes).
    pub(super) fn gateway_query(&self, route: &Route) -> Result<String, EdgeResponse> {
        Ok(match route {
            Route::RenameFolder { .. } | Route::DeleteFolder { .. } => {
                let q: FolderPathQuery = self.query()?;
                check_folder(&q.path, "path")?;
                to_query(&q)
            }
            Route::ListMessages { .. } | Route::StaffMessages { .. } => {
                let mut q: MessageListQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                q.q = q.q.filter(|t| !t.trim().is_empty());
                if q.q.as_ref().is_some_and(|t| t.len() > 1000) {
                    return Err(bad_request("The search text is too long."));
                }
                to_query(&q)
            }
            Route::ListConversations { .. } => {
                let q: postern_shared::conversations::ConversationQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                to_query(&q)
            }
            Route::GetMessage { .. } => {
                let q: FolderQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                to_query(&ViewQuery {
                    folder: q.folder,
                    mark_seen: true,
                })
            }
            Route::GetMessageHtml { .. } | Route::StaffMessageHtml { .. } => {
                let q: BodyHtmlQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                to_query(&q)
            }
            // Support staff's reading view never marks read (R-SUP).
            Route::GetPart { .. } | Route::StaffMessage { .. } | Route::StaffPart { .. } => {
                let q: FolderQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                to_query(&q)
            }
            Route::Contacts { .. } => {
                let mut q: ContactsQuery = self.query()?;
                q.q = q.q.filter(|t| !t.trim().is_empty());
                if q.q
                    .as_ref()
                    .is_some_and(|t| t.len() > 200 || t.contains('\0'))
                {
                    return Err(bad_request("The search text is too long."));
                }
                to_query(&q)
            }
            Route::MailboxLogs { .. } | Route::OrgLogs { .. } => {
                let q: postern_shared::logs::LogQuery = self.query()?;
                if let Some(m) = q.problem() {
                    return Err(bad_request(m));
                }
                to_query(&q)
            }
            Route::DpaPdf { .. } => {
                let q: DpaQuery = self.query()?;
                if q.lang.as_ref().is_some_and(|l| {
                    l.len() > 35
                        || !l
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                }) {
                    return Err(bad_request("`lang` must be a language code such as `es`."));
                }
                to_query(&q)
            }
            Route::UploadData { .. } => {
                let q: UploadOffsetQuery = self
                    .query()
                    .map_err(|_| bad_request("The query parameter `offset` is required."))?;
                to_query(&q)
            }
            _ => String::new(),
        })
    }

    /// The JSON body passed to the gateway: the browser's, parsed as the
    /// route's shared type and serialised again (unknown fields dropped).
    pub(super) fn gateway_body(&self, route: &Route) -> Result<Option<Vec<u8>>, EdgeResponse> {
        let b = &self.req.body;
        Ok(Some(match route {
            Route::CreateFolder { .. } => revalidate::<CreateFolderRequest>(b)?,
            Route::RenameFolder { .. } => revalidate::<RenameFolderRequest>(b)?,
            Route::SetFlags { .. } => revalidate::<SetFlagsRequest>(b)?,
            Route::MoveMessages { .. } => revalidate::<MoveMessagesRequest>(b)?,
            Route::DeleteMessages { .. } => revalidate::<DeleteMessagesRequest>(b)?,
            Route::ReportMessages { .. } => revalidate::<spam::ReportRequest>(b)?,
            Route::SaveDraft { .. } => revalidate::<SaveDraftRequest>(b)?,
            Route::Send { .. } => revalidate::<SendRequest>(b)?,
            Route::PutSignature { .. } => revalidate::<Signature>(b)?,
            Route::CreateDevice { .. } | Route::RedeemDeviceSetup { .. } => {
                revalidate::<postern_shared::devices::CreateDeviceRequest>(b)?
            }
            Route::CreateDeviceSetup { .. } => {
                revalidate::<postern_shared::devices::CreateDeviceSetupRequest>(b)?
            }
            Route::StartTotp => revalidate::<StartTotpRequest>(b)?,
            Route::SetLocale => revalidate::<postern_shared::account::SetLocaleRequest>(b)?,
            Route::ConfirmTotp | Route::RegenerateRecoveryCodes => revalidate::<CodeRequest>(b)?,
            Route::DisableTotp => revalidate::<DisableTotpRequest>(b)?,
            Route::CreateUpload => revalidate::<NewUpload>(b)?,
            Route::CreateTransfer => revalidate::<NewTransfer>(b)?,
            Route::CreateAddress { .. } => revalidate::<admin::CreateAddressRequest>(b)?,
            Route::DeleteAddresses { .. } => revalidate::<admin::DeleteAddressesRequest>(b)?,
            Route::UpdateAddress { .. } => revalidate::<admin::UpdateAddressRequest>(b)?,
            Route::AddAlias { .. } => revalidate::<admin::AddAliasRequest>(b)?,
            Route::SetCatchAll { .. } => revalidate::<admin::SetCatchAllRequest>(b)?,
            Route::SetAccess { .. } => revalidate::<admin::SetAccessRequest>(b)?,
            Route::PutOrganizationDetails { .. } => {
                revalidate::<postern_shared::organization::OrganizationDetails>(b)?
            }
            Route::CreateInvitation { .. } => {
                revalidate::<invitations::CreateInvitationRequest>(b)?
            }
            Route::AcceptInvitation { .. } => {
                revalidate::<invitations::AcceptInvitationRequest>(b)?
            }
            Route::PreviewAddressImport { .. } | Route::ImportAddresses { .. } => {
                revalidate::<admin::ImportAddressesRequest>(b)?
            }
            Route::PutSpam { .. } => revalidate::<spam::UpdateSpamSettings>(b)?,
            Route::AddSpamSenders { .. }
            | Route::RemoveSpamSenders { .. }
            | Route::AddOrgSpamSenders { .. }
            | Route::RemoveOrgSpamSenders { .. } => revalidate::<spam::SenderEntries>(b)?,
            Route::BulkSpamFilter { .. } => revalidate::<spam::BulkSpamFilterRequest>(b)?,
            Route::GrantSupport { .. } => revalidate::<postern_shared::support::SupportScope>(b)?,
            Route::PutAutoReply { .. } => revalidate::<postern_shared::filters::AutoReply>(b)?,
            Route::PutRules { .. } => revalidate::<postern_shared::filters::PutRules>(b)?,
            Route::CreateTemplate { .. } | Route::UpdateTemplate { .. } => {
                revalidate::<postern_shared::templates::TemplateInput>(b)?
            }
            Route::ApplyTemplate { .. } => {
                revalidate::<postern_shared::templates::ApplyTemplateRequest>(b)?
            }
            // No body, or not this function's: listed by name (no `_`), so
            // a new route with a body cannot be forgotten here silently.
            Route::Health
            | Route::OpenApi
            | Route::Login
            | Route::LoginSecondFactor
            | Route::GetSession
            | Route::Logout
            | Route::Me
            | Route::AccountSecurity
            | Route::ListSessions
            | Route::EndOtherSessions
            | Route::EndSession { .. }
            | Route::ListFolders { .. }
            | Route::DeleteFolder { .. }
            | Route::ListMessages { .. }
            | Route::ListConversations { .. }
            | Route::GetMessage { .. }
            | Route::GetMessageHtml { .. }
            | Route::GetPart { .. }
            | Route::GetDraft { .. }
            | Route::GetOutgoing { .. }
            | Route::CancelOutgoing { .. }
            | Route::Contacts { .. }
            | Route::GetSignature { .. }
            | Route::Identities { .. }
            | Route::MailboxStorage { .. }
            | Route::MailboxEvents { .. }
            | Route::ListDevices { .. }
            | Route::RegenerateDevice { .. }
            | Route::DeleteDevice { .. }
            | Route::DisconnectAllDevices { .. }
            | Route::DeviceProfile { .. }
            | Route::RevokeDeviceSetup { .. }
            | Route::MailProgramSettings { .. }
            | Route::GetDeviceSetup { .. }
            | Route::GetSpam { .. }
            | Route::GetSupport { .. }
            | Route::RevokeSupport { .. }
            | Route::StaffGrants
            | Route::StaffFolders { .. }
            | Route::StaffMessages { .. }
            | Route::StaffMessage { .. }
            | Route::StaffMessageHtml { .. }
            | Route::StaffPart { .. }
            | Route::GetAutoReply { .. }
            | Route::GetRules { .. }
            | Route::MailboxTemplates { .. }
            | Route::ListTemplates { .. }
            | Route::DeleteTemplate { .. }
            | Route::ListAddresses { .. }
            | Route::GetOrgSpam { .. }
            | Route::RemoveAccess { .. }
            | Route::MailboxUsers { .. }
            | Route::RevokeInvitation { .. }
            | Route::GetOrganizationDetails { .. }
            | Route::DpaPdf { .. }
            | Route::MailboxLogs { .. }
            | Route::OrgLogs { .. }
            | Route::GetInvitation { .. }
            | Route::SignUp { .. }
            | Route::GetUpload { .. }
            | Route::UploadData { .. }
            | Route::DeleteUpload { .. }
            | Route::TransferPage { .. }
            | Route::TransferFile { .. }
            | Route::TransferCss => return Ok(None),
        }))
    }
}

/// A folder path in a query: present, not too long, no NUL.
fn check_folder(v: &str, name: &str) -> Result<(), EdgeResponse> {
    if !v.is_empty() && v.len() <= MAX_FOLDER_PARAM && !v.contains('\0') {
        Ok(())
    } else {
        Err(bad_request(&format!(
            "The query parameter `{name}` is required."
        )))
    }
}
