//! Walking the rows of every account's roster as one pane.
//!
//! One roster for all accounts (the default): each group merges the accounts' availability
//! buckets, sorted by name, JID, then account. A section per account: the account's header
//! row, then its own groups. Whole sections, groups and buckets are skipped by their row
//! counts; only the bucket holding the first wanted row is walked, so the cost depends on the
//! position inside one bucket, not on the roster size (a text filter walks).

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;

use jid::BareJid;

use super::{push_contact, Filter, GroupRef, Row, RowId};
use crate::domain::{AccountId, Availability, ContactId};
use crate::store::roster::{Bucket, GroupIndex, GroupKey, GroupStats, Roster, SortKey, RANKS};

/// Every account's roster, as the roster pane draws them.
#[derive(Debug, Clone)]
pub struct Rosters<'a> {
    parts: Vec<(AccountId, &'a Roster)>,
    /// A section (with a header row) per account.
    sectioned: bool,
}

/// One account's part of a merged group.
struct Part<'a> {
    account: AccountId,
    roster: &'a Roster,
    index: &'a GroupIndex,
}

/// A section of the pane: every account (no header), or one account under its header.
struct Section<'r, 'a> {
    id: Option<AccountId>,
    parts: &'r [(AccountId, &'a Roster)],
}

impl<'a> Rosters<'a> {
    pub fn new(parts: Vec<(AccountId, &'a Roster)>, sectioned: bool) -> Rosters<'a> {
        Rosters { parts, sectioned }
    }

    /// One roster alone, as account 0.
    pub fn single(roster: &'a Roster) -> Rosters<'a> {
        Rosters::new(vec![(AccountId(0), roster)], false)
    }

    pub fn is_sectioned(&self) -> bool {
        self.sectioned
    }

    fn sections(&self) -> Vec<Section<'_, 'a>> {
        if self.sectioned {
            (0..self.parts.len())
                .map(|i| Section {
                    id: Some(self.parts[i].0),
                    parts: &self.parts[i..=i],
                })
                .collect()
        } else {
            vec![Section {
                id: None,
                parts: &self.parts,
            }]
        }
    }

    /// Total rows under a filter, headers included.
    pub fn row_count(&self, filter: &Filter) -> usize {
        self.sections().iter().map(|s| s.row_count(filter)).sum()
    }

    /// Rows `start..start + limit` of the pane.
    pub fn visible_rows(&self, filter: &Filter, start: usize, limit: usize) -> Vec<Row<'a>> {
        let mut out = Vec::with_capacity(limit.min(256));
        let mut skip = start;
        for section in self.sections() {
            if out.len() >= limit {
                break;
            }
            let rows = section.row_count(filter);
            if skip >= rows {
                skip -= rows;
                continue;
            }
            section.push_rows(filter, &mut skip, limit, &mut out);
        }
        out
    }

    pub fn row_at(&self, filter: &Filter, pos: usize) -> Option<RowId> {
        self.visible_rows(filter, pos, 1).first().map(Row::id)
    }

    /// Position of the row with this identity; a vanished resource row falls back to its
    /// contact, a contact that left the group to its first group.
    pub fn position_of(&self, filter: &Filter, id: &RowId) -> Option<usize> {
        let account = id.account();
        let mut pos = 0;
        for section in self.sections() {
            let mine = section.id.is_none() || section.id == account;
            if mine {
                if let Some(at) = section.position_of(filter, id) {
                    return Some(pos + at);
                }
                if section.id.is_some() {
                    return None;
                }
            }
            pos += section.row_count(filter);
        }
        None
    }

    /// Every group header the pane may show, in display order (for fold all).
    pub fn group_refs(&self) -> Vec<GroupRef> {
        self.sections()
            .iter()
            .flat_map(|s| {
                s.groups()
                    .into_iter()
                    .map(|k| s.group_ref(k))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The selected row's position, defaulting to the top.
    pub fn selected_position(&self, filter: &Filter, selected: Option<&RowId>) -> usize {
        selected
            .and_then(|id| self.position_of(filter, id))
            .unwrap_or(0)
    }
}

impl<'a> Section<'_, 'a> {
    fn header_rows(&self) -> usize {
        usize::from(self.id.is_some())
    }

    /// The section's groups in display order.
    fn groups(&self) -> Vec<&'a GroupKey> {
        let mut keys: Vec<&'a GroupKey> = self
            .parts
            .iter()
            .flat_map(|(_, r)| r.groups().keys())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    fn parts_of(&self, key: &GroupKey) -> Vec<Part<'a>> {
        self.parts
            .iter()
            .filter_map(|&(account, roster)| {
                let index = roster.groups().get(key)?;
                Some(Part {
                    account,
                    roster,
                    index,
                })
            })
            .collect()
    }

    fn group_ref(&self, key: &GroupKey) -> GroupRef {
        GroupRef {
            section: self.id,
            key: key.clone(),
        }
    }

    /// Rows a group's contacts show (0: the group is hidden).
    fn group_rows(&self, filter: &Filter, key: &GroupKey) -> usize {
        self.parts_of(key)
            .iter()
            .map(|p| filter.group_rows(p.roster, key, p.index))
            .sum()
    }

    fn folded(&self, filter: &Filter, key: &GroupKey) -> bool {
        !filter.folded.is_empty() && filter.folded.contains(&self.group_ref(key))
    }

    /// Rows a group takes on screen: none when the filter hides all of it, its header
    /// alone when folded.
    fn group_span(&self, filter: &Filter, key: &GroupKey) -> usize {
        match self.group_rows(filter, key) {
            0 => 0,
            _ if self.folded(filter, key) => 1,
            n => n + 1,
        }
    }

    fn row_count(&self, filter: &Filter) -> usize {
        let groups: usize = self
            .groups()
            .into_iter()
            .map(|key| self.group_span(filter, key))
            .sum();
        self.header_rows() + groups
    }

    fn header(&self) -> Option<Row<'a>> {
        let id = self.id?;
        let roster = self.parts.first()?.1;
        Some(Row::Account {
            id,
            online: roster.online_count(),
            total: roster.len(),
        })
    }

    fn push_rows(&self, filter: &Filter, skip: &mut usize, limit: usize, out: &mut Vec<Row<'a>>) {
        if let Some(header) = self.header() {
            if *skip == 0 {
                out.push(header);
            } else {
                *skip -= 1;
            }
        }
        for key in self.groups() {
            if out.len() >= limit {
                break;
            }
            let span = self.group_span(filter, key);
            if span == 0 {
                continue;
            }
            if *skip >= span {
                *skip -= span;
                continue;
            }
            let parts = self.parts_of(key);
            if *skip == 0 {
                let mut stats = sum_stats(&parts);
                if !filter.is_empty() {
                    let shown = parts
                        .iter()
                        .map(|p| filter.group_contacts(p.roster, p.index));
                    stats.shown = Some(shown.sum());
                }
                out.push(Row::Group {
                    group: self.group_ref(key),
                    stats,
                });
            } else {
                *skip -= 1;
            }
            if span == 1 {
                continue;
            }
            for rank in 0..RANKS {
                if out.len() >= limit {
                    break;
                }
                let rows = bucket_rows(filter, &parts, rank);
                if *skip >= rows {
                    *skip -= rows;
                    continue;
                }
                self.push_bucket(filter, &parts, rank, key, skip, limit, out);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_bucket(
        &self,
        filter: &Filter,
        parts: &[Part<'a>],
        rank: usize,
        key: &GroupKey,
        skip: &mut usize,
        limit: usize,
        out: &mut Vec<Row<'a>>,
    ) {
        for (account, roster, jid) in merged(parts, rank) {
            if out.len() >= limit {
                break;
            }
            let Some(contact) = roster.get(jid).filter(|c| filter.contact_ok(c)) else {
                continue;
            };
            let rows = 1 + contact.expanded_rows();
            if *skip >= rows {
                *skip -= rows;
                continue;
            }
            push_contact(out, self.group_ref(key), account, contact, *skip, limit);
            *skip = 0;
        }
    }

    /// The position of a group's header inside the section (None if the filter hides it).
    fn group_offset(&self, filter: &Filter, group: &GroupKey) -> Option<usize> {
        let mut pos = self.header_rows();
        for key in self.groups() {
            let span = self.group_span(filter, key);
            if key == group {
                return (span > 0).then_some(pos);
            }
            pos += span;
        }
        None
    }

    fn position_of(&self, filter: &Filter, id: &RowId) -> Option<usize> {
        let (group, cid, resource) = match id {
            RowId::Account(_) => return self.id.map(|_| 0),
            RowId::Group(g) => return self.group_offset(filter, &g.key),
            RowId::Contact(g, c) => (&g.key, c, None),
            RowId::Resource(g, c, r) => (&g.key, c, Some(r)),
        };
        let roster = self.parts.iter().find(|(a, _)| *a == cid.account)?.1;
        let contact = roster.get(&cid.jid).filter(|c| filter.contact_ok(c))?;
        let groups = contact.group_keys();
        let group = if groups.contains(group) {
            group
        } else {
            groups.first()?
        };
        let rank = usize::from(contact.availability().rank());
        if !filter.bucket_ok(rank) {
            return None;
        }
        if self.folded(filter, group) {
            // Inside a folded group: its header.
            return self.group_offset(filter, group);
        }
        let parts = self.parts_of(group);
        let mut pos = self.group_offset(filter, group)? + 1;
        pos += (0..rank)
            .map(|r| bucket_rows(filter, &parts, r))
            .sum::<usize>();
        let key = contact.sort_key();
        pos += parts
            .iter()
            .map(|p| rows_before(filter, p, rank, cid, key))
            .sum::<usize>();
        if let Some(r) = resource {
            if contact.expanded_rows() > 0 {
                if let Some(i) = super::sorted_resources(contact)
                    .iter()
                    .position(|(name, _)| name == r)
                {
                    pos += 1 + i;
                }
            }
        }
        Some(pos)
    }
}

/// Rows of one part's bucket that come before the contact `cid` (sorted by name, JID,
/// then account).
fn rows_before(
    filter: &Filter,
    part: &Part<'_>,
    rank: usize,
    cid: &ContactId,
    key: &Arc<SortKey>,
) -> usize {
    let bucket = &part.index.buckets[rank];
    let end = match part.account.cmp(&cid.account) {
        Ordering::Less => Bound::Included(key),
        _ => Bound::Excluded(key),
    };
    let before = bucket
        .entries
        .range::<Arc<SortKey>, _>((Bound::Unbounded, end));
    if filter.text.is_none() && rank >= usize::from(Availability::Error.rank()) {
        return before.count();
    }
    before
        .filter_map(|k| part.roster.get(&k.jid))
        .filter(|c| filter.contact_ok(c))
        .map(|c| 1 + c.expanded_rows())
        .sum()
}

fn bucket_rows(filter: &Filter, parts: &[Part<'_>], rank: usize) -> usize {
    parts
        .iter()
        .map(|p| filter.bucket_rows(p.roster, rank, &p.index.buckets[rank]))
        .sum()
}

fn sum_stats(parts: &[Part<'_>]) -> GroupStats {
    parts.iter().fold(GroupStats::default(), |s, p| GroupStats {
        online: s.online + p.index.stats.online,
        total: s.total + p.index.stats.total,
        rows: s.rows + p.index.stats.rows,
        shown: None,
    })
}

/// The entries of one availability bucket across the parts, in display order: name, JID,
/// then account.
fn merged<'a>(
    parts: &[Part<'a>],
    rank: usize,
) -> impl Iterator<Item = (AccountId, &'a Roster, &'a BareJid)> {
    type Entries<'a> = std::iter::Peekable<std::collections::btree_set::Iter<'a, Arc<SortKey>>>;
    let mut heads: Vec<(AccountId, &'a Roster, Entries<'a>)> = parts
        .iter()
        .map(|p| {
            let bucket: &'a Bucket = &p.index.buckets[rank];
            (p.account, p.roster, bucket.entries.iter().peekable())
        })
        .collect();
    std::iter::from_fn(move || {
        let mut best: Option<(usize, &'a Arc<SortKey>)> = None;
        for (i, (_, _, it)) in heads.iter_mut().enumerate() {
            let Some(&entry) = it.peek() else { continue };
            if best.is_none_or(|(_, b)| entry < b) {
                best = Some((i, entry));
            }
        }
        let (i, entry) = best?;
        let (account, roster, it) = &mut heads[i];
        it.next();
        Some((*account, *roster, &entry.jid))
    })
}
