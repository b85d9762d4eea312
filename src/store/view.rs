//! The rows of the roster pane, derived from the sorted roster: a header per group, a row per
//! contact, and one row per resource for contacts with two or more online resources.
//!
//! The selection is anchored to a row's identity ([`RowId`]), not to its position, so it stays
//! on the same contact while presence changes reorder the roster around it.

use crate::domain::{AccountId, Availability, ContactId};
use crate::store::presence::ResourcePresence;
use crate::store::roster::{Bucket, Contact, GroupIndex, GroupKey, GroupStats, Roster};

mod walk;
pub use walk::Rosters;

/// A group as the roster pane shows it: with a section per account, the same group name
/// in two accounts is two groups.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupRef {
    /// The account section (`None`: one roster for every account).
    pub section: Option<AccountId>,
    pub key: GroupKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowId {
    /// An account's section header (a section per account only).
    Account(AccountId),
    Group(GroupRef),
    Contact(GroupRef, ContactId),
    Resource(GroupRef, ContactId, String),
}

impl RowId {
    /// The contact the row is about (contact or resource row).
    pub fn contact(&self) -> Option<&ContactId> {
        match self {
            RowId::Contact(_, c) | RowId::Resource(_, c, _) => Some(c),
            RowId::Account(_) | RowId::Group(_) => None,
        }
    }

    /// The account the row belongs to, when it belongs to one.
    pub fn account(&self) -> Option<AccountId> {
        match self {
            RowId::Account(a) => Some(*a),
            RowId::Group(g) => g.section,
            RowId::Contact(_, c) | RowId::Resource(_, c, _) => Some(c.account),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Row<'a> {
    Account {
        id: AccountId,
        online: usize,
        total: usize,
    },
    Group {
        group: GroupRef,
        stats: GroupStats,
    },
    Contact {
        group: GroupRef,
        account: AccountId,
        contact: &'a Contact,
    },
    Resource {
        group: GroupRef,
        account: AccountId,
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
        let cid = |account: &AccountId, c: &Contact| ContactId::new(*account, c.jid.clone());
        match self {
            Row::Account { id, .. } => RowId::Account(*id),
            Row::Group { group, .. } => RowId::Group(group.clone()),
            Row::Contact {
                group,
                account,
                contact,
            } => RowId::Contact(group.clone(), cid(account, contact)),
            Row::Resource {
                group,
                account,
                contact,
                name,
                ..
            } => RowId::Resource(group.clone(), cid(account, contact), (*name).to_owned()),
        }
    }
}

/// Resources in display order: the winning one first, then by priority and availability.
pub fn sorted_resources(contact: &Contact) -> Vec<(&str, &ResourcePresence)> {
    let mut list: Vec<(&str, &ResourcePresence)> = contact.resources.iter().collect();
    let rule = crate::store::presence::rule();
    // The shown resource first, then the others in the rule's order, then by name.
    list.sort_by(|a, b| {
        use crate::store::presence::outranks;
        if outranks(rule, a.1, b.1) {
            std::cmp::Ordering::Less
        } else if outranks(rule, b.1, a.1) {
            std::cmp::Ordering::Greater
        } else {
            a.0.cmp(b.0)
        }
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
    /// Groups shown as their header only (folded); not a filter: `is_empty` ignores it.
    pub folded: std::collections::BTreeSet<GroupRef>,
}

impl Filter {
    /// Does the filter hide nothing (folds aside)?
    pub fn is_empty(&self) -> bool {
        !self.online_only && self.show.is_none() && self.group.is_none() && self.text.is_none()
    }

    pub(crate) fn bucket_ok(&self, rank: usize) -> bool {
        if self.online_only && rank >= usize::from(Availability::Error.rank()) {
            return false;
        }
        self.show.is_none_or(|a| usize::from(a.rank()) == rank)
    }

    pub(crate) fn group_ok(&self, key: &GroupKey) -> bool {
        self.group.as_ref().is_none_or(|g| g == key)
    }

    pub fn contact_ok(&self, c: &Contact) -> bool {
        self.text.as_ref().is_none_or(|t| {
            c.label().to_lowercase().contains(t) || c.display_jid().to_lowercase().contains(t)
        })
    }

    /// Rows a bucket shows: its count without a text filter, else a walk.
    pub(crate) fn bucket_rows(&self, roster: &Roster, rank: usize, bucket: &Bucket) -> usize {
        if !self.bucket_ok(rank) {
            return 0;
        }
        if self.text.is_none() {
            return bucket.rows;
        }
        bucket
            .entries
            .iter()
            .filter_map(|k| roster.get(&k.jid))
            .filter(|c| self.contact_ok(c))
            .map(|c| 1 + c.expanded_rows())
            .sum()
    }

    /// Contacts of a group the filter lets through.
    pub(crate) fn group_contacts(&self, roster: &Roster, group: &GroupIndex) -> usize {
        group
            .buckets
            .iter()
            .enumerate()
            .filter(|(rank, _)| self.bucket_ok(*rank))
            .map(|(_, b)| match self.text {
                None => b.entries.len(),
                Some(_) => b
                    .entries
                    .iter()
                    .filter_map(|k| roster.get(&k.jid))
                    .filter(|c| self.contact_ok(c))
                    .count(),
            })
            .sum()
    }

    /// Rows a group's contacts show (0: the group is hidden).
    pub(crate) fn group_rows(&self, roster: &Roster, key: &GroupKey, group: &GroupIndex) -> usize {
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

/// Pushes a contact's rows from `from` (0 = the contact row, 1.. = its resources).
fn push_contact<'a>(
    out: &mut Vec<Row<'a>>,
    group: GroupRef,
    account: AccountId,
    contact: &'a Contact,
    from: usize,
    limit: usize,
) {
    if from == 0 {
        out.push(Row::Contact {
            group: group.clone(),
            account,
            contact,
        });
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
            group: group.clone(),
            account,
            contact,
            name,
            presence,
            last: i + 1 == n,
            best: i == 0,
        });
    }
}

/// Every row of one roster, top to bottom (tests and benchmarks).
pub fn rows(roster: &Roster) -> impl Iterator<Item = Row<'_>> {
    Rosters::single(roster)
        .visible_rows(&Filter::default(), 0, usize::MAX)
        .into_iter()
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
