//! A contact's device and its clock, in domain terms: the kind of client a resource runs
//! (from its XEP-0030 identity, learnt through XEP-0115 entity capabilities), the client's
//! name, and its UTC offset (XEP-0202 entity time) with what it means on screen ("their
//! time 23:40 (UTC+01:00)", and whether it is night there).

use std::time::{SystemTime, UNIX_EPOCH};

/// The kind of device a resource is, from its disco identity (category `client`, the
/// XEP-0030 registry's types). Anything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Phone,
    Pc,
    Web,
    Bot,
    Console,
    Handheld,
    Tablet,
    Other,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 8] = [
        DeviceKind::Phone,
        DeviceKind::Pc,
        DeviceKind::Web,
        DeviceKind::Bot,
        DeviceKind::Console,
        DeviceKind::Handheld,
        DeviceKind::Tablet,
        DeviceKind::Other,
    ];

    /// The identity's type word (and the key in the theme's `[devices]` table; `other` is
    /// the fallback).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Phone => "phone",
            DeviceKind::Pc => "pc",
            DeviceKind::Web => "web",
            DeviceKind::Bot => "bot",
            DeviceKind::Console => "console",
            DeviceKind::Handheld => "handheld",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Other => "other",
        }
    }

    /// The kind an identity `category/type` names (only `client` identities are devices).
    pub fn of_identity(category: &str, type_: &str) -> DeviceKind {
        if category != "client" {
            return DeviceKind::Other;
        }
        DeviceKind::ALL
            .into_iter()
            .find(|k| *k != DeviceKind::Other && k.as_str() == type_)
            .unwrap_or(DeviceKind::Other)
    }
}

/// What a resource runs: its kind and its client's name (sanitized), as its verified
/// capabilities say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub kind: DeviceKind,
    pub name: Option<String>,
}

/// The client an entity's identities describe: its first `client` identity (by the order
/// the kinds are listed in, so the choice does not depend on the order sent), else the
/// first identity as `Other`. `identities` are (category, type, name), names already
/// sanitized.
pub fn client_of(identities: &[(&str, &str, Option<&str>)]) -> Option<Client> {
    let client = identities
        .iter()
        .filter(|(c, _, _)| *c == "client")
        .min_by_key(|(c, t, n)| (rank(DeviceKind::of_identity(c, t)), *n))
        .or_else(|| identities.first())?;
    let (category, type_, name) = *client;
    Some(Client {
        kind: DeviceKind::of_identity(category, type_),
        name: name.filter(|n| !n.is_empty()).map(str::to_owned),
    })
}

/// What a verified XEP-0115 verification string stands for: the entity's identities
/// (category, type, name; names sanitized) and features, as its disco#info said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub identities: Vec<(String, String, Option<String>)>,
    pub features: Vec<String>,
}

impl Capabilities {
    /// The client these capabilities describe.
    pub fn client(&self) -> Option<Client> {
        let ids: Vec<(&str, &str, Option<&str>)> = self
            .identities
            .iter()
            .map(|(c, t, n)| (c.as_str(), t.as_str(), n.as_deref()))
            .collect();
        client_of(&ids)
    }

    pub fn has(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }
}

fn rank(kind: DeviceKind) -> usize {
    DeviceKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// A XEP-0082 time zone offset as XEP-0202 sends it: `Z`, `+01:00`, `-05:30` (also
/// `+0100`, as some clients write it), in seconds east of UTC; `None` for anything else
/// or beyond ±18 hours.
pub fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    if text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some(hm) => hm,
        None if rest.len() == 4 => rest.split_at(2),
        None => return None,
    };
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 18 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// "UTC+01:00", "UTC-05:30", "UTC+00:00".
pub fn offset_label(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}

/// The hour and minute it is `now` at `offset` seconds east of UTC.
pub fn their_clock(now: SystemTime, offset: i32) -> (u8, u8) {
    let secs = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(0),
        Err(_) => 0,
    };
    let day = (secs + i64::from(offset)).rem_euclid(86_400);
    ((day / 3600) as u8, (day % 3600 / 60) as u8)
}

/// Night for a person: 23:00 to 06:00.
pub fn is_night(hour: u8) -> bool {
    !(6..23).contains(&hour)
}

/// "their time 23:40 (UTC+01:00)".
pub fn their_time_label(now: SystemTime, offset: i32) -> String {
    let (h, m) = their_clock(now, offset);
    format!("their time {h:02}:{m:02} ({})", offset_label(offset))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn identities_name_their_device() {
        let cases = [
            ("client", "phone", DeviceKind::Phone),
            ("client", "pc", DeviceKind::Pc),
            ("client", "web", DeviceKind::Web),
            ("client", "bot", DeviceKind::Bot),
            ("client", "console", DeviceKind::Console),
            ("client", "handheld", DeviceKind::Handheld),
            ("client", "tablet", DeviceKind::Tablet),
            ("client", "sms", DeviceKind::Other),
            ("client", "other", DeviceKind::Other),
            ("gateway", "phone", DeviceKind::Other),
            ("automation", "bot", DeviceKind::Other),
        ];
        for (category, type_, kind) in cases {
            assert_eq!(DeviceKind::of_identity(category, type_), kind, "{type_}");
        }
    }

    #[test]
    fn the_client_identity_wins_in_any_order() {
        let a = [
            ("gateway", "irc", Some("Bridge")),
            ("client", "pc", Some("Gajim")),
        ];
        let b = [a[1], a[0]];
        for ids in [&a[..], &b[..]] {
            let client = client_of(ids);
            assert_eq!(
                client,
                Some(Client {
                    kind: DeviceKind::Pc,
                    name: Some("Gajim".into())
                })
            );
        }
        let two = [
            ("client", "pc", None),
            ("client", "phone", Some("Conversations")),
        ];
        assert_eq!(client_of(&two).map(|c| c.kind), Some(DeviceKind::Phone));
        let none = [("server", "im", Some("Prosody"))];
        assert_eq!(client_of(&none).map(|c| c.kind), Some(DeviceKind::Other));
        assert_eq!(client_of(&[]), None);
    }

    #[test]
    fn offsets_read_z_and_both_forms_and_refuse_the_rest() {
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("+00:00"), Some(0));
        assert_eq!(parse_offset("+01:00"), Some(3600));
        assert_eq!(parse_offset("-05:30"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_offset(" +0545 "), Some(5 * 3600 + 45 * 60));
        for bad in [
            "",
            "01:00",
            "+1:00",
            "+19:00",
            "+01:60",
            "UTC",
            "+01:00:00",
            "z",
        ] {
            assert_eq!(parse_offset(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn offset_labels_always_carry_a_sign_and_minutes() {
        assert_eq!(offset_label(0), "UTC+00:00");
        assert_eq!(offset_label(3600), "UTC+01:00");
        assert_eq!(offset_label(-(9 * 3600 + 30 * 60)), "UTC-09:30");
    }

    #[test]
    fn their_time_and_night() {
        // 2026-12-03 22:40 UTC.
        let now = UNIX_EPOCH + Duration::from_secs(1_796_335_200 + 40 * 60);
        assert_eq!(their_clock(now, 0), (22, 40));
        assert_eq!(their_clock(now, 3600), (23, 40));
        assert_eq!(their_clock(now, 9 * 3600), (7, 40), "past midnight");
        assert_eq!(their_clock(now, -23 * 3600), (23, 40), "a day back");
        assert_eq!(their_time_label(now, 3600), "their time 23:40 (UTC+01:00)");
        let nights: Vec<u8> = (0..24).filter(|h| is_night(*h)).collect();
        assert_eq!(nights, [0, 1, 2, 3, 4, 5, 23]);
    }
}
