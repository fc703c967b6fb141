//! The typesetter: blocks of [`super::text`] onto A4 pages, through
//! krilla (fonts embedded as subsets with their ToUnicode maps, so the
//! text can be searched and copied). Words are shaped by rustybuzz with
//! the Debian fonts read at start; lines are broken by
//! [`super::layout::break_lines`] and justified by stretching the spaces;
//! pages get "Page n of m" once the count is known.

use std::sync::Arc;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::layout::{break_lines, is_rtl, justified_space, split_to_fit, visual_order, words};
use super::text::{Align, Block, Style};

const PAGE_W: f32 = 595.28; // A4, points
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 72.0;
const MARGIN_TOP: f32 = 68.0;
const MARGIN_BOTTOM: f32 = 76.0;
const MEASURE: f32 = PAGE_W - 2.0 * MARGIN_X;
const INDENT: f32 = 16.0;

/// One face: its bytes for the shaper, and krilla's handle for embedding.
pub struct Face {
    data: Arc<Vec<u8>>,
    font: Font,
}

impl Face {
    pub fn new(data: Vec<u8>) -> Option<Face> {
        let data = Arc::new(data);
        rustybuzz::Face::from_slice(&data, 0)?;
        let font = Font::new(data.clone().into(), 0)?;
        Some(Face { data, font })
    }
}

/// The faces a DPA is set in. The serif carries every letter of
/// es/fr/de/it (a unit test checks every character of every language's
/// texts in each face they are set in); the sans (also the headings' face) has Hebrew and Arabic
/// too, so a name in those scripts falls back to it.
pub struct Fonts {
    pub serif: Face,
    pub serif_bold: Face,
    pub sans_bold: Face,
    pub sans: Face,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FaceId {
    Serif,
    SerifBold,
    SansBold,
    Sans,
}

struct Shaper<'a> {
    fonts: &'a Fonts,
    faces: [rustybuzz::Face<'a>; 4],
}

/// A shaped word.
#[derive(Clone)]
struct Word {
    text: String,
    face: FaceId,
    size: f32,
    /// Glyph id, advance, x and y offsets: normalised to the em.
    glyphs: Vec<(u16, f32, f32, f32, std::ops::Range<usize>)>,
    width: f32,
    rtl: bool,
}

impl<'a> Shaper<'a> {
    fn new(fonts: &'a Fonts) -> Option<Shaper<'a>> {
        let f = |face: &'a Face| rustybuzz::Face::from_slice(&face.data, 0);
        Some(Shaper {
            fonts,
            faces: [
                f(&fonts.serif)?,
                f(&fonts.serif_bold)?,
                f(&fonts.sans_bold)?,
                f(&fonts.sans)?,
            ],
        })
    }

    fn face(&self, id: FaceId) -> &rustybuzz::Face<'a> {
        &self.faces[id as usize]
    }

    fn font(&self, id: FaceId) -> &Font {
        match id {
            FaceId::Serif => &self.fonts.serif.font,
            FaceId::SerifBold => &self.fonts.serif_bold.font,
            FaceId::SansBold => &self.fonts.sans_bold.font,
            FaceId::Sans => &self.fonts.sans.font,
        }
    }

    fn style(style: Style) -> (FaceId, f32) {
        match style {
            Style::Title => (FaceId::SansBold, 19.0),
            Style::Subtitle => (FaceId::Serif, 10.5),
            Style::Heading => (FaceId::SansBold, 11.5),
            Style::Body => (FaceId::Serif, 10.5),
            Style::Strong => (FaceId::SerifBold, 10.5),
            Style::Small => (FaceId::Serif, 8.5),
        }
    }

    fn covers(&self, id: FaceId, text: &str) -> bool {
        let face = self.face(id);
        text.chars()
            .all(|c| c.is_whitespace() || c.is_control() || face.glyph_index(c).is_some())
    }

    fn shape(&self, text: &str, style: Style) -> Word {
        let (mut id, size) = Self::style(style);
        if !self.covers(id, text) {
            id = FaceId::Sans; // letters the serif lacks (Hebrew, Arabic, …)
        }
        let face = self.face(id);
        let upem = face.units_per_em() as f32;
        let mut buf = rustybuzz::UnicodeBuffer::new();
        buf.push_str(text);
        buf.guess_segment_properties();
        let rtl = is_rtl(text);
        buf.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        let out = rustybuzz::shape(face, &[], buf);
        let infos = out.glyph_infos();
        let pos = out.glyph_positions();
        // Each glyph's text range: from its cluster to the next higher one.
        let mut clusters: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        clusters.sort_unstable();
        clusters.dedup();
        let range_of = |c: usize| {
            let end = clusters
                .iter()
                .find(|&&x| x > c)
                .copied()
                .unwrap_or(text.len());
            c..end
        };
        let mut width = 0.0;
        let glyphs = infos
            .iter()
            .zip(pos)
            .map(|(i, p)| {
                let adv = p.x_advance as f32 / upem;
                width += adv * size;
                (
                    i.glyph_id as u16,
                    adv,
                    p.x_offset as f32 / upem,
                    p.y_offset as f32 / upem,
                    range_of(i.cluster as usize),
                )
            })
            .collect();
        Word {
            text: text.to_string(),
            face: id,
            size,
            glyphs,
            width,
            rtl,
        }
    }

    fn space(&self, style: Style) -> f32 {
        let (id, size) = Self::style(style);
        let face = self.face(id);
        let adv = face
            .glyph_index(' ')
            .and_then(|g| face.glyph_hor_advance(g))
            .unwrap_or(0);
        adv as f32 / face.units_per_em() as f32 * size
    }

    /// A text's words (no-break spaces stay inside them), each cut to fit
    /// `measure`.
    fn words(&self, text: &str, style: Style, measure: f32) -> Vec<Word> {
        words(text)
            .flat_map(|w| split_to_fit(w, measure, |s| self.shape(s, style).width))
            .map(|w| self.shape(&w, style))
            .collect()
    }
}

/// One line placed on a page.
struct Line {
    y: f32,
    x: f32,
    words: Vec<Word>,
    /// Space after each word (the last's is unused).
    space: f32,
}

struct Rule {
    y: f32,
    x0: f32,
    x1: f32,
}

#[derive(Default)]
struct Page {
    lines: Vec<Line>,
    rules: Vec<Rule>,
}

struct Flow<'a> {
    shaper: &'a Shaper<'a>,
    pages: Vec<Page>,
    y: f32,
}

fn leading(style: Style) -> f32 {
    Shaper::style(style).1 * 1.38
}

impl Flow<'_> {
    fn bottom() -> f32 {
        PAGE_H - MARGIN_BOTTOM
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN_TOP;
    }

    fn room(&self) -> f32 {
        Self::bottom() - self.y
    }

    /// Lines of `text` broken for `measure`, each with its words and space.
    fn set(&self, text: &str, style: Style, align: Align, x0: f32, measure: f32) -> Vec<Line> {
        let words = self.shaper.words(text, style, measure);
        let space = self.shaper.space(style);
        let widths: Vec<f32> = words.iter().map(|w| w.width).collect();
        let ranges = break_lines(&widths, space, measure);
        let count = ranges.len();
        ranges
            .into_iter()
            .enumerate()
            .map(|(n, r)| {
                let mut line: Vec<Word> = words[r].to_vec();
                let order = visual_order(&line.iter().map(|w| w.rtl).collect::<Vec<_>>());
                line = order.into_iter().map(|i| line[i].clone()).collect();
                let boxes: f32 = line.iter().map(|w| w.width).sum();
                let gaps = line.len().saturating_sub(1);
                let natural = boxes + gaps as f32 * space;
                let last = n + 1 == count;
                let (x, space) = match align {
                    Align::Justify if !last => match justified_space(boxes, gaps, space, measure) {
                        Some(s) => (x0, s),
                        None => (x0, space),
                    },
                    Align::Center => (x0 + ((measure - natural) / 2.0).max(0.0), space),
                    _ => (x0, space),
                };
                Line {
                    y: 0.0,
                    x,
                    words: line,
                    space,
                }
            })
            .collect()
    }

    /// Puts lines below the last, breaking pages; where the first went.
    fn place(&mut self, mut lines: Vec<Line>, style: Style) -> Option<(usize, f32)> {
        let lead = leading(style);
        let count = lines.len();
        let mut first = None;
        for (i, mut line) in lines.drain(..).enumerate() {
            // No orphan: a paragraph's first line does not stand alone at
            // the foot of a page when more follow.
            let need = if i == 0 && count > 1 {
                2.0 * lead
            } else {
                lead
            };
            if self.room() < need {
                self.new_page();
            }
            self.y += lead;
            line.y = self.y - lead * 0.25;
            first.get_or_insert((self.pages.len() - 1, line.y));
            self.pages.last_mut().expect("a page").lines.push(line);
        }
        first
    }

    fn block(&mut self, b: &Block, next: Option<&Block>) {
        match b {
            Block::Gap(h) => {
                if self.room() > *h {
                    self.y += h;
                }
            }
            Block::Para { text, style, align } => {
                let lines = self.set(text, *style, *align, MARGIN_X, MEASURE);
                self.place(lines, *style);
                if matches!(style, Style::Title) {
                    self.y += 4.0;
                }
                if *align == Align::Justify {
                    self.y += 4.0;
                }
            }
            Block::Item(text) => {
                let lines = self.set(
                    text,
                    Style::Body,
                    Align::Justify,
                    MARGIN_X + INDENT,
                    MEASURE - INDENT,
                );
                if let Some((page, y)) = self.place(lines, Style::Body) {
                    // The bullet, in the hanging indent of the first line.
                    let bullet = self.shaper.shape("•", Style::Body);
                    self.pages[page].lines.push(Line {
                        y,
                        x: MARGIN_X + 5.0,
                        words: vec![bullet],
                        space: 0.0,
                    });
                }
                self.y += 2.0;
            }
            Block::Heading(text) => {
                let lines = self.set(text, Style::Heading, Align::Left, MARGIN_X, MEASURE);
                // Keep a heading with two lines of what follows.
                let after = match next {
                    Some(Block::Para { style, .. }) => 2.0 * leading(*style),
                    _ => 2.0 * leading(Style::Body),
                };
                let need = 8.0 + lines.len() as f32 * leading(Style::Heading) + after;
                if self.room() < need {
                    self.new_page();
                } else {
                    self.y += 8.0;
                }
                self.place(lines, Style::Heading);
                self.y += 2.0;
            }
            Block::Signatures {
                heading,
                columns,
                labels,
            } => {
                let gutter = 28.0;
                let col = (MEASURE - gutter) / 2.0;
                let mut set_cols: Vec<Vec<(Vec<Line>, Style)>> = Vec::new();
                for (i, column) in columns.iter().enumerate() {
                    let x = MARGIN_X + i as f32 * (col + gutter);
                    set_cols.push(
                        column
                            .iter()
                            .map(|(t, s)| (self.set(t, *s, Align::Left, x, col), *s))
                            .collect(),
                    );
                }
                let height = |c: &Vec<(Vec<Line>, Style)>| -> f32 {
                    c.iter().map(|(l, s)| l.len() as f32 * leading(*s)).sum()
                };
                let body = set_cols.iter().map(height).fold(0.0, f32::max);
                let label_h = labels.len() as f32 * 30.0;
                let need = 14.0 + leading(Style::Heading) + body + label_h + 10.0;
                if self.room() < need {
                    self.new_page();
                } else {
                    self.y += 14.0;
                }
                let head = self.set(heading, Style::Heading, Align::Left, MARGIN_X, MEASURE);
                self.place(head, Style::Heading);
                self.y += 6.0;
                let top = self.y;
                let mut bottom = top;
                for (i, c) in set_cols.into_iter().enumerate() {
                    self.y = top;
                    for (lines, style) in c {
                        self.place(lines, style);
                    }
                    let x = MARGIN_X + i as f32 * (col + gutter);
                    let mut y = top + body + 8.0;
                    for label in labels {
                        y += 30.0;
                        let page = self.pages.last_mut().expect("a page");
                        page.rules.push(Rule {
                            y: y - 12.0,
                            x0: x,
                            x1: x + col,
                        });
                        let mut l = self.set(label, Style::Small, Align::Left, x, col);
                        for line in &mut l {
                            line.y = y - 2.0;
                        }
                        self.pages.last_mut().expect("a page").lines.extend(l);
                    }
                    bottom = bottom.max(y);
                }
                self.y = bottom;
            }
        }
    }
}

/// What the document says about itself (the PDF's metadata).
pub struct Info<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub language: &'a str,
    pub date: (i32, u8, u8),
    /// "Page {n} of {m}".
    pub page_label: &'a str,
}

/// The PDF of `blocks`.
pub fn render(fonts: &Fonts, blocks: &[Block], info: &Info) -> Result<Vec<u8>, String> {
    let shaper = Shaper::new(fonts).ok_or("a font cannot be read")?;
    let mut flow = Flow {
        shaper: &shaper,
        pages: Vec::new(),
        y: 0.0,
    };
    flow.new_page();
    for (i, b) in blocks.iter().enumerate() {
        flow.block(b, blocks.get(i + 1));
    }
    let total = flow.pages.len();
    let mut doc = Document::new();
    let (y, m, d) = info.date;
    doc.set_metadata(
        Metadata::new()
            .title(info.title.to_string())
            .authors(vec![info.author.to_string()])
            .language(info.language.to_string())
            .creator("Postern".to_string())
            .creation_date(DateTime::new(y.clamp(0, 9999) as u16).month(m).day(d)),
    );
    for (n, page) in flow.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
        let mut p = doc.start_page_with(settings);
        let mut s = p.surface();
        for line in &page.lines {
            draw_line(&mut s, &shaper, line);
        }
        let label = super::text::fill(
            info.page_label,
            &[("n", &(n + 1).to_string()), ("m", &total.to_string())],
        );
        let foot = flow.set(&label, Style::Small, Align::Center, MARGIN_X, MEASURE);
        for mut line in foot {
            line.y = PAGE_H - MARGIN_BOTTOM / 2.0;
            draw_line(&mut s, &shaper, &line);
        }
        if !page.rules.is_empty() {
            s.set_stroke(Some(Stroke {
                width: 0.6,
                ..Default::default()
            }));
            for r in &page.rules {
                let mut pb = PathBuilder::new();
                pb.move_to(r.x0, r.y);
                pb.line_to(r.x1, r.y);
                if let Some(path) = pb.finish() {
                    s.draw_path(&path);
                }
            }
            s.set_stroke(None);
        }
        s.finish();
        p.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}

/// A line's words, one glyph run per run of words in the same face, the
/// spaces inside a run as stretched space glyphs (so extracted text has
/// its spaces where a reader sees them).
fn draw_line(s: &mut krilla::surface::Surface, shaper: &Shaper, line: &Line) {
    let words = &line.words;
    let mut x = line.x;
    let mut i = 0;
    while i < words.len() {
        let (face, size) = (words[i].face, words[i].size);
        let space_gid = shaper.face(face).glyph_index(' ').map(|g| g.0);
        let start_x = x;
        let mut text = String::new();
        let mut glyphs = Vec::new();
        let mut j = i;
        while j < words.len() && words[j].face == face && words[j].size == size {
            let w = &words[j];
            let base = text.len();
            text.push_str(&w.text);
            for (gid, adv, xo, yo, r) in &w.glyphs {
                glyphs.push(KrillaGlyph::new(
                    GlyphId::new(u32::from(*gid)),
                    *adv,
                    *xo,
                    -*yo,
                    0.0,
                    base + r.start..base + r.end,
                    None,
                ));
            }
            x += w.width;
            j += 1;
            if j < words.len() {
                x += line.space;
                let same = words[j].face == face && words[j].size == size;
                if let (true, Some(g)) = (same, space_gid) {
                    text.push(' ');
                    glyphs.push(KrillaGlyph::new(
                        GlyphId::new(u32::from(g)),
                        line.space / size,
                        0.0,
                        0.0,
                        0.0,
                        text.len() - 1..text.len(),
                        None,
                    ));
                }
            }
        }
        if !glyphs.is_empty() {
            s.draw_glyphs(
                Point::from_xy(start_x, line.y),
                &glyphs,
                shaper.font(face).clone(),
                &text,
                size,
                false,
            );
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::Lang;
    use super::*;

    /// Every string of a language's file (the TOML walked, so a key added
    /// later is checked too).
    fn strings(lang: Lang) -> Vec<String> {
        let table: toml::Value = toml::from_str(lang.source()).expect("parses");
        let mut out = Vec::new();
        super::super::text::walk(&table, &mut out);
        out
    }

    /// The characters of `text` that `face` has no glyph for.
    fn missing(face: &Face, text: &str) -> Vec<char> {
        let face = rustybuzz::Face::from_slice(&face.data, 0).expect("a font");
        let mut out: Vec<char> = text
            .chars()
            .filter(|&c| face.glyph_index(c).is_none())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn the_fonts_carry_every_character_of_every_language() {
        let fonts = super::super::load_fonts(std::path::Path::new(super::super::DEFAULT_FONT_DIR))
            .expect("fonts-dejavu-core");
        // The check itself finds what a face lacks.
        assert_eq!(missing(&fonts.serif, "aשb"), ['ש']);
        // Each text may be set in the body's serif, the parties' bold serif
        // or the headings' bold sans: every face must have every character,
        // with no fallback (no-break spaces and the bullet included).
        for lang in Lang::ALL {
            let all = strings(lang).concat() + "•";
            for (name, face) in [
                ("DejaVuSerif", &fonts.serif),
                ("DejaVuSerif-Bold", &fonts.serif_bold),
                ("DejaVuSans-Bold", &fonts.sans_bold),
            ] {
                let lacks = missing(face, &all);
                assert!(lacks.is_empty(), "{lang:?}: {name} lacks {lacks:?}");
            }
        }
    }
}
