//! Sign-in throttling: at most [`MAX_PER_LOGIN`] failures per login and
//! [`MAX_PER_IP`] per client address within [`WINDOW_SECS`]. Checked before
//! the password is verified, so a locked login cannot be brute-forced; a
//! success does not erase failures, so it cannot unlock early either.

use crate::db::Db;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_LOGIN: usize = 5;
pub const MAX_PER_IP: usize = 20;

/// Seconds until the lock lifts, or `None` when sign-in may proceed.
///
/// `recent` are failure times (Unix seconds, any order) inside the window.
/// The lock lasts while `limit` of them remain in the window, i.e. until
/// the `limit`-th most recent one expires.
pub fn retry_after(recent: &[i64], limit: usize, now: i64) -> Option<u64> {
    let mut times: Vec<i64> = recent
        .iter()
        .copied()
        .filter(|&t| t > now - WINDOW_SECS)
        .collect();
    if times.len() < limit {
        return None;
    }
    times.sort_unstable_by(|a, b| b.cmp(a));
    let unlock = times[limit - 1] + WINDOW_SECS;
    Some((unlock - now).max(1) as u64)
}

/// Checks both limits; the longer wait wins.
pub async fn check(
    db: &Db,
    login: &str,
    client_ip: Option<&str>,
    now: i64,
) -> Result<Option<u64>, sqlx::Error> {
    let since = now - WINDOW_SECS;
    let by_login: Vec<i64> =
        sqlx::query_scalar("SELECT at FROM login_failures WHERE login = $1 AND at > $2")
            .bind(login)
            .bind(since)
            .fetch_all(db)
            .await?;
    let mut wait = retry_after(&by_login, MAX_PER_LOGIN, now);
    if let Some(ip) = client_ip {
        let by_ip: Vec<i64> =
            sqlx::query_scalar("SELECT at FROM login_failures WHERE client_ip = $1 AND at > $2")
                .bind(ip)
                .bind(since)
                .fetch_all(db)
                .await?;
        wait = wait.max(retry_after(&by_ip, MAX_PER_IP, now));
    }
    Ok(wait)
}

pub async fn record_failure(
    db: &Db,
    login: &str,
    client_ip: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_failures (login, client_ip, at) VALUES ($1, $2, $3)")
        .bind(login)
        .bind(client_ip)
        .bind(now)
        .execute(db)
        .await?;
    // Keep the table small: nothing older than the window matters.
    sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_at_the_limit_until_the_oldest_counted_failure_expires() {
        let now = 10_000;
        assert_eq!(retry_after(&[now - 10; 4], 5, now), None);
        let fails = [now - 100, now - 50, now - 40, now - 30, now - 20];
        assert_eq!(
            retry_after(&fails, 5, now),
            Some((WINDOW_SECS - 100) as u64)
        );
        // Six failures: the lock lasts until the 5th most recent expires.
        let fails = [now - 800, now - 100, now - 50, now - 40, now - 30, now - 20];
        assert_eq!(
            retry_after(&fails, 5, now),
            Some((WINDOW_SECS - 100) as u64)
        );
        // Failures older than the window do not count.
        let old = [now - WINDOW_SECS - 1; 10];
        assert_eq!(retry_after(&old, 5, now), None);
    }
}
