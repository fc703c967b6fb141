//! R-MAIL-1/5: the folder list (special folders first, counts) and folder
//! management, checked against what a plain IMAP client sees.

use postern_shared::ErrorCode;
use postern_shared::api::{Folder, RenameFolderRequest};
use postern_shared::folders::SpecialUse;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail, folder_path};

async fn folders(fx: &Fixture) -> Vec<Folder> {
    fx.api
        .get(&Route::ListFolders { mb: fx.mailbox }.path())
        .await
        .expect("GET folders")
}

async fn rename(fx: &Fixture, path: &str, name: &str) -> Result<Folder, postern_tests::ApiFailure> {
    fx.api
        .patch(
            &folder_path(Route::RenameFolder { mb: fx.mailbox }, path),
            &RenameFolderRequest {
                name: name.to_string(),
            },
        )
        .await
}

async fn delete(fx: &Fixture, path: &str) -> Result<(), postern_tests::ApiFailure> {
    fx.api
        .delete(&folder_path(Route::DeleteFolder { mb: fx.mailbox }, path))
        .await
}

#[tokio::test]
async fn folder_list_shows_special_folders_first_in_order_with_counts() {
    let mut fx = Fixture::new().await;
    fx.imap.create("zeta").await.unwrap();
    fx.imap.create("Alpha").await.unwrap();
    fx.append("INBOX", &[], &Mail::new("u1").build()).await;
    fx.append("INBOX", &[], &Mail::new("u2").build()).await;
    fx.append("INBOX", &["\\Seen"], &Mail::new("r1").build())
        .await;
    fx.append("Trash", &["\\Seen"], &Mail::new("t1").build())
        .await;
    fx.append("Trash", &[], &Mail::new("t2").build()).await;
    fx.append("zeta", &["\\Seen", "\\Flagged"], &Mail::new("z1").build())
        .await;

    let imap_names = fx.imap.list().await.unwrap();
    let list = folders(&fx).await;
    let paths: Vec<&str> = list.iter().map(|f| f.path.as_str()).collect();

    // Every IMAP folder is listed, once.
    let mut a = paths.clone();
    a.sort_unstable();
    let mut b: Vec<&str> = imap_names.iter().map(String::as_str).collect();
    b.sort_unstable();
    assert_eq!(a, b, "API folders vs IMAP LIST");

    // The special folders Dovecot created, in the order Inbox, Drafts,
    // Sent, Archive, Junk, Trash, all before the user folders.
    let order = [
        ("INBOX", SpecialUse::Inbox),
        ("Drafts", SpecialUse::Drafts),
        ("Sent", SpecialUse::Sent),
        ("Archive", SpecialUse::Archive),
        ("Junk", SpecialUse::Junk),
        ("Trash", SpecialUse::Trash),
    ];
    let expected_specials: Vec<(&str, SpecialUse)> = order
        .into_iter()
        .filter(|(n, _)| imap_names.iter().any(|x| x == n))
        .collect();
    assert!(
        expected_specials.len() >= 3,
        "Dovecot should create the special folders: {imap_names:?}"
    );
    let got: Vec<(&str, Option<SpecialUse>)> = list
        .iter()
        .take(expected_specials.len())
        .map(|f| (f.path.as_str(), f.special))
        .collect();
    let want: Vec<(&str, Option<SpecialUse>)> = expected_specials
        .iter()
        .map(|(n, s)| (*n, Some(*s)))
        .collect();
    assert_eq!(got, want, "special folders first, in order: {paths:?}");
    let rest: Vec<&str> = paths[expected_specials.len()..].to_vec();
    assert_eq!(
        rest,
        vec!["Alpha", "zeta"],
        "user folders after, alphabetically"
    );

    let counts = |p: &str| {
        let f = list.iter().find(|f| f.path == p).unwrap();
        (f.total, f.unread)
    };
    assert_eq!(counts("INBOX"), (3, 2));
    assert_eq!(counts("Trash"), (2, 1));
    assert_eq!(counts("zeta"), (1, 0));
    assert_eq!(counts("Alpha"), (0, 0));
    if imap_names.iter().any(|n| n == "Sent") {
        assert_eq!(counts("Sent"), (0, 0));
    }

    // Counts follow new mail.
    fx.append("Alpha", &[], &Mail::new("a1").build()).await;
    let list = folders(&fx).await;
    let alpha = list.iter().find(|f| f.path == "Alpha").unwrap();
    assert_eq!((alpha.total, alpha.unread), (1, 1));
}

#[tokio::test]
async fn create_rename_and_delete_a_non_ascii_subfolder() {
    let mut fx = Fixture::new().await;
    let parent = fx
        .create_folder(None, "Équipe")
        .await
        .expect("create Équipe");
    assert_eq!(parent.path, "Équipe");
    assert_eq!(parent.depth, 0);

    let sub = fx
        .create_folder(Some("Équipe"), "Réunions")
        .await
        .expect("create Réunions under Équipe");
    assert_eq!(sub.path, "Équipe/Réunions");
    assert_eq!(sub.name, "Réunions");
    assert_eq!(sub.parent.as_deref(), Some("Équipe"));
    assert_eq!(sub.depth, 1);
    let names = fx.imap.list().await.unwrap();
    assert!(names.iter().any(|n| n == "Équipe/Réunions"), "{names:?}");
    // The API lists it too, right under its parent.
    let paths: Vec<String> = folders(&fx).await.into_iter().map(|f| f.path).collect();
    let i = paths.iter().position(|p| p == "Équipe").unwrap();
    assert_eq!(
        paths.get(i + 1).map(String::as_str),
        Some("Équipe/Réunions")
    );

    // A message inside survives the rename.
    fx.append("Équipe/Réunions", &[], &Mail::new("Ordre du jour").build())
        .await;

    let renamed = rename(&fx, "Équipe/Réunions", "Réunions 2026 ✓")
        .await
        .expect("rename");
    assert_eq!(renamed.path, "Équipe/Réunions 2026 ✓");
    let names = fx.imap.list().await.unwrap();
    assert!(
        names.iter().any(|n| n == "Équipe/Réunions 2026 ✓"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n == "Équipe/Réunions"), "{names:?}");
    let sel = fx.imap.select("Équipe/Réunions 2026 ✓").await.unwrap();
    assert_eq!(sel.exists, 1, "the message moved with the folder");
    fx.imap.command("CLOSE").await.unwrap();

    delete(&fx, "Équipe/Réunions 2026 ✓").await.expect("delete");
    let names = fx.imap.list().await.unwrap();
    assert!(!names.iter().any(|n| n.starts_with("Équipe/")), "{names:?}");
    assert!(names.iter().any(|n| n == "Équipe"), "the parent stays");
    let paths: Vec<String> = folders(&fx).await.into_iter().map(|f| f.path).collect();
    assert!(!paths.iter().any(|p| p.starts_with("Équipe/")), "{paths:?}");
}

#[tokio::test]
async fn special_folders_cannot_be_renamed_or_deleted() {
    let mut fx = Fixture::new().await;
    fx.append("Trash", &[], &Mail::new("in the bin").build())
        .await;
    for path in ["Trash", "INBOX"] {
        let e = rename(&fx, path, "Whatever")
            .await
            .expect_err("rename refused");
        assert_eq!(
            (e.status, e.code()),
            (409, ErrorCode::FolderProtected),
            "{path}: {e}"
        );
        let e = delete(&fx, path).await.expect_err("delete refused");
        assert_eq!(
            (e.status, e.code()),
            (409, ErrorCode::FolderProtected),
            "{path}: {e}"
        );
    }
    let names = fx.imap.list().await.unwrap();
    assert!(names.iter().any(|n| n == "Trash"));
    assert!(!names.iter().any(|n| n == "Whatever"), "{names:?}");
    let sel = fx.imap.select("Trash").await.unwrap();
    assert_eq!(sel.exists, 1, "Trash kept its message");
}

#[tokio::test]
async fn creating_an_existing_folder_is_409_folder_exists() {
    let mut fx = Fixture::new().await;
    fx.create_folder(None, "Dossier")
        .await
        .expect("first create");
    let e = fx
        .create_folder(None, "Dossier")
        .await
        .expect_err("second create");
    assert_eq!((e.status, e.code()), (409, ErrorCode::FolderExists), "{e}");
    let e = fx
        .create_folder(None, "Trash")
        .await
        .expect_err("create Trash");
    assert_eq!((e.status, e.code()), (409, ErrorCode::FolderExists), "{e}");
    let n = fx
        .imap
        .list()
        .await
        .unwrap()
        .iter()
        .filter(|n| *n == "Dossier")
        .count();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn folder_names_with_the_delimiter_or_empty_are_400_invalid_folder_name() {
    let mut fx = Fixture::new().await;
    for bad in ["a/b", "/", "", "   "] {
        let e = fx.create_folder(None, bad).await.expect_err("refused");
        assert_eq!(
            (e.status, e.code()),
            (400, ErrorCode::InvalidFolderName),
            "{bad:?}: {e}"
        );
    }
    fx.create_folder(None, "Legit").await.expect("create Legit");
    let e = rename(&fx, "Legit", "x/y")
        .await
        .expect_err("rename refused");
    assert_eq!(
        (e.status, e.code()),
        (400, ErrorCode::InvalidFolderName),
        "{e}"
    );
    let names = fx.imap.list().await.unwrap();
    for n in ["a", "a/b", "x", "x/y"] {
        assert!(!names.iter().any(|x| x == n), "{n} was created: {names:?}");
    }
    assert!(names.iter().any(|x| x == "Legit"));
}
