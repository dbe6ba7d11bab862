//! The menu as a spreadsheet: export every product to CSV, and import one back (a preview
//! that changes nothing, then the good rows in one transaction).
//!
//! **Invariants**: exporting and importing the same file changes nothing (products are
//! matched by id, then by barcode; an unchanged row writes nothing; modifier groups and
//! options are matched by name, so their ids stay). No cell is written so that a spreadsheet
//! would run it as a formula: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return gets a leading `'`, which the import takes off again. Parsing, the slow pure part,
//! runs before the writer's lock is taken, and rows are written in chunks of short
//! transactions, so the till keeps selling during a large import.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::modifiers::check_groups;
use super::{
    Catalog, CategoryDraft, CategoryId, ModifierGroupDraft, ModifierOptionDraft, Product,
    ProductDraft, ProductId, clean_draft, create_product_in, load_product, save_category_in,
    set_modifier_groups_in, update_product_in,
};
use crate::access::{Actor, Ctx, Permission};
use crate::{Error, Expected, Field, Result, Rule, audit, settings};

/// The columns, in the order an export writes them. An import needs `name`, `category` and
/// `price`; the others may be left out (a new product then gets the defaults).
pub const CSV_COLUMNS: [&str; 14] = [
    "id",
    "category",
    "name",
    "description",
    "price",
    "barcode",
    "active",
    "featured",
    "track_stock",
    "stock",
    "low_stock_warning",
    "low_stock_critical",
    "tags",
    "modifiers",
];
const REQUIRED: [&str; 3] = ["category", "name", "price"];

/// The largest file an import reads.
pub const MAX_CSV_BYTES: usize = 32 << 20;
/// The most rows one import takes.
pub const MAX_CSV_ROWS: usize = 200_000;

/// One problem with one row: its line in the file (the header is line 1), the column, and
/// the rule it broke. The row is left out; the others still import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowProblem {
    pub line: u32,
    pub field: Field,
    pub rule: Rule,
}

/// What an import would do (a preview) or did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    /// Rows read, header not counted.
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Categories that did not exist and are (or would be) made.
    pub new_categories: Vec<String>,
    /// Rows left out, with why; at most [`MAX_PROBLEMS`] are listed (`problem_rows` counts all).
    pub problems: Vec<RowProblem>,
    pub problem_rows: u32,
}

/// The most problems a report lists.
pub const MAX_PROBLEMS: usize = 500;

/// A row as read, checked on its own (before the database is asked anything).
#[derive(Debug, Clone)]
struct Row {
    line: u32,
    id: Option<ProductId>,
    category: String,
    /// The row as a new product (defaults for the columns the file leaves out).
    draft: ProductDraft,
    stock: Option<i64>,
    /// Which of [`CSV_COLUMNS`] the file has (bit `i` for column `i`): an update changes only
    /// those, so a price list of three columns leaves stock, barcodes and the rest alone.
    present: u16,
    /// `None`: the file has no modifiers column (groups are left as they are).
    groups: Option<Vec<GroupSpec>>,
}

impl Row {
    fn has(&self, column: &str) -> bool {
        CSV_COLUMNS
            .iter()
            .position(|c| *c == column)
            .is_some_and(|i| self.present & (1 << i) != 0)
    }

    /// The row applied to `p`: the columns the file has, `p`'s values for the others. Stock
    /// is a count and counts belong to stock counts: an import leaves an existing product's
    /// count alone, and gives a starting count only to one it starts counting.
    fn over(&self, p: &Product, category: CategoryId) -> ProductDraft {
        let d = &self.draft;
        let track_stock = if self.has("track_stock") {
            d.track_stock
        } else if self.has("stock") && self.stock.is_some() && p.stock.is_none() {
            true
        } else {
            p.stock.is_some()
        };
        ProductDraft {
            category_id: category,
            name: d.name.clone(),
            description: if self.has("description") {
                d.description.clone()
            } else {
                p.description.clone()
            },
            price: d.price,
            track_stock,
            initial_stock: if p.stock.is_none() {
                self.stock.unwrap_or(0)
            } else {
                0
            },
            low_stock_warning: if self.has("low_stock_warning") {
                d.low_stock_warning
            } else {
                p.low_stock_warning
            },
            low_stock_critical: if self.has("low_stock_critical") {
                d.low_stock_critical
            } else {
                p.low_stock_critical
            },
            active: if self.has("active") {
                d.active
            } else {
                p.active
            },
            barcode: if self.has("barcode") {
                d.barcode.clone()
            } else {
                p.barcode.clone()
            },
            featured: if self.has("featured") {
                d.featured
            } else {
                p.featured
            },
            tags: if self.has("tags") {
                d.tags.clone()
            } else {
                p.tags.clone()
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct GroupSpec {
    name: String,
    min: u32,
    max: u32,
    options: Vec<(String, i64)>,
}

/// The field separator a spreadsheet in the shop's locale expects: `;` where the decimal
/// separator is a comma (Indonesian, most of Europe), `,` otherwise.
pub fn separator_for(locale: &str) -> u8 {
    let lang = locale
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match lang.as_str() {
        "id" | "de" | "fr" | "es" | "it" | "nl" | "pt" | "ru" | "tr" | "pl" | "vi" => b';',
        _ => b',',
    }
}

/// The decimal separator used for amounts in the file, by the same rule.
fn decimal_for(separator: u8) -> char {
    if separator == b';' { ',' } else { '.' }
}

/// A cell's text, made safe for spreadsheets (see the module's invariants).
fn safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// Takes back the `'` that [`safe`] put before a formula-like cell.
fn unsafe_back(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if matches!(
                rest.chars().next(),
                Some('=' | '+' | '-' | '@' | '\t' | '\r')
            ) =>
        {
            rest
        }
        _ => cell,
    }
}

/// An amount in major units, as the file writes it: `25000`, `2.50` (`2,50` with `;`).
fn amount_text(minor: i64, digits: u32, decimal: char) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let unit = 10u64.pow(digits);
    format!(
        "{sign}{}{decimal}{:0width$}",
        abs / unit,
        abs % unit,
        width = digits as usize
    )
}

/// Reads an amount: digits, at most one `.` or `,` followed by at most `digits` digits, an
/// optional leading `-` when `signed`. No grouping: `25.000` is refused for a currency
/// without minor digits, rather than guessed.
fn read_amount(text: &str, digits: u32, signed: bool) -> Option<i64> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) if signed => (true, rest),
        _ => (false, t),
    };
    let (whole, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    if whole.is_empty()
        || whole.len() > 15
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > digits as usize
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (t.contains(['.', ',']) && frac.is_empty())
    {
        return None;
    }
    let unit = 10i64.pow(digits);
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().ok()? * 10i64.pow(digits - frac.len() as u32)
    };
    let value = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(unit)?
        .checked_add(frac_value)?;
    Some(if negative { -value } else { value })
}

fn read_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "ya" | "y" | "true" | "1" => Some(true),
        "no" | "tidak" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn read_count(text: &str) -> Option<Option<i64>> {
    let t = text.trim();
    if t.is_empty() {
        return Some(None);
    }
    if t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().map(Some)
}

/// Characters the modifiers cell uses for its structure; a name holding one is escaped.
const SPECIAL: [char; 7] = ['\\', '|', ',', '=', ':', '[', ']'];

fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `Size[1-1]: Regular=0, Large=5000 | Sugar[0-1]: Less=0`.
fn modifiers_text(p: &Product, digits: u32, decimal: char) -> String {
    p.modifier_groups
        .iter()
        .map(|g| {
            let options: Vec<String> = g
                .options
                .iter()
                .map(|o| {
                    format!(
                        "{}={}",
                        escape(&o.name),
                        amount_text(o.price_delta.0, digits, decimal)
                    )
                })
                .collect();
            format!(
                "{}[{}-{}]: {}",
                escape(&g.name),
                g.min_choices,
                g.max_choices,
                options.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Splits `text` at unescaped `sep`, keeping escapes for the next level.
fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            parts.last_mut().unwrap().push(c);
            if let Some(n) = chars.next() {
                parts.last_mut().unwrap().push(n);
            }
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
    }
    parts
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Reads the modifiers cell (see [`modifiers_text`]); an empty cell is no groups.
fn read_modifiers(text: &str, digits: u32, decimal: char) -> Option<Vec<GroupSpec>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let _ = decimal;
    let mut groups = Vec::new();
    for group in split_unescaped(text, '|') {
        let parts = split_unescaped(&group, ':');
        if parts.len() != 2 {
            return None;
        }
        let head = parts[0].trim();
        let open = head.rfind('[')?;
        if !head.ends_with(']') || head[..open].ends_with('\\') {
            return None;
        }
        let name = unescape(&head[..open]);
        let (min, max) = head[open + 1..head.len() - 1].split_once('-')?;
        let (min, max) = (min.trim().parse().ok()?, max.trim().parse().ok()?);
        let mut options = Vec::new();
        for option in split_unescaped(&parts[1], ',') {
            if option.trim().is_empty() {
                continue;
            }
            let kv = split_unescaped(&option, '=');
            if kv.len() != 2 {
                return None;
            }
            options.push((unescape(&kv[0]), read_amount(&kv[1], digits, true)?));
        }
        groups.push(GroupSpec {
            name,
            min,
            max,
            options,
        });
    }
    Some(groups)
}

/// Reads the file's header and rows, checking each row on its own. A problem with the file as
/// a whole (too large, broken, missing columns) is an error; a bad row is a [`RowProblem`].
fn parse(bytes: &[u8], digits: u32, limit: usize) -> Result<(Vec<Row>, Vec<RowProblem>, u32)> {
    if bytes.is_empty() {
        return Err(Error::invalid(Field::File, Rule::FileEmpty));
    }
    if bytes.len() > MAX_CSV_BYTES {
        return Err(Error::invalid(
            Field::File,
            Rule::FileTooLarge {
                max_mb: (MAX_CSV_BYTES >> 20) as u32,
            },
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The separator is whichever of `;` and `,` the header line uses more.
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
    let separator = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let decimal = decimal_for(separator);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| Error::invalid(Field::File, Rule::CsvSyntax { line: 1 }))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .map(|c| c.to_string())
        .collect();
    let unknown: Vec<String> = headers
        .iter()
        .filter(|h| !CSV_COLUMNS.contains(&h.as_str()))
        .cloned()
        .collect();
    let mut seen_columns = HashSet::new();
    let repeated = headers.iter().any(|h| !seen_columns.insert(h));
    if !missing.is_empty() || !unknown.is_empty() || repeated {
        return Err(Error::invalid(
            Field::File,
            Rule::CsvColumns { missing, unknown },
        ));
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let cols: HashMap<&str, usize> = CSV_COLUMNS
        .iter()
        .filter_map(|c| col(c).map(|i| (*c, i)))
        .collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut problem_rows = 0u32;
    let mut seen_ids = HashSet::new();
    let mut seen_codes = HashSet::new();
    let mut record = csv::StringRecord::new();
    let mut line = 1u32;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(line + 1, |p| p.line() as u32);
                return Err(Error::invalid(Field::File, Rule::CsvSyntax { line: at }));
            }
        }
        line = record.position().map_or(line + 1, |p| p.line() as u32);
        if rows.len() + problem_rows as usize >= limit {
            return Err(Error::invalid(
                Field::File,
                Rule::TooMany { max: limit as u32 },
            ));
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue; // a blank line at the end of a spreadsheet's export
        }
        match read_row(&record, &cols, line, digits, decimal) {
            Ok(row) => {
                let repeated = row.id.is_some_and(|id| !seen_ids.insert(id))
                    || row
                        .draft
                        .barcode
                        .as_ref()
                        .is_some_and(|c| !seen_codes.insert(c.clone()));
                if repeated {
                    problem_rows += 1;
                    push_problem(&mut problems, line, Field::Barcode, Rule::Repeated);
                } else {
                    rows.push(row);
                }
            }
            Err((field, rule)) => {
                problem_rows += 1;
                push_problem(&mut problems, line, field, rule);
            }
        }
    }
    Ok((rows, problems, problem_rows))
}

fn push_problem(problems: &mut Vec<RowProblem>, line: u32, field: Field, rule: Rule) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(RowProblem { line, field, rule });
    }
}

fn read_row(
    record: &csv::StringRecord,
    cols: &HashMap<&str, usize>,
    line: u32,
    digits: u32,
    decimal: char,
) -> std::result::Result<Row, (Field, Rule)> {
    let cell = |name: &str| -> Option<&str> {
        cols.get(name).and_then(|i| record.get(*i)).map(unsafe_back)
    };
    let unreadable = |field, expected| (field, Rule::Unreadable { expected });
    let id = match cell("id").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(
            text.parse::<ProductId>()
                .map_err(|_| unreadable(Field::Id, Expected::Id))?,
        ),
    };
    let flag = |name: &str, field: Field, default: bool| match cell(name) {
        None => Ok(default),
        Some(t) if t.trim().is_empty() => Ok(default),
        Some(t) => read_bool(t).ok_or(unreadable(field, Expected::YesNo)),
    };
    let count = |name: &str, field: Field| match cell(name) {
        None => Ok(None),
        Some(t) => read_count(t).ok_or(unreadable(field, Expected::WholeNumber)),
    };
    let price = read_amount(cell("price").unwrap_or(""), digits, false)
        .ok_or(unreadable(Field::Price, Expected::Amount))?;
    let stock = count("stock", Field::Stock)?;
    let track_stock = match cell("track_stock").map(str::trim) {
        None | Some("") => stock.is_some(),
        Some(t) => read_bool(t).ok_or(unreadable(Field::TrackStock, Expected::YesNo))?,
    };
    let category = crate::kernel::text::name(Field::Category, cell("category").unwrap_or(""), 60)
        .map_err(|e| match e {
        Error::Invalid { field, rule } => (field, rule),
        _ => (Field::Category, Rule::Required),
    })?;
    let groups = match cell("modifiers") {
        None => None,
        Some(t) => Some(
            read_modifiers(t, digits, decimal)
                .ok_or(unreadable(Field::Modifiers, Expected::Modifiers))?,
        ),
    };
    // A spreadsheet that took a barcode for a number writes it as 8.99123E+12: refused, not
    // imported as a different code.
    if let Some(code) = cell("barcode").map(str::trim) {
        let (mantissa, exponent) = code.split_once(['e', 'E']).unwrap_or((code, ""));
        let digits_only = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !exponent.is_empty()
            && digits_only(exponent.trim_start_matches(['+', '-']))
            && mantissa
                .split_once(['.', ','])
                .map_or(digits_only(mantissa), |(a, b)| {
                    digits_only(a) && digits_only(b)
                })
        {
            return Err(unreadable(Field::Barcode, Expected::Barcode));
        }
    }
    let draft = ProductDraft {
        category_id: CategoryId(uuid::Uuid::nil()),
        name: cell("name").unwrap_or("").to_string(),
        description: cell("description").unwrap_or("").to_string(),
        price,
        track_stock,
        initial_stock: stock.unwrap_or(0),
        low_stock_warning: count("low_stock_warning", Field::LowStockWarning)?,
        low_stock_critical: count("low_stock_critical", Field::LowStockCritical)?,
        active: flag("active", Field::Active, true)?,
        barcode: cell("barcode")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        featured: flag("featured", Field::Featured, false)?,
        tags: cell("tags")
            .map(|t| t.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
    };
    // The product's own rules, as the form has them.
    let clean = |e: Error| match e {
        Error::Invalid { field, rule } => (field, rule),
        _ => (Field::Name, Rule::Required),
    };
    clean_draft(&draft).map_err(clean)?;
    if let Some(groups) = &groups {
        check_groups(&drafts_for(groups, None)).map_err(clean)?;
    }
    let present = CSV_COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, c)| cols.contains_key(*c))
        .fold(0u16, |bits, (i, _)| bits | (1 << i));
    Ok(Row {
        line,
        id,
        category,
        present,
        draft,
        stock: if track_stock {
            Some(stock.unwrap_or(0))
        } else {
            None
        },
        groups,
    })
}

/// The groups as the core takes them, keeping the ids of `current` groups and options that
/// have the same names (so an import edits them in place).
fn drafts_for(groups: &[GroupSpec], current: Option<&Product>) -> Vec<ModifierGroupDraft> {
    groups
        .iter()
        .map(|g| {
            let old = current.and_then(|p| p.modifier_groups.iter().find(|o| o.name == g.name));
            ModifierGroupDraft {
                id: old.map(|o| o.id),
                name: g.name.clone(),
                min_choices: g.min,
                max_choices: g.max,
                options: g
                    .options
                    .iter()
                    .map(|(name, price)| ModifierOptionDraft {
                        id: old
                            .and_then(|o| o.options.iter().find(|x| &x.name == name).map(|x| x.id)),
                        name: name.clone(),
                        price_delta: *price,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn groups_of(p: &Product) -> Vec<GroupSpec> {
    p.modifier_groups
        .iter()
        .map(|g| GroupSpec {
            name: g.name.clone(),
            min: g.min_choices,
            max: g.max_choices,
            options: g
                .options
                .iter()
                .map(|o| (o.name.clone(), o.price_delta.0))
                .collect(),
        })
        .collect()
}

/// What an import does with a row, decided against the database.
enum Action {
    Create,
    Update(Box<Product>),
    Unchanged,
}

/// Finds the row's product (by id, then barcode) and whether the row would change it; a
/// barcode another product holds is a problem.
fn decide(
    conn: &Connection,
    row: &Row,
    categories: &HashMap<String, (CategoryId, String)>,
) -> std::result::Result<Action, (Field, Rule)> {
    let by_id = match row.id {
        Some(id) => conn
            .prepare_cached("SELECT 1 FROM products WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |_| Ok(id)).optional())
            .map_err(|_| (Field::Id, Rule::NotAnId))?,
        None => None,
    };
    let code = row
        .draft
        .barcode
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let by_code: Option<ProductId> = match code {
        Some(code) => conn
            .prepare_cached("SELECT id FROM products WHERE barcode = ?1")
            .and_then(|mut s| s.query_row([code], |r| r.get(0)).optional())
            .map_err(|_| (Field::Barcode, Rule::Foreign))?,
        None => None,
    };
    let found = match (by_id, by_code) {
        (Some(id), Some(other)) if id != other => {
            return Err((Field::Barcode, Rule::Repeated));
        }
        (Some(id), _) | (None, Some(id)) => Some(id),
        // Neither id nor barcode: the one product of that name in that category, if there
        // is exactly one (so importing a hand-made file twice does not make everything twice).
        (None, None) if row.id.is_none() && code.is_none() => {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id
                     WHERE p.name = ?1 COLLATE NOCASE AND c.name = ?2 COLLATE NOCASE LIMIT 2",
                )
                .map_err(|_| (Field::Name, Rule::Foreign))?;
            let ids: Vec<ProductId> = stmt
                .query_map(params![row.draft.name.trim(), row.category], |r| r.get(0))
                .and_then(|rows| rows.collect())
                .map_err(|_| (Field::Name, Rule::Foreign))?;
            match ids.len() {
                0 => None,
                1 => Some(ids[0]),
                // Two products of that name there: which one the row means is a guess.
                _ => return Err((Field::Name, Rule::Repeated)),
            }
        }
        (None, None) => None,
    };
    let Some(id) = found else {
        return Ok(Action::Create);
    };
    let p = load_product(conn, id).map_err(|_| (Field::Id, Rule::NotAnId))?;
    let Some((category, _)) = categories.get(&row.category.to_lowercase()) else {
        return Ok(Action::Update(Box::new(p)));
    };
    let d = row.over(&p, *category);
    let tags_same = super::clean_tags(&d.tags).is_ok_and(|t| t == p.tags);
    let code_now = d
        .barcode
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let same = d.category_id == p.category_id
        && p.name == d.name.trim()
        && p.description == d.description.trim()
        && p.price.0 == d.price
        && p.barcode.as_deref() == code_now
        && p.active == d.active
        && p.featured == d.featured
        && p.stock.is_some() == d.track_stock
        && p.low_stock_warning == d.low_stock_warning
        && p.low_stock_critical == d.low_stock_critical
        && tags_same
        && row.groups.as_ref().is_none_or(|g| *g == groups_of(&p));
    Ok(if same {
        Action::Unchanged
    } else {
        Action::Update(Box::new(p))
    })
}

/// Every category by lowercased name.
fn categories(conn: &Connection) -> Result<HashMap<String, (CategoryId, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM categories")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, CategoryId>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, name) = row?;
        out.insert(name.to_lowercase(), (id, name));
    }
    Ok(out)
}

/// The most digits after the decimal point any currency has.
const MAX_DIGITS: u32 = 4;

fn minor_digits(conn: &Connection) -> Result<u32> {
    Ok(settings::load(conn)?.minor_unit.min(MAX_DIGITS))
}

/// Writing to memory fails only if memory does.
fn written(e: csv::Error) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

impl Catalog<'_> {
    /// The whole menu as CSV: UTF-8 with a byte-order mark, the separator the shop's locale
    /// expects (`;` for Indonesian), one row per product, categories in menu order.
    pub fn export_csv(&self, actor: &Actor) -> Result<Vec<u8>> {
        self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            let shop = settings::load(conn)?;
            let separator = separator_for(&shop.locale);
            let decimal = decimal_for(separator);
            let digits = shop.minor_unit.min(MAX_DIGITS);
            let mut out = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::WriterBuilder::new()
                    .delimiter(separator)
                    .from_writer(&mut out);
                w.write_record(CSV_COLUMNS).map_err(written)?;
                let ids: Vec<ProductId> = {
                    let mut stmt = conn.prepare_cached(
                        "SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id
                         ORDER BY c.sort_order, c.name COLLATE NOCASE, p.name COLLATE NOCASE, p.rid",
                    )?;
                    let rows = stmt.query_map([], |r| r.get(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                let yes = |b: bool| if b { "yes" } else { "no" };
                let count = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
                for id in ids {
                    let p = load_product(conn, id)?;
                    w.write_record([
                        p.id.to_string(),
                        safe(&p.category_name),
                        safe(&p.name),
                        safe(&p.description),
                        amount_text(p.price.0, digits, decimal),
                        safe(p.barcode.as_deref().unwrap_or("")),
                        yes(p.active).into(),
                        yes(p.featured).into(),
                        yes(p.stock.is_some()).into(),
                        count(p.stock),
                        count(p.low_stock_warning),
                        count(p.low_stock_critical),
                        safe(&p.tags.join(", ")),
                        // '.' always: a decimal comma would split the options.
                        safe(&modifiers_text(&p, digits, '.')),
                    ])
                    .map_err(written)?;
                }
                w.flush()?;
            }
            Ok(out)
        })
    }

    /// What importing `bytes` would do, row by row; changes nothing.
    pub fn preview_import(&self, actor: &Actor, bytes: &[u8]) -> Result<ImportReport> {
        let digits = self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            minor_digits(conn)
        })?;
        let (rows, mut problems, mut problem_rows) = parse(bytes, digits, MAX_CSV_ROWS)?;
        self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            let cats = categories(conn)?;
            let mut report = ImportReport {
                rows: rows.len() as u32 + problem_rows,
                ..Default::default()
            };
            let mut new_categories: Vec<String> = Vec::new();
            for row in &rows {
                match decide(conn, row, &cats) {
                    Ok(action) => {
                        if !cats.contains_key(&row.category.to_lowercase())
                            && !new_categories
                                .iter()
                                .any(|c| c.eq_ignore_ascii_case(&row.category))
                        {
                            new_categories.push(row.category.clone());
                        }
                        match action {
                            Action::Create => report.created += 1,
                            Action::Update(_) => report.updated += 1,
                            Action::Unchanged => report.unchanged += 1,
                        }
                    }
                    Err((field, rule)) => {
                        problem_rows += 1;
                        push_problem(&mut problems, row.line, field, rule);
                    }
                }
            }
            problems.sort_by_key(|p| p.line);
            report.new_categories = new_categories;
            report.problems = problems;
            report.problem_rows = problem_rows;
            Ok(report)
        })
    }

    /// Imports `bytes`: the good rows are created, or updated when their id, barcode or (for
    /// a row with neither) their category and name find one product; an unchanged row writes
    /// nothing; missing categories are made; a stock that differs is written as a `counted`
    /// movement; bad rows are left out and listed.
    ///
    /// Rows are written [`IMPORT_CHUNK`] at a time, each chunk one transaction with its audit
    /// entry and outbox entries, and the writer is let go between chunks, so the till keeps
    /// selling while a large file imports (one transaction for 10,000 rows held the till for
    /// a second). A crash between chunks leaves whole chunks written, never a half row, and
    /// importing the same file again finishes the rest without doubling anything (rows are
    /// found again as above). `progress(done, total)` is called after each chunk.
    pub fn import_csv(
        &self,
        actor: &Actor,
        bytes: &[u8],
        progress: &(dyn Fn(u32, u32) + Sync),
    ) -> Result<ImportReport> {
        let digits = self.k.read(actor, Permission::ManageCatalog, |conn, _| {
            minor_digits(conn)
        })?;
        let (rows, mut problems, mut problem_rows) = parse(bytes, digits, MAX_CSV_ROWS)?;
        let total = rows.len() as u32;
        let mut report = ImportReport {
            rows: rows.len() as u32 + problem_rows,
            ..Default::default()
        };
        progress(0, total);
        for (n, chunk) in rows.chunks(IMPORT_CHUNK).enumerate() {
            if n > 0 {
                // Let a waiting sale take the writer before the next chunk.
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            let written = self.k.write(actor, Permission::ManageCatalog, |cx| {
                import_chunk(cx, chunk)
            });
            let (done, late) = match written {
                Ok(w) => w,
                Err(e) => {
                    self.tell_import_failed(&e, &report, chunk.first().map_or(0, |r| r.line));
                    return Err(e);
                }
            };
            report.created += done.created;
            report.updated += done.updated;
            report.unchanged += done.unchanged;
            report.new_categories.extend(done.new_categories);
            for p in late {
                problem_rows += 1;
                push_problem(&mut problems, p.line, p.field, p.rule);
            }
            progress(((n + 1) * IMPORT_CHUNK).min(rows.len()) as u32, total);
        }
        problems.sort_by_key(|p| p.line);
        report.problems = problems;
        report.problem_rows = problem_rows;
        Ok(report)
    }

    /// Tells every manager that an import stopped part way (a full disk, a member
    /// deactivated meanwhile): the manager who ran it may have left the screen. Best effort:
    /// the import's own error is what the caller gets.
    fn tell_import_failed(&self, e: &Error, report: &ImportReport, line: u32) {
        let detail = crate::notices::NoticeDetail {
            reason: Some(e.to_string()),
            rows_done: Some(report.created + report.updated + report.unchanged),
            line: Some(line),
            ..Default::default()
        };
        let told = self.k.transact(|tx, now| {
            crate::notices::to_managers(tx, now, crate::notices::NoticeKind::ImportFailed, &detail)
        });
        if let Err(e) = told {
            tracing::warn!(error = %e, "could not record a failed import");
        }
    }
}

/// The rows one import transaction writes: about 10 ms of work, so a whole sale (three short
/// writes, each of which may wait behind one chunk) stays within 50 ms (measured p99: 30 ms;
/// with 200-row chunks, 93 ms).
pub const IMPORT_CHUNK: usize = 50;

/// Writes one chunk of an import inside the caller's transaction; returns its counts and the
/// rows the database refused (a barcode another product took meanwhile).
fn import_chunk(cx: &Ctx<'_>, rows: &[Row]) -> Result<(ImportReport, Vec<RowProblem>)> {
    let mut cats = categories(cx)?;
    let mut report = ImportReport::default();
    let mut late = Vec::new();
    for row in rows {
        let action = match decide(cx, row, &cats) {
            Ok(a) => a,
            Err((field, rule)) => {
                late.push(RowProblem {
                    line: row.line,
                    field,
                    rule,
                });
                continue;
            }
        };
        if matches!(action, Action::Unchanged) {
            report.unchanged += 1;
            continue;
        }
        let key = row.category.to_lowercase();
        let category = match cats.get(&key) {
            Some((id, _)) => *id,
            None => {
                let made = save_category_in(
                    cx,
                    None,
                    &CategoryDraft {
                        name: row.category.clone(),
                        sort_order: 1_000 + cats.len() as i64,
                        active: true,
                    },
                )?;
                report.new_categories.push(made.name.clone());
                cats.insert(key, (made.id, made.name.clone()));
                made.id
            }
        };
        let draft = ProductDraft {
            category_id: category,
            ..row.draft.clone()
        };
        match action {
            Action::Create => {
                let p = create_product_in(cx, &draft)?;
                if let Some(groups) = row.groups.as_ref().filter(|g| !g.is_empty()) {
                    set_modifier_groups_in(cx, p.id, &drafts_for(groups, None))?;
                }
                report.created += 1;
            }
            Action::Update(before) => {
                let draft = row.over(&before, category);
                let p = update_product_in(cx, before.id, &draft)?;
                if let Some(groups) = &row.groups
                    && *groups != groups_of(&p)
                {
                    set_modifier_groups_in(cx, p.id, &drafts_for(groups, Some(&p)))?;
                }
                report.updated += 1;
            }
            Action::Unchanged => {}
        }
    }
    // A chunk that changes nothing leaves no trace either (exporting and importing the same
    // file changes nothing, the audit log included).
    if report.created + report.updated > 0 || !report.new_categories.is_empty() {
        audit::record(
            cx,
            "menu_imported",
            serde_json::json!({
                "rows": rows.len(), "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged, "new_categories": report.new_categories,
                "first_line": rows.first().map(|r| r.line),
            }),
        )?;
    }
    Ok((report, late))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_written_and_nothing_is_guessed() {
        let cases: [(&str, u32, bool, Option<i64>); 14] = [
            ("25000", 0, false, Some(25_000)),
            ("25.000", 0, false, None),
            ("2.50", 2, false, Some(250)),
            ("2,50", 2, false, Some(250)),
            ("2,5", 2, false, Some(250)),
            ("2.", 2, false, None),
            ("1.234,50", 2, false, None),
            ("-5", 0, false, None),
            ("-5", 0, true, Some(-5)),
            ("", 0, false, None),
            ("abc", 0, false, None),
            ("1e5", 0, false, None),
            ("9999999999999999", 0, false, None),
            (" 7 ", 0, false, Some(7)),
        ];
        for (text, digits, signed, want) in cases {
            assert_eq!(read_amount(text, digits, signed), want, "{text:?}");
        }
        for (minor, digits, decimal, text) in [
            (25_000, 0, '.', "25000"),
            (250, 2, '.', "2.50"),
            (250, 2, ',', "2,50"),
            (-2_000, 0, ',', "-2000"),
            (5, 2, '.', "0.05"),
        ] {
            assert_eq!(amount_text(minor, digits, decimal), text);
            assert_eq!(read_amount(text, digits, true), Some(minor));
        }
    }

    #[test]
    fn formulas_never_leave_unescaped_and_come_back_whole() {
        for cell in [
            "=cmd|' /C calc'!A0",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "Kopi",
            "'quoted",
        ] {
            let written = safe(cell);
            assert!(
                !written.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{written:?}"
            );
            assert_eq!(unsafe_back(&written), cell);
        }
    }

    #[test]
    fn modifiers_cells_round_trip_with_awkward_names() {
        let groups = vec![
            GroupSpec {
                name: "Size [cup]".into(),
                min: 1,
                max: 1,
                options: vec![("Regular".into(), 0), ("Large, extra".into(), 5_000)],
            },
            GroupSpec {
                name: "Gula: a|b".into(),
                min: 0,
                max: 2,
                options: vec![("Less=half".into(), -2_000), ("Back\\slash".into(), 0)],
            },
        ];
        let text = groups
            .iter()
            .map(|g| {
                format!(
                    "{}[{}-{}]: {}",
                    escape(&g.name),
                    g.min,
                    g.max,
                    g.options
                        .iter()
                        .map(|(n, p)| format!("{}={}", escape(n), amount_text(*p, 0, '.')))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(" | ");
        assert_eq!(read_modifiers(&text, 0, '.'), Some(groups));
        assert_eq!(read_modifiers("", 0, '.'), Some(vec![]));
        for bad in [
            "Size",
            "Size[1-1]",
            "Size[x-1]: A=0",
            "Size[1-1]: A",
            "Size[1-1]: A=abc",
        ] {
            assert_eq!(read_modifiers(bad, 0, '.'), None, "{bad:?}");
        }
    }

    #[test]
    fn the_separator_follows_the_locale() {
        assert_eq!(separator_for("id-ID"), b';');
        assert_eq!(separator_for("de_DE"), b';');
        assert_eq!(separator_for("en-US"), b',');
        assert_eq!(separator_for(""), b',');
    }
}
