//! Code pages: which characters a printer can print, and what the others become.
//!
//! The tables are escpos's own: a character is in a page when escpos writes it as one byte
//! of that page. Anything else is replaced before it reaches the printer: a letter by the same
//! letter without its accent, typographic quotes and dashes by plain ones, and what has no
//! sensible stand-in by `?`. Never the UTF-8 bytes a printer would print as garbage.

use std::collections::HashMap;
use std::sync::OnceLock;

use escpos::utils::PageCode;

/// The code pages Kasir offers: they cover Indonesian and English and the Latin letters of
/// names (PC858 and WPC1252 also have the euro sign).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePage {
    Pc437,
    Pc858,
    Wpc1252,
}

impl CodePage {
    pub const ALL: [CodePage; 3] = [CodePage::Pc437, CodePage::Pc858, CodePage::Wpc1252];

    /// The name stored and shown: `PC437`, `PC858`, `WPC1252`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePage::Pc437 => "PC437",
            CodePage::Pc858 => "PC858",
            CodePage::Wpc1252 => "WPC1252",
        }
    }

    pub fn parse(s: &str) -> Option<CodePage> {
        CodePage::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub(crate) fn escpos(self) -> PageCode {
        match self {
            CodePage::Pc437 => PageCode::PC437,
            CodePage::Pc858 => PageCode::PC858,
            CodePage::Wpc1252 => PageCode::WPC1252,
        }
    }

    /// The page's number in `ESC t n`.
    pub fn number(self) -> u8 {
        self.escpos().into()
    }

    /// Characters above ASCII this page prints, with their byte.
    pub(crate) fn table(self) -> &'static HashMap<char, u8> {
        static TABLES: OnceLock<[HashMap<char, u8>; 3]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| CodePage::ALL.map(build_table));
        &tables[CodePage::ALL.iter().position(|p| *p == self).unwrap_or(0)]
    }

    /// The character a byte above ASCII prints on this page.
    pub(crate) fn char_of(self, byte: u8) -> Option<char> {
        static REVERSE: OnceLock<[HashMap<u8, char>; 3]> = OnceLock::new();
        let reverse = REVERSE.get_or_init(|| {
            CodePage::ALL.map(|p| p.table().iter().map(|(c, b)| (*b, *c)).collect())
        });
        reverse[CodePage::ALL.iter().position(|p| *p == self).unwrap_or(0)]
            .get(&byte)
            .copied()
    }
}

/// Asks escpos for the byte of each character that might be in the page: one byte above
/// ASCII means the page has it.
fn build_table(page: CodePage) -> HashMap<char, u8> {
    let candidates = ('\u{A0}'..='\u{17F}')
        .chain("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ₧░▒▓│┤┐└┴┬├─┼┘┌█▄▌▐▀αΓπΣσµτΦΘΩδ∞φε∩≡≥≤⌠⌡≈∙√ⁿ■".chars());
    let mut table = HashMap::new();
    for c in candidates {
        if let Ok(bytes) = crate::encode::page_bytes(page, &c.to_string())
            && let [b] = bytes[..]
            && b >= 0x80
        {
            table.insert(c, b);
        }
    }
    table
}

/// `text` as bytes of `page`, after [`fit`]. ASCII is written as itself: escpos's tables map
/// some ASCII to other bytes (PC858's `-` to its soft hyphen), which no printer needs.
pub(crate) fn to_bytes(text: &str, page: CodePage) -> Vec<u8> {
    let table = page.table();
    fit(text, page)
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c as u8
            } else {
                table.get(&c).copied().unwrap_or(b'?')
            }
        })
        .collect()
}

/// `text` with every character printable on `page`: ASCII and the page's own characters stay,
/// others become their nearest stand-in (`ş` → `s`, `“` → `"`, `—` → `-`, `…` → `...`) or `?`;
/// control characters and zero-width marks are dropped, other spaces become spaces.
pub fn fit(text: &str, page: CodePage) -> String {
    let table = page.table();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            if !c.is_ascii_control() {
                out.push(c);
            } else if c == '\t' {
                out.push(' ');
            }
        } else if c.is_whitespace() {
            // No-break and other spaces: a plain space prints the same on paper.
            out.push(' ');
        } else if table.contains_key(&c) {
            out.push(c);
        } else if let Some(s) = stand_in(c) {
            // A stand-in is ASCII or a letter the page may have; check again.
            for d in s.chars() {
                if d.is_ascii() || table.contains_key(&d) {
                    out.push(d);
                } else {
                    out.push('?');
                }
            }
        } else if is_invisible(c) {
        } else {
            out.push('?');
        }
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}')
        || c.is_control()
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

fn stand_in(c: char) -> Option<&'static str> {
    Some(match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'Ď' | 'Đ' | 'Ð' => "D",
        'ď' | 'đ' | 'ð' => "d",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'Ğ' | 'Ģ' => "G",
        'ğ' | 'ģ' => "g",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' | 'Į' => "I",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'į' => "i",
        'Ł' | 'Ľ' | 'Ĺ' => "L",
        'ł' | 'ľ' | 'ĺ' => "l",
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ř' | 'Ŕ' => "R",
        'ř' | 'ŕ' => "r",
        'Š' | 'Ś' | 'Ş' | 'Ș' => "S",
        'š' | 'ś' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ť' | 'ţ' | 'ț' => "t",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' | 'ÿ' => "y",
        'Ž' | 'Ź' | 'Ż' => "Z",
        'ž' | 'ź' | 'ż' => "z",
        'Æ' => "AE",
        'æ' => "ae",
        'Œ' => "OE",
        'œ' => "oe",
        '‘' | '’' | '‚' | '′' | '`' | '´' => "'",
        '“' | '”' | '„' | '″' | '«' | '»' => "\"",
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => "-",
        '…' => "...",
        '•' | '·' | '∙' => "*",
        '×' => "x",
        '÷' => "/",
        '€' => "EUR",
        '£' => "GBP",
        '¥' => "JPY",
        '¢' => "c",
        '™' => "TM",
        '©' => "(c)",
        '®' => "(R)",
        '°' => "o",
        '½' => "1/2",
        '¼' => "1/4",
        '¾' => "3/4",
        '№' => "No",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_knows_its_letters() {
        for page in CodePage::ALL {
            let t = page.table();
            for c in ['é', 'ü', 'ñ', 'Ä', '£'] {
                assert!(t.contains_key(&c), "{} lacks {c}", page.as_str());
            }
            // Every byte maps back to its character.
            for (c, b) in t {
                assert_eq!(page.char_of(*b), Some(*c));
            }
        }
        assert!(!CodePage::Pc437.table().contains_key(&'€'));
        assert!(CodePage::Pc858.table().contains_key(&'€'));
        assert!(CodePage::Wpc1252.table().contains_key(&'€'));
        assert_eq!(CodePage::parse("PC858"), Some(CodePage::Pc858));
        assert_eq!(CodePage::parse("UTF-8"), None);
    }

    #[test]
    fn what_a_page_cannot_print_is_replaced_sensibly() {
        let cases = [
            (CodePage::Pc437, "Kopi Susu", "Kopi Susu"),
            (CodePage::Pc437, "Crème brûlée", "Crème brûlée"),
            (CodePage::Pc437, "Tiramisù €5", "Tiramisù EUR5"),
            (CodePage::Pc858, "Tiramisù €5", "Tiramisù €5"),
            (
                CodePage::Pc437,
                "“Spesial” — pedas…",
                "\"Spesial\" - pedas...",
            ),
            (CodePage::Pc858, "Şiş kebap", "Sis kebap"),
            (CodePage::Wpc1252, "Łódź", "Lódz"),
            (CodePage::Pc437, "Es teh 🍵 manis", "Es teh ? manis"),
            (CodePage::Pc437, "美味しい", "????"),
            (
                CodePage::Pc437,
                "tab\there\u{200B}\u{7}\u{00A0}x",
                "tab here x",
            ),
            (CodePage::Pc437, "e\u{301}", "e"),
        ];
        for (page, input, want) in cases {
            assert_eq!(fit(input, page), want, "{} {input:?}", page.as_str());
        }
    }
}
