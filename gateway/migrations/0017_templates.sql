-- The mail service's templates (R-TPL; gateway/src/filters/templates.rs):
-- kind 'auto_reply' or 'rule' (shared::templates::TemplateContent::kind),
-- content that TemplateContent as JSON, checked on the way in; visible 1:
-- offered to the service's users.
CREATE TABLE templates (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    kind            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    visible         INTEGER NOT NULL,
    content         TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX templates_organization ON templates(organization_id);
