//! The services Postfix asks about every SMTP transaction — webmail and
//! mail clients alike (ARCHITECTURE.md, "Sending"): the policy-delegation
//! service (R-SEND-1..3, R-LIM-1 at `RCPT` and `END-OF-MESSAGE`) and the
//! milter (the `From:` header half of R-SEND-3). Both fail closed: a
//! gateway that cannot answer makes Postfix defer, never accept.
//! - [`policy`], [`milter`]: the two protocols;
//! - [`listener`]: their shared accept loop;
//! - [`tags`]: `[postern:<code> …]` in their refusals, read back into typed
//!   errors by the webmail's SMTP client (`crate::send::smtp`).

pub mod listener;
pub mod milter;
pub mod policy;
pub mod tags;
