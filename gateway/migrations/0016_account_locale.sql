-- The UI language an account chose (R-CLI-2): one of
-- shared::account::UI_LOCALES, set by PUT /v1/account/locale and answered
-- in its AccountSummary at sign-in, so the choice follows the user to
-- another browser. NULL: never chosen (the apps follow the browser).
ALTER TABLE accounts ADD COLUMN locale TEXT;
