//! ESC/POS bytes back into readable text: every command Kasir sends becomes a bracketed
//! token, text comes back as the characters the code page prints, and any byte nobody
//! expected shows as `<hex>`. The output accounts for every byte, so a snapshot of it pins
//! the exact bytes.

use crate::CodePage;

/// One command or run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Init,
    CodePage(u8),
    Bold(bool),
    /// Width and height multipliers.
    Size(u8, u8),
    /// 0 left, 1 centre, 2 right.
    Justify(u8),
    Feed(u8),
    LineFeed,
    Cut {
        partial: bool,
    },
    Drawer {
        pin: u8,
        on_ms: u16,
        off_ms: u16,
    },
    /// A QR code's settings and text (model, size and level come as their own commands).
    QrModel(u8),
    QrSize(u8),
    QrLevel(u8),
    QrData(Vec<u8>),
    QrPrint,
    Raster {
        width: u32,
        height: u32,
        bits: Vec<u8>,
    },
    /// `DLE EOT n`: the printer is asked for its status.
    StatusQuery(u8),
    /// Bytes of text (code page characters).
    Text(Vec<u8>),
    /// A byte that is none of the above.
    Unknown(u8),
}

/// What `bytes` starts with: a token and its length, or `None` when the bytes end part way
/// through a command (the rest has not arrived yet).
pub(crate) fn next(bytes: &[u8]) -> Option<(Token, usize)> {
    let b = *bytes.first()?;
    let at = |i: usize| bytes.get(i).copied();
    Some(match b {
        0x1B => match at(1)? {
            b'@' => (Token::Init, 2),
            b't' => (Token::CodePage(at(2)?), 3),
            b'E' => (Token::Bold(at(2)? & 1 == 1), 3),
            b'a' => (Token::Justify(at(2)?), 3),
            b'd' => (Token::Feed(at(2)?), 3),
            b'p' => (
                Token::Drawer {
                    pin: at(2)?,
                    on_ms: u16::from(at(3)?) * 2,
                    off_ms: u16::from(at(4)?) * 2,
                },
                5,
            ),
            _ => (Token::Unknown(b), 1),
        },
        0x1D => match at(1)? {
            b'!' => {
                let n = at(2)?;
                (Token::Size((n >> 4) + 1, (n & 0x0F) + 1), 3)
            }
            b'V' => match at(2)? {
                b'A' | b'B' => (
                    Token::Cut {
                        partial: at(3)? == 1,
                    },
                    4,
                ),
                0 | 48 => (Token::Cut { partial: false }, 3),
                1 | 49 => (Token::Cut { partial: true }, 3),
                _ => (Token::Unknown(b), 1),
            },
            b'v' if at(2)? == b'0' => {
                let xl = usize::from(at(4)?) | usize::from(at(5)?) << 8;
                let yl = usize::from(at(6)?) | usize::from(at(7)?) << 8;
                let len = 8 + xl * yl;
                if bytes.len() < len {
                    return None;
                }
                (
                    Token::Raster {
                        width: (xl * 8) as u32,
                        height: yl as u32,
                        bits: bytes[8..len].to_vec(),
                    },
                    len,
                )
            }
            b'(' if at(2)? == b'k' => {
                let len = usize::from(at(3)?) | usize::from(at(4)?) << 8;
                if bytes.len() < 5 + len {
                    return None;
                }
                let body = &bytes[5..5 + len];
                // cn = 49 (QR): fn 65 model, 67 size, 69 level, 80 store, 81 print.
                let token = match body {
                    [49, 65, n, 0] => Token::QrModel(*n),
                    [49, 67, n] => Token::QrSize(*n),
                    [49, 69, n] => Token::QrLevel(*n),
                    [49, 80, 48, data @ ..] => Token::QrData(data.to_vec()),
                    [49, 81, 48] => Token::QrPrint,
                    _ => return Some((Token::Unknown(b), 1)),
                };
                (token, 5 + len)
            }
            _ => (Token::Unknown(b), 1),
        },
        0x10 if at(1)? == 0x04 => (Token::StatusQuery(at(2)?), 3),
        b'\n' => (Token::LineFeed, 1),
        0x20..=0x7E | 0x80..=0xFF => {
            let len = bytes
                .iter()
                .take_while(|c| matches!(c, 0x20..=0x7E | 0x80..=0xFF))
                .count();
            (Token::Text(bytes[..len].to_vec()), len)
        }
        _ => (Token::Unknown(b), 1),
    })
}

/// The tokens of `bytes`, and how many bytes they used: bytes left over at the end are a
/// command still arriving.
pub fn tokens(bytes: &[u8]) -> (Vec<Token>, usize) {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((token, len)) = next(&bytes[at..]) {
        // Text split by a read boundary joins the text before it.
        if let (Token::Text(more), Some(Token::Text(text))) = (&token, out.last_mut()) {
            text.extend_from_slice(more);
        } else {
            out.push(token);
        }
        at += len;
    }
    (out, at)
}

/// `bytes` as readable text, every byte accounted for; text is read in `page`.
pub fn decode(bytes: &[u8], page: CodePage) -> String {
    let (tokens, used) = tokens(bytes);
    let mut out = String::new();
    for token in tokens {
        match token {
            Token::Init => out.push_str("[init]"),
            Token::CodePage(n) => {
                let name = CodePage::ALL
                    .into_iter()
                    .find(|p| p.number() == n)
                    .map_or("?", CodePage::as_str);
                out.push_str(&format!("[code page {n} {name}]"));
            }
            Token::Bold(on) => out.push_str(if on { "[bold]" } else { "[/bold]" }),
            Token::Size(w, h) => out.push_str(&format!("[size {w}x{h}]")),
            Token::Justify(n) => out.push_str(match n {
                0 => "[left]",
                1 => "[centre]",
                2 => "[right]",
                _ => "[justify ?]",
            }),
            Token::Feed(n) => out.push_str(&format!("[feed {n}]\n")),
            Token::LineFeed => out.push('\n'),
            Token::Cut { partial } => out.push_str(if partial {
                "[partial cut]\n"
            } else {
                "[cut]\n"
            }),
            Token::Drawer { pin, on_ms, off_ms } => out.push_str(&format!(
                "[drawer pin {} on {on_ms} ms off {off_ms} ms]\n",
                if pin == 0 { 2 } else { 5 }
            )),
            Token::QrModel(n) => out.push_str(&format!("[qr model {}]", n.wrapping_sub(48))),
            Token::QrSize(n) => out.push_str(&format!("[qr size {n}]")),
            Token::QrLevel(n) => out.push_str(&format!(
                "[qr level {}]",
                match n {
                    48 => "L",
                    49 => "M",
                    50 => "Q",
                    51 => "H",
                    _ => "?",
                }
            )),
            Token::QrData(data) => {
                out.push_str(&format!("[qr data {:?}]", String::from_utf8_lossy(&data)))
            }
            Token::QrPrint => out.push_str("[qr print]\n"),
            Token::Raster {
                width,
                height,
                bits,
            } => {
                let black: u32 = bits.iter().map(|b| b.count_ones()).sum();
                out.push_str(&format!("[picture {width}x{height}, {black} black dots]\n"));
            }
            Token::StatusQuery(n) => out.push_str(&format!("[status? {n}]")),
            Token::Text(bytes) => {
                for b in bytes {
                    match b {
                        0x20..=0x7E => out.push(char::from(b)),
                        _ => match page.char_of(b) {
                            Some(c) => out.push(c),
                            None => out.push_str(&format!("<{b:02x}>")),
                        },
                    }
                }
            }
            Token::Unknown(b) => out.push_str(&format!("<{b:02x}>")),
        }
    }
    for b in &bytes[used..] {
        out.push_str(&format!("<{b:02x}>"));
    }
    out
}
