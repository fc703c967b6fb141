//! Figures from RULES.md that more than one process needs.

/// R-MAIL-2: rows per page of the message list.
pub const PAGE_SIZE: u32 = 50;
/// Most UIDs one flags, move or delete request may name (the gateway
/// refuses more; the list's "all matching" sends them in slices this big).
pub const MAX_UIDS_PER_REQUEST: usize = 1000;
/// R-MAIL-7: Trash and Spam keep mail this many days.
pub const TRASH_RETENTION_DAYS: u32 = 30;
/// R-MAIL-8: above this many messages a folder shows a filing hint.
pub const LARGE_FOLDER_HINT: u32 = 5_000;
/// R-SEND-1: To + Cc + Bcc together.
pub const MAX_RECIPIENTS: usize = 100;
/// R-LIM-1: 201 MiB, encoded message, any route.
pub const MAX_MESSAGE_BYTES: u64 = 210_763_776;
/// R-LIM-2: largest webmail attachment.
pub const MAX_ATTACHMENT_BYTES: u64 = 26_214_400;
/// R-LIM-3: largest file the webmail turns into a transfer link.
pub const MAX_WEBMAIL_TRANSFER_BYTES: u64 = 3_221_225_472;
/// R-LIM-4: largest file of the standalone transfer page (50 GiB).
pub const MAX_STANDALONE_TRANSFER_BYTES: u64 = 50 * 1024 * 1024 * 1024;
/// A mailbox signature, text and HTML each (not a RULES.md figure: the
/// gateway refuses more, the editor says so before saving).
pub const MAX_SIGNATURE_BYTES: usize = 10 * 1024;
/// R-INV-2 / R-DEV-4: invitation links live this long.
pub const INVITATION_DAYS: u32 = 30;
/// R-LIM-5: mailbox storage on the free and starter offers (20 GB, decimal
/// as the offer says; every other offer is unlimited, see
/// [`crate::sending::Offer::mailbox_storage_limit`]).
pub const MAILBOX_STORAGE_BYTES: u64 = 20_000_000_000;
/// A display name of an address (not a RULES.md figure).
pub const MAX_DISPLAY_NAME_CHARS: usize = 200;
/// R-ADDR-4: the most addresses one CSV file may create.
pub const MAX_IMPORT_ROWS: usize = 5_000;
/// R-ADDR-4: the largest CSV file (its text, 2 MiB).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// The largest JSON body of the import routes: the CSV text escaped in
/// JSON (a quote or a line end is two bytes there) plus the envelope, so a
/// file just over [`MAX_IMPORT_BYTES`] still gets the precise
/// `import_too_large` answer.
pub const MAX_IMPORT_REQUEST_BYTES: usize = 2 * MAX_IMPORT_BYTES + 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_match_the_spec() {
        assert_eq!(MAX_MESSAGE_BYTES, 201 * 1024 * 1024);
        assert_eq!(MAX_ATTACHMENT_BYTES, 25 * 1024 * 1024);
        assert_eq!(MAX_WEBMAIL_TRANSFER_BYTES, 3 * 1024 * 1024 * 1024);
        assert_eq!(MAILBOX_STORAGE_BYTES, 20 * 1000 * 1000 * 1000);
        assert_eq!(MAX_IMPORT_BYTES, 2 * 1024 * 1024);
    }
}
