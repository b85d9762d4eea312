//! Devices and clocks in an account's store: a resource's handle to its XEP-0115
//! capabilities, the clients they stand for, and the XEP-0202 offsets of the resources
//! asked (see `store::devices`).

use jid::BareJid;

use super::AccountState;
use crate::event::SessionEvent;
use crate::store::presence::{self, ResourcePresence};

impl AccountState {
    /// A device or clock event (`Caps`, `Client`, `EntityTime`); any other is ignored.
    pub fn apply_device_event(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::Caps {
                from,
                resource,
                ver,
            } => self.apply_caps(&from, resource.as_deref(), &ver),
            SessionEvent::Client { ver, client } => self.devices.learn(&ver, client),
            SessionEvent::EntityTime {
                from,
                resource,
                result,
            } => match result {
                Ok(offset) => self.devices.set_clock(from, resource, offset),
                Err(why) => tracing::info!("time of {from}/{resource}: {why}"),
            },
            SessionEvent::SoftwareVersion {
                from,
                resource,
                result,
            } => match result {
                Ok(version) => self.devices.set_version(from, resource, version),
                Err(why) => tracing::info!("version of {from}/{resource}: {why}"),
            },
            _ => {}
        }
    }

    /// XEP-0115 caps from the presence just applied: that resource's handle to its device
    /// (a presence without them has already cleared it).
    pub fn apply_caps(&mut self, from: &BareJid, resource: Option<&str>, ver: &str) {
        let key = resource.unwrap_or("");
        let device = self.devices.intern(ver);
        let set = |resources: &mut presence::Resources| {
            if let Some(mut p) = resources.get(key).cloned() {
                p.device = device;
                resources.insert(key.to_owned(), p);
            }
        };
        if *from == self.jid {
            set(&mut self.own_resources);
        } else {
            self.roster.modify(from, |c| set(&mut c.resources));
        }
    }

    /// The client a resource runs, if its capabilities are known.
    pub fn client_of(&self, p: &ResourcePresence) -> Option<&crate::domain::device::Client> {
        self.devices.client(p.device?)
    }
}
