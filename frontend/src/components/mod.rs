//! Reusable widgets. Presentational ones (star, filter menu, folder tree)
//! take signals and callbacks so they can be mounted alone in tests.

pub mod app_header;
pub mod banner;
pub mod error_text;
pub mod file_list;
pub mod filter_menu;
pub mod folder_tree;
pub mod language_select;
pub mod mailbox_switcher;
pub mod move_select;
pub mod star;
