//! A history of sales for benchmarks and load tests (feature `generators`): a year of a busy
//! café in one transaction, straight into the tables (no outbox, no audit), shaped like what
//! the till writes: orders with their lines and payments, a closed shift per day with its Z
//! number, about one order in a hundred refunded, and today's shift left open.

use jiff::{SignedDuration, Timestamp, ToSpan};
use rusqlite::params;

use crate::kernel::ids::new_uuid;
use crate::kernel::time::Stamp;
use crate::{Actor, Error, Field, Kasir, Result, Rule};

/// What [`generate_sales_history`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub orders: u64,
    pub lines: u64,
    pub refunds: u64,
    pub shifts: u64,
}

fn too_many() -> Error {
    Error::invalid(
        Field::Count,
        Rule::OutOfRange {
            min: 1,
            max: MAX_ORDERS as i64,
        },
    )
}

/// The most orders one call makes.
pub const MAX_ORDERS: u64 = 5_000_000;

/// Writes `days` days of `orders_per_day` orders each (ending today, in the shop's time zone)
/// of the till's active products, sold by `by`. Every day but today gets a closed shift with a
/// Z number; today's shift stays open, with today's orders in it.
pub fn generate_sales_history(
    kasir: &Kasir,
    by: &Actor,
    days: u32,
    orders_per_day: u32,
) -> Result<History> {
    let total = days as u64 * orders_per_day as u64;
    if total > MAX_ORDERS || days == 0 || days > 3_650 {
        return Err(too_many());
    }
    kasir.transact(|tx, now| {
        let settings = crate::settings::load(tx)?;
        let tz = settings.time_zone()?;
        let terminal = settings.terminal_code.clone();
        let products: Vec<(String, String, String, i64)> = tx
            .prepare(
                "SELECT p.id, p.name, c.name, p.price FROM products p JOIN categories c ON c.id = p.category_id
                 WHERE p.active = 1 ORDER BY p.rid LIMIT 400",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if products.is_empty() {
            return Err(Error::invalid(Field::Count, Rule::Required));
        }
        let staff = by.id().to_string();
        let name = by.name().to_string();
        let mut order = tx.prepare(
            "INSERT INTO orders (id, receipt_no, terminal, staff_id, staff_name, order_type, label, status,
                subtotal, order_discount, service, tax, rounding, total, paid, change_due, tax_rate_bp,
                service_rate_bp, prices_include_tax, currency, business_date, created_at, updated_at,
                minor_unit, shift_id)
             VALUES (?1, ?2, ?3, ?4, ?5, 'takeaway', '', 'completed', ?6, 0, ?7, ?8, 0, ?9, ?9, ?10, 1000,
                500, 0, 'IDR', ?11, ?12, ?12, 0, ?13)",
        )?;
        let mut line = tx.prepare(
            "INSERT INTO order_lines (order_id, position, product_id, product_name, category_name, base_price,
                unit_price, modifiers, note, quantity, gross, line_discount, order_discount, service, tax, total)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, '[]', '', ?7, ?8, 0, 0, ?9, ?10, ?11)",
        )?;
        let mut payment = tx.prepare(
            "INSERT INTO payments (order_id, position, method, amount, tendered, change, reference, created_at)
             VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut shift = tx.prepare(
            "INSERT INTO shifts (id, terminal, opened_by, opened_at, opened_on, opening_float, closed_by,
                closed_at, closed_on, counted, expected, variance, z_no)
             VALUES (?1, ?2, ?3, ?4, ?5, 500000, ?6, ?7, ?8, ?9, ?9, 0, ?10)",
        )?;
        let mut refund = tx.prepare(
            "INSERT INTO refunds (id, refund_no, order_id, terminal, shift_id, staff_id, staff_name, reason,
                gross, discount, service, tax, rounding, total, business_date, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'generated', ?8, 0, ?9, ?10, 0, ?11, ?12, ?13)",
        )?;
        let mut refund_line = tx.prepare(
            "INSERT INTO refund_lines (refund_id, position, order_position, product_id, product_name,
                category_name, quantity, gross, line_discount, order_discount, service, tax, total, restock)
             VALUES (?1, 0, 0, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7, ?8, ?9, 0)",
        )?;
        let mut refund_payment = tx.prepare(
            "INSERT INTO refund_payments (refund_id, position, method, amount) VALUES (?1, 0, 'cash', ?2)",
        )?;

        let today = now.to_zoned(tz.clone()).date();
        // Today's orders join the shift already open, if there is one.
        let open: Option<String> = tx
            .query_row(
                "SELECT id FROM shifts WHERE terminal = ?1 AND closed_at IS NULL",
                [&terminal],
                |r| r.get(0),
            )
            .ok();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut made = History {
            orders: 0,
            lines: 0,
            refunds: 0,
            shifts: 0,
        };
        let mut receipt = 0u64;
        for d in 0..days {
            let day = today
                .checked_sub(((days - 1 - d) as i64).days())
                .map_err(|_| too_many())?;
            let opens = day
                .at(7, 0, 0, 0)
                .to_zoned(tz.clone())
                .map_err(|_| too_many())?
                .timestamp();
            let closes = opens + SignedDuration::from_hours(15);
            let is_today = d == days - 1;
            let shift_id = match (&open, is_today) {
                (Some(id), true) => id.clone(),
                _ => new_uuid(opens).to_string(),
            };
            let mut cash_in_drawer = 500_000i64;
            let mut day_orders = Vec::with_capacity(orders_per_day as usize);
            for i in 0..orders_per_day {
                receipt += 1;
                let at: Timestamp = opens
                    + SignedDuration::from_secs(
                        (i as i64 * 14 * 3600) / orders_per_day.max(1) as i64,
                    );
                let id = new_uuid(at).to_string();
                let n_lines = 1 + (next() % 7) as usize; // 1..=7, about 4 on average
                let (mut gross, mut service, mut tax) = (0i64, 0i64, 0i64);
                let mut picked = Vec::with_capacity(n_lines);
                for _ in 0..n_lines {
                    let (pid, pname, cname, price) = &products[(next() % products.len() as u64) as usize];
                    let qty = 1 + (next() % 3) as i64;
                    let g = price * qty;
                    let s = (g * 5 + 50) / 100;
                    let t = ((g + s) * 10 + 50) / 100;
                    gross += g;
                    service += s;
                    tax += t;
                    picked.push((pid, pname, cname, *price, qty, g, s, t));
                }
                let first = picked
                    .first()
                    .map(|l| (l.0.clone(), l.1.clone(), l.2.clone(), l.4, l.5, l.6, l.7));
                made.lines += n_lines as u64;
                let total = gross + service + tax;
                let (method, tendered, reference) = match next() % 10 {
                    0..=5 => ("cash", (total + 49_999) / 50_000 * 50_000, None),
                    6..=8 => ("qris", total, Some("QR")),
                    _ => ("card", total, None),
                };
                let no = format!("{terminal}-{receipt:06}");
                order.execute(params![
                    id, no, terminal, staff, name, gross, service, tax, total, tendered - total,
                    day.to_string(), Stamp(at), shift_id
                ])?;
                for (pos, (pid, pname, cname, price, qty, g, s, t)) in picked.iter().enumerate() {
                    line.execute(params![id, pos as i64, pid, pname, cname, price, qty, g, s, t, g + s + t])?;
                }
                payment.execute(params![id, method, total, tendered, tendered - total, reference, Stamp(at)])?;
                if method == "cash" {
                    cash_in_drawer += total;
                }
                made.orders += 1;
                day_orders.push((id, at, first));
            }
            // About one order in a hundred has its first line refunded in cash, soon after.
            let refunded: Vec<_> = day_orders
                .iter()
                .filter(|_| next() % 100 == 0)
                .filter_map(|(order_id, at, first)| first.clone().map(|f| (order_id.clone(), *at, f)))
                .collect();
            for (_, _, (_, _, _, _, g, s, t)) in &refunded {
                cash_in_drawer -= g + s + t;
            }
            made.shifts += 1;
            if is_today && open.is_some() {
                // Already there.
            } else if is_today {
                tx.execute(
                    "INSERT INTO shifts (id, terminal, opened_by, opened_at, opened_on, opening_float)
                     VALUES (?1, ?2, ?3, ?4, ?5, 500000)",
                    params![shift_id, terminal, staff, Stamp(opens), day.to_string()],
                )?;
            } else {
                shift.execute(params![
                    shift_id, terminal, staff, Stamp(opens), day.to_string(), staff, Stamp(closes),
                    day.to_string(), cash_in_drawer, made.shifts as i64
                ])?;
            }
            for (order_id, at, (pid, pname, cname, qty, g, s, t)) in refunded {
                made.refunds += 1;
                let rid = new_uuid(at).to_string();
                let rno = format!("{terminal}-R{:06}", made.refunds);
                let at = at + SignedDuration::from_mins(10);
                refund.execute(params![
                    rid, rno, order_id, terminal, shift_id, staff, name, g, s, t, g + s + t,
                    day.to_string(), Stamp(at)
                ])?;
                refund_line.execute(params![rid, pid, pname, cname, qty, g, s, t, g + s + t])?;
                refund_payment.execute(params![rid, g + s + t])?;
            }
        }
        for (key, last) in [
            (terminal.clone(), receipt as i64),
            (format!("{terminal}-Z"), made.shifts as i64 - 1),
            (format!("{terminal}-R"), made.refunds as i64),
        ] {
            tx.execute(
                "INSERT INTO receipt_counters (terminal, last) VALUES (?1, ?2)
                 ON CONFLICT (terminal) DO UPDATE SET last = MAX(last, excluded.last)",
                params![key, last],
            )?;
        }
        Ok(made)
    })
}
