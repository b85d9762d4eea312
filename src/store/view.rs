//! The rows of the roster pane, derived from the sorted roster: a header per group, a row per
//! contact, and one row per resource for contacts with two or more online resources.
//!
//! The selection is anchored to a row's identity ([`RowId`]), not to its position, so it stays
//! on the same contact while presence changes reorder the roster around it.

use jid::BareJid;

use crate::store::presence::ResourcePresence;
use crate::store::roster::{Contact, GroupKey, GroupStats, Roster};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowId {
    Group(GroupKey),
    Contact(GroupKey, BareJid),
    Resource(GroupKey, BareJid, String),
}

#[derive(Debug, Clone)]
pub enum Row<'a> {
    Group {
        key: &'a GroupKey,
        stats: GroupStats,
    },
    Contact {
        group: &'a GroupKey,
        contact: &'a Contact,
    },
    Resource {
        group: &'a GroupKey,
        contact: &'a Contact,
        name: &'a str,
        presence: &'a ResourcePresence,
        /// Is this the contact's last resource row (for the tree glyph)?
        last: bool,
        /// Is this the resource the contact row's state comes from?
        best: bool,
    },
}

impl Row<'_> {
    pub fn id(&self) -> RowId {
        match self {
            Row::Group { key, .. } => RowId::Group((*key).clone()),
            Row::Contact { group, contact } => {
                RowId::Contact((*group).clone(), contact.jid.clone())
            }
            Row::Resource {
                group,
                contact,
                name,
                ..
            } => RowId::Resource((*group).clone(), contact.jid.clone(), (*name).to_owned()),
        }
    }
}

/// Resources in display order: the winning one first, then by priority and availability.
pub fn sorted_resources(contact: &Contact) -> Vec<(&str, &ResourcePresence)> {
    let mut list: Vec<(&str, &ResourcePresence)> = contact
        .resources
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    list.sort_by(|a, b| {
        (b.1.priority, a.1.show.rank(), a.0).cmp(&(a.1.priority, b.1.show.rank(), b.0))
    });
    list
}

/// Every row of the roster pane, top to bottom.
pub fn rows(roster: &Roster) -> impl Iterator<Item = Row<'_>> {
    let mut current: Option<&GroupKey> = None;
    roster.index().iter().flat_map(move |key| {
        let mut out: Vec<Row<'_>> = Vec::new();
        if current != Some(&key.group) {
            current = Some(&key.group);
            let stats = roster.groups().get(&key.group).copied().unwrap_or_default();
            out.push(Row::Group {
                key: &key.group,
                stats,
            });
        }
        if let Some(contact) = roster.get(&key.jid) {
            out.push(Row::Contact {
                group: &key.group,
                contact,
            });
            if contact.expanded_rows() > 0 {
                let list = sorted_resources(contact);
                let n = list.len();
                for (i, (name, presence)) in list.into_iter().enumerate() {
                    out.push(Row::Resource {
                        group: &key.group,
                        contact,
                        name,
                        presence,
                        last: i + 1 == n,
                        best: i == 0,
                    });
                }
            }
        }
        out
    })
}

/// Position of the row with this identity; a vanished resource row falls back to its
/// contact, a contact that changed group to its first appearance.
pub fn position_of(roster: &Roster, id: &RowId) -> Option<usize> {
    if let Some(pos) = rows(roster).position(|row| &row.id() == id) {
        return Some(pos);
    }
    let jid = match id {
        RowId::Group(_) => return None,
        RowId::Contact(_, jid) | RowId::Resource(_, jid, _) => jid,
    };
    rows(roster).position(|row| matches!(row, Row::Contact { contact, .. } if &contact.jid == jid))
}

pub fn row_at(roster: &Roster, pos: usize) -> Option<RowId> {
    rows(roster).nth(pos).map(|row| row.id())
}

/// The selected row's position, defaulting to the top.
pub fn selected_position(roster: &Roster, selected: Option<&RowId>) -> usize {
    selected.and_then(|id| position_of(roster, id)).unwrap_or(0)
}

/// New scroll offset so that `selected` is inside a viewport of `height` rows.
pub fn follow(scroll: usize, selected: usize, height: usize, total: usize) -> usize {
    let height = height.max(1);
    let mut scroll = scroll.min(total.saturating_sub(height));
    if selected < scroll {
        scroll = selected;
    } else if selected >= scroll + height {
        scroll = selected + 1 - height;
    }
    scroll
}

#[cfg(test)]
mod tests {
    use super::follow;

    #[test]
    fn follow_keeps_selection_visible() {
        assert_eq!(follow(0, 5, 10, 100), 0);
        assert_eq!(follow(0, 10, 10, 100), 1);
        assert_eq!(follow(50, 20, 10, 100), 20);
        assert_eq!(follow(95, 99, 10, 100), 90);
        // Shrinking roster pulls the scroll back.
        assert_eq!(follow(80, 3, 10, 5), 0);
    }
}
