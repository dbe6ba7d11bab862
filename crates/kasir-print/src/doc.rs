//! Documents: what is printed, laid out already. A document's lines are exactly the text the
//! paper shows (the core wraps and aligns them to [`Paper::columns`], halved for large type),
//! so the screen, a saved file and the printer all read the same.

/// The paper's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    Mm58,
    Mm80,
}

impl Paper {
    /// Characters per line at normal size (font A, 12 dots wide at 203 dpi).
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    /// Printable dots per line: the widest picture.
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }

    /// `58` or `80`.
    pub fn millimetres(self) -> u32 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }

    pub fn from_millimetres(mm: u32) -> Option<Paper> {
        match mm {
            58 => Some(Paper::Mm58),
            80 => Some(Paper::Mm80),
            _ => None,
        }
    }
}

/// Type size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Size {
    #[default]
    Normal,
    /// Double height, same width: a line keeps its columns (the shop's name, the total).
    Tall,
    /// Double width and height: half the columns (kitchen tickets, read from a metre away).
    Large,
}

/// How a line is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub bold: bool,
    pub size: Size,
}

/// Which connector of the printer drives the drawer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawerPin {
    Pin2,
    Pin5,
}

/// The drawer's kick: the pin and how long the pulse is on and then off. Drawers need the
/// timing (ESC p m t1 t2); without it some never open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pulse {
    pub pin: DrawerPin,
    /// Milliseconds, rounded down to the printer's 2 ms unit, at most 510.
    pub on_ms: u16,
    pub off_ms: u16,
}

impl Default for Pulse {
    /// 50 ms on, 500 ms off on pin 2: what most drawers sold with thermal printers expect.
    fn default() -> Self {
        Pulse {
            pin: DrawerPin::Pin2,
            on_ms: 50,
            off_ms: 500,
        }
    }
}

/// A black and white picture, one bit per dot, rows of `width / 8` bytes, most significant
/// bit first, 1 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

impl Raster {
    /// Turns grey pixels (`width * height` bytes, 0 black, 255 white) into dots, scaled down
    /// to at most `max_width` dots (a multiple of 8) and dithered (Floyd–Steinberg), so a logo
    /// keeps its shading on a printer that only knows black. `None` when the sizes disagree
    /// or the picture is taller than a printer takes in one command (65,535 dots).
    pub fn from_grey(width: u32, height: u32, pixels: &[u8], max_width: u32) -> Option<Raster> {
        if width == 0 || height == 0 || pixels.len() != (width as usize) * (height as usize) {
            return None;
        }
        let max_width = max_width.min(65_535 * 8);
        let max_width = (max_width / 8 * 8).max(8);
        let (w, h) = if width > max_width {
            let h = ((u64::from(height) * u64::from(max_width)) / u64::from(width)).max(1);
            (max_width, h as u32)
        } else {
            (width, height)
        };
        if h > 65_535 {
            return None;
        }
        // Nearest neighbour is enough for a small logo; the dithering does the rest.
        let mut grey: Vec<f32> = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            let sy = (u64::from(y) * u64::from(height) / u64::from(h)) as usize;
            for x in 0..w {
                let sx = (u64::from(x) * u64::from(width) / u64::from(w)) as usize;
                grey.push(f32::from(pixels[sy * width as usize + sx]));
            }
        }
        let row_bytes = w.div_ceil(8) as usize;
        let mut bits = vec![0u8; row_bytes * h as usize];
        let (wu, hu) = (w as usize, h as usize);
        for y in 0..hu {
            for x in 0..wu {
                let old = grey[y * wu + x];
                let black = old < 128.0;
                let new = if black { 0.0 } else { 255.0 };
                if black {
                    bits[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
                }
                let err = old - new;
                let mut spread = |dx: isize, dy: usize, share: f32| {
                    let nx = x as isize + dx;
                    if nx >= 0 && (nx as usize) < wu && y + dy < hu {
                        grey[(y + dy) * wu + nx as usize] += err * share;
                    }
                };
                spread(1, 0, 7.0 / 16.0);
                spread(-1, 1, 3.0 / 16.0);
                spread(0, 1, 5.0 / 16.0);
                spread(1, 1, 1.0 / 16.0);
            }
        }
        Some(Raster {
            width: (row_bytes * 8) as u32,
            height: h,
            bits,
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The packed rows, `width / 8` bytes each.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }
}

/// One part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One line of text, laid out already (alignment is spaces).
    Line { text: String, style: Style },
    /// A QR code, centred (a receipt's number, for the refund screen's scanner).
    Qr(String),
    /// A picture, centred (the shop's logo).
    Image(Raster),
    /// Blank lines.
    Feed(u8),
    /// The paper is cut here.
    Cut,
    /// The cash drawer opens.
    Drawer(Pulse),
}

/// A document: what one print job prints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }

    /// Adds a line at normal size.
    pub fn line(&mut self, text: impl Into<String>) -> &mut Doc {
        self.styled(text, Style::default())
    }

    /// Adds a line with a style.
    pub fn styled(&mut self, text: impl Into<String>, style: Style) -> &mut Doc {
        self.blocks.push(Block::Line {
            text: text.into(),
            style,
        });
        self
    }

    pub fn push(&mut self, block: Block) -> &mut Doc {
        self.blocks.push(block);
        self
    }

    /// The document as text: its lines, one per row, ending with a newline. Codes, pictures,
    /// cuts and pulses are not text and are left out.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            if let Block::Line { text, .. } = block {
                out.push_str(text);
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_scaled_to_the_paper_and_dithered() {
        // A 1000 x 10 grey ramp becomes 384 dots wide, rows padded to whole bytes.
        let pixels: Vec<u8> = (0..10)
            .flat_map(|_| (0..1000).map(|x| (x * 255 / 999) as u8))
            .collect();
        let r = Raster::from_grey(1000, 10, &pixels, 384).unwrap();
        assert_eq!((r.width(), r.height()), (384, 3));
        assert_eq!(r.bits().len(), 48 * 3);
        // Dark on the left, light on the right.
        let row = &r.bits()[..48];
        let left: u32 = row[..8].iter().map(|b| b.count_ones()).sum();
        let right: u32 = row[40..].iter().map(|b| b.count_ones()).sum();
        assert!(left > 50 && right < 14, "left {left} right {right}");
        // A picture smaller than the paper keeps its size, rounded up to whole bytes.
        let small = Raster::from_grey(10, 2, &[0; 20], 384).unwrap();
        assert_eq!((small.width(), small.height()), (16, 2));
        assert_eq!(small.bits(), &[0xFF, 0xC0, 0xFF, 0xC0]);
        // Sizes that disagree are refused.
        assert!(Raster::from_grey(10, 2, &[0; 19], 384).is_none());
        assert!(Raster::from_grey(0, 2, &[], 384).is_none());
    }

    #[test]
    fn plain_text_is_the_lines() {
        let mut d = Doc::new();
        d.line("Kopi")
            .push(Block::Qr("T01-000001".into()))
            .push(Block::Cut);
        d.styled(
            "TOTAL",
            Style {
                bold: true,
                size: Size::Tall,
            },
        );
        assert_eq!(d.plain_text(), "Kopi\nTOTAL\n");
        assert_eq!(Paper::Mm58.columns(), 32);
        assert_eq!(Paper::from_millimetres(80), Some(Paper::Mm80));
        assert_eq!(Paper::from_millimetres(76), None);
    }
}
