//! A folder renamed in the webmail takes its filters with it: the spam
//! destination (R-SPAM-2) and the sorting rules' "move to" targets that
//! name it, or a folder inside it, are rewritten to the new path, and the
//! scripts with them — otherwise Sieve's `fileinto` would file the next
//! message into a folder of the old name (made again on the spot) instead.

use super::{load_rules, lock_mailbox, store_rules, write_script};
use crate::error::AppResult;
use crate::state::AppState;
use postern_shared::api::MailboxId;
use postern_shared::filters::RuleAction;

/// `path` after `old` became `new` (`delimiter` between levels): the
/// folder itself or one inside it; `None` when it is elsewhere.
pub fn renamed(path: &str, old: &str, new: &str, delimiter: Option<char>) -> Option<String> {
    if path == old {
        return Some(new.to_string());
    }
    let d = delimiter?;
    let rest = path.strip_prefix(old)?.strip_prefix(d)?;
    Some(format!("{new}{d}{rest}"))
}

/// After the IMAP RENAME of `old` to `new`: one transaction for the rows,
/// each script rewritten from them when it changed.
pub async fn follow(
    state: &AppState,
    mailbox: MailboxId,
    old: &str,
    new: &str,
    delimiter: Option<char>,
) -> AppResult<()> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_mailbox(&mut tx, state, mailbox).await?;
    let (_, spam_folder, _) = crate::spam::mailbox_state(&mut tx, mailbox).await?;
    if let Some(moved) = spam_folder
        .as_deref()
        .and_then(|f| renamed(f, old, new, delimiter))
    {
        sqlx::query("UPDATE mailboxes SET spam_folder = $1 WHERE id = $2")
            .bind(&moved)
            .bind(mailbox)
            .execute(&mut *tx)
            .await?;
        crate::spam::write_mailbox_script(state, &mut tx, mailbox).await?;
    }
    let mut rules = load_rules(&mut tx, mailbox).await?;
    let mut changed = false;
    for a in rules.iter_mut().flat_map(|r| r.actions.iter_mut()) {
        if let RuleAction::Move { folder } = a
            && let Some(moved) = renamed(folder, old, new, delimiter)
        {
            *folder = moved;
            changed = true;
        }
    }
    if changed {
        store_rules(&mut tx, mailbox, &rules).await?;
        write_script(state, &mut tx, mailbox).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::renamed;

    #[test]
    fn the_folder_and_those_inside_it_follow_nothing_else() {
        let d = Some('/');
        assert_eq!(
            renamed("Spam", "Spam", "Junk mail", d).as_deref(),
            Some("Junk mail")
        );
        assert_eq!(
            renamed("Work/Spam", "Work", "Job", d).as_deref(),
            Some("Job/Spam")
        );
        assert_eq!(
            renamed("Workshop", "Work", "Job", d),
            None,
            "a name that only starts alike"
        );
        assert_eq!(renamed("Other", "Work", "Job", d), None);
        assert_eq!(
            renamed("Work/Spam", "Work", "Job", None),
            None,
            "no hierarchy"
        );
    }
}
