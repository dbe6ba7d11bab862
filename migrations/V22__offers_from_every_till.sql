-- V22: coupons, vouchers, redemptions and reviews on every till of the store (issue 12).
--
-- With a server, each till takes the store's coupons, vouchers, redemptions and reviews from
-- the change log (the newest version of each), and the other tills' coupon uses, so a coupon's
-- limits count the store's uses. Another till's uses are kept apart: their orders are not this
-- till's. A use is given back once (given_back_at, set once, stays).
CREATE TABLE coupon_uses_elsewhere (
    id            TEXT    PRIMARY KEY,
    coupon_id     TEXT    NOT NULL,
    member_id     TEXT,
    discount      INTEGER NOT NULL CHECK (discount >= 0),
    used_at       TEXT    NOT NULL,
    given_back_at TEXT
) WITHOUT ROWID;
CREATE INDEX coupon_uses_elsewhere_coupon ON coupon_uses_elsewhere (coupon_id, used_at);
CREATE INDEX coupon_uses_elsewhere_member ON coupon_uses_elsewhere (member_id, coupon_id)
    WHERE member_id IS NOT NULL;

-- When the managers were told a voucher ends soon (once per voucher and end date).
ALTER TABLE vouchers ADD COLUMN expiry_noticed TEXT;
