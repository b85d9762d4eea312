//! "Last seen" in an account's store: seeded from the presence log at start, and the answer
//! to `/last` (XEP-0012). Live departures are set where presence is applied.

use std::time::SystemTime;

use jid::BareJid;

use super::AccountState;

impl AccountState {
    /// A `/last` answer: kept as the contact's last seen when it is offline; returns the
    /// status line ("bob@example.org: seen 2h ago, gone fishing" or the error).
    pub fn last_activity(
        &mut self,
        jid: &BareJid,
        result: Result<(u64, String), String>,
        (now, offset): (SystemTime, i64),
    ) -> (String, crate::store::Severity) {
        let (secs, status) = match result {
            Ok(found) => found,
            Err(error) => return (error, crate::store::Severity::Error),
        };
        let at = now
            .checked_sub(std::time::Duration::from_secs(secs))
            .unwrap_or(std::time::UNIX_EPOCH);
        let online = self
            .roster
            .get(jid)
            .is_some_and(|c| !c.resources.is_empty());
        let shown = crate::sanitize::sanitize(jid.as_str(), crate::sanitize::MAX_NAME);
        let mut text = if online {
            let idle = crate::domain::seen::seen_label(at, now, offset);
            format!(
                "{shown} is online (last active {})",
                idle.strip_prefix("seen ").unwrap_or(&idle)
            )
        } else {
            self.seed_last_seen(vec![(jid.clone(), at)]);
            format!(
                "{shown}: {}",
                crate::domain::seen::seen_label(at, now, offset)
            )
        };
        if !status.is_empty() {
            text.push_str(&format!(", \"{status}\""));
        }
        (text, crate::store::Severity::Info)
    }

    /// When roster contacts were last seen (the presence log, or a `/last` answer); a newer
    /// time already known is kept, and strangers are not added.
    pub fn seed_last_seen(&mut self, seen: Vec<(BareJid, SystemTime)>) {
        for (jid, at) in seen {
            if self.roster.get(&jid).is_some() {
                self.roster.modify(&jid, |c| {
                    if c.last_seen.is_none_or(|old| old < at) {
                        c.last_seen = Some(at);
                    }
                });
            }
        }
    }
}
