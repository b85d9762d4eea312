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
    let mut list: Vec<(&str, &ResourcePresence)> = contact.resources.iter().collect();
    list.sort_by(|a, b| {
        (b.1.priority, a.1.show.rank(), a.0).cmp(&(a.1.priority, b.1.show.rank(), b.0))
    });
    list
}

/// Rows `start..start + limit` of the roster pane. Whole groups and availability buckets
/// are skipped by their row counts; only the bucket holding `start` is walked, so the cost
/// depends on the position inside one bucket, not on the roster size.
pub fn visible_rows(roster: &Roster, start: usize, limit: usize) -> Vec<Row<'_>> {
    let mut out = Vec::with_capacity(limit.min(256));
    let mut skip = start;
    for (key, group) in roster.groups() {
        if out.len() >= limit {
            break;
        }
        if skip > group.stats.rows {
            skip -= group.stats.rows + 1;
            continue;
        }
        if skip == 0 {
            out.push(Row::Group {
                key,
                stats: group.stats,
            });
        } else {
            skip -= 1;
        }
        for bucket in &group.buckets {
            if out.len() >= limit {
                break;
            }
            if skip >= bucket.rows {
                skip -= bucket.rows;
                continue;
            }
            for (_, jid) in &bucket.entries {
                if out.len() >= limit {
                    break;
                }
                let Some(contact) = roster.get(jid) else {
                    continue;
                };
                let rows = 1 + contact.expanded_rows();
                if skip >= rows {
                    skip -= rows;
                    continue;
                }
                push_contact(&mut out, key, contact, skip, limit);
                skip = 0;
            }
        }
    }
    out
}

/// Pushes a contact's rows from `from` (0 = the contact row, 1.. = its resources).
fn push_contact<'a>(
    out: &mut Vec<Row<'a>>,
    group: &'a GroupKey,
    contact: &'a Contact,
    from: usize,
    limit: usize,
) {
    if from == 0 {
        out.push(Row::Contact { group, contact });
    }
    if contact.expanded_rows() == 0 {
        return;
    }
    let list = sorted_resources(contact);
    let n = list.len();
    for (i, (name, presence)) in list.into_iter().enumerate().skip(from.saturating_sub(1)) {
        if out.len() >= limit {
            return;
        }
        out.push(Row::Resource {
            group,
            contact,
            name,
            presence,
            last: i + 1 == n,
            best: i == 0,
        });
    }
}

/// Every row of the roster pane, top to bottom.
pub fn rows(roster: &Roster) -> impl Iterator<Item = Row<'_>> {
    visible_rows(roster, 0, usize::MAX).into_iter()
}

/// Position of the row with this identity; a vanished resource row falls back to its
/// contact, a contact that left the group to its first group.
pub fn position_of(roster: &Roster, id: &RowId) -> Option<usize> {
    let (group, jid, resource) = match id {
        RowId::Group(g) => return group_offset(roster, g),
        RowId::Contact(g, jid) => (g, jid, None),
        RowId::Resource(g, jid, r) => (g, jid, Some(r)),
    };
    let contact = roster.get(jid)?;
    let groups = contact.group_keys();
    let group = if groups.contains(group) {
        group
    } else {
        groups.first()?
    };
    let index = roster.groups().get(group)?;
    let rank = usize::from(contact.availability().rank());
    let mut pos = group_offset(roster, group)? + 1;
    pos += index.buckets[..rank].iter().map(|b| b.rows).sum::<usize>();
    let bucket = &index.buckets[rank];
    let before = bucket.entries.range(..contact.sort_key());
    pos += if rank >= usize::from(crate::store::presence::Availability::Error.rank()) {
        before.count()
    } else {
        before
            .map(|(_, j)| roster.get(j).map_or(1, |c| 1 + c.expanded_rows()))
            .sum()
    };
    if let Some(r) = resource {
        if contact.expanded_rows() > 0 {
            if let Some(i) = sorted_resources(contact)
                .iter()
                .position(|(name, _)| name == r)
            {
                pos += 1 + i;
            }
        }
    }
    Some(pos)
}

/// The position of a group's header.
fn group_offset(roster: &Roster, group: &GroupKey) -> Option<usize> {
    let mut pos = 0;
    for (key, index) in roster.groups() {
        if key == group {
            return Some(pos);
        }
        pos += index.stats.rows + 1;
    }
    None
}

pub fn row_at(roster: &Roster, pos: usize) -> Option<RowId> {
    visible_rows(roster, pos, 1).first().map(Row::id)
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
