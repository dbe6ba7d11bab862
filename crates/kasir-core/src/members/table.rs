//! The members table in admin mode: filters, sorts and pages over every member, the
//! programme's figures, and a member's orders.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{MEMBER_COLUMNS, Member, MemberId, Members, Tier, finish, load_member, member_row};
use crate::access::{Actor, Permission};
use crate::kernel::time::Stamp;
use crate::sales::checkout::{OrderId, OrderStatus};
use crate::{Error, Field, Money, Result, Rule};

/// How the members table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum MemberSort {
    #[default]
    Name,
    /// Most points first.
    Points,
    /// Most spent first.
    Spent,
    /// Most recent visit first (never last).
    LastVisit,
    /// Newest first.
    Joined,
}

/// A page of the members table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberQuery {
    /// Name words, phone digits or a number, as at the till (empty: everyone).
    pub text: String,
    pub tier: Option<Tier>,
    /// None: active and inactive.
    pub active: Option<bool>,
    pub joined_from: Option<Date>,
    pub joined_to: Option<Date>,
    pub sort: MemberSort,
    pub offset: u32,
    pub limit: u32,
}

/// A page of members and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberPage {
    pub members: Vec<Member>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub total: i64,
}

/// The programme at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberStats {
    /// Active members per tier, bronze to platinum.
    pub per_tier: Vec<TierCount>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub active: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub inactive: i64,
    /// Members who visited in the last 30 days.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub visited_30_days: i64,
    /// Points held by all members (what the shop owes in points).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub points_outstanding: i64,
    /// Money held in all wallets.
    pub wallets_outstanding: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TierCount {
    pub tier: Tier,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub members: i64,
}

/// One of a member's orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberOrder {
    pub id: OrderId,
    pub receipt_no: String,
    pub status: OrderStatus,
    pub total: Money,
    pub refunded: Money,
    pub created_at: Timestamp,
}

impl Members<'_> {
    /// The members table: filtered, sorted and paged (at most 200 a page).
    pub fn list(&self, actor: &Actor, q: &MemberQuery) -> Result<MemberPage> {
        if !(1..=200).contains(&q.limit) {
            return Err(Error::invalid(
                Field::Limit,
                Rule::OutOfRange { min: 1, max: 200 },
            ));
        }
        if q.text.chars().count() > super::MAX_MEMBER_SEARCH {
            return Err(Error::invalid(
                Field::Query,
                Rule::TooLong {
                    max: super::MAX_MEMBER_SEARCH as u32,
                },
            ));
        }
        self.k.read(actor, Permission::ManageMembers, |conn, _| {
            let mut filter = vec!["1 = 1".to_string()];
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            let arg = |v: rusqlite::types::Value, args: &mut Vec<rusqlite::types::Value>| {
                args.push(v);
                format!("?{}", args.len())
            };
            let text = q.text.trim();
            if !text.is_empty() {
                let (phone, words) = super::search_terms(text);
                let mut any = Vec::new();
                if let Some(p) = phone {
                    let a = arg(p.into(), &mut args);
                    any.push(format!("(m.phone >= {a} AND m.phone < {a} || 'a')"));
                }
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                if !digits.is_empty() && digits.len() <= 6 && digits.len() == text.len() {
                    let a = arg(digits.parse::<i64>().unwrap_or(0).into(), &mut args);
                    any.push(format!("m.number_seq = {a}"));
                }
                if text.to_uppercase().starts_with("MEM-") {
                    let a = arg(text.to_uppercase().into(), &mut args);
                    any.push(format!("m.number = {a}"));
                }
                if !words.is_empty() {
                    let query = words.iter().map(|w| format!("\"{}\"*", w.replace('"', ""))).collect::<Vec<_>>().join(" ");
                    let a = arg(query.into(), &mut args);
                    any.push(format!("m.rid IN (SELECT rowid FROM member_names WHERE member_names MATCH {a})"));
                }
                if let Some(email) = text.contains('@').then(|| text.to_lowercase()) {
                    let a = arg(email.into(), &mut args);
                    any.push(format!("m.email = {a}"));
                }
                filter.push(format!("({})", if any.is_empty() { "0".into() } else { any.join(" OR ") }));
            }
            if let Some(t) = q.tier {
                let a = arg(t.as_str().to_string().into(), &mut args);
                filter.push(format!("m.tier = {a}"));
            }
            if let Some(active) = q.active {
                let a = arg(i64::from(active).into(), &mut args);
                filter.push(format!("m.active = {a}"));
            }
            if let Some(from) = q.joined_from {
                let a = arg(Stamp(from.to_zoned(jiff::tz::TimeZone::UTC).map_err(time_error)?.timestamp()).to_string().into(), &mut args);
                filter.push(format!("m.created_at >= {a}"));
            }
            if let Some(to) = q.joined_to {
                let next = to.tomorrow().map_err(time_error)?;
                let a = arg(Stamp(next.to_zoned(jiff::tz::TimeZone::UTC).map_err(time_error)?.timestamp()).to_string().into(), &mut args);
                filter.push(format!("m.created_at < {a}"));
            }
            let filter = filter.join(" AND ");
            let order = match q.sort {
                MemberSort::Name => "m.name COLLATE NOCASE, m.number",
                MemberSort::Points => "m.points DESC, m.name COLLATE NOCASE",
                MemberSort::Spent => "m.spent DESC, m.name COLLATE NOCASE",
                MemberSort::LastVisit => "m.last_visit IS NULL, m.last_visit DESC, m.name COLLATE NOCASE",
                MemberSort::Joined => "m.created_at DESC, m.number DESC",
            };
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM members m WHERE {filter}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let limit = arg(i64::from(q.limit).into(), &mut args);
            let offset = arg(i64::from(q.offset).into(), &mut args);
            let mut stmt = conn.prepare(&format!(
                "SELECT {MEMBER_COLUMNS} FROM members m WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            ))?;
            let members = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), member_row)?
                .map(|raw| finish(raw?))
                .collect::<Result<_>>()?;
            Ok(MemberPage { members, total })
        })
    }

    /// Members per tier, active and inactive, recent visitors, points and wallets held.
    pub fn stats(&self, actor: &Actor) -> Result<MemberStats> {
        let since = Stamp(self.k.now() - jiff::SignedDuration::from_hours(24 * 30)).to_string();
        self.k.read(actor, Permission::ManageMembers, |conn, _| {
            let (active, inactive, visited, points, wallets): (i64, i64, i64, i64, i64) = conn.query_row(
                "SELECT COALESCE(SUM(active), 0), COALESCE(SUM(1 - active), 0),
                        COALESCE(SUM(last_visit >= ?1), 0), COALESCE(SUM(points), 0), COALESCE(SUM(wallet), 0)
                 FROM members",
                [&since],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
            let mut per_tier = Vec::new();
            for tier in Tier::ALL {
                let members: i64 = conn
                    .prepare_cached("SELECT COUNT(*) FROM members WHERE tier = ?1 AND active = 1")?
                    .query_row([tier.as_str()], |r| r.get(0))?;
                per_tier.push(TierCount { tier, members });
            }
            Ok(MemberStats {
                per_tier,
                active,
                inactive,
                visited_30_days: visited,
                points_outstanding: points,
                wallets_outstanding: Money(wallets),
            })
        })
    }

    /// A member's orders, newest first.
    pub fn orders(&self, actor: &Actor, member: MemberId, limit: u32) -> Result<Vec<MemberOrder>> {
        self.k.read(actor, Permission::Members, |conn, _| {
            load_member(conn, member)?;
            let mut stmt = conn.prepare_cached(
                "SELECT o.id, o.receipt_no, o.status, o.total,
                        (SELECT COALESCE(SUM(total), 0) FROM refunds f WHERE f.order_id = o.id), o.created_at
                 FROM orders o WHERE o.member_id = ?1 ORDER BY o.created_at DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![member, limit.clamp(1, 500)], |r| {
                Ok((r.get::<_, OrderId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?, r.get::<_, Stamp>(5)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, receipt_no, status, total, refunded, at) = row?;
                out.push(MemberOrder {
                    id,
                    receipt_no,
                    status: OrderStatus::parse(&status)?,
                    total: Money(total),
                    refunded: Money(refunded),
                    created_at: at.0,
                });
            }
            Ok(out)
        })
    }
}

fn time_error(e: jiff::Error) -> Error {
    Error::invalid(
        Field::From,
        Rule::Unknown {
            value: e.to_string(),
        },
    )
}
