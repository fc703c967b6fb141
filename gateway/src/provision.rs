//! Creating organisations, accounts, mailboxes and grants — the library API
//! that seeding and integration tests use (the admin UI will later too).
//! Creating a mailbox is just a row: Dovecot's userdb reads `mailboxes`.

use postern_shared::PermissionSet;
use postern_shared::address::{split_address, validate_local_part};
use postern_shared::api::{AccountId, MailboxId, OrganizationId};
use postern_shared::permissions::Role;

use crate::auth::password;
use crate::db::{self, Db};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("invalid address {address:?}: {reason}")]
    InvalidAddress { address: String, reason: String },
    #[error("the domain {0} belongs to another organisation")]
    DomainTaken(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[derive(Clone)]
pub struct Provisioner {
    db: Db,
}

impl Provisioner {
    /// Opens the database at `path` (creating it, running migrations).
    pub async fn open(path: &str) -> Result<Provisioner, ProvisionError> {
        Ok(Provisioner {
            db: db::open(path).await?,
        })
    }

    pub fn from_db(db: Db) -> Provisioner {
        Provisioner { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `offer` is one of the offers of R-SEND-2 (`free`, `standard`, …).
    pub async fn create_organization(
        &self,
        name: &str,
        offer: &str,
    ) -> Result<OrganizationId, ProvisionError> {
        let id = sqlx::query_scalar(
            "INSERT INTO organizations (name, offer, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(offer)
        .bind(db::now())
        .fetch_one(&self.db)
        .await?;
        Ok(id)
    }

    /// Makes `org` the host's staff organisation (R-SUP): its members with
    /// the staff role read what mailbox users open to support.
    pub async fn mark_staff(&self, org: OrganizationId) -> Result<(), ProvisionError> {
        sqlx::query("UPDATE organizations SET staff = 1 WHERE id = $1")
            .bind(org)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub async fn find_organization(
        &self,
        name: &str,
    ) -> Result<Option<OrganizationId>, ProvisionError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1 ORDER BY id LIMIT 1")
                .bind(name)
                .fetch_optional(&self.db)
                .await?,
        )
    }

    /// Creates an account (login lower-cased, password hashed with
    /// Argon2id) and makes it a member of `org` with `role`.
    pub async fn create_account(
        &self,
        org: OrganizationId,
        login: &str,
        display_name: &str,
        password: &str,
        role: Role,
    ) -> Result<AccountId, ProvisionError> {
        let login = login.trim().to_lowercase();
        let pw = password.to_string();
        let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
            .await
            .map_err(|e| ProvisionError::Hash(e.to_string()))?
            .map_err(|e| ProvisionError::Hash(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO accounts (login, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&login)
            .bind(display_name)
            .bind(&phc)
            .bind(db::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| if unique_violation(&e) { ProvisionError::Exists(login.clone()) } else { e.into() })?;
        sqlx::query(
            "INSERT INTO memberships (account_id, organization_id, role) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(org)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a mailbox `local@domain` for `org` (R-ADDR-1 checked),
    /// creating the domain row on first use.
    pub async fn create_mailbox(
        &self,
        org: OrganizationId,
        address: &str,
        display_name: &str,
    ) -> Result<MailboxId, ProvisionError> {
        let invalid = |reason: String| ProvisionError::InvalidAddress {
            address: address.to_string(),
            reason,
        };
        let (local, domain) =
            split_address(address.trim()).ok_or_else(|| invalid("expected local@domain".into()))?;
        validate_local_part(local).map_err(|e| invalid(e.to_string()))?;
        if !domain.contains('.')
            || !domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(invalid("invalid domain".into()));
        }
        let address = format!("{}@{domain}", local.to_ascii_lowercase());
        // Write first: a transaction that reads before writing cannot
        // upgrade its lock under contention (SQLITE_BUSY without waiting).
        let mut tx = self.db.begin().await?;
        sqlx::query("INSERT INTO domains (organization_id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(org)
            .bind(&domain)
            .execute(&mut *tx)
            .await?;
        let (domain_id, owner): (i64, i64) =
            sqlx::query_as("SELECT id, organization_id FROM domains WHERE name = $1")
                .bind(&domain)
                .fetch_one(&mut *tx)
                .await?;
        if owner != org {
            tx.rollback().await?;
            return Err(ProvisionError::DomainTaken(domain));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mailboxes (organization_id, domain_id, address, display_name, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org)
        .bind(domain_id)
        .bind(&address)
        .bind(display_name)
        .bind(db::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if unique_violation(&e) { ProvisionError::Exists(address.clone()) } else { e.into() })?;
        tx.commit().await?;
        Ok(id)
    }

    /// Grants (or replaces the grant of) `permissions` on `mailbox`.
    pub async fn grant(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        permissions: PermissionSet,
    ) -> Result<(), ProvisionError> {
        sqlx::query(
            "INSERT INTO grants (account_id, mailbox_id, permissions, granted_by, created_at) VALUES ($1, $2, $3, NULL, $4)
             ON CONFLICT (account_id, mailbox_id) DO UPDATE SET permissions = excluded.permissions",
        )
        .bind(account)
        .bind(mailbox)
        .bind(i64::from(permissions.bits()))
        .bind(db::now())
        .execute(&self.db)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn mailboxes_are_validated_lower_cased_and_domains_owned() {
        let t = crate::db::testing::TestDb::new().await;
        let _dir = t.dir;
        let p = crate::Provisioner::from_db(t.db);
        let a = p.create_organization("A", "standard").await.unwrap();
        let b = p.create_organization("B", "free").await.unwrap();
        p.create_mailbox(a, "John.Doe@Example.TEST", "John")
            .await
            .unwrap();
        let addr: String = sqlx::query_scalar("SELECT address FROM mailboxes")
            .fetch_one(p.db())
            .await
            .unwrap();
        assert_eq!(addr, "john.doe@example.test");
        assert!(matches!(
            p.create_mailbox(a, "john.doe@example.test", "x").await,
            Err(ProvisionError::Exists(_))
        ));
        assert!(matches!(
            p.create_mailbox(a, "-@example.test", "x").await,
            Err(ProvisionError::InvalidAddress { .. })
        ));
        assert!(matches!(
            p.create_mailbox(a, "a b@example.test", "x").await,
            Err(ProvisionError::InvalidAddress { .. })
        ));
        assert!(matches!(
            p.create_mailbox(b, "x@example.test", "x").await,
            Err(ProvisionError::DomainTaken(_))
        ));
        p.create_mailbox(a, "second@example.test", "2")
            .await
            .unwrap();
        let domains: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM domains")
            .fetch_one(p.db())
            .await
            .unwrap();
        assert_eq!(domains, 1);
    }
}
