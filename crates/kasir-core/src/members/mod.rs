//! Members: a café's regulars, found as you type at the till, attached to a ticket, and
//! credited with points when they pay (see [`points`]).
//!
//! **Invariants**: a member's number (`MEM-T01-000123`) comes from the adding till's counter
//! (`T01-M` in `receipt_counters`) and is never reused; phone and email are unique when given
//! (stored as digits in the local form, `0812…`, and in lower case); members are deactivated,
//! never deleted (a trigger refuses), so their history stays; `members.points` is the sum of
//! their points entries; visits and spent follow their paid orders, net of refunds and
//! cancellations. Each change is one transaction with its outbox entry.

pub mod points;
pub mod reviews;
pub mod table;
pub mod wallet;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Ctx, Permission};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::kernel::time::Stamp;
use crate::outbox;
use crate::{Entity, Error, Field, Kasir, Money, Result, Rule, audit};
use kasir_proto::Payload;
use points::{NewEntry, PointsKind};

id_type!(
    /// A member's id.
    MemberId
);

/// Loyalty tiers, by points earned in the settings' window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Tier {
    Bronze,
    Silver,
    Gold,
    Platinum,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Bronze, Tier::Silver, Tier::Gold, Tier::Platinum];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Bronze => "bronze",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
            Tier::Platinum => "platinum",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| Error::DatabaseCorrupt(format!("tier {s:?}")))
    }
}

/// A member, with their balances and visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Member {
    pub id: MemberId,
    pub number: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<Date>,
    pub address: String,
    pub notes: String,
    pub active: bool,
    /// The code this member gives a friend who joins.
    pub referral_code: String,
    pub referred_by: Option<MemberId>,
    pub tier: Tier,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points: i64,
    /// What the member's wallet holds.
    pub wallet: Money,
    /// Points spent on two tills apart beyond what the member held: later points pay them
    /// first. Zero whenever `points` is above zero.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points_owed: i64,
    /// The same for the wallet: the next top-up pays it first.
    pub wallet_owed: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub visits: i64,
    pub spent: Money,
    pub last_visit: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// What a person fills in to add or change a member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberInput {
    pub name: String,
    /// Any way people write it: `0812-3456-7890`, `+62 812 3456 7890`. Empty: none.
    pub phone: String,
    /// Empty: none.
    pub email: String,
    pub birthday: Option<Date>,
    pub address: String,
    pub notes: String,
}

/// A phone number as kept: digits only, Indonesia's `+62`/`62` written as the local `0`;
/// another country's code keeps its `+`. None when empty.
pub fn normalize_phone(raw: &str) -> Result<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.chars().count() > 32 {
        return Err(Error::invalid(Field::Phone, Rule::TooLong { max: 32 }));
    }
    let plus = raw.starts_with('+');
    let mut digits = String::new();
    for (i, c) in raw.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            '+' if i == 0 => {}
            _ => return Err(Error::invalid(Field::Phone, Rule::PhoneFormat)),
        }
    }
    let local = if let Some(rest) = digits
        .strip_prefix("62")
        .filter(|r| (plus || r.starts_with('8')) && !r.is_empty())
    {
        format!("0{rest}")
    } else if plus {
        format!("+{digits}")
    } else {
        digits
    };
    let n = local.trim_start_matches('+').len();
    if !(6..=15).contains(&n) {
        return Err(Error::invalid(Field::Phone, Rule::PhoneFormat));
    }
    Ok(Some(local))
}

/// An email as kept: trimmed, lower case, `name@domain.tld` with no spaces. None when empty.
pub fn normalize_email(raw: &str) -> Result<Option<String>> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 254 {
        return Err(Error::invalid(Field::Email, Rule::TooLong { max: 254 }));
    }
    let ok = match v.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == ';')
        }
        None => false,
    };
    if !ok {
        return Err(Error::invalid(Field::Email, Rule::EmailFormat));
    }
    Ok(Some(v.to_lowercase()))
}

struct Valid {
    name: String,
    phone: Option<String>,
    email: Option<String>,
    birthday: Option<Date>,
    address: String,
    notes: String,
}

fn validate(input: &MemberInput, today: Date) -> Result<Valid> {
    let name = text::name(Field::Name, &input.name, 80)?;
    let phone = normalize_phone(&input.phone)?;
    let email = normalize_email(&input.email)?;
    if let Some(b) = input.birthday
        && (b > today || b.year() < 1900)
    {
        return Err(Error::invalid(
            Field::Birthday,
            Rule::OutOfRange {
                min: 1900,
                max: i64::from(today.year()),
            },
        ));
    }
    Ok(Valid {
        name,
        phone,
        email,
        birthday: input.birthday,
        address: text::multiline(Field::Address, &input.address, 300)?,
        notes: text::multiline(Field::Notes, &input.notes, 500)?,
    })
}

const MEMBER_COLUMNS: &str = "m.id, m.number, m.name, m.phone, m.email, m.birthday, m.address, m.notes, m.active,
     m.referral_code, m.referred_by, m.tier, m.points, m.visits, m.spent, m.last_visit, m.created_at,
     m.wallet, m.points_owed, m.wallet_owed";

fn member_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Member, String, Option<String>)> {
    Ok((
        Member {
            id: r.get(0)?,
            number: r.get(1)?,
            name: r.get(2)?,
            phone: r.get(3)?,
            email: r.get(4)?,
            birthday: None,
            address: r.get(6)?,
            notes: r.get(7)?,
            active: r.get(8)?,
            referral_code: r.get(9)?,
            referred_by: r.get(10)?,
            tier: Tier::Bronze,
            points: r.get(12)?,
            visits: r.get(13)?,
            spent: Money(r.get(14)?),
            last_visit: r.get::<_, Option<Stamp>>(15)?.map(|s| s.0),
            created_at: r.get::<_, Stamp>(16)?.0,
            wallet: Money(r.get(17)?),
            points_owed: r.get(18)?,
            wallet_owed: Money(r.get(19)?),
        },
        r.get(11)?,
        r.get(5)?,
    ))
}

fn finish(raw: (Member, String, Option<String>)) -> Result<Member> {
    let (mut m, tier, birthday) = raw;
    m.tier = Tier::parse(&tier)?;
    m.birthday = birthday
        .map(|b| {
            b.parse::<Date>()
                .map_err(|e| Error::DatabaseCorrupt(format!("birthday {b:?}: {e}")))
        })
        .transpose()?;
    Ok(m)
}

/// What this till spent of a member's points or wallet since it last reached its server, as
/// `spent` (a query of `?1` the member and `?2` since when) sums it; `None` while the till is
/// in touch with its server or has none (no offline limit applies then).
fn spent_offline(
    conn: &Connection,
    now: Timestamp,
    member: MemberId,
    spent: &str,
) -> Result<Option<i64>> {
    let Some(since) = crate::sync::offline_since(conn, now)? else {
        return Ok(None);
    };
    Ok(Some(
        conn.prepare_cached(spent)?
            .query_row(params![member, Stamp(since)], |r| r.get(0))?,
    ))
}

pub(crate) fn load_member(conn: &Connection, id: MemberId) -> Result<Member> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members m WHERE m.id = ?1"
        ))?
        .query_row([id], member_row)
        .optional()?
        .ok_or_else(|| Error::not_found(Entity::Member, id))?;
    finish(raw)
}

/// The member as the wire carries them.
fn to_proto(m: &Member, updated_at: Timestamp) -> kasir_proto::Member {
    kasir_proto::Member {
        id: m.id.0,
        number: m.number.clone(),
        name: m.name.clone(),
        phone: m.phone.clone(),
        email: m.email.clone(),
        birthday: m.birthday,
        address: m.address.clone(),
        notes: m.notes.clone(),
        active: m.active,
        referral_code: m.referral_code.clone(),
        referred_by: m.referred_by.map(|r| r.0),
        created_at: m.created_at,
        updated_at,
    }
}

/// Refuses a phone or email another member already has.
fn check_unique(conn: &Connection, v: &Valid, except: Option<MemberId>) -> Result<()> {
    let mut taken = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM members WHERE (phone = ?1 OR email = ?2) AND id IS NOT ?3 AND
                         ((?1 IS NOT NULL AND phone = ?1) OR (?2 IS NOT NULL AND email = ?2)))",
    )?;
    if let Some(p) = &v.phone
        && taken.query_row(params![p, Option::<String>::None, except], |r| {
            r.get::<_, bool>(0)
        })?
    {
        return Err(Error::Duplicate {
            field: Field::Phone,
            value: p.clone(),
        });
    }
    if let Some(e) = &v.email
        && taken.query_row(params![Option::<String>::None, e, except], |r| {
            r.get::<_, bool>(0)
        })?
    {
        return Err(Error::Duplicate {
            field: Field::Email,
            value: e.clone(),
        });
    }
    Ok(())
}

/// The next member number of this till and its count: `MEM-T01-000123`, 123.
fn next_number(conn: &Connection, terminal: &str) -> Result<(String, i64)> {
    let n = crate::sales::shifts::next_number(conn, &format!("{terminal}-M"))?;
    Ok((format!("MEM-{terminal}-{n:06}"), n))
}

/// A referral code nobody has: up to four letters of the name, then four random characters
/// that cannot be misread (no 0/O, 1/I).
fn new_referral_code(conn: &Connection, name: &str, now: Timestamp) -> Result<String> {
    const SAFE: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let head: String = name
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .take(4)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let head = if head.is_empty() {
        "KSR".to_string()
    } else {
        head
    };
    let mut exists =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM members WHERE referral_code = ?1)")?;
    loop {
        let random = crate::kernel::ids::new_uuid(now).into_bytes();
        let tail: String = random[10..14]
            .iter()
            .map(|b| SAFE[usize::from(*b) % SAFE.len()] as char)
            .collect();
        let code = format!("{head}{tail}");
        if !exists.query_row([&code], |r| r.get::<_, bool>(0))? {
            return Ok(code);
        }
    }
}

/// How a search is read: digits look up phones and numbers, words names.
fn search_terms(text: &str) -> (Option<String>, Vec<String>) {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let only_digits = text
        .chars()
        .all(|c| c.is_ascii_digit() || " -+().".contains(c));
    let phone = if only_digits && digits.len() >= 3 {
        // `62812…` and `+62812…` are searched as the local `0812…`.
        Some(match digits.strip_prefix("62") {
            Some(rest) if text.trim_start().starts_with('+') || rest.starts_with('8') => {
                format!("0{rest}")
            }
            _ => digits,
        })
    } else {
        None
    };
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| w.to_lowercase())
        .collect();
    (phone, words)
}

/// The longest search text read.
pub const MAX_MEMBER_SEARCH: usize = 100;

/// Adds a member inside a use case's transaction (the checks done: `v` is valid, `referral`
/// trimmed and in capitals).
fn add_in(cx: &Ctx<'_>, v: &Valid, referral: &str) -> Result<Member> {
    check_unique(cx, v, None)?;
    let giver = if referral.is_empty() {
        None
    } else {
        let found: Option<(MemberId, bool)> = cx
            .prepare_cached("SELECT id, active FROM members WHERE referral_code = ?1")?
            .query_row([&referral], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            Some((id, true)) => Some(id),
            Some((_, false)) => return Err(Error::invalid(Field::ReferralCode, Rule::Inactive)),
            None => {
                return Err(Error::invalid(
                    Field::ReferralCode,
                    Rule::Unknown {
                        value: referral.to_string(),
                    },
                ));
            }
        }
    };
    let id = MemberId::new(cx.now);
    let (number, seq) = next_number(cx, &cx.terminal)?;
    let code = new_referral_code(cx, &v.name, cx.now)?;
    cx.execute(
        "INSERT INTO members (id, number, number_seq, name, phone, email, birthday, address, notes,
                 referral_code, referred_by, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        params![
            id,
            number,
            seq,
            v.name,
            v.phone,
            v.email,
            v.birthday.map(|b| b.to_string()),
            v.address,
            v.notes,
            code,
            giver,
            cx.member.id,
            Stamp(cx.now)
        ],
    )?;
    let m = load_member(cx, id)?;
    outbox::append(cx, &Payload::MemberUpserted(to_proto(&m, cx.now)))?;
    if let Some(giver) = giver {
        let s = points::load_settings(cx)?;
        for (who, pts) in [
            (id, s.referral_new_points),
            (giver, s.referral_giver_points),
        ] {
            if pts > 0 {
                points::post(
                    cx,
                    cx.now,
                    &cx.terminal,
                    &NewEntry {
                        member: who,
                        kind: PointsKind::Referral,
                        points: i64::from(pts),
                        order: None,
                        refund: None,
                        reason: &m.number,
                        staff: Some(cx.member.id),
                    },
                )?;
            }
        }
    }
    load_member(cx, id)
}

pub struct Members<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Members: adding, finding, changing, deactivating.
    pub fn members(&self) -> Members<'_> {
        Members { k: self }
    }
}

impl Members<'_> {
    /// Adds a member. `referral` is the code of the member who brought them (empty: none):
    /// both are credited with the settings' referral points, once per new member.
    pub fn add(&self, actor: &Actor, input: &MemberInput, referral: &str) -> Result<Member> {
        let today = self.k.settings().today()?;
        let v = validate(input, today)?;
        let referral = text::line(Field::ReferralCode, referral, 20)?.to_uppercase();
        self.k
            .write(actor, Permission::Members, |cx| add_in(cx, &v, &referral))
    }

    /// Changes a member's details (not their number, code or balances).
    pub fn update(&self, actor: &Actor, id: MemberId, input: &MemberInput) -> Result<Member> {
        let today = self.k.settings().today()?;
        let v = validate(input, today)?;
        self.k.write(actor, Permission::Members, |cx| {
            load_member(cx, id)?;
            check_unique(cx, &v, Some(id))?;
            cx.execute(
                "UPDATE members SET name = ?2, phone = ?3, email = ?4, birthday = ?5, address = ?6, notes = ?7,
                     updated_at = ?8 WHERE id = ?1",
                params![
                    id,
                    v.name,
                    v.phone,
                    v.email,
                    v.birthday.map(|b| b.to_string()),
                    v.address,
                    v.notes,
                    Stamp(cx.now)
                ],
            )?;
            let m = load_member(cx, id)?;
            outbox::append(cx, &Payload::MemberUpserted(to_proto(&m, cx.now)))?;
            Ok(m)
        })
    }

    /// Deactivates a member (kept with their history, no longer found at the till) or makes
    /// them active again; audited.
    pub fn set_active(&self, actor: &Actor, id: MemberId, active: bool) -> Result<Member> {
        self.k.write(actor, Permission::ManageMembers, |cx| {
            let before = load_member(cx, id)?;
            if before.active == active {
                return Ok(before);
            }
            cx.execute(
                "UPDATE members SET active = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, active, Stamp(cx.now)],
            )?;
            let m = load_member(cx, id)?;
            audit::record(
                cx,
                if active {
                    "member_activated"
                } else {
                    "member_deactivated"
                },
                serde_json::json!({ "member": id, "number": m.number, "name": m.name }),
            )?;
            outbox::append(cx, &Payload::MemberUpserted(to_proto(&m, cx.now)))?;
            Ok(m)
        })
    }

    pub fn get(&self, actor: &Actor, id: MemberId) -> Result<Member> {
        self.k
            .read(actor, Permission::Members, |conn, _| load_member(conn, id))
    }

    /// Members as you type: digits find phones (from their start, `0812…` or `+62812…`) and
    /// numbers (`000123`, `MEM-T01-000123`); words find names by the start of each word. Active
    /// members only, best first: an exact phone or number, then names that start with the
    /// text, then the most recent visitors.
    pub fn search(&self, actor: &Actor, text: &str, limit: u32) -> Result<Vec<Member>> {
        if text.chars().count() > MAX_MEMBER_SEARCH {
            return Err(Error::invalid(
                Field::Query,
                Rule::TooLong {
                    max: MAX_MEMBER_SEARCH as u32,
                },
            ));
        }
        if !(1..=50).contains(&limit) {
            return Err(Error::invalid(
                Field::Limit,
                Rule::OutOfRange { min: 1, max: 50 },
            ));
        }
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let (phone, words) = search_terms(text);
        self.k.read(actor, Permission::Members, |conn, _| {
            let mut found: Vec<(u8, Member)> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut keep = |rank: u8, raw, found: &mut Vec<(u8, Member)>| -> Result<()> {
                let m = finish(raw)?;
                if m.active && seen.insert(m.id) {
                    found.push((rank, m));
                }
                Ok(())
            };
            let upper = text.to_uppercase();
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            // A member number: whole (`MEM-T01-000123`), or its count typed alone (`123`).
            if upper.starts_with("MEM-") {
                let mut stmt = conn.prepare_cached(&format!("SELECT {MEMBER_COLUMNS} FROM members m WHERE m.number = ?1"))?;
                for raw in stmt.query_map([&upper], member_row)? {
                    keep(0, raw?, &mut found)?;
                }
            } else if !digits.is_empty() && digits.len() <= 6 && digits.len() == text.len() {
                let seq: i64 = digits.parse().unwrap_or(0);
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM members m WHERE m.number_seq = ?1 LIMIT ?2"
                ))?;
                for raw in stmt.query_map(params![seq, limit], member_row)? {
                    keep(1, raw?, &mut found)?;
                }
            }
            if let Some(p) = &phone {
                // Phones from their start: the index on `phone` reads only the matches.
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM members m WHERE m.phone >= ?1 AND m.phone < ?1 || 'a' LIMIT ?2"
                ))?;
                for raw in stmt.query_map(params![p, limit], member_row)? {
                    let raw = raw?;
                    let rank = if raw.0.phone.as_deref() == Some(p.as_str()) { 0 } else { 2 };
                    keep(rank, raw, &mut found)?;
                }
            }
            if !words.is_empty() && phone.is_none() {
                let query = words.iter().map(|w| format!("\"{}\"*", w.replace('"', ""))).collect::<Vec<_>>().join(" ");
                // A few pages' worth, ranked here: one letter may match thousands of names, and
                // sorting them all in SQL would cost more than the keystroke may.
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM member_names s JOIN members m ON m.rid = s.rowid
                     WHERE member_names MATCH ?1 AND m.active = 1 LIMIT ?2"
                ))?;
                for raw in stmt.query_map(params![query, limit * 4], member_row)? {
                    let raw = raw?;
                    let starts = raw.0.name.to_lowercase().starts_with(&words[0]);
                    keep(if starts { 3 } else { 4 }, raw, &mut found)?;
                }
            }
            // Within a rank, the most recent visitors first.
            found.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then(b.last_visit.cmp(&a.last_visit)).then(a.name.cmp(&b.name)));
            Ok(found.into_iter().take(limit as usize).map(|(_, m)| m).collect())
        })
    }
}

/// At checkout: the member's points for the order and their visit, in the sale's own
/// transaction. `paid` is what earns points (the total less any points spent on it).
/// Returns the points earned.
pub(crate) fn credit_sale(
    cx: &Ctx<'_>,
    member: MemberId,
    order: crate::sales::checkout::OrderId,
    total: Money,
    paid: Money,
) -> Result<i64> {
    let m = load_member(cx, member)?;
    if !m.active {
        return Err(Error::invalid(Field::Member, Rule::Inactive));
    }
    cx.prepare_cached(
        "UPDATE members SET visits = visits + 1, spent = spent + ?2, last_visit = ?3 WHERE id = ?1",
    )?
    .execute(params![member, total.0, Stamp(cx.now)])?;
    let s = points::load_settings(cx)?;
    let earned = s.points_for(m.tier, paid);
    if earned > 0 {
        points::post(
            cx,
            cx.now,
            &cx.terminal,
            &NewEntry {
                member,
                kind: PointsKind::Earn,
                points: earned,
                order: Some(order),
                refund: None,
                reason: "",
                staff: Some(cx.member.id),
            },
        )?;
    }
    Ok(earned)
}

/// After a refund of `amount` (or a cancellation, `visit` true): the member's spend goes
/// down, and the order's points are taken back in step with the money.
#[allow(clippy::too_many_arguments)]
pub(crate) fn debit_refund(
    cx: &Ctx<'_>,
    member: MemberId,
    order: crate::sales::checkout::OrderId,
    refund: Option<uuid::Uuid>,
    amount: Money,
    refunded_in_all: Money,
    total: Money,
    visit: bool,
) -> Result<i64> {
    cx.prepare_cached(
        "UPDATE members SET spent = spent - ?2, visits = MAX(0, visits - ?3) WHERE id = ?1",
    )?
    .execute(params![member, amount.0, i64::from(visit)])?;
    points::take_back(cx, member, order, refund, refunded_in_all, total)
}

/// What an order's tenders take from the member: points (and the money they stand for) and
/// wallet money.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Spent {
    pub points: i64,
    pub points_value: Money,
    pub wallet: Money,
}

/// Checks an order's points and wallet tenders against the member on the ticket: there must
/// be one, points are paid in whole points at the settings' value, and neither balance may go
/// below zero. Nothing is written.
pub(crate) fn tenders(
    conn: &Connection,
    member: Option<MemberId>,
    payments: &[crate::sales::payments::Payment],
) -> Result<Spent> {
    use crate::sales::payments::PaymentMethod;
    let sum =
        |m: PaymentMethod| Money::sum(payments.iter().filter(|p| p.method == m).map(|p| p.amount));
    let (points_value, wallet) = (sum(PaymentMethod::Points)?, sum(PaymentMethod::Wallet)?);
    if points_value == Money::ZERO && wallet == Money::ZERO {
        return Ok(Spent::default());
    }
    let Some(member) = member else {
        return Err(Error::invalid(Field::Payments, Rule::NeedsMember));
    };
    let m = load_member(conn, member)?;
    if !m.active {
        return Err(Error::invalid(Field::Member, Rule::Inactive));
    }
    let mut points = 0;
    if points_value > Money::ZERO {
        let value = points::load_settings(conn)?.point_value;
        if value.0 <= 0 {
            return Err(Error::invalid(Field::Payments, Rule::PointsNotSpendable));
        }
        if points_value.0 % value.0 != 0 {
            return Err(Error::invalid(
                Field::Amount,
                Rule::NotWholePoints { point_value: value },
            ));
        }
        points = points_value.0 / value.0;
        if points > m.points {
            return Err(Error::invalid(
                Field::Points,
                Rule::NotEnoughPoints { held: m.points },
            ));
        }
    }
    if wallet > m.wallet {
        return Err(Error::invalid(
            Field::Wallet,
            Rule::NotEnoughInWallet { held: m.wallet },
        ));
    }
    Ok(Spent {
        points,
        points_value,
        wallet,
    })
}

/// Takes what [`tenders`] checked: a `redeem` points entry and a wallet `payment`.
pub(crate) fn spend_tenders(
    cx: &Ctx<'_>,
    member: MemberId,
    order: crate::sales::checkout::OrderId,
    spent: &Spent,
) -> Result<()> {
    if spent.points > 0 {
        points::post(
            cx,
            cx.now,
            &cx.terminal,
            &NewEntry {
                member,
                kind: PointsKind::Redeem,
                points: -spent.points,
                order: Some(order),
                refund: None,
                reason: "",
                staff: Some(cx.member.id),
            },
        )?;
    }
    if spent.wallet > Money::ZERO {
        wallet::post(
            cx,
            cx.now,
            &cx.terminal,
            &wallet::NewWalletEntry {
                member,
                kind: wallet::WalletKind::Payment,
                amount: -spent.wallet.0,
                method: None,
                reference: None,
                order: Some(order),
                refund: None,
                shift: None,
                reason: "",
                staff: Some(cx.member.id),
            },
        )?;
    }
    Ok(())
}

/// Adds the demo café's regulars inside the seeding transaction, with some points each.
pub(crate) fn seed_demo_members(cx: &Ctx<'_>, today: Date) -> Result<()> {
    let regulars = [
        (
            "Dewi Lestari",
            "0812-3456-7890",
            "dewi@example.com",
            "Alergi kacang",
            "Jl. Dago No. 12, Bandung",
            180,
        ),
        (
            "Budi Santoso",
            "0813-2222-4444",
            "",
            "Kopi tanpa gula",
            "Jl. Riau No. 5, Bandung",
            640,
        ),
        (
            "Rina Wijaya",
            "0857-1111-9999",
            "rina@example.com",
            "",
            "",
            40,
        ),
    ];
    for (name, phone, email, notes, address, pts) in regulars {
        let input = MemberInput {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            notes: notes.into(),
            address: address.into(),
            ..MemberInput::default()
        };
        let m = add_in(cx, &validate(&input, today)?, "")?;
        points::post(
            cx,
            cx.now,
            &cx.terminal,
            &NewEntry {
                member: m.id,
                kind: PointsKind::Adjust,
                points: pts,
                order: None,
                refund: None,
                reason: "Demo",
                staff: Some(cx.member.id),
            },
        )?;
    }
    Ok(())
}
