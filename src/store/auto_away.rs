//! Auto-away (`[auto_away]`): the user's presence follows them when they walk away, and comes
//! back exactly as it was when they return.
//!
//! A small pure state machine, driven by the app loop: [`AutoAway::activity`] (a key, a
//! paste), [`AutoAway::attached`] (the tmux or screen client came or went),
//! [`AutoAway::desktop_input`] (the desktop's last input, any window), [`AutoAway::tick`]
//! (the loop wakes at [`AutoAway::due`]) and [`AutoAway::manual`] (the user changed their
//! presence). Each returns the new [`Phase`] when it changed; `update::auto_away` turns that
//! into presence for every account.
//!
//! The user's own presence (`AccountState::own`) is never touched: while auto-away is on,
//! what is sent is [`AutoAway::applied`] to it, and what comes back on activity is `own`
//! itself, so show, status text and priority are restored exactly. A manual away, xa or dnd
//! is left alone (only online and chat are auto-away'd).

use std::time::{Duration, SystemTime};

pub use crate::domain::away::{parse_duration, Rules};
use crate::domain::{OwnPresence, Show};

/// Where auto-away is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The user is here (or auto-away is off).
    Present,
    Away,
    Xa,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoAway {
    pub rules: Rules,
    /// The last key, paste, attach or manual presence change.
    pub last_activity: SystemTime,
    /// The tmux or screen client is detached (only when `rules.tmux_detach`, and only once
    /// it has been seen attached: rosterm started in a detached session is not away).
    pub detached: bool,
    /// The multiplexer has been seen attached.
    pub seen_attached: bool,
    pub phase: Phase,
    /// How much later than the rules auto-away acts: a polled idle source (the desktop)
    /// may report an input up to this late. The idle time sent still starts at the input.
    pub grace: Duration,
}

impl AutoAway {
    pub fn new(rules: Rules, now: SystemTime) -> AutoAway {
        AutoAway {
            rules,
            last_activity: now,
            detached: false,
            seen_attached: false,
            phase: Phase::Present,
            grace: Duration::ZERO,
        }
    }

    pub fn active(&self) -> bool {
        self.phase != Phase::Present
    }

    /// The user did something: back, if auto-away was on.
    pub fn activity(&mut self, now: SystemTime) -> Option<Phase> {
        self.last_activity = self.last_activity.max(now);
        self.set(Phase::Present)
    }

    /// The user changed their presence themselves: auto-away ends, and their presence stays
    /// (nothing to restore; the caller sends what they chose).
    pub fn manual(&mut self, now: SystemTime) {
        self.last_activity = self.last_activity.max(now);
        self.phase = Phase::Present;
    }

    /// The terminal multiplexer's client came (activity) or went away (away at once, once it
    /// has been seen attached).
    pub fn attached(&mut self, attached: bool, now: SystemTime) -> Option<Phase> {
        if !self.rules.tmux_detach {
            return None;
        }
        if attached {
            let came = self.detached || !self.seen_attached;
            self.seen_attached = true;
            self.detached = false;
            return came.then(|| self.activity(now)).flatten();
        }
        if !self.seen_attached || self.detached {
            return None;
        }
        self.detached = true;
        self.tick(now)
    }

    /// The desktop's last input (in any window) was `at`: activity then, which brings the
    /// user back only when it is recent enough that they would not be away now (an input
    /// before an auto-away changes nothing).
    pub fn desktop_input(&mut self, at: SystemTime, now: SystemTime) -> Option<Phase> {
        if !self.rules.desktop || at <= self.last_activity {
            return None;
        }
        self.last_activity = at.min(now);
        match self.phase {
            Phase::Present => None,
            _ if self.wanted(now) == Phase::Present => self.set(Phase::Present),
            _ => None,
        }
    }

    /// Time passed: away, or xa, when it is time.
    pub fn tick(&mut self, now: SystemTime) -> Option<Phase> {
        let want = self.wanted(now);
        // Only ever further away here: coming back takes activity.
        (want > self.phase).then(|| self.set(want)).flatten()
    }

    /// When the next tick changes something (None: nothing will without activity).
    pub fn due(&self) -> Option<SystemTime> {
        if !self.rules.enabled {
            return None;
        }
        match self.phase {
            Phase::Present if self.detached => Some(self.last_activity),
            Phase::Present => Some(self.last_activity + self.rules.away_after + self.grace),
            Phase::Away => self
                .rules
                .xa_after
                .map(|d| self.last_activity + d + self.grace),
            Phase::Xa => None,
        }
    }

    /// Since when the user has been idle, while auto-away is on.
    pub fn idle_since(&self) -> Option<SystemTime> {
        self.active().then_some(self.last_activity)
    }

    /// Seconds since the last activity (XEP-0012).
    pub fn idle_secs(&self, now: SystemTime) -> u64 {
        now.duration_since(self.last_activity)
            .map_or(0, |d| d.as_secs())
    }

    /// The presence to send for `own` now, when auto-away changes it (None: send `own`).
    pub fn applied(&self, own: &OwnPresence) -> Option<OwnPresence> {
        let (show, status) = match self.phase {
            Phase::Present => return None,
            Phase::Away => (Show::Away, &self.rules.away_status),
            Phase::Xa => (Show::Xa, &self.rules.xa_status),
        };
        if !eligible(own) {
            return None;
        }
        Some(OwnPresence {
            show,
            status: status.clone().unwrap_or_else(|| own.status.clone()),
            priority: own.priority,
        })
    }

    fn wanted(&self, now: SystemTime) -> Phase {
        if !self.rules.enabled {
            return Phase::Present;
        }
        let idle = now
            .duration_since(self.last_activity)
            .unwrap_or(Duration::ZERO)
            .saturating_sub(self.grace);
        match self.rules.xa_after {
            Some(xa) if idle >= xa => Phase::Xa,
            _ if idle >= self.rules.away_after || self.detached => Phase::Away,
            _ => Phase::Present,
        }
    }

    fn set(&mut self, phase: Phase) -> Option<Phase> {
        (self.phase != phase).then(|| {
            self.phase = phase;
            phase
        })
    }
}

/// Phases are ordered by distance: present < away < xa.
impl PartialOrd for Phase {
    fn partial_cmp(&self, other: &Phase) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Phase {
    fn cmp(&self, other: &Phase) -> std::cmp::Ordering {
        let rank = |p: &Phase| match p {
            Phase::Present => 0,
            Phase::Away => 1,
            Phase::Xa => 2,
        };
        rank(self).cmp(&rank(other))
    }
}

/// Is this presence one auto-away may change? Online and chat only: a manual away, xa or dnd
/// is the user's choice.
pub fn eligible(own: &OwnPresence) -> bool {
    matches!(own.show, Show::Online | Show::Chat)
}

#[cfg(test)]
#[path = "auto_away_tests.rs"]
mod tests;
