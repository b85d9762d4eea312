//! The arguments of the room commands.

use super::{split_word, SlashCommand};

/// `/join room@service[/nick] [password]`.
pub fn join(rest: &str) -> Result<SlashCommand, String> {
    const USAGE: &str = "usage: /join <room@service>[/nick] [password]";
    let (room, password) = split_word(rest);
    if room.is_empty() {
        return Err(USAGE.into());
    }
    let room = jid::Jid::new(room)
        .ok()
        .filter(|j| j.node().is_some())
        .ok_or_else(|| {
            format!("/join: {room:?} is not a room address, like room@conference.example.org")
        })?;
    Ok(SlashCommand::Join {
        room,
        password: (!password.is_empty()).then(|| password.to_owned()),
    })
}

/// `/unbookmark [room@service]`.
pub fn unbookmark(rest: &str) -> Result<SlashCommand, String> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Ok(SlashCommand::Unbookmark(None));
    }
    jid::BareJid::new(rest)
        .ok()
        .filter(|j| j.node().is_some())
        .map(|j| SlashCommand::Unbookmark(Some(j)))
        .ok_or_else(|| {
            format!("/unbookmark: {rest:?} is not a room address, like room@conference.example.org")
        })
}

#[cfg(test)]
mod tests {
    use super::super::{parse, SlashCommand};

    #[test]
    fn join_takes_a_room_an_optional_nick_and_password() {
        let Ok(SlashCommand::Join { room, password }) = parse("/join dev@conf.example/ally s3c")
        else {
            panic!("not a join");
        };
        assert_eq!(room.to_string(), "dev@conf.example/ally");
        assert_eq!(password.as_deref(), Some("s3c"));
        let Ok(SlashCommand::Join { room, password }) = parse("/join dev@conf.example") else {
            panic!("not a join");
        };
        assert!(room.resource().is_none());
        assert_eq!(password, None);
    }

    #[test]
    fn join_refuses_what_is_not_a_room() {
        for bad in ["/join", "/join conf.example", "/join a@b@c"] {
            let err = parse(bad).err().unwrap_or_default();
            assert!(
                err.contains("/join") || err.contains("usage"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn leave_topic_and_bookmarks_parse() {
        assert_eq!(
            parse("/leave bye all"),
            Ok(SlashCommand::Leave(Some("bye all".into())))
        );
        assert_eq!(parse("/part"), Ok(SlashCommand::Leave(None)));
        assert_eq!(parse("/topic"), Ok(SlashCommand::Topic(None)));
        assert_eq!(parse("/bookmarks"), Ok(SlashCommand::Bookmarks));
        assert!(parse("/unbookmark nope").is_err());
        assert!(matches!(
            parse("/unbookmark r@c"),
            Ok(SlashCommand::Unbookmark(Some(_)))
        ));
    }
}
