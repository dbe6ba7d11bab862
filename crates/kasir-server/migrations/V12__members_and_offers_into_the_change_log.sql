-- Members, their points and wallet entries, reviews, coupons and their uses, vouchers and
-- redemptions that a server took before they went into the change log are appended to it
-- once, so every till of the store learns them: members first (oldest first, so a referrer
-- comes before those she brought), then their entries, reviews, the offers and their uses.
-- Only rows with no change of their own are added: running this again adds nothing.

-- The stores' rows first, as every writer of the log takes them: nobody hands out a cursor
-- while these are numbered.
UPDATE stores SET change_seq = change_seq;

WITH missing AS (
    SELECT m.store_id, 1 AS rank, m.created_at AS at, 'member' AS kind, m.id AS entity_id,
        jsonb_build_object(
            'id', m.id, 'number', m.number, 'name', m.name, 'phone', m.phone, 'email', m.email,
            'birthday', to_char(m.birthday, 'YYYY-MM-DD'), 'address', m.address,
            'notes', m.notes, 'active', m.active, 'referral_code', m.referral_code,
            'referred_by', m.referred_by,
            'created_at', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'updated_at', to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        ) AS data
    FROM members m
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = m.store_id AND c.kind = 'member' AND c.entity_id = m.id)
    UNION ALL
    SELECT e.store_id, 2, e.at, 'points_entry', e.id,
        jsonb_build_object(
            'id', e.id, 'member_id', e.member_id, 'kind', e.kind, 'points', e.points,
            'order_id', e.order_id, 'refund_id', e.refund_id, 'reason', e.reason,
            'staff_id', e.staff_id,
            'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM point_entries e
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = e.store_id AND c.kind = 'points_entry' AND c.entity_id = e.id)
    UNION ALL
    SELECT w.store_id, 2, w.at, 'wallet_entry', w.id,
        jsonb_build_object(
            'id', w.id, 'member_id', w.member_id, 'kind', w.kind, 'amount', w.amount,
            'method', w.method, 'reference', w.reference, 'order_id', w.order_id,
            'refund_id', w.refund_id, 'shift_id', w.shift_id, 'reason', w.reason,
            'staff_id', w.staff_id,
            'at', to_char(w.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM wallet_entries w
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = w.store_id AND c.kind = 'wallet_entry' AND c.entity_id = w.id)
    UNION ALL
    SELECT r.store_id, 3, r.at, 'review', r.id,
        jsonb_build_object(
            'id', r.id, 'member_id', r.member_id, 'product_id', r.product_id,
            'rating', r.rating, 'comment', r.comment, 'image_id', r.image_id, 'hidden', r.hidden,
            'at', to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM reviews r
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = r.store_id AND c.kind = 'review' AND c.entity_id = r.id)
    UNION ALL
    SELECT k.store_id, 4, k.at, 'coupon', k.id,
        jsonb_build_object(
            'id', k.id, 'code', k.code, 'name', k.name, 'rule', k.rule,
            'min_order', k.min_order, 'usage_limit', k.usage_limit,
            'per_member_limit', k.per_member_limit, 'customer_group', k.customer_group,
            'valid_from', to_char(k.valid_from, 'YYYY-MM-DD'),
            'valid_until', to_char(k.valid_until, 'YYYY-MM-DD'), 'active', k.active,
            'at', to_char(k.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM coupons k
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = k.store_id AND c.kind = 'coupon' AND c.entity_id = k.id)
    UNION ALL
    SELECT v.store_id, 4, v.at, 'voucher', v.id,
        jsonb_build_object(
            'id', v.id, 'name', v.name, 'reward', v.reward, 'points_cost', v.points_cost,
            'stock', v.stock, 'valid_from', to_char(v.valid_from, 'YYYY-MM-DD'),
            'valid_until', to_char(v.valid_until, 'YYYY-MM-DD'), 'active', v.active,
            'at', to_char(v.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM vouchers v
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = v.store_id AND c.kind = 'voucher' AND c.entity_id = v.id)
    UNION ALL
    SELECT u.store_id, 5, u.used_at, 'coupon_use', u.id,
        jsonb_build_object(
            'id', u.id, 'coupon_id', u.coupon_id, 'order_id', u.order_id,
            'member_id', u.member_id, 'discount', u.discount,
            'used_at', to_char(u.used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'given_back_at', to_char(u.given_back_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM coupon_uses u
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = u.store_id AND c.kind = 'coupon_use' AND c.entity_id = u.id)
    UNION ALL
    SELECT d.store_id, 5, d.at, 'redemption', d.id,
        jsonb_build_object(
            'id', d.id, 'code', d.code, 'voucher_id', d.voucher_id, 'member_id', d.member_id,
            'points', d.points, 'status', d.status, 'order_id', d.order_id,
            'at', to_char(d.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    FROM redemptions d
    WHERE NOT EXISTS (SELECT 1 FROM changes c
                      WHERE c.store_id = d.store_id AND c.kind = 'redemption' AND c.entity_id = d.id)
),
numbered AS (
    SELECT x.store_id, x.kind, x.entity_id, x.data,
        s.change_seq + row_number() OVER (PARTITION BY x.store_id ORDER BY x.rank, x.at, x.entity_id)
            AS cursor
    FROM missing x JOIN stores s ON s.id = x.store_id
)
INSERT INTO changes (store_id, cursor, kind, entity_id, data)
SELECT store_id, cursor, kind, entity_id, data FROM numbered;

UPDATE stores s SET change_seq = l.last
FROM (SELECT store_id, max(cursor) AS last FROM changes GROUP BY store_id) l
WHERE l.store_id = s.id AND l.last > s.change_seq;
