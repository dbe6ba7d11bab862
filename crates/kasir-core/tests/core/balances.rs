//! A member's balances on every till of a store: the other tills' points and wallet entries
//! come from the server once each, a debit beyond what is held becomes owed, and a till that
//! cannot reach its server spends a member's points and wallet only up to the offline limits.

use jiff::{SignedDuration, Timestamp};
use kasir_core::members::{Member, MemberInput};
use kasir_core::money::Money;
use kasir_core::sales::checkout::{PaymentInput, PaymentMethod};
use kasir_core::sales::tickets::{AddLine, OrderType};
use kasir_core::{Error, Field, Rule};
use kasir_proto::api::{Change, ChangeData, EnrolResponse, PullResponse};
use kasir_proto::{Payload, PointsKind, WalletKind};
use uuid::Uuid;

use crate::helpers::{Shop, fingerprint, shop};

/// A page of changes numbered from `first`.
fn page(first: i64, data: Vec<ChangeData>) -> PullResponse {
    let changes: Vec<Change> = data
        .into_iter()
        .enumerate()
        .map(|(i, data)| Change {
            cursor: first + i as i64,
            data,
        })
        .collect();
    PullResponse {
        cursor: changes.last().map_or(first - 1, |c| c.cursor),
        changes,
        more: false,
    }
}

/// A member another till added.
fn theirs(name: &str, phone: Option<&str>, at: Timestamp) -> kasir_proto::Member {
    kasir_proto::Member {
        id: Uuid::now_v7(),
        number: "MEM-T02-000007".into(),
        name: name.into(),
        phone: phone.map(String::from),
        email: None,
        birthday: None,
        address: "Jl. Braga 5".into(),
        notes: String::new(),
        active: true,
        referral_code: "SITI-7Q2".into(),
        referred_by: None,
        created_at: at,
        updated_at: at,
    }
}

fn points(member: Uuid, kind: PointsKind, points: i64, at: Timestamp) -> ChangeData {
    ChangeData::PointsEntry(kasir_proto::PointsEntry {
        id: Uuid::now_v7(),
        member_id: member,
        kind,
        points,
        order_id: Some(Uuid::now_v7()),
        refund_id: None,
        reason: String::new(),
        staff_id: None,
        at,
    })
}

fn wallet(member: Uuid, kind: WalletKind, amount: i64, at: Timestamp) -> ChangeData {
    ChangeData::WalletEntry(kasir_proto::WalletEntry {
        id: Uuid::now_v7(),
        member_id: member,
        kind,
        amount,
        method: (kind == WalletKind::TopUp).then_some(kasir_proto::PaymentMethod::Card),
        reference: None,
        order_id: None,
        refund_id: None,
        shift_id: None,
        reason: String::new(),
        staff_id: None,
        at,
    })
}

fn get(s: &Shop, id: Uuid) -> Member {
    let a = s.admin.clone();
    s.kasir
        .members()
        .get(&a, kasir_core::members::MemberId(id))
        .unwrap()
}

/// What the member's points and wallet ledgers sum to, as the history shows them.
fn ledger_sums(s: &Shop, m: &Member) -> (i64, i64) {
    let a = s.admin.clone();
    let p = s.kasir.points().history(&a, m.id, 1000).unwrap();
    let w = s.kasir.wallets().history(&a, m.id, 1000).unwrap();
    (
        p.iter().map(|e| e.points).sum(),
        w.iter().map(|e| e.amount.0).sum(),
    )
}

#[test]
fn another_tills_entries_arrive_once_and_a_debit_beyond_the_balance_is_owed() {
    let s = shop();
    let now = s.kasir.now();
    let siti = theirs("Siti Rahma", Some("081399990000"), now);
    let first = page(
        1,
        vec![
            ChangeData::Member(siti.clone()),
            points(siti.id, PointsKind::Earn, 300, now),
            wallet(siti.id, WalletKind::TopUp, 50_000, now),
        ],
    );
    assert_eq!(s.kasir.sync().apply_pull(&first).unwrap(), 3);
    let m = get(&s, siti.id);
    assert_eq!(
        (m.name.as_str(), m.number.as_str(), m.phone.as_deref()),
        ("Siti Rahma", "MEM-T02-000007", Some("081399990000"))
    );
    assert_eq!((m.points, m.wallet, m.points_owed), (300, Money(50_000), 0));
    // She is found as any member: by phone, by her number's count.
    let a = s.admin.clone();
    assert_eq!(
        s.kasir.members().search(&a, "0813999", 5).unwrap()[0].id,
        m.id
    );
    assert_eq!(s.kasir.members().search(&a, "7", 5).unwrap()[0].id, m.id);

    // The same entries again (a page asked twice, the server's log replayed under new
    // cursors): nothing moves twice.
    let mut again = first.clone();
    for (i, c) in again.changes.iter_mut().enumerate() {
        c.cursor = 4 + i as i64;
    }
    again.cursor = 6;
    s.kasir.sync().apply_pull(&again).unwrap();
    let m = get(&s, siti.id);
    assert_eq!((m.points, m.wallet), (300, Money(50_000)));

    // Two tills apart spent the same points and wallet: the sum goes below zero, what can be
    // spent stays at zero, and the rest is owed.
    s.kasir
        .sync()
        .apply_pull(&page(
            7,
            vec![
                points(siti.id, PointsKind::Redeem, -450, now),
                wallet(siti.id, WalletKind::Payment, -80_000, now),
            ],
        ))
        .unwrap();
    let m = get(&s, siti.id);
    assert_eq!(
        (m.points, m.points_owed, m.wallet, m.wallet_owed),
        (0, 150, Money(0), Money(30_000))
    );
    assert_eq!(ledger_sums(&s, &m), (-150, -30_000));
    // Paying from an empty wallet is refused as ever; a top-up pays what is owed first.
    let c = s.cashier.clone();
    let m = s
        .kasir
        .wallets()
        .top_up(&c, m.id, 50_000, PaymentMethod::Cash, None)
        .unwrap();
    assert_eq!((m.wallet, m.wallet_owed), (Money(20_000), Money(0)));
    // Points she earns here pay her debt first too.
    s.kasir
        .sync()
        .apply_pull(&page(9, vec![points(siti.id, PointsKind::Earn, 200, now)]))
        .unwrap();
    let m = get(&s, siti.id);
    assert_eq!((m.points, m.points_owed), (50, 0));
    assert_eq!(ledger_sums(&s, &m), (50, 20_000));

    // A later version of her details replaces the earlier one; her number stays.
    let renamed = kasir_proto::Member {
        name: "Siti R.".into(),
        notes: "Tanpa gula".into(),
        ..siti.clone()
    };
    s.kasir
        .sync()
        .apply_pull(&page(10, vec![ChangeData::Member(renamed)]))
        .unwrap();
    let m = get(&s, siti.id);
    assert_eq!(
        (m.name.as_str(), m.notes.as_str()),
        ("Siti R.", "Tanpa gula")
    );
    assert_eq!(m.points, 50);
}

#[test]
fn a_till_takes_its_own_entries_back_as_held_and_a_clashing_phone_stays_with_its_member() {
    let s = shop();
    let c = s.cashier.clone();
    let dewi = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Dewi".into(),
                phone: "0812-1111-2222".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    s.kasir
        .wallets()
        .top_up(&c, dewi.id, 40_000, PaymentMethod::Cash, None)
        .unwrap();
    // What this till sent comes back in the store's log: already held.
    let mine: Vec<ChangeData> = s
        .kasir
        .sync()
        .sent_kinds()
        .unwrap()
        .into_iter()
        .filter_map(|(_, p)| match p {
            Payload::MemberUpserted(m) => Some(ChangeData::Member(m)),
            Payload::WalletEntry(w) => Some(ChangeData::WalletEntry(w)),
            Payload::PointsEntry(e) => Some(ChangeData::PointsEntry(e)),
            _ => None,
        })
        .collect();
    assert!(mine.len() >= 2);
    s.kasir.sync().apply_pull(&page(1, mine)).unwrap();
    let m = get(&s, dewi.id.0);
    assert_eq!((m.wallet, m.wallet_owed), (Money(40_000), Money(0)));

    // Another till added the same person while apart: she arrives without the phone Dewi
    // holds here (the server keeps both), and nothing else is lost.
    let before = s.kasir.sync().pull_cursor().unwrap();
    let twin = theirs("Dewi L.", Some("081211112222"), s.kasir.now());
    s.kasir
        .sync()
        .apply_pull(&page(before + 1, vec![ChangeData::Member(twin.clone())]))
        .unwrap();
    assert_eq!(get(&s, twin.id).phone, None);
    assert_eq!(get(&s, dewi.id.0).phone.as_deref(), Some("081211112222"));

    // An entry for a member this till does not know is skipped, and the page still lands.
    let stray = points(Uuid::now_v7(), PointsKind::Earn, 10, s.kasir.now());
    let next = page(before + 2, vec![stray]);
    assert_eq!(s.kasir.sync().apply_pull(&next).unwrap(), 0);
    assert_eq!(s.kasir.sync().pull_cursor().unwrap(), before + 2);
}

/// The server answers the first `n` waiting entries (all when `None`), as after a push.
fn sent(s: &Shop, n: Option<usize>) {
    let (_, waiting) = s.kasir.sync().pending(10_000).unwrap();
    let seqs: Vec<i64> = waiting
        .iter()
        .map(|e| e.seq)
        .take(n.unwrap_or(usize::MAX))
        .collect();
    let answer = kasir_proto::api::PushResponse {
        results: seqs
            .iter()
            .map(|&seq| kasir_proto::api::EntryResult {
                seq,
                outcome: kasir_proto::api::Outcome::Applied,
            })
            .collect(),
        held_through: 0,
    };
    s.kasir.sync().record_push(&seqs, &answer).unwrap();
}

fn enrol(s: &Shop) {
    let manager = s.manager.clone();
    s.kasir
        .sync()
        .enrolled(
            &manager,
            "https://kasir.example",
            false,
            &EnrolResponse {
                terminal_id: Uuid::now_v7(),
                terminal_code: "T02".into(),
                store_id: Uuid::now_v7(),
                store_name: "Braga".into(),
                token: "t".repeat(43),
            },
        )
        .unwrap();
}

/// Pays a ticket of one `product` for `m`: `points` points (at Rp 100 each) and `wallet` from the
/// wallet, the rest in cash.
fn pay(
    s: &Shop,
    m: &Member,
    product: &kasir_core::catalog::Product,
    points: i64,
    wallet: i64,
) -> Result<(), Error> {
    let c = s.cashier.clone();
    let sales = s.kasir.sales();
    let t = sales.open_ticket(&c, OrderType::Takeaway, "").unwrap();
    sales
        .add_to_ticket(
            &c,
            t.id,
            AddLine {
                product_id: product.id,
                modifier_ids: vec![],
                note: String::new(),
                quantity: 1,
            },
        )
        .unwrap();
    let t = sales.set_ticket_member(&c, t.id, Some(m.id)).unwrap();
    let total = t.totals.total.0;
    let mut tenders = vec![];
    for (method, amount) in [
        (PaymentMethod::Points, points * 100),
        (PaymentMethod::Wallet, wallet),
    ] {
        if amount > 0 {
            tenders.push(PaymentInput {
                method,
                amount,
                reference: None,
            });
        }
    }
    let rest = total - points * 100 - wallet;
    if rest > 0 {
        tenders.push(PaymentInput {
            method: PaymentMethod::Cash,
            amount: rest,
            reference: None,
        });
    }
    let result = sales.checkout(&c, t.id, &tenders).map(|_| ());
    if result.is_err() {
        sales.discard_ticket(&c, t.id).unwrap();
    }
    result
}

#[test]
fn an_offline_till_spends_a_members_points_and_wallet_only_up_to_the_limits() {
    let s = shop();
    let (a, c) = (s.admin.clone(), s.cashier.clone());
    let coffee = s.product("Kopi", 100_000, None);
    let dewi = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Dewi".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    let m = s.manager.clone();
    s.kasir
        .points()
        .adjust(&m, None, dewi.id, 2_000, "welcome")
        .unwrap();
    s.kasir
        .wallets()
        .top_up(&c, dewi.id, 500_000, PaymentMethod::Cash, None)
        .unwrap();
    let mut settings = s.kasir.points().settings(&a).unwrap();
    settings.offline_points_limit = 300;
    settings.offline_wallet_limit = Money(100_000);
    s.kasir.points().set_settings(&a, &settings).unwrap();

    // A till on its own is the whole store: no limit.
    pay(&s, &dewi, &coffee, 400, 60_000).unwrap();
    // Enrolled and in touch with its server: no limit either.
    s.clock.advance(SignedDuration::from_secs(1));
    enrol(&s);
    s.kasir.sync().record_success().unwrap();
    pay(&s, &dewi, &coffee, 400, 60_000).unwrap();
    // The uploader sent it: a contact after it.
    s.clock.advance(SignedDuration::from_secs(1));
    sent(&s, None);

    // Four minutes without reaching the server: offline.
    s.clock.advance(SignedDuration::from_mins(4));
    let before = fingerprint(&s.kasir);
    let refused = |r: Result<(), Error>| match r {
        Err(Error::Invalid { field, rule }) => (field, rule),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused(pay(&s, &dewi, &coffee, 0, 100_001)),
        (
            Field::Wallet,
            Rule::OfflineWalletLimit {
                left: Money(100_000)
            }
        )
    );
    assert_eq!(
        refused(pay(&s, &dewi, &coffee, 301, 0)),
        (Field::Points, Rule::OfflinePointsLimit { left: 300 })
    );
    assert_eq!(fingerprint(&s.kasir), before, "a refusal changes nothing");
    pay(&s, &dewi, &coffee, 200, 70_000).unwrap();
    assert_eq!(
        refused(pay(&s, &dewi, &coffee, 0, 40_000)),
        (
            Field::Wallet,
            Rule::OfflineWalletLimit {
                left: Money(30_000)
            }
        )
    );
    // A voucher bought with points counts against the same limit.
    let voucher = s
        .kasir
        .vouchers()
        .create(
            &a,
            &kasir_core::offers::vouchers::VoucherInput {
                name: "Potongan".into(),
                reward: kasir_core::offers::vouchers::Reward::Discount {
                    discount: kasir_core::money::pricing::Discount::Amount(Money(5_000)),
                },
                points_cost: 150,
                stock: None,
                valid_from: None,
                valid_until: None,
                active: true,
            },
        )
        .unwrap();
    assert_eq!(
        refused(
            s.kasir
                .vouchers()
                .redeem(&c, dewi.id, voucher.id)
                .map(|_| ())
        ),
        (Field::Points, Rule::OfflinePointsLimit { left: 100 })
    );
    pay(&s, &dewi, &coffee, 100, 30_000).unwrap();
    assert_eq!(
        refused(pay(&s, &dewi, &coffee, 1, 0)),
        (Field::Points, Rule::OfflinePointsLimit { left: 0 })
    );
    // Cash is always taken.
    pay(&s, &dewi, &coffee, 0, 0).unwrap();

    // A contact that sent only part of what waited, then lost again: what it spent offline
    // and has not sent still counts.
    s.clock.advance(SignedDuration::from_secs(1));
    sent(&s, Some(1));
    s.clock.advance(SignedDuration::from_secs(1));
    s.kasir.sync().record_failure("connection reset").unwrap();
    assert_eq!(
        refused(pay(&s, &dewi, &coffee, 0, 1_000)),
        (Field::Wallet, Rule::OfflineWalletLimit { left: Money(0) })
    );
    // Back in touch, everything sent: the limit is lifted.
    s.clock.advance(SignedDuration::from_secs(1));
    sent(&s, None);
    pay(&s, &dewi, &coffee, 150, 100_000).unwrap();
    // A failure after the last contact is offline at once, and what was spent since that
    // contact (the Rp 100.000 just paid, not yet sent) counts.
    s.clock.advance(SignedDuration::from_secs(10));
    s.kasir.sync().record_failure("connection refused").unwrap();
    assert_eq!(
        refused(pay(&s, &dewi, &coffee, 0, 1_000)),
        (Field::Wallet, Rule::OfflineWalletLimit { left: Money(0) })
    );
    s.clock.advance(SignedDuration::from_secs(1));
    sent(&s, None);
    pay(&s, &dewi, &coffee, 0, 100_000).unwrap();

    let left = get(&s, dewi.id.0);
    let history = s.kasir.points().history(&a, dewi.id, 1000).unwrap();
    let redeemed: i64 = history
        .iter()
        .filter(|e| e.kind == kasir_core::members::points::PointsKind::Redeem)
        .map(|e| -e.points)
        .sum();
    assert_eq!(
        redeemed,
        400 + 400 + 200 + 100 + 150,
        "only what was allowed"
    );
    assert_eq!(left.points, history.iter().map(|e| e.points).sum::<i64>());
    assert_eq!(
        left.wallet,
        Money(500_000 - 60_000 - 60_000 - 70_000 - 30_000 - 100_000 - 100_000)
    );
}

#[test]
fn a_member_numbered_like_one_here_comes_with_a_local_number_and_her_entries_follow() {
    let s = shop();
    let c = s.cashier.clone();
    // Two tills that were both `T01` before they were enrolled numbered a member each.
    let mine = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Rina".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    let now = s.kasir.now();
    let twin = kasir_proto::Member {
        number: mine.number.clone(),
        referral_code: mine.referral_code.clone(),
        ..theirs("Sari", None, now)
    };
    let first = s.kasir.sync().pull_cursor().unwrap() + 1;
    let applied = s
        .kasir
        .sync()
        .apply_pull(&page(
            first,
            vec![
                ChangeData::Member(twin.clone()),
                points(twin.id, PointsKind::Earn, 40, now),
            ],
        ))
        .unwrap();
    assert_eq!(applied, 2, "neither is skipped");
    let sari = get(&s, twin.id);
    assert_ne!(sari.number, mine.number);
    assert!(sari.number.starts_with(&mine.number), "{}", sari.number);
    assert_ne!(sari.referral_code, mine.referral_code);
    assert_eq!(sari.points, 40);
    assert_eq!(get(&s, mine.id.0).number, mine.number);
}

#[test]
fn with_a_server_only_the_till_that_added_a_member_expires_her_points() {
    let s = shop();
    let (c, m) = (s.cashier.clone(), s.manager.clone());
    enrol(&s); // this till is T02 now
    let ours = s
        .kasir
        .members()
        .add(
            &c,
            &MemberInput {
                name: "Rina".into(),
                ..MemberInput::default()
            },
            "",
        )
        .unwrap();
    assert!(ours.number.starts_with("MEM-T02-"), "{}", ours.number);
    s.kasir
        .points()
        .adjust(&m, None, ours.id, 100, "welcome")
        .unwrap();
    let now = s.kasir.now();
    let other = kasir_proto::Member {
        number: "MEM-T01-000009".into(),
        ..theirs("Sari", None, now)
    };
    s.kasir
        .sync()
        .apply_pull(&page(
            1,
            vec![
                ChangeData::Member(other.clone()),
                points(other.id, PointsKind::Earn, 100, now),
            ],
        ))
        .unwrap();
    // Thirteen months on, both hold points past the default 12 months: this till expires
    // its own member's; T01 expires Sari's.
    s.clock.advance(SignedDuration::from_hours(24 * 400));
    assert_eq!(s.kasir.points().expire_due().unwrap(), 1);
    assert_eq!(get(&s, ours.id.0).points, 0);
    assert_eq!(get(&s, other.id).points, 100);
    // T01's expiry comes down like any entry.
    s.kasir
        .sync()
        .apply_pull(&page(
            3,
            vec![points(other.id, PointsKind::Expire, -100, now)],
        ))
        .unwrap();
    assert_eq!(get(&s, other.id).points, 0);
    assert_eq!(s.kasir.points().expire_due().unwrap(), 0);
}
