//! Contacts' verified XEP-0115 capabilities (schema 6): written once a `ver`'s hash
//! matched, read at start so that no resource is asked again. What is read back is
//! sanitized again, as everything from the file is.

use rusqlite::{params, Connection, Transaction};

use super::now_secs;
use crate::domain::device::Capabilities;
use crate::sanitize::{sanitize, MAX_NAME};

/// Most entries read at start (newest first): beyond that, a `ver` is asked again.
const MAX_LOADED: usize = 4096;

pub fn save(tx: &Transaction<'_>, ver: &str, caps: &Capabilities) -> rusqlite::Result<()> {
    let identities: Vec<String> = caps
        .identities
        .iter()
        .map(|(c, t, n)| format!("{c}/{t}/{}", n.as_deref().unwrap_or("")))
        .collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO caps (ver, identities, features, saved_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        ver,
        identities.join("\n"),
        caps.features.join("\n"),
        now_secs()
    ])?;
    Ok(())
}

fn identity(line: &str) -> Option<(String, String, Option<String>)> {
    let mut parts = line.splitn(3, '/');
    let (c, t, n) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
    let name = (!n.is_empty()).then(|| sanitize(n, MAX_NAME));
    Some((sanitize(c, MAX_NAME), sanitize(t, MAX_NAME), name))
}

pub fn load(conn: &Connection) -> rusqlite::Result<Vec<(String, Capabilities)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ver, identities, features FROM caps ORDER BY saved_at DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![MAX_LOADED as i64], |row| {
        let (ver, ids, features): (String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        let caps = Capabilities {
            identities: ids.lines().filter_map(identity).collect(),
            features: features.lines().map(|f| sanitize(f, 300)).collect(),
        };
        Ok((ver, caps))
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::super::History;
    use super::*;

    #[test]
    fn verified_caps_come_back_after_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("rosterm.sqlite3");
        let me = jid::BareJid::new("alice@example.org").expect("jid");
        let caps = Capabilities {
            identities: vec![
                (
                    "client".into(),
                    "phone".into(),
                    Some("Conversations".into()),
                ),
                ("client".into(), "pc".into(), None),
            ],
            features: vec!["urn:xmpp:time".into(), "jabber:iq:version".into()],
        };
        {
            let mut h = History::open(&path).expect("opens");
            assert!(h.load_caps().expect("reads").is_empty());
            let write = super::super::Write::Caps {
                ver: "v1=".into(),
                caps: caps.clone(),
            };
            h.write(&me, &write).expect("writes");
        }
        let h = History::open(&path).expect("opens again");
        assert_eq!(h.load_caps().expect("reads"), vec![("v1=".into(), caps)]);
    }
}
