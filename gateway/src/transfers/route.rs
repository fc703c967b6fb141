//! R-LIM-2..4: by its declared size a file travels as a MIME attachment or
//! as a transfer link, or is refused.

use postern_shared::limits::{
    MAX_ATTACHMENT_BYTES, MAX_STANDALONE_TRANSFER_BYTES, MAX_WEBMAIL_TRANSFER_BYTES,
};
use postern_shared::transfers::UploadRoute;
use postern_shared::{ApiError, ErrorCode};

/// R-LIM-2..4: where a file of `size` bytes goes, or why it is refused.
pub fn route_for(size: u64, standalone: bool) -> Result<UploadRoute, ApiError> {
    if standalone {
        if size > MAX_STANDALONE_TRANSFER_BYTES {
            return Err(ApiError::new(
                ErrorCode::AttachmentTooLarge,
                "Files larger than 50 GiB cannot be transferred.",
            ));
        }
        return Ok(UploadRoute::Transfer);
    }
    if size > MAX_WEBMAIL_TRANSFER_BYTES {
        return Err(ApiError::new(
            ErrorCode::AttachmentTooLarge,
            "Files larger than 3 GiB cannot be sent from the webmail. Use the standalone \
             transfer page, which accepts files up to 50 GiB.",
        ));
    }
    Ok(if size <= MAX_ATTACHMENT_BYTES {
        UploadRoute::Attachment
    } else {
        UploadRoute::Transfer
    })
}

/// The value of the `uploads.route` column.
pub(super) fn route_str(r: UploadRoute) -> &'static str {
    match r {
        UploadRoute::Attachment => "attachment",
        UploadRoute::Transfer => "transfer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_r_lim() {
        assert_eq!(
            route_for(MAX_ATTACHMENT_BYTES, false).unwrap(),
            UploadRoute::Attachment
        );
        assert_eq!(
            route_for(MAX_ATTACHMENT_BYTES + 1, false).unwrap(),
            UploadRoute::Transfer
        );
        assert_eq!(
            route_for(MAX_WEBMAIL_TRANSFER_BYTES, false).unwrap(),
            UploadRoute::Transfer
        );
        let e = route_for(MAX_WEBMAIL_TRANSFER_BYTES + 1, false).unwrap_err();
        assert_eq!(e.code, ErrorCode::AttachmentTooLarge);
        assert!(e.message.contains("standalone transfer page"));
        assert_eq!(
            route_for(MAX_WEBMAIL_TRANSFER_BYTES + 1, true).unwrap(),
            UploadRoute::Transfer
        );
        assert_eq!(route_for(10, true).unwrap(), UploadRoute::Transfer);
        assert!(route_for(MAX_STANDALONE_TRANSFER_BYTES + 1, true).is_err());
    }
}
