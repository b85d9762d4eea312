//! Incoming subscription requests awaiting the user's answer, oldest first.
//!
//! Arrival order matters: the inbox keys answer the oldest request, the one that has been on
//! screen longest, so a request arriving just before a key press is never the one answered.

use crate::domain::ContactId;

/// Contact (account and JID) -> nick, in the order the requests arrived. A repeated request keeps its place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests(Vec<(ContactId, Option<String>)>);

impl Requests {
    /// Adds a request at the end; a request already waiting only gets the newer nick.
    pub fn insert(&mut self, jid: ContactId, nick: Option<String>) {
        match self.0.iter_mut().find(|(j, _)| *j == jid) {
            Some((_, old)) => *old = nick,
            None => self.0.push((jid, nick)),
        }
    }

    /// Removes the request from `jid`, returning its nick if there was one.
    pub fn remove(&mut self, jid: &ContactId) -> Option<Option<String>> {
        let at = self.0.iter().position(|(j, _)| j == jid)?;
        Some(self.0.remove(at).1)
    }

    /// The nick sent with the request from `jid`, if there is such a request.
    pub fn get(&self, jid: &ContactId) -> Option<&Option<String>> {
        self.0.iter().find(|(j, _)| j == jid).map(|(_, n)| n)
    }

    pub fn contains_key(&self, jid: &ContactId) -> bool {
        self.0.iter().any(|(j, _)| j == jid)
    }

    /// The request that has waited longest.
    pub fn oldest(&self) -> Option<&ContactId> {
        self.0.first().map(|(j, _)| j)
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&ContactId, &Option<String>)> {
        self.0.iter().map(|(j, n)| (j, n))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
