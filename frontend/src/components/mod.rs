//! Reusable widgets. Presentational ones (star, filter menu, folder tree)
//! take signals and callbacks so they can be mounted alone in tests.

pub mod access_text;
pub mod account_menu;
pub mod app_header;
pub mod banner;
pub mod error_text;
pub mod file_list;
pub mod filter_menu;
pub mod folder_tree;
pub mod icon;
pub mod language_select;
pub mod mailbox_switcher;
pub mod move_select;
pub mod permission_toggles;
pub mod portal_error_text;
pub mod portal_header;
pub mod rule_conditions;
pub mod sender_lists;
pub mod star;
pub mod template_picker;
pub mod theme_select;
