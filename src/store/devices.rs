//! Devices of one account's contacts: each XEP-0115 verification string seen is interned
//! once, and a resource holds only a 4-byte [`DeviceId`] to it (no copy per resource: a
//! roster of 20,000 resources running three clients holds three entries). The client an
//! entry stands for arrives when the session has checked its hash (`SessionEvent::Client`);
//! until then the entry is there, unknown. Also here: the clocks (XEP-0202 offsets) of
//! the resources asked for their time.

use std::collections::HashMap;
use std::num::NonZeroU32;

use jid::BareJid;

use crate::domain::device::Client;

/// Distinct verification strings interned per account; beyond that a resource gets none.
const MAX_DEVICES: usize = 4096;
/// Resources whose offset is kept (they are asked one at a time, from the detail view).
const MAX_CLOCKS: usize = 4096;

/// A resource's handle to its entry in [`Devices`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceId(NonZeroU32);

#[derive(Debug, Clone, Default)]
struct Entry {
    ver: Box<str>,
    client: Option<Client>,
}

/// The interned verification strings and what each is (see the module comment).
#[derive(Debug, Clone, Default)]
pub struct Devices {
    entries: Vec<Entry>,
    by_ver: HashMap<Box<str>, DeviceId>,
    /// UTC offsets (seconds) by contact and resource, as their answers said.
    clocks: HashMap<(BareJid, String), i32>,
    /// XEP-0092 answers ("Conversations 2.17 (Android 14)") by contact and resource.
    versions: HashMap<(BareJid, String), String>,
}

impl Devices {
    /// The handle for `ver`, interned on first sight (`None` once the table is full).
    pub fn intern(&mut self, ver: &str) -> Option<DeviceId> {
        if let Some(id) = self.by_ver.get(ver) {
            return Some(*id);
        }
        if self.entries.len() >= MAX_DEVICES {
            return None;
        }
        self.entries.push(Entry {
            ver: ver.into(),
            client: None,
        });
        let id = DeviceId(NonZeroU32::new(u32::try_from(self.entries.len()).ok()?)?);
        self.by_ver.insert(ver.into(), id);
        Some(id)
    }

    /// `ver` stands for `client` (its hash was checked).
    pub fn learn(&mut self, ver: &str, client: Client) {
        if let Some(id) = self.intern(ver) {
            if let Some(entry) = self.entries.get_mut(id.0.get() as usize - 1) {
                entry.client = Some(client);
            }
        }
    }

    /// The client behind a verification string, once known (a room occupant's: occupants
    /// hold the string, not a handle).
    pub fn client_for(&self, ver: &str) -> Option<&Client> {
        self.by_ver.get(ver).and_then(|id| self.client(*id))
    }

    /// The client behind a handle, once known.
    pub fn client(&self, id: DeviceId) -> Option<&Client> {
        let entry = self.entries.get(id.0.get() as usize - 1)?;
        debug_assert!(self.by_ver.get(&entry.ver) == Some(&id));
        entry.client.as_ref()
    }

    pub fn set_clock(&mut self, jid: BareJid, resource: String, offset: i32) {
        if self.clocks.len() < MAX_CLOCKS
            || self.clocks.contains_key(&(jid.clone(), resource.clone()))
        {
            self.clocks.insert((jid, resource), offset);
        }
    }

    pub fn set_version(&mut self, jid: BareJid, resource: String, version: String) {
        if self.versions.len() < MAX_CLOCKS {
            self.versions.insert((jid, resource), version);
        }
    }

    /// The software a contact's resource said it runs (XEP-0092), if asked.
    pub fn version(&self, jid: &BareJid, resource: &str) -> Option<&str> {
        self.versions
            .get(&(jid.clone(), resource.to_owned()))
            .map(String::as_str)
    }

    /// The UTC offset of a contact's resource, if it said.
    pub fn clock(&self, jid: &BareJid, resource: &str) -> Option<i32> {
        self.clocks
            .get(&(jid.clone(), resource.to_owned()))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::device::DeviceKind;

    fn phone() -> Client {
        Client {
            kind: DeviceKind::Phone,
            name: Some("Conversations".into()),
        }
    }

    #[test]
    fn one_entry_per_ver_learnt_after_the_fact() {
        let mut d = Devices::default();
        let a = d.intern("v1").expect("interned");
        assert_eq!(d.intern("v1"), Some(a));
        let b = d.intern("v2").expect("interned");
        assert_ne!(a, b);
        assert_eq!(d.client(a), None, "not known yet");
        d.learn("v1", phone());
        assert_eq!(d.client(a), Some(&phone()));
        assert_eq!(d.client(b), None);
        assert_eq!(d.entries.len(), 2);
    }

    #[test]
    fn the_table_is_bounded() {
        let mut d = Devices::default();
        for i in 0..MAX_DEVICES {
            assert!(d.intern(&format!("v{i}")).is_some());
        }
        assert_eq!(d.intern("one-too-many"), None);
        assert!(d.intern("v7").is_some(), "known ones still resolve");
    }

    #[test]
    fn a_handle_costs_a_resource_nothing() {
        assert_eq!(std::mem::size_of::<Option<DeviceId>>(), 4);
    }
}
