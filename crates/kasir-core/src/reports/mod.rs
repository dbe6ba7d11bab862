//! Sales reports over a range of the shop's business days: totals, by day, by hour of the day,
//! by product and category, by payment method and by staff member.
//!
//! **Invariants**: a report reads on a reader connection and never holds the writer. Past days
//! come from their summaries (`report_days` and its tables, V14) when there are any, and from
//! their orders otherwise; today always from its orders. A summary is derived data: it is
//! written for a day that is over by [`Reports::prepare`] (a day per short transaction), and
//! triggers drop it whenever an order or refund of that day is written or an order's status
//! changes, so a report never shows a stale day. Sales are orders not cancelled, by the day
//! they were sold; refunds count on the day they were given; cancellations are listed apart.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::kernel::time::Stamp;
use crate::money::MoneyFormat;
use crate::sales::payments::PaymentMethod;
use crate::{Error, Field, Kasir, Money, Result, Rule, settings};

/// The longest range a report covers: about three years of days.
pub const MAX_DAYS: i64 = 1_100;

/// Which days a report covers, in the shop's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReportRange {
    Today,
    Yesterday,
    /// Monday to today.
    ThisWeek,
    /// The first of the month to today.
    ThisMonth,
    /// `from` to `to`, both included.
    Custom {
        from: Date,
        to: Date,
    },
}

impl ReportRange {
    /// The first and last day, given today.
    pub fn days(self, today: Date) -> Result<(Date, Date)> {
        let (from, to) = match self {
            ReportRange::Today => (today, today),
            ReportRange::Yesterday => {
                let y = today.yesterday().map_err(|_| out_of_range())?;
                (y, y)
            }
            ReportRange::ThisWeek => {
                let back = today.weekday().to_monday_zero_offset() as i64;
                (
                    today
                        .checked_sub(jiff::Span::new().days(back))
                        .map_err(|_| out_of_range())?,
                    today,
                )
            }
            ReportRange::ThisMonth => (today.first_of_month(), today),
            ReportRange::Custom { from, to } => (from, to),
        };
        if to < from || from.until(to).map_err(|_| out_of_range())?.get_days() as i64 > MAX_DAYS {
            return Err(out_of_range());
        }
        Ok((from, to))
    }
}

fn out_of_range() -> Error {
    Error::invalid(
        Field::To,
        Rule::OutOfRange {
            min: 0,
            max: MAX_DAYS,
        },
    )
}

/// The figures of a day or a range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SalesTotals {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub orders: i64,
    /// Σ lines' unit price × quantity.
    pub gross: Money,
    /// Line and order discounts.
    pub discounts: Money,
    pub service: Money,
    pub tax: Money,
    pub rounding: Money,
    /// What customers paid for orders not cancelled.
    pub sales: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub refund_count: i64,
    pub refunds: Money,
    /// The service and tax inside the refunds (given back).
    pub refund_service: Money,
    pub refund_tax: Money,
    /// sales − refunds.
    pub net: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub cancelled_count: i64,
    pub cancelled_total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DaySales {
    pub day: Date,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub orders: i64,
    pub sales: Money,
    pub refunds: Money,
    pub net: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HourSales {
    pub hour: u32,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub orders: i64,
    pub sales: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProductSales {
    pub product_id: String,
    pub name: String,
    pub category: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    pub sales: Money,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub refunded_quantity: i64,
    pub refunds: Money,
    pub net: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CategorySales {
    pub category: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub quantity: i64,
    pub sales: Money,
    pub refunds: Money,
    pub net: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MethodSales {
    pub method: PaymentMethod,
    pub sales: Money,
    pub refunds: Money,
    pub net: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffSales {
    pub staff_id: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub orders: i64,
    pub sales: Money,
}

/// A sales report over a range of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SalesReport {
    pub from: Date,
    pub to: Date,
    pub money_format: MoneyFormat,
    pub totals: SalesTotals,
    /// Every day of the range, oldest first (days without sales too, for the chart).
    pub by_day: Vec<DaySales>,
    /// The 24 hours of the day.
    pub by_hour: Vec<HourSales>,
    /// Best sellers first (by sales).
    pub by_product: Vec<ProductSales>,
    pub by_category: Vec<CategorySales>,
    pub by_method: Vec<MethodSales>,
    pub by_staff: Vec<StaffSales>,
}

/// One day's (or several days') figures, by dimension: what a summary holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Agg {
    totals: SalesTotals,
    hours: BTreeMap<u32, (i64, i64)>,
    /// product id → (name, category, quantity, sales, refunded quantity, refunds)
    products: HashMap<String, (String, String, i64, i64, i64, i64)>,
    /// method → (sales, refunds)
    methods: BTreeMap<String, (i64, i64)>,
    /// staff id → (name, orders, sales)
    staff: HashMap<String, (String, i64, i64)>,
}

impl Agg {
    fn add(&mut self, other: Agg) {
        let (t, o) = (&mut self.totals, other.totals);
        t.orders += o.orders;
        t.gross.0 += o.gross.0;
        t.discounts.0 += o.discounts.0;
        t.service.0 += o.service.0;
        t.tax.0 += o.tax.0;
        t.rounding.0 += o.rounding.0;
        t.sales.0 += o.sales.0;
        t.refund_count += o.refund_count;
        t.refunds.0 += o.refunds.0;
        t.refund_service.0 += o.refund_service.0;
        t.refund_tax.0 += o.refund_tax.0;
        t.cancelled_count += o.cancelled_count;
        t.cancelled_total.0 += o.cancelled_total.0;
        for (h, (n, s)) in other.hours {
            let e = self.hours.entry(h).or_default();
            e.0 += n;
            e.1 += s;
        }
        for (id, (name, cat, q, s, rq, r)) in other.products {
            let e = self
                .products
                .entry(id)
                .or_insert_with(|| (name.clone(), cat.clone(), 0, 0, 0, 0));
            // The newest day's name and category win (later days are added after earlier).
            (e.0, e.1) = (name, cat);
            e.2 += q;
            e.3 += s;
            e.4 += rq;
            e.5 += r;
        }
        for (m, (s, r)) in other.methods {
            let e = self.methods.entry(m).or_default();
            e.0 += s;
            e.1 += r;
        }
        for (id, (name, n, s)) in other.staff {
            let e = self.staff.entry(id).or_insert_with(|| (name.clone(), 0, 0));
            e.0 = name;
            e.1 += n;
            e.2 += s;
        }
    }
}

/// One day's figures, from its orders and refunds.
fn day_from_orders(conn: &Connection, day: Date, tz: &jiff::tz::TimeZone) -> Result<Agg> {
    let d = day.to_string();
    let totals = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(order_discount), 0), COALESCE(SUM(service), 0),
                    COALESCE(SUM(tax), 0), COALESCE(SUM(rounding), 0), COALESCE(SUM(total), 0)
             FROM orders WHERE business_date = ?1 AND status <> 'cancelled'",
        )?
        .query_row([&d], |r| {
            Ok(SalesTotals {
                orders: r.get(0)?,
                discounts: Money(r.get(1)?),
                service: Money(r.get(2)?),
                tax: Money(r.get(3)?),
                rounding: Money(r.get(4)?),
                sales: Money(r.get(5)?),
                ..SalesTotals::default()
            })
        })?;
    let mut a = Agg {
        totals,
        ..Agg::default()
    };
    let t = &mut a.totals;
    let (n, total): (i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(total), 0) FROM orders WHERE business_date = ?1 AND status = 'cancelled'",
        )?
        .query_row([&d], |r| Ok((r.get(0)?, r.get(1)?)))?;
    (t.cancelled_count, t.cancelled_total) = (n, Money(total));
    let (n, total, service, tax): (i64, i64, i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(total), 0), COALESCE(SUM(service), 0), COALESCE(SUM(tax), 0)
             FROM refunds WHERE business_date = ?1",
        )?
        .query_row([&d], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    (t.refund_count, t.refunds, t.refund_service, t.refund_tax) =
        (n, Money(total), Money(service), Money(tax));

    // Lines by product (their discounts and gross for the totals).
    let mut line_discounts = 0i64;
    let mut gross = 0i64;
    let mut stmt = conn.prepare_cached(
        "SELECT l.product_id, l.product_name, l.category_name, l.quantity, l.total, l.gross, l.line_discount
         FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.business_date = ?1 AND o.status <> 'cancelled'
         ORDER BY o.created_at, l.position",
    )?;
    let mut rows = stmt.query([&d])?;
    while let Some(r) = rows.next()? {
        let (id, name, cat): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (q, total, g, ld): (i64, i64, i64, i64) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        gross += g;
        line_discounts += ld;
        let e = a
            .products
            .entry(id)
            .or_insert_with(|| (String::new(), String::new(), 0, 0, 0, 0));
        (e.0, e.1) = (name, cat);
        e.2 += q;
        e.3 += total;
    }
    a.totals.gross.0 = gross;
    a.totals.discounts.0 += line_discounts;
    let mut stmt = conn.prepare_cached(
        "SELECT l.product_id, l.product_name, l.category_name, l.quantity, l.total
         FROM refunds f JOIN refund_lines l ON l.refund_id = f.id WHERE f.business_date = ?1",
    )?;
    let mut rows = stmt.query([&d])?;
    while let Some(r) = rows.next()? {
        let (id, name, cat): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let e = a
            .products
            .entry(id)
            .or_insert_with(|| (name, cat, 0, 0, 0, 0));
        e.4 += r.get::<_, i64>(3)?;
        e.5 += r.get::<_, i64>(4)?;
    }

    // Hours, in the shop's zone.
    let mut stmt = conn.prepare_cached(
        "SELECT created_at, total FROM orders WHERE business_date = ?1 AND status <> 'cancelled'",
    )?;
    let mut rows = stmt.query([&d])?;
    while let Some(r) = rows.next()? {
        let at: Stamp = r.get(0)?;
        let hour = at.0.to_zoned(tz.clone()).hour() as u32;
        let e = a.hours.entry(hour).or_default();
        e.0 += 1;
        e.1 += r.get::<_, i64>(1)?;
    }

    for row in conn
        .prepare_cached(
            "SELECT p.method, SUM(p.amount) FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE o.business_date = ?1 AND o.status <> 'cancelled' GROUP BY p.method",
        )?
        .query_map([&d], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
    {
        let (m, s) = row?;
        a.methods.entry(m).or_default().0 += s;
    }
    for row in conn
        .prepare_cached(
            "SELECT p.method, SUM(p.amount) FROM refunds f JOIN refund_payments p ON p.refund_id = f.id
             WHERE f.business_date = ?1 GROUP BY p.method",
        )?
        .query_map([&d], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
    {
        let (m, r) = row?;
        a.methods.entry(m).or_default().1 += r;
    }
    for row in conn
        .prepare_cached(
            "SELECT staff_id, MAX(staff_name), COUNT(*), SUM(total) FROM orders
             WHERE business_date = ?1 AND status <> 'cancelled' GROUP BY staff_id",
        )?
        .query_map([&d], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
    {
        let (id, name, n, s) = row?;
        a.staff.insert(id, (name, n, s));
    }
    Ok(a)
}

/// A summarised day's orders, sales and refunds.
type DayFigures = (Date, i64, i64, i64);

/// The summaries of the days in `from..=to` that have one, added up; and which days they are.
fn from_summaries(conn: &Connection, from: Date, to: Date) -> Result<(Agg, Vec<DayFigures>)> {
    let (f, t) = (from.to_string(), to.to_string());
    let mut a = Agg::default();
    let mut days = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT day, orders, gross, discounts, service, tax, rounding, sales, refund_count, refunds,
                refund_service, refund_tax, cancelled_count, cancelled_total
         FROM report_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
    )?;
    let mut rows = stmt.query(params![f, t])?;
    while let Some(r) = rows.next()? {
        let day: String = r.get(0)?;
        let day: Date = day
            .parse()
            .map_err(|e| Error::DatabaseCorrupt(format!("report day {day:?}: {e}")))?;
        let o = SalesTotals {
            orders: r.get(1)?,
            gross: Money(r.get(2)?),
            discounts: Money(r.get(3)?),
            service: Money(r.get(4)?),
            tax: Money(r.get(5)?),
            rounding: Money(r.get(6)?),
            sales: Money(r.get(7)?),
            refund_count: r.get(8)?,
            refunds: Money(r.get(9)?),
            refund_service: Money(r.get(10)?),
            refund_tax: Money(r.get(11)?),
            net: Money::ZERO,
            cancelled_count: r.get(12)?,
            cancelled_total: Money(r.get(13)?),
        };
        days.push((day, o.orders, o.sales.0, o.refunds.0));
        a.add(Agg {
            totals: o,
            ..Agg::default()
        });
    }
    for row in conn
        .prepare_cached(
            "SELECT hour, SUM(orders), SUM(sales) FROM report_day_hours WHERE day BETWEEN ?1 AND ?2 GROUP BY hour",
        )?
        .query_map(params![f, t], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?
    {
        let (h, n, s) = row?;
        a.hours.insert(h, (n, s));
    }
    // Added up here rather than grouped by SQLite (a sort of every row): the rows come in day
    // order, so a product's name and category are those of its latest day.
    let mut stmt = conn.prepare_cached(
        "SELECT product_id, name, category, quantity, sales, refunded_qty, refunds
         FROM report_day_products WHERE day BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query(params![f, t])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let e = a
            .products
            .entry(id)
            .or_insert_with(|| (String::new(), String::new(), 0, 0, 0, 0));
        (e.0, e.1) = (r.get(1)?, r.get(2)?);
        e.2 += r.get::<_, i64>(3)?;
        e.3 += r.get::<_, i64>(4)?;
        e.4 += r.get::<_, i64>(5)?;
        e.5 += r.get::<_, i64>(6)?;
    }
    for row in conn
        .prepare_cached(
            "SELECT method, SUM(sales), SUM(refunds) FROM report_day_methods WHERE day BETWEEN ?1 AND ?2 GROUP BY method",
        )?
        .query_map(params![f, t], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?
    {
        let (m, s, r) = row?;
        a.methods.insert(m, (s, r));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT staff_id, name, orders, sales FROM report_day_staff WHERE day BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query(params![f, t])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let e = a.staff.entry(id).or_insert_with(|| (String::new(), 0, 0));
        e.0 = r.get(1)?;
        e.1 += r.get::<_, i64>(2)?;
        e.2 += r.get::<_, i64>(3)?;
    }
    Ok((a, days))
}

/// Writes a day's summary (the day is over: nothing of it changes but by the triggers).
fn write_summary(conn: &Connection, day: Date, a: &Agg) -> Result<()> {
    let d = day.to_string();
    let t = &a.totals;
    conn.execute("DELETE FROM report_days WHERE day = ?1", [&d])?;
    conn.execute(
        "INSERT INTO report_days (day, orders, gross, discounts, service, tax, rounding, sales,
            refund_count, refunds, refund_service, refund_tax, cancelled_count, cancelled_total)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            d,
            t.orders,
            t.gross.0,
            t.discounts.0,
            t.service.0,
            t.tax.0,
            t.rounding.0,
            t.sales.0,
            t.refund_count,
            t.refunds.0,
            t.refund_service.0,
            t.refund_tax.0,
            t.cancelled_count,
            t.cancelled_total.0
        ],
    )?;
    let mut hours = conn.prepare_cached(
        "INSERT INTO report_day_hours (day, hour, orders, sales) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (h, (n, s)) in &a.hours {
        hours.execute(params![d, h, n, s])?;
    }
    let mut products = conn.prepare_cached(
        "INSERT INTO report_day_products (day, product_id, name, category, quantity, sales, refunded_qty, refunds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (id, (name, cat, q, s, rq, r)) in &a.products {
        products.execute(params![d, id, name, cat, q, s, rq, r])?;
    }
    let mut methods = conn.prepare_cached(
        "INSERT INTO report_day_methods (day, method, sales, refunds) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (m, (s, r)) in &a.methods {
        methods.execute(params![d, m, s, r])?;
    }
    let mut staff = conn.prepare_cached(
        "INSERT INTO report_day_staff (day, staff_id, name, orders, sales) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (id, (name, n, s)) in &a.staff {
        staff.execute(params![d, id, name, n, s])?;
    }
    Ok(())
}

fn report(conn: &Connection, range: ReportRange, now: Timestamp) -> Result<SalesReport> {
    let settings = settings::load(conn)?;
    let tz = settings.time_zone()?;
    let today = now.to_zoned(tz.clone()).date();
    let (from, to) = range.days(today)?;
    // Past days with a summary, then every other day from its orders.
    let (mut agg, summarised) =
        from_summaries(conn, from, to.min(today.yesterday().unwrap_or(today)))?;
    let mut by_day: BTreeMap<Date, (i64, i64, i64)> = summarised
        .into_iter()
        .map(|(d, n, s, r)| (d, (n, s, r)))
        .collect();
    let mut day = from;
    while day <= to {
        if let std::collections::btree_map::Entry::Vacant(slot) = by_day.entry(day) {
            let a = day_from_orders(conn, day, &tz)?;
            slot.insert((a.totals.orders, a.totals.sales.0, a.totals.refunds.0));
            agg.add(a);
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    agg.totals.net = Money(agg.totals.sales.0 - agg.totals.refunds.0);

    let mut by_product: Vec<ProductSales> = agg
        .products
        .into_iter()
        .map(
            |(id, (name, category, quantity, sales, refunded_quantity, refunds))| ProductSales {
                product_id: id,
                name,
                category,
                quantity,
                sales: Money(sales),
                refunded_quantity,
                refunds: Money(refunds),
                net: Money(sales - refunds),
            },
        )
        .collect();
    by_product.sort_by(|a, b| b.sales.cmp(&a.sales).then_with(|| a.name.cmp(&b.name)));
    let mut categories: BTreeMap<String, CategorySales> = BTreeMap::new();
    for p in &by_product {
        let c = categories
            .entry(p.category.clone())
            .or_insert_with(|| CategorySales {
                category: p.category.clone(),
                quantity: 0,
                sales: Money::ZERO,
                refunds: Money::ZERO,
                net: Money::ZERO,
            });
        c.quantity += p.quantity;
        c.sales.0 += p.sales.0;
        c.refunds.0 += p.refunds.0;
        c.net.0 += p.net.0;
    }
    let mut by_category: Vec<CategorySales> = categories.into_values().collect();
    by_category.sort_by(|a, b| {
        b.sales
            .cmp(&a.sales)
            .then_with(|| a.category.cmp(&b.category))
    });
    let by_method = PaymentMethod::ALL
        .iter()
        .filter_map(|m| {
            agg.methods.get(m.as_str()).map(|(s, r)| MethodSales {
                method: *m,
                sales: Money(*s),
                refunds: Money(*r),
                net: Money(s - r),
            })
        })
        .collect();
    let mut by_staff: Vec<StaffSales> = agg
        .staff
        .into_iter()
        .map(|(staff_id, (name, orders, sales))| StaffSales {
            staff_id,
            name,
            orders,
            sales: Money(sales),
        })
        .collect();
    by_staff.sort_by(|a, b| b.sales.cmp(&a.sales).then_with(|| a.name.cmp(&b.name)));
    Ok(SalesReport {
        from,
        to,
        money_format: settings.money_format(),
        totals: agg.totals,
        by_day: by_day
            .into_iter()
            .map(|(day, (orders, sales, refunds))| DaySales {
                day,
                orders,
                sales: Money(sales),
                refunds: Money(refunds),
                net: Money(sales - refunds),
            })
            .collect(),
        by_hour: (0..24)
            .map(|hour| {
                let (orders, sales) = agg.hours.get(&hour).copied().unwrap_or((0, 0));
                HourSales {
                    hour,
                    orders,
                    sales: Money(sales),
                }
            })
            .collect(),
        by_product,
        by_category,
        by_method,
        by_staff,
    })
}

/// The reports' use cases: `k.reports()`.
pub struct Reports<'k> {
    k: &'k Kasir,
}

impl Kasir {
    /// Sales reports over ranges of days.
    pub fn reports(&self) -> Reports<'_> {
        Reports { k: self }
    }
}

impl Reports<'_> {
    /// The sales report for `range`, from the reader side.
    pub fn sales(&self, actor: &Actor, range: ReportRange) -> Result<SalesReport> {
        let now = self.k.now();
        self.k.read(actor, Permission::ViewReports, |conn, _| {
            report(conn, range, now)
        })
    }

    /// Writes the summary of every past day that has orders or refunds and no summary yet,
    /// newest first, one day per transaction (a sale waits for at most one day's reading and
    /// writing, a few milliseconds), at most `limit` days. Returns how many it wrote. The app
    /// runs it in the background; a report is right without it, only slower.
    pub fn prepare(&self, limit: u32) -> Result<u32> {
        let settings = self.k.settings().get()?;
        let tz = settings.time_zone()?;
        let today = self.k.now().to_zoned(tz.clone()).date().to_string();
        let missing: Vec<String> = self.k.read_any(|conn| {
            Ok(conn
                .prepare(
                    "SELECT DISTINCT d FROM (
                         SELECT business_date AS d FROM orders WHERE business_date < ?1
                         UNION SELECT business_date FROM refunds WHERE business_date < ?1)
                     WHERE d NOT IN (SELECT day FROM report_days) ORDER BY d DESC LIMIT ?2",
                )?
                .query_map(params![today, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        let mut written = 0;
        for day in missing {
            let day: Date = day
                .parse()
                .map_err(|e| Error::DatabaseCorrupt(format!("business date {day:?}: {e}")))?;
            // Read and written in one transaction: nothing of the day can change in between.
            self.k
                .transact(|tx, _| write_summary(tx, day, &day_from_orders(tx, day, &tz)?))?;
            written += 1;
        }
        Ok(written)
    }
}

/// A table of a report, for its CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReportTable {
    Days,
    Hours,
    Products,
    Categories,
    Methods,
    Staff,
}

impl ReportTable {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportTable::Days => "days",
            ReportTable::Hours => "hours",
            ReportTable::Products => "products",
            ReportTable::Categories => "categories",
            ReportTable::Methods => "methods",
            ReportTable::Staff => "staff",
        }
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`, `-`
/// or `@` is prefixed with `'` so a spreadsheet never runs it as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl SalesReport {
    /// An amount as a spreadsheet reads it: major units, a point before the minor digits, no
    /// grouping (`25000`, `1234.50`, `-5000`).
    fn plain(&self, m: Money) -> String {
        let unit = self
            .money_format
            .minor_unit
            .min(crate::money::MAX_MINOR_UNIT);
        if unit == 0 {
            return m.0.to_string();
        }
        let scale = 10i64.pow(unit);
        let sign = if m.0 < 0 { "-" } else { "" };
        let abs = m.0.unsigned_abs();
        format!(
            "{sign}{}.{:0w$}",
            abs / scale as u64,
            abs % scale as u64,
            w = unit as usize
        )
    }

    /// One table of the report as CSV (UTF-8, a header row, amounts in major units).
    pub fn to_csv(&self, table: ReportTable) -> String {
        let mut out = String::new();
        let mut row = |cells: Vec<String>| {
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        };
        let p = |m: Money| self.plain(m);
        match table {
            ReportTable::Days => {
                row(["day", "orders", "sales", "refunds", "net"]
                    .map(String::from)
                    .to_vec());
                for d in &self.by_day {
                    row(vec![
                        d.day.to_string(),
                        d.orders.to_string(),
                        p(d.sales),
                        p(d.refunds),
                        p(d.net),
                    ]);
                }
            }
            ReportTable::Hours => {
                row(["hour", "orders", "sales"].map(String::from).to_vec());
                for h in &self.by_hour {
                    row(vec![
                        format!("{:02}:00", h.hour),
                        h.orders.to_string(),
                        p(h.sales),
                    ]);
                }
            }
            ReportTable::Products => {
                row([
                    "product",
                    "category",
                    "quantity",
                    "sales",
                    "refunded_quantity",
                    "refunds",
                    "net",
                ]
                .map(String::from)
                .to_vec());
                for x in &self.by_product {
                    row(vec![
                        field(&x.name),
                        field(&x.category),
                        x.quantity.to_string(),
                        p(x.sales),
                        x.refunded_quantity.to_string(),
                        p(x.refunds),
                        p(x.net),
                    ]);
                }
            }
            ReportTable::Categories => {
                row(["category", "quantity", "sales", "refunds", "net"]
                    .map(String::from)
                    .to_vec());
                for x in &self.by_category {
                    row(vec![
                        field(&x.category),
                        x.quantity.to_string(),
                        p(x.sales),
                        p(x.refunds),
                        p(x.net),
                    ]);
                }
            }
            ReportTable::Methods => {
                row(["method", "sales", "refunds", "net"]
                    .map(String::from)
                    .to_vec());
                for x in &self.by_method {
                    row(vec![
                        x.method.as_str().to_string(),
                        p(x.sales),
                        p(x.refunds),
                        p(x.net),
                    ]);
                }
            }
            ReportTable::Staff => {
                row(["staff", "orders", "sales"].map(String::from).to_vec());
                for x in &self.by_staff {
                    row(vec![field(&x.name), x.orders.to_string(), p(x.sales)]);
                }
            }
        }
        out
    }
}
