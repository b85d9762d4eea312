//! `/raw`: one stanza typed by the user, checked before it is sent. It must be a single
//! `<message>`, `<presence>` or `<iq>` that xmpp-parsers reads; the stream's namespace
//! (`jabber:client`) is added when the text does not say it.

use xmpp_parsers::stanza::Stanza;

const CLIENT_NS: &str = "jabber:client";

/// The stanza kind XML text starts with: `presence`, `message` or `iq`.
pub fn stanza_name(xml: &str) -> Option<&'static str> {
    let name = xml
        .trim_start()
        .strip_prefix('<')?
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()?;
    ["presence", "message", "iq"]
        .into_iter()
        .find(|n| *n == name)
}

/// The stanza in `text`, or one sentence saying why it is not one.
pub fn parse(text: &str) -> Result<Stanza, String> {
    let text = text.trim();
    let Some(name) = stanza_name(text) else {
        return Err("/raw sends one <message>, <presence> or <iq>.".into());
    };
    let head_end = text.find('>').unwrap_or(text.len());
    let with_ns = if text[..head_end].contains("xmlns=") {
        text.to_owned()
    } else {
        let at = 1 + name.len();
        format!("{} xmlns='{CLIENT_NS}'{}", &text[..at], &text[at..])
    };
    xso::from_bytes::<Stanza>(with_ns.as_bytes()).map_err(|e| {
        crate::sanitize::sanitize(&format!("That is not a stanza rosterm can send: {e}."), 300)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_parse_with_or_without_the_namespace_and_the_rest_is_refused() {
        assert!(matches!(
            parse("<message to='bob@x' type='chat'><body>hi</body></message>"),
            Ok(Stanza::Message(_))
        ));
        assert!(matches!(parse(" <presence/> "), Ok(Stanza::Presence(_))));
        assert!(matches!(
            parse("<iq type='get' id='v1' to='x'><query xmlns='jabber:iq:version'/></iq>"),
            Ok(Stanza::Iq(_))
        ));
        for bad in [
            "",
            "hello",
            "<stream:stream>",
            "<message><body>unclosed",
            "<presence type='bogus'/>",
            "<iq type='get' id='1'/>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
