//! A batch's money-side facts: shifts opened and closed, cash in and out of drawers, refunds.
//! Each is added once by its id; a refund's lines, payments and stock follow only a refund
//! this call really inserted (a re-sent entry, or one from a till enrolled again, adds
//! nothing).

use std::collections::HashSet;

use kasir_proto::{Payload, Refund};
use tokio_postgres::Transaction;

use super::{Entry, serde_plain};
use crate::Failure;
use crate::auth::Terminal;

/// Inserts the batch's new refunds; returns the sequences of those this call inserted.
pub(super) async fn insert_refunds(
    tx: &Transaction<'_>,
    terminal: Terminal,
    refunds: &[(i64, &Refund)],
) -> Result<HashSet<i64>, Failure> {
    let mut inserted = HashSet::new();
    'refunds: for (seq, r) in refunds {
        // A refund under a number this terminal already used (a till whose counter went back)
        // is another refund, never dropped: written as `<number>/<seq>` (then `/2`, … should
        // a payload made to clash hold that too).
        let mut refund_no = r.refund_no.clone();
        let mut tries = 1;
        while tx
            .execute(
                "INSERT INTO refunds (id, store_id, terminal_id, seq, refund_no, order_id, shift_id,
                     staff_id, staff_name, approved_by, reason, gross, discount, service, tax,
                     rounding, total, business_date, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     $18::text::date, $19::text::timestamptz)
                 ON CONFLICT DO NOTHING",
                &[
                    &r.id,
                    &terminal.store_id,
                    &terminal.id,
                    seq,
                    &refund_no,
                    &r.order_id,
                    &r.shift_id,
                    &r.staff_id,
                    &r.staff_name,
                    &r.approved_by,
                    &r.reason,
                    &r.gross,
                    &r.discount,
                    &r.service,
                    &r.tax,
                    &r.rounding,
                    &r.total,
                    &r.business_date.to_string(),
                    &r.created_at.to_string(),
                ],
            )
            .await?
            == 0
        {
            let same = tx
                .query_opt("SELECT 1 FROM refunds WHERE id = $1", &[&r.id])
                .await?;
            if same.is_some() {
                continue 'refunds;
            }
            tries += 1;
            refund_no = if tries == 2 {
                format!("{}/{seq}", r.refund_no)
            } else {
                format!("{}/{seq}/{tries}", r.refund_no)
            };
        }
        inserted.insert(*seq);
        for (i, l) in r.lines.iter().enumerate() {
            tx.execute(
                "INSERT INTO refund_lines (refund_id, line_no, order_line, product_id, product_name,
                     quantity, gross, line_discount, order_discount, service, tax, total, restock)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                &[
                    &r.id,
                    &(i as i32),
                    &(l.order_line as i32),
                    &l.product_id,
                    &l.product_name,
                    &l.quantity,
                    &l.gross,
                    &l.line_discount,
                    &l.order_discount,
                    &l.service,
                    &l.tax,
                    &l.total,
                    &l.restock,
                ],
            )
            .await?;
        }
        for (i, p) in r.payments.iter().enumerate() {
            tx.execute(
                "INSERT INTO refund_payments (refund_id, idx, method, amount, reference)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &r.id,
                    &(i as i32),
                    &serde_plain(&p.method),
                    &p.amount,
                    &p.reference,
                ],
            )
            .await?;
        }
    }
    Ok(inserted)
}

/// Shifts and cash movements, in sequence order (a close may follow its open in one batch).
pub(super) async fn apply_shifts(
    tx: &Transaction<'_>,
    terminal: Terminal,
    fresh: &[(&Entry, &Payload)],
) -> Result<(), Failure> {
    for (_, payload) in fresh {
        match payload {
            Payload::ShiftOpened(s) => {
                tx.execute(
                    "INSERT INTO shifts (id, store_id, terminal_id, terminal_code, opened_by,
                         opened_by_name, opened_at, business_date, opening_float)
                     VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, $8::text::date, $9)
                     ON CONFLICT (id) DO UPDATE SET opened_by = EXCLUDED.opened_by,
                         opened_by_name = EXCLUDED.opened_by_name, opened_at = EXCLUDED.opened_at,
                         business_date = EXCLUDED.business_date,
                         opening_float = EXCLUDED.opening_float
                     WHERE shifts.opened_at IS NULL",
                    &[
                        &s.id,
                        &terminal.store_id,
                        &terminal.id,
                        &s.terminal,
                        &s.opened_by,
                        &s.opened_by_name,
                        &s.opened_at.to_string(),
                        &s.business_date.to_string(),
                        &s.opening_float,
                    ],
                )
                .await?;
            }
            Payload::ShiftClosed(c) => {
                tx.execute(
                    "INSERT INTO shifts (id, store_id, terminal_id, terminal_code, closed_by,
                         closed_at, closed_on, z_no, counted, expected, variance, note)
                     VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz, $7::text::date, $8, $9, $10,
                         $11, $12)
                     ON CONFLICT (id) DO UPDATE SET closed_by = EXCLUDED.closed_by,
                         closed_at = EXCLUDED.closed_at, closed_on = EXCLUDED.closed_on,
                         z_no = EXCLUDED.z_no, counted = EXCLUDED.counted,
                         expected = EXCLUDED.expected, variance = EXCLUDED.variance,
                         note = EXCLUDED.note
                     WHERE shifts.closed_at IS NULL",
                    &[
                        &c.id,
                        &terminal.store_id,
                        &terminal.id,
                        &c.terminal,
                        &c.closed_by,
                        &c.closed_at.to_string(),
                        &c.business_date.to_string(),
                        &c.z_no,
                        &c.counted,
                        &c.expected,
                        &c.variance,
                        &c.note,
                    ],
                )
                .await?;
            }
            Payload::CashMoved(m) => {
                tx.execute(
                    "INSERT INTO cash_movements (id, store_id, terminal_id, shift_id, direction,
                         amount, reason, staff_id, approved_by, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::timestamptz)
                     ON CONFLICT DO NOTHING",
                    &[
                        &m.id,
                        &terminal.store_id,
                        &terminal.id,
                        &m.shift_id,
                        &serde_plain(&m.direction),
                        &m.amount,
                        &m.reason,
                        &m.staff_id,
                        &m.approved_by,
                        &m.at.to_string(),
                    ],
                )
                .await?;
            }
            _ => {}
        }
    }
    Ok(())
}
