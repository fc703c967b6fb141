//! The address table's logic, without a browser: which rows a search
//! shows, in which order, what the selection holds and what deleting it
//! destroys. Pure, so `cargo test -p postern-frontend` checks it natively.

use postern_shared::admin::{AddressKind, AddressRow, DomainInfo};
use postern_shared::api::MailboxId;
use std::collections::BTreeSet;

/// The address column's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Ascending,
    Descending,
}

impl Order {
    pub fn flipped(self) -> Order {
        match self {
            Order::Ascending => Order::Descending,
            Order::Descending => Order::Ascending,
        }
    }

    /// The `aria-sort` value of the column header.
    pub fn aria(self) -> &'static str {
        match self {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
        }
    }
}

/// Whether `row` matches the search `query`: every word of it, without
/// regard to case, somewhere in the address, an alias, the display name,
/// a redirect target or a user's login or name.
pub fn matches(row: &AddressRow, query: &str) -> bool {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let mut hay = vec![row.address.to_lowercase(), row.display_name.to_lowercase()];
    hay.extend(row.aliases.iter().map(|a| a.to_lowercase()));
    hay.extend(row.redirect_to.iter().map(|a| a.to_lowercase()));
    for u in &row.users {
        hay.push(u.login.to_lowercase());
        hay.push(u.display_name.to_lowercase());
    }
    words
        .iter()
        .all(|w| hay.iter().any(|h| h.contains(w.as_str())))
}

/// The rows a search shows, sorted by address.
pub fn visible(rows: &[AddressRow], query: &str, order: Order) -> Vec<AddressRow> {
    let mut out: Vec<AddressRow> = rows.iter().filter(|r| matches(r, query)).cloned().collect();
    out.sort_by(|a, b| a.address.cmp(&b.address));
    if order == Order::Descending {
        out.reverse();
    }
    out
}

/// The header checkbox: all shown rows selected (and at least one shown).
pub fn all_selected(shown: &[AddressRow], selected: &BTreeSet<MailboxId>) -> bool {
    !shown.is_empty() && shown.iter().all(|r| selected.contains(&r.id))
}

/// The header checkbox clicked: selects every shown row, or, when they all
/// are, unselects them. Rows hidden by the search keep their state.
pub fn toggle_all(shown: &[AddressRow], selected: &mut BTreeSet<MailboxId>) {
    if all_selected(shown, selected) {
        for r in shown {
            selected.remove(&r.id);
        }
    } else {
        selected.extend(shown.iter().map(|r| r.id));
    }
}

/// Forgets selected ids that are no longer rows (deleted meanwhile).
pub fn prune(rows: &[AddressRow], selected: &mut BTreeSet<MailboxId>) {
    selected.retain(|id| rows.iter().any(|r| r.id == *id));
}

/// What deleting the selection destroys, for the confirmation to name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loss {
    /// The addresses, in table order.
    pub addresses: Vec<String>,
    /// How many of them are mailboxes (their mail goes for good).
    pub mailboxes: usize,
    /// Their aliases.
    pub aliases: Vec<String>,
    /// People who lose access (each once).
    pub users: Vec<String>,
}

pub fn loss(rows: &[AddressRow], selected: &BTreeSet<MailboxId>) -> Loss {
    let mut l = Loss::default();
    let mut chosen: Vec<&AddressRow> = rows.iter().filter(|r| selected.contains(&r.id)).collect();
    chosen.sort_by(|a, b| a.address.cmp(&b.address));
    for r in chosen {
        l.addresses.push(r.address.clone());
        if r.kind == AddressKind::Mailbox {
            l.mailboxes += 1;
        }
        l.aliases.extend(r.aliases.iter().cloned());
        for u in &r.users {
            if !l.users.contains(&u.login) {
                l.users.push(u.login.clone());
            }
        }
    }
    l
}

/// The domain part of an address, lower-cased.
pub fn domain_of(address: &str) -> Option<String> {
    postern_shared::address::split_address(address).map(|(_, d)| d)
}

/// The mailboxes that may take a domain's unknown addresses: those of
/// that domain (a redirect or a no-reply stores nothing).
pub fn catch_all_candidates<'a>(
    rows: &'a [AddressRow],
    domain: &DomainInfo,
) -> Vec<&'a AddressRow> {
    let name = domain.name.to_lowercase();
    let mut out: Vec<&AddressRow> = rows
        .iter()
        .filter(|r| {
            r.kind == AddressKind::Mailbox && domain_of(&r.address).as_deref() == Some(&name)
        })
        .collect();
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

/// Puts `row` into the table (a new or changed one), keeping it sorted.
pub fn upsert(rows: &mut Vec<AddressRow>, row: AddressRow) {
    rows.retain(|r| r.id != row.id);
    let at = rows.partition_point(|r| r.address < row.address);
    rows.insert(at, row);
}

/// The mailboxes among the selected rows (R-SPAM-3: other kinds have no
/// spam filter), in the table's order.
pub fn mailboxes_of(rows: &[AddressRow], selected: &BTreeSet<MailboxId>) -> Vec<MailboxId> {
    rows.iter()
        .filter(|r| r.kind == AddressKind::Mailbox && selected.contains(&r.id))
        .map(|r| r.id)
        .collect()
}

/// What a bulk switch answered, written into the loaded table.
pub fn set_spam(rows: &mut [AddressRow], ids: &[MailboxId], enabled: bool) {
    for r in rows.iter_mut().filter(|r| ids.contains(&r.id)) {
        r.spam_filter = enabled;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::PermissionSet;
    use postern_shared::admin::AddressUser;

    fn row(id: MailboxId, address: &str, name: &str, kind: AddressKind) -> AddressRow {
        AddressRow {
            id,
            address: address.into(),
            display_name: name.into(),
            kind,
            aliases: Vec::new(),
            redirect_to: Vec::new(),
            users: Vec::new(),
            spam_filter: true,
        }
    }

    fn user(login: &str, name: &str) -> AddressUser {
        AddressUser {
            account: login.len() as i64,
            login: login.into(),
            display_name: name.into(),
            permissions: PermissionSet::all(),
        }
    }

    fn sample() -> Vec<AddressRow> {
        let mut team = row(3, "team@example.test", "Team", AddressKind::Mailbox);
        team.aliases.push("hello@example.test".into());
        team.users = vec![
            user("olivia@example.test", "Olivia Ortega"),
            user("umar@example.test", "Umar Ünal"),
        ];
        let mut sales = row(5, "sales@example.test", "Sales", AddressKind::Redirect);
        sales.redirect_to = vec!["olivia@example.test".into()];
        let mut olivia = row(
            1,
            "olivia@example.test",
            "Olivia Ortega",
            AddressKind::Mailbox,
        );
        olivia.users = vec![user("olivia@example.test", "Olivia Ortega")];
        vec![
            team,
            sales,
            olivia,
            row(4, "no-reply@example.test", "No reply", AddressKind::NoReply),
        ]
    }

    fn addresses(rows: &[AddressRow]) -> Vec<&str> {
        rows.iter().map(|r| r.address.as_str()).collect()
    }

    #[test]
    fn search_finds_rows_by_address_name_alias_and_user_whatever_the_case() {
        let rows = sample();
        let find = |q| addresses(&visible(&rows, q, Order::Ascending)).join(" ");
        assert_eq!(find("TEAM"), "team@example.test");
        assert_eq!(find("hello"), "team@example.test");
        assert_eq!(find("no reply"), "no-reply@example.test");
        // Umar uses the team mailbox; "ünal" matches his name, in any case.
        assert_eq!(find("ÜNAL"), "team@example.test");
        assert_eq!(
            find("olivia"),
            "olivia@example.test sales@example.test team@example.test"
        );
        assert_eq!(find("  "), find(""));
        assert_eq!(find("nobody-here"), "");
    }

    #[test]
    fn rows_sort_by_address_both_ways() {
        let rows = sample();
        assert_eq!(
            addresses(&visible(&rows, "", Order::Ascending)),
            [
                "no-reply@example.test",
                "olivia@example.test",
                "sales@example.test",
                "team@example.test"
            ]
        );
        let down = visible(&rows, "", Order::Ascending.flipped());
        assert_eq!(addresses(&down)[0], "team@example.test");
        assert_eq!(Order::Descending.flipped(), Order::Ascending);
        assert_eq!(Order::Descending.aria(), "descending");
    }

    #[test]
    fn select_all_takes_the_shown_rows_only_and_toggles_back() {
        let rows = sample();
        let shown = visible(&rows, "example", Order::Ascending);
        let only_team = visible(&rows, "team", Order::Ascending);
        let mut sel = BTreeSet::from([5]);
        toggle_all(&only_team, &mut sel);
        assert_eq!(sel, BTreeSet::from([3, 5]));
        assert!(all_selected(&only_team, &sel));
        assert!(!all_selected(&shown, &sel));
        toggle_all(&only_team, &mut sel);
        // The hidden row stays selected.
        assert_eq!(sel, BTreeSet::from([5]));
        toggle_all(&shown, &mut sel);
        assert_eq!(sel.len(), 4);
        assert!(!all_selected(&[], &sel));
        let mut gone = rows.clone();
        gone.retain(|r| r.id != 4);
        prune(&gone, &mut sel);
        assert_eq!(sel, BTreeSet::from([1, 3, 5]));
    }

    #[test]
    fn deleting_names_the_addresses_their_aliases_and_who_loses_access() {
        let rows = sample();
        let l = loss(&rows, &BTreeSet::from([3, 1, 4]));
        assert_eq!(
            l.addresses,
            [
                "no-reply@example.test",
                "olivia@example.test",
                "team@example.test"
            ]
        );
        assert_eq!(l.mailboxes, 2);
        assert_eq!(l.aliases, ["hello@example.test"]);
        assert_eq!(l.users, ["olivia@example.test", "umar@example.test"]);
        assert_eq!(loss(&rows, &BTreeSet::new()), Loss::default());
    }

    #[test]
    fn a_catch_all_is_a_mailbox_of_its_domain() {
        let mut rows = sample();
        rows.push(row(9, "x@other.test", "X", AddressKind::Mailbox));
        let domain = DomainInfo {
            id: 1,
            name: "Example.TEST".into(),
            catch_all: None,
        };
        let c: Vec<&str> = catch_all_candidates(&rows, &domain)
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(c, ["olivia@example.test", "team@example.test"]);
    }

    #[test]
    fn a_new_or_changed_row_takes_its_place_in_address_order() {
        let mut rows = visible(&sample(), "", Order::Ascending);
        upsert(
            &mut rows,
            row(7, "pat@example.test", "Pat", AddressKind::Mailbox),
        );
        assert_eq!(addresses(&rows)[2], "pat@example.test");
        let mut renamed = rows[0].clone();
        renamed.display_name = "Nobody".into();
        upsert(&mut rows, renamed);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].display_name, "Nobody");
    }

    #[test]
    fn the_spam_switch_takes_only_the_selected_mailboxes() {
        let mut rows = vec![
            row(1, "a@x.test", "", AddressKind::Mailbox),
            row(2, "b@x.test", "", AddressKind::Redirect),
            row(3, "c@x.test", "", AddressKind::Mailbox),
            row(4, "d@x.test", "", AddressKind::Mailbox),
        ];
        let selected: BTreeSet<MailboxId> = [1, 2, 4].into_iter().collect();
        assert_eq!(mailboxes_of(&rows, &selected), vec![1, 4]);
        set_spam(&mut rows, &[1, 4], false);
        let on: Vec<bool> = rows.iter().map(|r| r.spam_filter).collect();
        assert_eq!(on, vec![false, true, true, false]);
    }
}
