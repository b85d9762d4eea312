//! The rows of the roster pane, derived from the sorted roster: a header per group, a row per
//! contact, and one row per resource for contacts with two or more online resources.
//!
//! The selection is anchored to a row's identity ([`RowId`]), not to its position, so it stays
//! on the same contact while presence changes reorder the roster around it.

use jid::BareJid;

use crate::domain::Availability;
use crate::store::presence::ResourcePresence;
use crate::store::roster::{Bucket, Contact, GroupIndex, GroupKey, GroupStats, Roster};

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

/// What the roster pane shows: everything by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Hide offline and unreachable contacts.
    pub online_only: bool,
    /// Only contacts in this state.
    pub show: Option<Availability>,
    /// Only this group.
    pub group: Option<GroupKey>,
    /// Only contacts whose name or JID contains this (lowercase).
    pub text: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    fn bucket_ok(&self, rank: usize) -> bool {
        if self.online_only && rank >= usize::from(Availability::Error.rank()) {
            return false;
        }
        self.show.is_none_or(|a| usize::from(a.rank()) == rank)
    }

    fn group_ok(&self, key: &GroupKey) -> bool {
        self.group.as_ref().is_none_or(|g| g == key)
    }

    pub fn contact_ok(&self, c: &Contact) -> bool {
        self.text.as_ref().is_none_or(|t| {
            c.label().to_lowercase().contains(t) || c.display_jid.to_lowercase().contains(t)
        })
    }

    /// Rows a bucket shows: its count without a text filter, else a walk.
    fn bucket_rows(&self, roster: &Roster, rank: usize, bucket: &Bucket) -> usize {
        if !self.bucket_ok(rank) {
            return 0;
        }
        if self.text.is_none() {
            return bucket.rows;
        }
        bucket
            .entries
            .iter()
            .filter_map(|(_, j)| roster.get(j))
            .filter(|c| self.contact_ok(c))
            .map(|c| 1 + c.expanded_rows())
            .sum()
    }

    /// Rows a group's contacts show (0: the group is hidden).
    fn group_rows(&self, roster: &Roster, key: &GroupKey, group: &GroupIndex) -> usize {
        if !self.group_ok(key) {
            return 0;
        }
        group
            .buckets
            .iter()
            .enumerate()
            .map(|(rank, b)| self.bucket_rows(roster, rank, b))
            .sum()
    }
}

/// Rows `start..start + limit` of the roster pane. Whole groups and availability buckets
/// are skipped by their row counts; only the bucket holding `start` is walked, so the cost
/// depends on the position inside one bucket, not on the roster size (a text filter walks).
pub fn visible_rows(roster: &Roster, start: usize, limit: usize) -> Vec<Row<'_>> {
    visible_rows_filtered(roster, &Filter::default(), start, limit)
}

pub fn visible_rows_filtered<'a>(
    roster: &'a Roster,
    filter: &Filter,
    start: usize,
    limit: usize,
) -> Vec<Row<'a>> {
    let mut out = Vec::with_capacity(limit.min(256));
    let mut skip = start;
    for (key, group) in roster.groups() {
        if out.len() >= limit {
            break;
        }
        let group_rows = filter.group_rows(roster, key, group);
        if group_rows == 0 {
            continue;
        }
        if skip > group_rows {
            skip -= group_rows + 1;
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
        for (rank, bucket) in group.buckets.iter().enumerate() {
            if out.len() >= limit {
                break;
            }
            let bucket_rows = filter.bucket_rows(roster, rank, bucket);
            if skip >= bucket_rows {
                skip -= bucket_rows;
                continue;
            }
            for (_, jid) in &bucket.entries {
                if out.len() >= limit {
                    break;
                }
                let Some(contact) = roster.get(jid).filter(|c| filter.contact_ok(c)) else {
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

/// Total rows under a filter, group headers included.
pub fn row_count(roster: &Roster, filter: &Filter) -> usize {
    if filter.is_empty() {
        return roster.row_count();
    }
    roster
        .groups()
        .iter()
        .map(|(key, g)| match filter.group_rows(roster, key, g) {
            0 => 0,
            n => n + 1,
        })
        .sum()
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
    position_of_filtered(roster, &Filter::default(), id)
}

pub fn position_of_filtered(roster: &Roster, filter: &Filter, id: &RowId) -> Option<usize> {
    let (group, jid, resource) = match id {
        RowId::Group(g) => return group_offset(roster, filter, g),
        RowId::Contact(g, jid) => (g, jid, None),
        RowId::Resource(g, jid, r) => (g, jid, Some(r)),
    };
    let contact = roster.get(jid).filter(|c| filter.contact_ok(c))?;
    let groups = contact.group_keys();
    let group = if groups.contains(group) {
        group
    } else {
        groups.first()?
    };
    let index = roster.groups().get(group)?;
    let rank = usize::from(contact.availability().rank());
    if !filter.bucket_ok(rank) {
        return None;
    }
    let mut pos = group_offset(roster, filter, group)? + 1;
    pos += index.buckets[..rank]
        .iter()
        .enumerate()
        .map(|(r, b)| filter.bucket_rows(roster, r, b))
        .sum::<usize>();
    let bucket = &index.buckets[rank];
    let before = bucket.entries.range(..contact.sort_key());
    pos += if filter.text.is_none() && rank >= usize::from(Availability::Error.rank()) {
        before.count()
    } else {
        before
            .filter_map(|(_, j)| roster.get(j))
            .filter(|c| filter.contact_ok(c))
            .map(|c| 1 + c.expanded_rows())
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

/// The position of a group's header (None if the filter hides it).
fn group_offset(roster: &Roster, filter: &Filter, group: &GroupKey) -> Option<usize> {
    let mut pos = 0;
    for (key, index) in roster.groups() {
        let rows = filter.group_rows(roster, key, index);
        if key == group {
            return (rows > 0).then_some(pos);
        }
        if rows > 0 {
            pos += rows + 1;
        }
    }
    None
}

pub fn row_at(roster: &Roster, pos: usize) -> Option<RowId> {
    row_at_filtered(roster, &Filter::default(), pos)
}

pub fn row_at_filtered(roster: &Roster, filter: &Filter, pos: usize) -> Option<RowId> {
    visible_rows_filtered(roster, filter, pos, 1)
        .first()
        .map(Row::id)
}

/// The selected row's position, defaulting to the top.
pub fn selected_position(roster: &Roster, filter: &Filter, selected: Option<&RowId>) -> usize {
    selected
        .and_then(|id| position_of_filtered(roster, filter, id))
        .unwrap_or(0)
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
