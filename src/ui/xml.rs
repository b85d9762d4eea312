//! Serialized XML laid out for reading (the XML console's pretty mode): one element per
//! row, children indented by two spaces, an element holding only text kept on one row
//! (`<body>hi</body>`). It reads text, not a tree: the console's copy is already written
//! out, sanitized and perhaps cut, and a cut stanza is laid out as far as it goes.

/// A piece of the text: a tag (`<…>`, quotes respected) or the text between tags.
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Open(&'a str),
    Close(&'a str),
    /// `<x/>`, `<?…?>`, `<!…>`, or a tag cut short.
    Whole(&'a str),
    Text(&'a str),
}

fn tokens(xml: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        if !rest.starts_with('<') {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = rest[..end].trim();
            if !text.is_empty() {
                out.push(Token::Text(text));
            }
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest).unwrap_or(rest.len());
        let tag = &rest[..end];
        out.push(if tag.starts_with("</") {
            Token::Close(tag)
        } else if tag.ends_with("/>")
            || tag.starts_with("<?")
            || tag.starts_with("<!")
            || !tag.ends_with('>')
        {
            Token::Whole(tag)
        } else {
            Token::Open(tag)
        });
        rest = &rest[end..];
    }
    out
}

/// The byte after the `>` that ends the tag `s` starts with, outside quoted values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// `xml` as rows, each with its depth of nesting.
pub fn pretty(xml: &str) -> Vec<(usize, String)> {
    let tokens = tokens(xml);
    let mut rows = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match (&tokens[i], tokens.get(i + 1), tokens.get(i + 2)) {
            (Token::Open(o), Some(Token::Text(t)), Some(Token::Close(c))) => {
                rows.push((depth, format!("{o}{t}{c}")));
                i += 3;
            }
            (Token::Open(o), Some(Token::Close(c)), _) => {
                rows.push((depth, format!("{o}{c}")));
                i += 2;
            }
            (Token::Open(o), _, _) => {
                rows.push((depth, (*o).to_owned()));
                depth += 1;
                i += 1;
            }
            (Token::Close(c), _, _) => {
                depth = depth.saturating_sub(1);
                rows.push((depth, (*c).to_owned()));
                i += 1;
            }
            (Token::Whole(t) | Token::Text(t), _, _) => {
                rows.push((depth, (*t).to_owned()));
                i += 1;
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laid_out(xml: &str) -> Vec<String> {
        pretty(xml)
            .into_iter()
            .map(|(d, row)| format!("{}{row}", "  ".repeat(d)))
            .collect()
    }

    #[test]
    fn elements_are_indented_and_text_only_elements_stay_on_one_row() {
        let xml = "<message to='bob@x' type='chat'><body>a &gt; b</body><active xmlns='http://jabber.org/protocol/chatstates'/><x a='1 > 0'><y>t</y></x></message>";
        assert_eq!(
            laid_out(xml),
            [
                "<message to='bob@x' type='chat'>",
                "  <body>a &gt; b</body>",
                "  <active xmlns='http://jabber.org/protocol/chatstates'/>",
                "  <x a='1 > 0'>",
                "    <y>t</y>",
                "  </x>",
                "</message>",
            ]
        );
    }

    #[test]
    fn a_stanza_cut_short_or_unbalanced_is_laid_out_as_far_as_it_goes() {
        assert_eq!(
            laid_out("<iq><query><item jid='a@b'/><item jid='c…"),
            [
                "<iq>",
                "  <query>",
                "    <item jid='a@b'/>",
                "    <item jid='c…"
            ]
        );
        assert_eq!(laid_out("</x></y>text"), ["</x>", "</y>", "text"]);
        assert_eq!(laid_out("<a></a>"), ["<a></a>"]);
        assert!(pretty("").is_empty());
    }
}
