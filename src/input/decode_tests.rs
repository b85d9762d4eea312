use super::*;

fn k(code: KeyCode) -> Input {
    key(code, KeyModifiers::NONE)
}

fn ch(c: char) -> Input {
    k(KeyCode::Char(c))
}

/// Feeds each chunk as one read; returns what came out, and the decoder.
fn feed(chunks: &[&[u8]]) -> (Vec<Input>, Decoder) {
    let mut d = Decoder::default();
    let mut out = Vec::new();
    for c in chunks {
        d.feed(c, &mut out);
    }
    (out, d)
}

/// Feeds, then lets the input go quiet.
fn feed_quiet(chunks: &[&[u8]]) -> Vec<Input> {
    let (mut out, mut d) = feed(chunks);
    d.flush(&mut out);
    out
}

#[test]
fn keys_decode_as_crossterm_does() {
    let ctrl = |c| key(KeyCode::Char(c), KeyModifiers::CONTROL);
    let cases: &[(&[u8], Input)] = &[
        (b"a", ch('a')),
        (b"G", key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        ("é".as_bytes(), ch('é')),
        ("日".as_bytes(), ch('日')),
        (b"\r", k(KeyCode::Enter)),
        (b"\t", k(KeyCode::Tab)),
        (b"\x7f", k(KeyCode::Backspace)),
        (b"\x03", ctrl('c')),
        (b"\x1a", ctrl('z')),
        (b"\n", ctrl('j')),
        (b"\x00", ctrl(' ')),
        (b"\x1b[A", k(KeyCode::Up)),
        (b"\x1bOB", k(KeyCode::Down)),
        (b"\x1b[1;5C", key(KeyCode::Right, KeyModifiers::CONTROL)),
        (b"\x1b[H", k(KeyCode::Home)),
        (b"\x1b[4~", k(KeyCode::End)),
        (b"\x1b[5~", k(KeyCode::PageUp)),
        (b"\x1b[6~", k(KeyCode::PageDown)),
        (b"\x1b[3;2~", key(KeyCode::Delete, KeyModifiers::SHIFT)),
        (b"\x1b[15~", k(KeyCode::F(5))),
        (b"\x1bOP", k(KeyCode::F(1))),
        (b"\x1b[Z", key(KeyCode::BackTab, KeyModifiers::SHIFT)),
        (b"\x1bx", key(KeyCode::Char('x'), KeyModifiers::ALT)),
    ];
    for (bytes, want) in cases {
        let (out, d) = feed(&[bytes]);
        assert_eq!(out, vec![want.clone()], "{bytes:?}");
        assert_eq!(d.wait(), None, "{bytes:?} left something held");
    }
}

#[test]
fn sequences_and_characters_cut_between_reads_are_joined() {
    let (out, _) = feed(&[b"ab\x1b[1;", b"5A\xe6\x97", b"\xa5c"]);
    assert_eq!(
        out,
        vec![
            ch('a'),
            ch('b'),
            key(KeyCode::Up, KeyModifiers::CONTROL),
            ch('日'),
            ch('c')
        ]
    );
}

#[test]
fn an_escape_read_alone_is_the_escape_key_at_once() {
    let (out, d) = feed(&[b"\x1b"]);
    assert_eq!(out, vec![k(KeyCode::Esc)]);
    assert_eq!(d.wait(), None);
    // Esc then q, quickly but in two reads: not Alt-q.
    let (out, _) = feed(&[b"\x1b", b"q"]);
    assert_eq!(out, vec![k(KeyCode::Esc), ch('q')]);
    // Pressed twice: two Escapes (crossterm made one of ESC ESC).
    let (out, _) = feed(&[b"\x1b\x1b"]);
    assert_eq!(out.len(), 1);
    assert_eq!(feed_quiet(&[b"\x1b\x1b"]), vec![k(KeyCode::Esc); 2]);
}

/// The lost Escape: a burst whose last read ends with ESC (crossterm waited for the next
/// byte, forever). Here it waits [`ESC_WAIT`] for the rest of a cut sequence, then is Escape.
#[test]
fn an_escape_ending_a_burst_is_kept_and_becomes_escape_when_input_is_quiet() {
    let burst = [b"x".repeat(1023), b"\x1b".to_vec()].concat();
    let (out, mut d) = feed(&[&burst]);
    assert_eq!(out.len(), 1023);
    assert_eq!(d.wait(), Some(ESC_WAIT));
    let mut rest = Vec::new();
    d.flush(&mut rest);
    assert_eq!(rest, vec![k(KeyCode::Esc)]);
    assert_eq!(d.wait(), None);
    // The rest of a cut sequence in the next read: one key, not Escape + text.
    let (out, _) = feed(&[&burst, b"[B"]);
    assert_eq!(out.last(), Some(&k(KeyCode::Down)));
    assert_eq!(out.len(), 1024);
}

#[test]
fn a_paste_is_one_input_even_across_reads() {
    let out = feed_quiet(&[b"\x1b[200~hello\x1b[20", b"1~x"]);
    assert_eq!(out, vec![Input::Paste("hello".into()), ch('x')]);
    let (out, d) = feed(&[b"\x1b[200~two\rlines\x1b", b"[201~"]);
    assert!(out.is_empty(), "held until the paste is known complete");
    assert_eq!(d.wait(), Some(PASTE_QUIET));
}

/// A pasted text carrying its own end marker, from a terminal that does not strip it: the
/// keys after the inner marker are pasted text, not `/quit` + Enter.
#[test]
fn an_end_marker_inside_a_paste_does_not_end_it() {
    let paste = b"\x1b[200~innocent\x1b[201~/quit\r\x1b[201~";
    let out = feed_quiet(&[paste]);
    assert_eq!(out, vec![Input::Paste("innocent/quit\r".into())]);
    // The same cut at every byte. Cut right after the first ESC, that ESC alone is taken
    // for the Escape key, and the paste is still a paste.
    for cut in 1..paste.len() {
        let mut out = feed_quiet(&[&paste[..cut], &paste[cut..]]);
        if cut == 1 {
            assert_eq!(out.remove(0), k(KeyCode::Esc));
        }
        assert_eq!(
            out,
            vec![Input::Paste("innocent/quit\r".into())],
            "cut at {cut}"
        );
    }
    // Several inner markers.
    let out = feed_quiet(&[b"\x1b[200~a\x1b[201~q\x1b[201~d\r\x1b[201~"]);
    assert_eq!(out, vec![Input::Paste("aqd\r".into())]);
}

#[test]
fn keys_after_a_paste_are_keys_once_input_is_quiet_and_a_new_paste_ends_the_first() {
    let out = feed_quiet(&[b"\x1b[200~a\x1b[201~", b"q"]);
    assert_eq!(out, vec![Input::Paste("a".into()), ch('q')]);
    let out = feed_quiet(&[b"\x1b[200~a\x1b[201~x\x1b[200~b\x1b[201~"]);
    assert_eq!(
        out,
        vec![Input::Paste("a".into()), ch('x'), Input::Paste("b".into())]
    );
}

#[test]
fn a_stray_end_marker_and_junk_sequences_are_dropped() {
    let out = feed_quiet(&[b"\x1b[201~a\x1b[99~b\x1b[?1;2cc"]);
    assert_eq!(out, vec![ch('a'), ch('b'), ch('c')]);
}

#[test]
fn a_huge_paste_is_capped_and_never_keys() {
    let mut bytes = b"\x1b[200~".to_vec();
    bytes.extend(std::iter::repeat_n(b'q', MAX_PASTE + 10));
    bytes.extend_from_slice(b"\x1b[201~");
    let out = feed_quiet(&[&bytes]);
    assert_eq!(out.len(), 1);
    assert!(matches!(&out[0], Input::Paste(t) if t.len() == MAX_PASTE));
}

#[test]
fn arbitrary_bytes_never_panic_and_never_hold_forever_outside_a_paste() {
    let mut seed = 7u64;
    for _ in 0..2000 {
        let mut bytes = Vec::new();
        for _ in 0..(seed % 40) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = [
                0x1b, b'[', b'O', b'2', b'0', b'1', b'~', b';', 0xe6, 0x97, b'a', 0xff,
            ];
            bytes.push(pick[(seed >> 33) as usize % pick.len()]);
        }
        let (mut out, mut d) = feed(&[&bytes]);
        d.flush(&mut out);
        if !matches!(d.state, State::Paste(_)) {
            assert_eq!(d.wait(), None, "{bytes:?}");
        }
    }
}
