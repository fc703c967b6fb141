//! Folder roles and ordering (R-MAIL-1, R-MAIL-7).

use serde::{Deserialize, Serialize};

/// The special folders, in the order the folder list shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpecialUse {
    Inbox,
    Drafts,
    Sent,
    Archive,
    Junk,
    Trash,
}

impl SpecialUse {
    /// From an IMAP LIST attribute such as `\Sent` (RFC 6154).
    pub fn from_imap_attribute(attr: &str) -> Option<Self> {
        Some(match attr.to_ascii_lowercase().as_str() {
            "\\drafts" => SpecialUse::Drafts,
            "\\sent" => SpecialUse::Sent,
            "\\archive" => SpecialUse::Archive,
            "\\junk" => SpecialUse::Junk,
            "\\trash" => SpecialUse::Trash,
            _ => return None,
        })
    }

    /// Recognises a folder by its (top-level) name when the server sets no
    /// SPECIAL-USE attribute, in the languages of our users.
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim().to_lowercase();
        let n = n.as_str();
        if n == "inbox" {
            return Some(SpecialUse::Inbox);
        }
        const TRASH: &[&str] = &[
            "trash",
            "deleted items",
            "deleted messages",
            "deleted",
            "bin",
            "papelera",
            "elementos eliminados",
            "corbeille",
            "éléments supprimés",
            "papierkorb",
            "gelöschte elemente",
            "gelöschte objekte",
            "cestino",
            "posta eliminata",
            "elementi eliminati",
        ];
        const JUNK: &[&str] = &[
            "junk",
            "spam",
            "junk e-mail",
            "junk email",
            "bulk mail",
            "correo no deseado",
            "indésirables",
            "courrier indésirable",
            "pourriel",
            "junk-e-mail",
            "posta indesiderata",
        ];
        const SENT: &[&str] = &[
            "sent",
            "sent items",
            "sent messages",
            "sent mail",
            "enviados",
            "elementos enviados",
            "envoyés",
            "éléments envoyés",
            "messages envoyés",
            "gesendet",
            "gesendete elemente",
            "gesendete objekte",
            "inviati",
            "posta inviata",
            "elementi inviati",
        ];
        const DRAFTS: &[&str] = &[
            "drafts",
            "draft",
            "borradores",
            "brouillons",
            "entwürfe",
            "bozze",
        ];
        const ARCHIVE: &[&str] = &["archive", "archives", "archivo", "archiv", "archivio"];
        for (list, role) in [
            (TRASH, SpecialUse::Trash),
            (JUNK, SpecialUse::Junk),
            (SENT, SpecialUse::Sent),
            (DRAFTS, SpecialUse::Drafts),
            (ARCHIVE, SpecialUse::Archive),
        ] {
            if list.contains(&n) {
                return Some(role);
            }
        }
        None
    }

    /// R-MAIL-7: folders whose old mail is deleted for good after 30 days.
    pub fn is_short_term(self) -> bool {
        matches!(self, SpecialUse::Trash | SpecialUse::Junk)
    }
}

/// The role of a folder: the server's SPECIAL-USE attribute wins, else a
/// top-level folder is recognised by name.
pub fn detect_special_use(
    path: &str,
    delimiter: Option<char>,
    attributes: &[&str],
) -> Option<SpecialUse> {
    if path.eq_ignore_ascii_case("INBOX") {
        return Some(SpecialUse::Inbox);
    }
    if let Some(s) = attributes
        .iter()
        .find_map(|a| SpecialUse::from_imap_attribute(a))
    {
        return Some(s);
    }
    let top_level = delimiter.is_none_or(|d| !path.contains(d));
    if top_level {
        SpecialUse::from_name(path)
    } else {
        None
    }
}

/// Orders folders for display: special folders first (Inbox, Drafts, Sent,
/// Archive, Junk, Trash), then the others alphabetically (case-insensitive),
/// each parent immediately followed by its subfolders.
pub fn sort_for_display<T>(
    folders: &mut [T],
    key: impl Fn(&T) -> (&str, Option<char>, Option<SpecialUse>),
) {
    folders.sort_by(|a, b| {
        let ka = display_key(key(a));
        let kb = display_key(key(b));
        ka.cmp(&kb)
    });
}

fn display_key(
    (path, delimiter, special): (&str, Option<char>, Option<SpecialUse>),
) -> Vec<(u8, String)> {
    let segments: Vec<&str> = match delimiter {
        Some(d) => path.split(d).collect(),
        None => vec![path],
    };
    // The first segment carries the rank of the top-level folder; a special
    // folder's children sort under it like any other subfolder.
    let top_special = if segments.len() == 1 {
        special
    } else {
        SpecialUse::from_name(segments[0]).or(if segments[0].eq_ignore_ascii_case("inbox") {
            Some(SpecialUse::Inbox)
        } else {
            None
        })
    };
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let rank = if i == 0 {
                top_special.map_or(10, |s| s as u8)
            } else {
                10
            };
            (rank, s.to_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trash_and_spam_in_every_language() {
        for n in [
            "Trash",
            "Deleted Items",
            "Deleted Messages",
            "Papelera",
            "Corbeille",
            "Papierkorb",
            "Cestino",
        ] {
            assert_eq!(SpecialUse::from_name(n), Some(SpecialUse::Trash), "{n}");
        }
        for n in [
            "Junk",
            "Spam",
            "Correo no deseado",
            "Indésirables",
            "Junk-E-Mail",
            "Posta indesiderata",
        ] {
            assert_eq!(SpecialUse::from_name(n), Some(SpecialUse::Junk), "{n}");
        }
        // The five UI languages (R-CLI-2): sent, drafts, archive.
        for n in ["Sent", "Enviados", "Envoyés", "Gesendet", "Posta inviata"] {
            assert_eq!(SpecialUse::from_name(n), Some(SpecialUse::Sent), "{n}");
        }
        for n in ["Drafts", "Borradores", "Brouillons", "Entwürfe", "Bozze"] {
            assert_eq!(SpecialUse::from_name(n), Some(SpecialUse::Drafts), "{n}");
        }
        for n in ["Archive", "Archivo", "Archives", "Archiv", "Archivio"] {
            assert_eq!(SpecialUse::from_name(n), Some(SpecialUse::Archive), "{n}");
        }
        assert_eq!(SpecialUse::from_name("Projects"), None);
        assert!(SpecialUse::Trash.is_short_term() && SpecialUse::Junk.is_short_term());
        assert!(!SpecialUse::Archive.is_short_term());
    }

    #[test]
    fn attribute_wins_over_name_and_subfolders_are_not_special() {
        assert_eq!(
            detect_special_use("Stuff", Some('/'), &["\\HasNoChildren", "\\Trash"]),
            Some(SpecialUse::Trash)
        );
        assert_eq!(
            detect_special_use("inbox", Some('/'), &[]),
            Some(SpecialUse::Inbox)
        );
        assert_eq!(detect_special_use("Projects/Trash", Some('/'), &[]), None);
        assert_eq!(
            detect_special_use("Papelera", Some('/'), &[]),
            Some(SpecialUse::Trash)
        );
    }

    #[test]
    fn special_folders_come_first_then_user_folders_with_children_under_parents() {
        let mut f: Vec<(&str, Option<SpecialUse>)> = vec![
            ("zeta", None),
            ("Trash", Some(SpecialUse::Trash)),
            ("Alpha/beta", None),
            ("INBOX", Some(SpecialUse::Inbox)),
            ("Alpha", None),
            ("Sent", Some(SpecialUse::Sent)),
            ("INBOX/sub", None),
            ("Drafts", Some(SpecialUse::Drafts)),
            ("Junk", Some(SpecialUse::Junk)),
            ("Alpha/Aardvark", None),
        ];
        sort_for_display(&mut f, |(p, s)| (p, Some('/'), *s));
        let order: Vec<&str> = f.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            order,
            [
                "INBOX",
                "INBOX/sub",
                "Drafts",
                "Sent",
                "Junk",
                "Trash",
                "Alpha",
                "Alpha/Aardvark",
                "Alpha/beta",
                "zeta"
            ]
        );
    }
}
